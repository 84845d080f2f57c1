// The training step in the page, on onnxruntime-web (the same bundle as the demo: WebGPU when
// the browser gives an adapter, else WASM). One session runs the whole train-step.onnx (forward,
// backward, Adam); its outputs next.<name> are the next step's inputs <name>. On WebGPU those
// outputs stay on the GPU (preferredOutputLocation 'gpu-buffer') and go straight back in: only
// the batch, the noise and two scalars go up, and only loss and #correct come down each step.
// A second session, the forward graph with parameters as inputs, measures validation accuracy.
// It runs in the training page's worker (train-worker.ts).
import * as ort from 'onnxruntime-web/webgpu';
import {
  carried,
  type FormName,
  inputsOf,
  PAGE_FORMS,
  sizeOf,
  type StepBatch,
  stepFeeds,
  type TrainStepManifest,
  upgradeManifest,
} from 'onnxgrad';
import type { Provider } from './providers.js';

ort.env.logLevel = 'error';

/** Where the runtime's .mjs and .wasm files are: the page's ort/ folder (a worker's own URL is under assets/). */
export function useOrtFiles(base: string): void {
  ort.env.wasm.wasmPaths = base;
}

export type Manifest = TrainStepManifest;
export { sizeOf };

export interface TrainAssets {
  manifest: Manifest;
  /** The training step in each form the page runs (src/passes/forms.ts PAGE_FORMS). */
  steps: Readonly<Partial<Record<FormName, Uint8Array>>>;
  forward: Uint8Array;
  /** float32, manifest.parameters in order */
  initial: Float32Array;
}

/** Where the server gives each form of the step (src/serve/training.ts). */
const STEP_ROUTES: Readonly<Record<'webgpu' | 'wasm', string>> = {
  webgpu: '/v1/train-step.onnx',
  wasm: '/v1/train-step-wasm.onnx',
};

async function bytes(path: string): Promise<Uint8Array> {
  const res = await fetch(path);
  if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
  return new Uint8Array(await res.arrayBuffer());
}

export async function fetchAssets(): Promise<TrainAssets> {
  const paths = [
    '/v1/train-step.json',
    STEP_ROUTES.webgpu,
    STEP_ROUTES.wasm,
    '/v1/forward.onnx',
    '/v1/initial-weights.bin',
  ];
  const [manifestBytes, webgpu, wasm, forward, initial] = await Promise.all(paths.map(bytes));
  const manifest = JSON.parse(new TextDecoder().decode(manifestBytes)) as Manifest;
  if (manifest.format !== 'onnxgrad.train-step') throw new Error('/v1/train-step.json is not a training-step manifest');
  return {
    manifest: upgradeManifest(manifest),
    steps: { [PAGE_FORMS.webgpu]: webgpu!, [PAGE_FORMS.wasm]: wasm! },
    forward: forward!,
    initial: new Float32Array(initial!.buffer, initial!.byteOffset, initial!.byteLength / 4),
  };
}

export type StepInput = StepBatch;

export class BrowserTrainer {
  #carried = new Map<string, ort.Tensor>();
  readonly #replaced: { readonly name: string; readonly next: string }[];

  private constructor(
    readonly provider: Provider,
    readonly manifest: Manifest,
    private readonly step: ort.InferenceSession,
    private readonly forward: ort.InferenceSession,
    initial: Float32Array,
  ) {
    let offset = 0;
    for (const p of manifest.parameters) {
      const n = sizeOf(p.shape);
      this.#carried.set(p.name, new ort.Tensor('float32', initial.slice(offset, offset + n), p.shape.map(Number)));
      offset += n;
    }
    if (offset !== initial.length)
      throw new Error(`initial weights: ${initial.length} values, the manifest's parameters need ${offset}`);
    for (const s of manifest.state)
      this.#carried.set(s.name, new ort.Tensor('float32', new Float32Array(sizeOf(s.shape)), s.shape.map(Number)));
    this.#replaced = carried(manifest).map(({ input, next }) => ({ name: input.name, next }));
  }

