// The messages between the training page (train-main.ts, which draws) and its worker
// (train-worker.ts, which trains): commands go to the worker, events come back. Both sides send
// through the typed functions below, so a message the other side does not know is a type error.
// Messages are structured clones; bulk bytes (the exported model) are transferred, not copied.
import type { Provider } from './providers.js';

export type Backend = Provider | 'auto';

export type Command =
  /** fetch the training graph, the weights and MNIST from the server; `ortBase` is the page's ort/ folder */
  | { type: 'load'; ortBase: string }
  /** train on the user's IDX files instead (plain or gzipped) */
  | { type: 'files'; images: File; labels: File }
  /** a fresh run: initial weights, zero optimizer state, the seed's split, batch order and noise */
  | { type: 'reset'; backend: Backend; threads: number; seed: number }
  /** train until `pause`, or until step `stopAt`; validate every `valEvery` steps (default: once an epoch) */
  | { type: 'start'; lr: number; stopAt?: number; valEvery?: number }
  | { type: 'pause' }
  /** the learning rate for the next steps */
  | { type: 'lr'; lr: number }
  | { type: 'validate' }
  /** an inference model.onnx with the current weights (made by the server) */
  | { type: 'export' };

export type WorkerEvent =
  /** a training set is loaded: send `reset` */
  | { type: 'dataset'; description: string; count: number }
  | {
      type: 'ready';
      provider: Provider;
      threads: number;
      /** the worker's own isolation: WASM threads need it there */
      crossOriginIsolated: boolean;
      seed: number;
      trainCount: number;
      valCount: number;
      batchSize: number;
      optimizer: string;
      /** the validation split's first training-set indices */
      valHead: number[];
    }
  | { type: 'running' }
  | {
      type: 'step';
      step: number;
      /** the step's epoch counted from 0, as src/data/batches.ts counts it */
      epoch: number;
      loss: number;
      accuracy: number;
      /** over the last 50 steps, timed in the worker */
      stepsPerSecond: number;
      /** the batch's training-set indices, sent with step 1 only */
      indices?: number[];
    }
  | { type: 'validating' }
  | { type: 'validation'; step: number; correct: number; count: number }
  | { type: 'paused'; step: number }
  | { type: 'model'; step: number; bytes: Uint8Array<ArrayBuffer> }
  | { type: 'error'; message: string };

interface Port {
  postMessage(message: unknown, options?: StructuredSerializeOptions): void;
}

export function sendCommand(worker: Port, command: Command): void {
  worker.postMessage(command);
}

export function sendEvent(scope: Port, event: WorkerEvent): void {
  scope.postMessage(event, event.type === 'model' ? { transfer: [event.bytes.buffer] } : undefined);
}
