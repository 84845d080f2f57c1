// Runs training in a worker thread with the same callbacks as `train`, plus `stop()`, which
// asks the worker to checkpoint after its current step and finish.
import { Worker } from 'node:worker_threads';
import type { TrainOptions } from './options.js';
import type { StartMode, TrainCallbacks, TrainSummary } from './trainer.js';
import type { FromWorker, ToWorker } from './worker-protocol.js';

export interface TrainingHandle {
  readonly done: Promise<TrainSummary>;
  stop(): void;
}

export function trainInWorker(
  options: TrainOptions,
  callbacks: Omit<TrainCallbacks, 'shouldStop'> = {},
  start: StartMode = 'new',
): TrainingHandle {
  const worker = new Worker(new URL('./worker.js', import.meta.url), { workerData: { options, start } });
  const done = new Promise<TrainSummary>((resolve, reject) => {
    let settled = false;
    worker.on('message', (message: FromWorker) => {
      switch (message.type) {
        case 'start':
          return callbacks.onStart?.(message.info);
        case 'step':
          return callbacks.onStep?.(message.info);
        case 'eval':
          return callbacks.onEval?.(message.record);
        case 'checkpoint':
          return callbacks.onCheckpoint?.(message.info);
        case 'notice':
          return callbacks.onNotice?.(message.message);
        case 'done':
          settled = true;
          return resolve(message.summary);
        case 'error': {
          settled = true;
          const error = new Error(message.message);
          error.stack = message.stack;
          return reject(error);
        }
      }
    });
    worker.on('error', (error) => {
      settled = true;
      reject(error);
    });
    worker.on('exit', (code) => {
      if (!settled) reject(new Error(`the training worker exited with code ${code} before finishing`));
    });
  });
  return { done, stop: () => worker.postMessage({ type: 'stop' } satisfies ToWorker) };
}
