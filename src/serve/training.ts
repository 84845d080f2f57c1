// What the web demo's training page needs from the server: the training-step graph and its
// manifest, a forward graph that takes the parameters as inputs (validation), the initial
// parameters, the MNIST IDX files, and an export route that turns trained parameters into an
// inference model.onnx (the one `onnxgrad eval --model` reads).
//   GET  /v1/train-step.onnx        forward + backward + Adam as one graph (parameters as inputs),
//                                   conv-form gradients (for WebGPU)
//   GET  /v1/train-step-wasm.onnx   the same step with im2col-form gradients, 10% faster on WASM
//                                   (101 vs 113 ms a step in Node); a build-graph folder serves its one graph for both
//   GET  /v1/train-step.json        its manifest (inputs, outputs, parameters, state, dropout)
//   GET  /v1/forward.onnx           image -> logits, parameters as inputs
//   GET  /v1/initial-weights.bin    float32 little-endian, manifest.parameters in order
//   GET  /v1/mnist/<idx file>       train-images-idx3-ubyte, train-labels-idx1-ubyte
//   POST /v1/export-model           body: float32 parameters as above -> model.onnx
// The graphs are built once, on the first request, in a worker thread (building them takes the
// better part of a second, which would hold up every other request), or read from a build-graph
// folder at start-up. The MNIST files are streamed from disk.
import { createReadStream, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Worker } from 'node:worker_threads';
import { buildCnn, buildInferenceGraph } from '../../graphs/mnist-cnn.js';
import { cnnConfig } from '../../graphs/cnn-config.js';
import { CLASS_NAMES, resolveSource } from '../data/sources.js';
import { MNIST_NORMALIZATION } from '../data/normalize.js';
import { float32, type TensorData } from '../ir/tensor.js';
import { exportModel } from '../onnx/export.js';
import { PAGE_FORMS } from '../passes/forms.js';
import { buildTrainStep, type TrainStepManifest } from '../train/train-step.js';
import { loadedStep, loadGraphDir, type LoadedTrainGraph } from '../train/graph-dir.js';
import { cnnOf } from '../train/trainer.js';
import { HttpError, mediaType, readBody, sendJson } from './http.js';

export interface TrainingAssetsOptions {
  /** a build-graph folder (train-step.onnx + train-step.json); default: the practical's CNN, Adam, batch 64 */
  graphDir?: string;
}

export interface Assets {
  trainStep: Uint8Array;
  trainStepWasm: Uint8Array;
  manifest: TrainStepManifest;
  forward: Uint8Array;
  initial: Uint8Array;
}

const sizeOf = (shape: readonly (number | string)[]): number => shape.reduce<number>((a, d) => a * Number(d), 1);

export function buildAssets(options: TrainingAssetsOptions): Assets {
  let trainStep: Uint8Array;
  let trainStepWasm: Uint8Array;
  let loaded: LoadedTrainGraph;
  if (options.graphDir) {
    loaded = loadGraphDir(options.graphDir);
    if (loaded.manifest.nchwcBlock) {
      throw new Error(
        `${options.graphDir}: this training graph uses ONNX Runtime's CPU-only NCHWc ops, which browsers lack; build one for the browser with 'onnxgrad build-graph --no-nchwc --out DIR'`,
      );
    }
    trainStep = loaded.bytes;
    trainStepWasm = trainStep;
  } else {
    // the practical's step in the page's two forms; their manifests (names, shapes) are the same
    const build = (form: string) => buildTrainStep(cnnConfig('practical'), { optimizer: 'adam', batchSize: 64, form });
    loaded = loadedStep(build(PAGE_FORMS.webgpu));
    trainStep = loaded.bytes;
    trainStepWasm = loadedStep(build(PAGE_FORMS.wasm)).bytes;
  }
  const { manifest, init } = loaded;
  const model = cnnOf(manifest, options.graphDir ?? 'the training step');
  const forward = buildCnn(model, { training: false });
  forward.graph.output(forward.logits, 'logits');
  // the initial weights the trainer starts from (the folder's, or the seeded ones)
  const initial = new Float32Array(manifest.parameters.reduce((n, p) => n + sizeOf(p.shape), 0));
  let offset = 0;
  for (const spec of manifest.parameters) {
    initial.set(init.get(spec.name)?.data as Float32Array, offset);
    offset += sizeOf(spec.shape);
  }
  return {
    trainStep,
    trainStepWasm,
    manifest,
    forward: exportModel(forward.graph, { parametersAs: 'inputs' }),
    initial: new Uint8Array(initial.buffer),
  };
}

const MNIST_FILES = [
  'train-images-idx3-ubyte',
  'train-labels-idx1-ubyte',
  't10k-images-idx3-ubyte',
  't10k-labels-idx1-ubyte',
] as const;

