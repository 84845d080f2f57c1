// The training step in the page, on onnxruntime-web (the same bundle as the demo: WebGPU when
// the browser gives an adapter, else WASM). One session runs the whole train-step.onnx (forward,
// backward, Adam); its outputs next.<name> are the next step's inputs <name>. On WebGPU those
// outputs stay on the GPU (preferredOutputLocation 'gpu-buffer') and go straight back in: only
// the batch, the noise and two scalars go up, and only loss and #correct come down each step.
// A second session, the forward graph with parameters as inputs, measures validation accuracy.
import * as ort from 'onnxruntime-web/webgpu';
import type { Provider } from './model.js';

ort.env.wasm.wasmPaths = new URL('ort/', globalThis.location.href).href;
ort.env.logLevel = 'error';

interface Spec {
  name: string;
  shape: (number | string)[];
}

/** The part of src/train/train-step.ts's TrainStepManifest the page uses. */
export interface Manifest {
  format: 'onnxgrad.train-step';
  batchSize: number;
  model: { inputChannels: number; inputSize: number; classes: number };
  optimizer: { name: string };
  parameters: Spec[];
  state: Spec[];
  dropout: { name: string; rate: number; shape: number[] }[];
}

export interface TrainAssets {
  manifest: Manifest;
  /** for WebGPU (conv-form gradients) */
  trainStep: Uint8Array;
  /** the same step for WASM (im2col-form gradients, faster there) */
  trainStepWasm: Uint8Array;
  forward: Uint8Array;
  /** float32, manifest.parameters in order */
  initial: Float32Array;
}

export const sizeOf = (shape: readonly (number | string)[]): number => shape.reduce<number>((a, d) => a * Number(d), 1);

async function bytes(path: string): Promise<Uint8Array> {
  const res = await fetch(path);
  if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
  return new Uint8Array(await res.arrayBuffer());
}

export async function fetchAssets(): Promise<TrainAssets> {
  const paths = [
    '/v1/train-step.json',
    '/v1/train-step.onnx',
    '/v1/train-step-wasm.onnx',
    '/v1/forward.onnx',
    '/v1/initial-weights.bin',
  ];
  const [manifestBytes, trainStep, trainStepWasm, forward, initial] = await Promise.all(paths.map(bytes));
  const manifest = JSON.parse(new TextDecoder().decode(manifestBytes)) as Manifest;
  if (manifest.format !== 'onnxgrad.train-step') throw new Error('/v1/train-step.json is not a training-step manifest');
  return {
    manifest,
    trainStep: trainStep!,
    trainStepWasm: trainStepWasm!,
    forward: forward!,
    initial: new Float32Array(initial!.buffer, initial!.byteOffset, initial!.byteLength / 4),
  };
}

export interface StepInput {
  images: Float32Array;
  labels: BigInt64Array;
  noise: Float32Array[];
}

export class BrowserTrainer {
  #carried = new Map<string, ort.Tensor>();

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
  }

  static async create(assets: TrainAssets, provider: Provider, threads: number): Promise<BrowserTrainer> {
    ort.env.wasm.numThreads = threads;
    const carried = [...assets.manifest.parameters, ...assets.manifest.state].map((s) => s.name);
    const base: ort.InferenceSession.SessionOptions = { executionProviders: [provider], graphOptimizationLevel: 'all' };
    const stepOptions: ort.InferenceSession.SessionOptions =
      provider === 'webgpu'
        ? {
            ...base,
            preferredOutputLocation: Object.fromEntries([
              ['loss', 'cpu'],
              ['correct', 'cpu'],
              ...carried.map((n) => [`next.${n}`, 'gpu-buffer']),
            ]),
          }
        : base;
    const step = await ort.InferenceSession.create(
      provider === 'webgpu' ? assets.trainStep : assets.trainStepWasm,
      stepOptions,
    );
    const forward = await ort.InferenceSession.create(assets.forward, base);
    return new BrowserTrainer(provider, assets.manifest, step, forward, assets.initial);
  }

  /** One update; `step` is 1-based (Adam's bias correction). */
  async run(input: StepInput, step: number, lr: number): Promise<{ loss: number; correct: number }> {
    const { batchSize: b, model } = this.manifest;
    const feeds: Record<string, ort.Tensor> = {
      image: new ort.Tensor('float32', input.images, [b, model.inputChannels, model.inputSize, model.inputSize]),
      labels: new ort.Tensor('int64', input.labels, [b]),
      step: new ort.Tensor('float32', Float32Array.of(step), []),
      lr: new ort.Tensor('float32', Float32Array.of(lr), []),
    };
    this.manifest.dropout.forEach((d, i) => (feeds[d.name] = new ort.Tensor('float32', input.noise[i]!, d.shape)));
    for (const [name, t] of this.#carried) feeds[name] = t;
    const out = await this.step.run(feeds);
    for (const [name, old] of [...this.#carried]) {
      const next = out[`next.${name}`];
      if (!next) throw new Error(`the training step gave no next.${name}`);
      this.#carried.set(name, next);
      if (old.location === 'gpu-buffer') old.dispose();
    }
    const scalar = async (name: string) => Number((await out[name]!.getData())[0]);
    return { loss: await scalar('loss'), correct: await scalar('correct') };
  }

  /** Logits of `count` images with the current parameters. */
  async logits(images: Float32Array, count: number): Promise<Float32Array> {
    const { model } = this.manifest;
    const feeds: Record<string, ort.Tensor> = {
      image: new ort.Tensor('float32', images, [count, model.inputChannels, model.inputSize, model.inputSize]),
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
