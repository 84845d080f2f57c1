// The served model in a worker thread (model-worker.ts), so that ONNX Runtime's runs, which are
// synchronous, never hold the server's event loop. Same interface as model.ts's loadModel: the
// checks run in the worker (a model that fails them is released there, and the worker ends); rows
// go over by transfer, outputs come back the same way; one run at a time (the batcher's).
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { ModelInfo as ModelMetadata } from '../onnx/metadata.js';
import type { BatchOutputs } from './batcher.js';
import type { LoadModelOptions, ModelInfo, ServedModel } from './model.js';

export interface ModelWorkerData {
  path: string;
  options: LoadModelOptions;
}

export type ModelRequest = { kind: 'run'; id: number; rows: Float32Array; count: number } | { kind: 'release' };

export type ModelReply =
  | { kind: 'loaded'; info: ModelInfo; metadata: ModelMetadata }
  | { kind: 'failed'; message: string }
  | { kind: 'ran'; id: number; outputs: BatchOutputs }
  | { kind: 'error'; id: number; message: string }
  | { kind: 'released' };

export async function loadModelInWorker(path: string, options: LoadModelOptions): Promise<ServedModel> {
  const worker = new Worker(new URL('./model-worker.js', import.meta.url), {
    workerData: { path, options } satisfies ModelWorkerData,
  });
  const waiting = new Map<number, { resolve: (o: BatchOutputs) => void; reject: (e: unknown) => void }>();
  let nextId = 0;
  let released: (() => void) | undefined;
  let failure: Error | undefined;
  const loaded = new Promise<{ info: ModelInfo; metadata: ModelMetadata }>((resolve, reject) => {
    worker.on('message', (reply: ModelReply) => {
      switch (reply.kind) {
        case 'loaded':
          return resolve(reply);
        case 'failed':
          return reject(new Error(reply.message));
        case 'released':
          return released?.();
        case 'ran':
        case 'error': {
          const waiter = waiting.get(reply.id);
          waiting.delete(reply.id);
          if (reply.kind === 'ran') waiter?.resolve(reply.outputs);
          else waiter?.reject(new Error(reply.message));
        }
      }
    });
    const fail = (error: Error) => {
      failure ??= error;
      reject(error);
      for (const waiter of waiting.values()) waiter.reject(error);
      waiting.clear();
      released?.();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the model's worker thread exited with code ${code}`)));
  });
  let meta: { info: ModelInfo; metadata: ModelMetadata };
  try {
    meta = await loaded;
  } catch (error) {
    await worker.terminate();
    throw error;
  }
  const bytes = readFileSync(path); // the worker read it too; the server hands it out at /model.onnx
  return {
    info: meta.info,
    metadata: meta.metadata,
    bytes,
    run(rows: Float32Array, count: number): Promise<BatchOutputs> {
      if (failure) return Promise.reject(failure);
      const id = nextId++;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        // a copy goes over, so the caller's rows stay theirs
        const copy = rows.slice();
        worker.postMessage({ kind: 'run', id, rows: copy, count } satisfies ModelRequest, [copy.buffer]);
      });
    },
    async release() {
      if (!failure) {
        const done = new Promise<void>((resolve) => (released = resolve));
        worker.postMessage({ kind: 'release' } satisfies ModelRequest);
        await done;
      }
      await worker.terminate();
    },
  };
}