/** Routes for the training page; `handle` answers a request and returns true, or returns false for other paths. */
export function trainingRoutes(options: TrainingAssetsOptions = {}) {
  let worker: Worker | undefined;
  // a graph folder that cannot serve fails at start, not on the first request
  let assets: Promise<Assets> | undefined = options.graphDir ? Promise.resolve(buildAssets(options)) : undefined;
  const build = (): Promise<Assets> =>
    new Promise<Assets>((resolve, reject) => {
      worker = new Worker(new URL('./training-worker.js', import.meta.url), { workerData: options });
      worker.once('message', (built: Assets) => resolve(built));
      worker.once('error', reject);
      worker.once('exit', (code) => {
        worker = undefined;
        reject(new Error(`building the training graphs stopped (worker exit code ${code})`));
      });
    }).catch((error: unknown) => {
      assets = undefined; // the next request tries again
      throw error;
    });
  const get = (): Promise<Assets> => (assets ??= build());

  function sendBytes(
    req: IncomingMessage,
    res: ServerResponse,
    bytes: Uint8Array,
    type = 'application/octet-stream',
  ): void {
    res.writeHead(200, { 'Content-Type': type, 'Content-Length': bytes.length, 'Cache-Control': 'no-cache' });
    res.end(req.method === 'HEAD' ? undefined : bytes);
  }

  async function exportTrained(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const type = mediaType(req);
    if (type !== 'application/octet-stream')
      throw new HttpError(
        415,
        `Content-Type must be application/octet-stream (float32 parameters), got '${type || '(none)'}'`,
      );
    const { manifest } = await get();
    const expected = manifest.parameters.reduce((n, p) => n + sizeOf(p.shape), 0) * 4;
    const { body } = await readBody(req, expected + 1);
    if (body.length !== expected)
      throw new HttpError(
        400,
        `expected ${expected} bytes of float32 parameters (${manifest.parameters.map((p) => p.name).join(', ')}), got ${body.length}`,
      );
    const all = new Float32Array(body.buffer.slice(body.byteOffset, body.byteOffset + body.length));
    const weights = new Map<string, TensorData>();
    let offset = 0;
    for (const spec of manifest.parameters) {
      const n = sizeOf(spec.shape);
      const values = all.slice(offset, offset + n);
      const bad = values.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) throw new HttpError(400, `${spec.name}[${bad}] is ${values[bad]}: every parameter must be finite`);
      weights.set(spec.name, float32(spec.shape as number[], values));
      offset += n;
    }
    const metadata = {
      dataset: 'mnist',
      classNames: JSON.stringify(CLASS_NAMES.mnist),
      normalization: JSON.stringify(MNIST_NORMALIZATION),
    };
    const bytes = exportModel(buildInferenceGraph(cnnOf(manifest, 'the training step')), { weights, metadata });
    res.writeHead(200, {
      'Content-Type': 'application/octet-stream',
      'Content-Length': bytes.length,
      'Content-Disposition': 'attachment; filename="model.onnx"',
      'Cache-Control': 'no-store',
    });
    res.end(bytes);
  }

  async function handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> {
    const method = req.method ?? 'GET';
    const routes: Record<string, () => void | Promise<void>> = {
      '/v1/train-step.onnx': async () => sendBytes(req, res, (await get()).trainStep),
      '/v1/train-step-wasm.onnx': async () => sendBytes(req, res, (await get()).trainStepWasm),
      '/v1/train-step.json': async () => sendJson(res, 200, (await get()).manifest),
      '/v1/forward.onnx': async () => sendBytes(req, res, (await get()).forward),
      '/v1/initial-weights.bin': async () => sendBytes(req, res, (await get()).initial),
      '/v1/export-model': () => exportTrained(req, res),
    };
    const mnist = path.startsWith('/v1/mnist/') ? path.slice('/v1/mnist/'.length) : undefined;
    if (!routes[path] && mnist === undefined) return false;
    const wanted = path === '/v1/export-model' ? 'POST' : 'GET';
    if (method !== wanted && !(wanted === 'GET' && method === 'HEAD'))
      throw new HttpError(405, `${method} is not allowed on ${path} (use ${wanted})`, {
        Allow: wanted === 'GET' ? 'GET, HEAD' : 'POST',
      });
    if (mnist !== undefined) {
      const key = (['trainImages', 'trainLabels', 'testImages', 'testLabels'] as const)[
        MNIST_FILES.indexOf(mnist as (typeof MNIST_FILES)[number])
      ];
      if (!key) throw new HttpError(404, `no such MNIST file: ${mnist} (known: ${MNIST_FILES.join(', ')})`);
      sendStream(req, res, resolveSource({ dataset: 'mnist' }).files[key]);
      return true;
    }
    await routes[path]?.();
    return true;
  }

  /** Stops a build in progress. */
  async function close(): Promise<void> {
    await worker?.terminate();
  }

  return { handle, close };
}

/** A file streamed from disk with its length, never read whole into memory. */
function sendStream(req: IncomingMessage, res: ServerResponse, file: string): void {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    throw new HttpError(404, `not available on this server: ${file}`);
  }
  res.writeHead(200, {
    'Content-Type': 'application/octet-stream',
    'Content-Length': size,
    'Cache-Control': 'no-cache',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const stream = createReadStream(file);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}
