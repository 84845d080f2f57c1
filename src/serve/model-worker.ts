// Worker-thread entry of model-thread.ts: loads and checks the model (model.ts) and runs it, one
// request at a time. onnxruntime-node's run() is synchronous on the thread that calls it (its
// promise only defers the call with setImmediate), and a model's first run at a new batch size
// took 1 s of CPU (3.5 s on a loaded machine): on the server's event loop that held every
// request, /healthz included, for as long.
import { parentPort, workerData } from 'node:worker_threads';
import { loadModel, type LoadModelOptions, type ServedModel } from './model.js';
import type { ModelReply, ModelRequest, ModelWorkerData } from './model-thread.js';

const port = parentPort;
if (!port) throw new Error('model-worker.ts must run in a worker thread');
const { path, options } = workerData as ModelWorkerData;
const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

let model: ServedModel | undefined;
try {
  model = await loadModel(path, options satisfies LoadModelOptions);
  port.postMessage({ kind: 'loaded', info: model.info, metadata: model.metadata } satisfies ModelReply);
} catch (error) {
  port.postMessage({ kind: 'failed', message: message(error) } satisfies ModelReply);
}

port.on('message', (request: ModelRequest) => {
  void (async () => {
    if (!model) return;
    if (request.kind === 'release') {
      await model.release();
      model = undefined;
      port.postMessage({ kind: 'released' } satisfies ModelReply);
      return;
    }
    try {
      const outputs = await model.run(request.rows, request.count);
      const buffers = [...new Set(Object.values(outputs).map((o) => o.buffer as ArrayBuffer))];
      port.postMessage({ kind: 'ran', id: request.id, outputs } satisfies ModelReply, buffers);
    } catch (error) {
      port.postMessage({ kind: 'error', id: request.id, message: message(error) } satisfies ModelReply);
    }
  })();
});
