// Worker-thread entry of training.ts: builds the training page's graphs off the server's event loop.
import { parentPort, workerData } from 'node:worker_threads';
import { buildAssets, type TrainingAssetsOptions } from './training.js';

const port = parentPort;
if (!port) throw new Error('training-worker.ts must run in a worker thread');
const assets = buildAssets(workerData as TrainingAssetsOptions);
port.postMessage(assets); // copied: the arrays may share one buffer