  static async create(assets: TrainAssets, provider: Provider, threads: number): Promise<BrowserTrainer> {
    ort.env.wasm.numThreads = threads;
    const nextNames = carried(assets.manifest).map((c) => c.next);
    const base: ort.InferenceSession.SessionOptions = { executionProviders: [provider], graphOptimizationLevel: 'all' };
    const stepOptions: ort.InferenceSession.SessionOptions =
      provider === 'webgpu'
        ? {
            ...base,
            preferredOutputLocation: Object.fromEntries([
              ['loss', 'cpu'],
              ['correct', 'cpu'],
              ...nextNames.map((n) => [n, 'gpu-buffer']),
            ]),
          }
        : base;
    const form = PAGE_FORMS[provider];
    const graph = assets.steps[form];
    if (!graph) throw new Error(`no training step in the ${form} form`);
    const step = await ort.InferenceSession.create(graph, stepOptions);
    const forward = await ort.InferenceSession.create(assets.forward, base);
    return new BrowserTrainer(provider, assets.manifest, step, forward, assets.initial);
  }

  /** One update; `step` is 1-based (Adam's bias correction). */
  async run(input: StepInput, step: number, lr: number): Promise<{ loss: number; correct: number }> {
    const feeds: Record<string, ort.Tensor> = {};
    for (const f of stepFeeds(this.manifest, input, step, lr))
      feeds[f.name] =
        f.data instanceof BigInt64Array
          ? new ort.Tensor('int64', f.data, f.dims)
          : new ort.Tensor('float32', f.data, f.dims);
    for (const [name, t] of this.#carried) feeds[name] = t;
    const out = await this.step.run(feeds);
    for (const { name, next } of this.#replaced) {
      const old = this.#carried.get(name);
      const updated = out[next];
      if (!updated) throw new Error(`the training step gave no ${next}`);
      this.#carried.set(name, updated);
      if (old?.location === 'gpu-buffer') old.dispose();
    }
    const scalar = async (name: string) => Number((await out[name]!.getData())[0]);
    return { loss: await scalar('loss'), correct: await scalar('correct') };
  }

  /** Logits of `count` images with the current parameters. */
  async logits(images: Float32Array, count: number): Promise<Float32Array> {
    // the forward graph takes the step's batch input, with any batch size
    const [data] = inputsOf(this.manifest, 'batch');
    if (!data) throw new Error('the training step has no batch input');
    const feeds: Record<string, ort.Tensor> = {
      [data.name]: new ort.Tensor('float32', images, [count, ...data.shape.slice(1).map(Number)]),
    };
    for (const p of this.manifest.parameters) feeds[p.name] = this.#carried.get(p.name)!;
    const out = await this.forward.run(feeds);
    const logits = (await out['logits']!.getData()) as Float32Array;
    out['logits']!.dispose();
    return logits;
  }

  /** The current parameters, float32 in manifest order (downloaded from the GPU if there). */
  async parameters(): Promise<Float32Array<ArrayBuffer>> {
    const all = new Float32Array(this.manifest.parameters.reduce((n, p) => n + sizeOf(p.shape), 0));
    let offset = 0;
    for (const p of this.manifest.parameters) {
      const data = (await this.#carried.get(p.name)!.getData()) as Float32Array;
      all.set(data, offset);
      offset += data.length;
    }
    return all;
  }

  async release(): Promise<void> {
    for (const t of this.#carried.values()) if (t.location === 'gpu-buffer') t.dispose();
    await this.step.release();
    await this.forward.release();
  }
}

/** An inference model.onnx with these parameters, made by the server (POST /v1/export-model). */
export async function exportModel(parameters: Float32Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  const res = await fetch('/v1/export-model', {
    method: 'POST',
    headers: { 'Content-Type': 'application/octet-stream' },
    body: parameters,
  });
  if (!res.ok) throw new Error(`POST /v1/export-model: ${res.status} ${await res.text()}`);
  return new Uint8Array(await res.arrayBuffer());
}

export async function hasWebGpu(): Promise<boolean> {
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  try {
    return gpu ? (await gpu.requestAdapter()) !== null : false;
  } catch {
    return false;
  }
}
