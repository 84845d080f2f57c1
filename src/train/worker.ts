// Worker-thread entry: runs `train` off the main thread, whose event loop then stays free for
// progress and signals (an ONNX Runtime run blocks its thread for the whole step).
import { parentPort, workerData } from 'node:worker_threads';
import type { TrainOptions } from './options.js';
import { type StartMode, train } from './trainer.js';
import type { FromWorker, ToWorker } from './worker-protocol.js';

const port = parentPort;
if (!port) throw new Error('worker.ts must run in a worker thread');
const post = (message: FromWorker) => port.postMessage(message);

let stopRequested = false;
port.on('message', (message: ToWorker) => {
  if (message.type === 'stop') stopRequested = true;
});

const { options, start } = workerData as { options: TrainOptions; start: StartMode };
try {
  const summary = await train(
    options,
    {
      onStart: (info) => post({ type: 'start', info }),
      onStep: (info) => post({ type: 'step', info }),
      onEval: (record) => post({ type: 'eval', record }),
      onCheckpoint: (info) => post({ type: 'checkpoint', info }),
      onNotice: (message) => post({ type: 'notice', message }),
      shouldStop: () => stopRequested,
    },
    start,
  );
  post({ type: 'done', summary });
} catch (error) {
  post({
    type: 'error',
    message: error instanceof Error ? error.message : String(error),
    stack: error instanceof Error ? (error.stack ?? '') : '',
  });
} finally {
  port.close();
}
