// onnxgrad's own contenders: the training step (StepRunner on onnxruntime-node with the graph the
// trainer builds for the device, CPU or WebGPU; on onnxruntime-web's WASM EP the graph the
// training page runs there) and inference at batch 1 and batch 1000.
import { buildInferenceGraph } from '../../graphs/mnist-cnn.js';
import type { CnnConfig } from '../../graphs/cnn-config.js';
import { Mulberry32 } from '../data/random.js';
import type { TensorData } from '../ir/tensor.js';
import { exportModel } from '../onnx/export.js';
import { createSession, type Device, float32Tensor } from '../runtime/node.js';
import { createWebSession, webFloat32Tensor, webTensorSession } from '../runtime/web.js';
import { formForDevice, PAGE_FORMS } from '../passes/forms.js';
import type { StepBatch } from '../train/step-feeds.js';
import { createNodeStepRunner } from '../train/node-step-runner.js';
import { StepRunner } from '../train/step-runner.js';
import { buildTrainStep, type TrainStepManifest } from '../train/train-step.js';
import type { Contender, Measurement, RoundCounts } from './contender.js';
import { batchAt, fillNoise, type ImagePool } from './feeds.js';
import { medianMs } from './stats.js';

/** The graphs and starting tensors every onnxgrad contender shares. */
export interface Workload {
  readonly config: CnnConfig;
  readonly batchSize: number;
  /** The form the trainer picks for onnxruntime-node (node-cpu: im2col gradients, NCHWc image conv). */
  readonly trainBytesNode: Uint8Array;
  /** What the training page runs on WASM (the wasm form: im2col gradients, no NCHWc). */
  readonly trainBytesWasm: Uint8Array;
  /** The form the trainer picks for onnxruntime-node's WebGPU provider (webgpu: the conv gradients). */
  readonly trainBytesWebgpu: Uint8Array;
  readonly manifest: TrainStepManifest;
  readonly initial: ReadonlyMap<string, TensorData>;
  readonly inferBytes: Uint8Array;
  readonly pool: ImagePool;
}

/**
 * `nodeForm`: the form the trainer builds for onnxruntime-node, with `nchwcBlock` this CPU's NCHWc
 * block size where that form has the NCHWc pass.
 */
export function buildWorkload(
  config: CnnConfig,
  optimizer: string,
  batchSize: number,
  pool: ImagePool,
  nodeForm: { readonly form: string; readonly nchwcBlock: number | null },
): Workload {
  // the manifest (names, shapes) is the same for every form
  const { graph, manifest } = buildTrainStep(config, { optimizer, batchSize, form: PAGE_FORMS.wasm });
  const initial = new Map<string, TensorData>();
  for (const [name, p] of graph.parameters) initial.set(name, p.init);
  for (const s of manifest.state) {
    const dims = s.shape as number[];
    initial.set(s.name, { dtype: 'float32', dims, data: new Float32Array(dims.reduce((a, b) => a * b, 1)) });
  }
  const inferBytes = exportModel(buildInferenceGraph(config));
  const nodeGraph = buildTrainStep(config, { optimizer, batchSize, ...nodeForm }).graph;
  const trainBytesWasm = exportModel(graph, { parametersAs: 'inputs' });
  const webgpuForm = buildTrainStep(config, { optimizer, batchSize, form: formForDevice('webgpu', false) }).graph;
  return {
    config,
    batchSize,
    trainBytesNode: exportModel(nodeGraph, { parametersAs: 'inputs' }),
    trainBytesWasm,
    trainBytesWebgpu: exportModel(webgpuForm, { parametersAs: 'inputs' }),
    manifest,
    initial,
    inferBytes,
    pool,
  };
}

/** A training step and the two inference sizes, on one runtime; `step` gets fresh noise each call. */
interface Runtime {
  step(batch: StepBatch, step: number): Promise<void>;
  infer(images: Float32Array, count: number): Promise<void>;
  release(): Promise<void>;
}

const LR = 1e-4;

function contender(
  name: string,
  kind: Contender['kind'],
  threads: number,
  w: Workload,
  counts: RoundCounts,
  rt: Runtime,
): Contender {
  const size = w.config.inputSize;
  const rng = new Mulberry32(7);
  const noise = w.manifest.dropout.map((d) => new Float32Array(d.shape.reduce((a, b) => a * b, 1)));
  const big = new Float32Array(counts.bigBatch * size * size);
  for (let i = 0; i < big.length; i++) big[i] = w.pool.images[i % w.pool.images.length] as number;
  let steps = 0;
  const trainStep = async (): Promise<void> => {
    const { images, labels } = batchAt(w.pool, w.batchSize, steps);
    fillNoise(noise, rng); // inside the timed region: the trainer makes noise every step too
    await rt.step({ inputs: [images], labels, noise }, ++steps);
  };
  return {
    name,
    kind,
    threads,
    async round(): Promise<Measurement> {
      const warm = counts.roundWarmup;
      const m: Measurement = {};
      if (counts.trainSteps > 0) m.trainStepMs = await medianMs(counts.trainSteps, warm, trainStep);
      if (counts.inferCalls > 0) {
        m.inferB1Ms = await medianMs(counts.inferCalls, warm, (k) => rt.infer(batchAt(w.pool, 1, k).images, 1));
      }
      if (counts.bigCalls > 0) {
        const ms = await medianMs(counts.bigCalls, Math.min(warm, 1), () => rt.infer(big, counts.bigBatch));
        m.inferB1000ImagesPerSec = (counts.bigBatch * 1000) / ms;
      }
      return m;
    },
    async warmup(count: number): Promise<void> {
      for (let k = 0; k < count; k++) await trainStep();
      for (let k = 0; k < count; k++) await rt.infer(batchAt(w.pool, 1, k).images, 1);
      if (counts.bigCalls > 0) await rt.infer(big, counts.bigBatch);
    },
    close: () => rt.release(),
  };
}

/**
 * onnxruntime-node: the trainer's StepRunner, and an inference session with the same thread count,
 * on the CPU or on the WebGPU provider (where the StepRunner keeps the weights in GPU memory).
 */
export async function nodeContender(
  w: Workload,
  threads: number,
  counts: RoundCounts,
  spinning: boolean,
  device: Device = 'cpu',
): Promise<Contender> {
  // the graph the trainer builds for onnxruntime-node on this device
  const bytes = device === 'webgpu' ? w.trainBytesWebgpu : w.trainBytesNode;
  const runner = await createNodeStepRunner(bytes, w.manifest, w.initial, { threads, spinning, device });
  const session = await createSession(w.inferBytes, { threads, spinning, device });
  const size = w.config.inputSize;
  const rt: Runtime = {
    step: async (batch, step) => void (await runner.run(batch, step, LR)),
    infer: async (images, count) => void (await session.run({ image: float32Tensor(images, [count, 1, size, size]) })),
    release: async () => {
      await runner.release();
      await session.release();
    },
  };
  return device === 'webgpu'
    ? contender('onnxgrad-webgpu', 'onnxgrad-webgpu', threads, w, counts, rt)
    : contender(`onnxgrad-node-${threads}t`, 'onnxgrad-node', threads, w, counts, rt);
}

/** onnxruntime-web's WASM EP inside Node: the same StepRunner, on a web session. */
export async function webContender(w: Workload, threads: number, counts: RoundCounts): Promise<Contender> {
  const runner = StepRunner.on(await webTensorSession(w.trainBytesWasm, { threads }), w.manifest, w.initial);
  const infer = await createWebSession(w.inferBytes, { threads });
  const size = w.config.inputSize;
  const rt: Runtime = {
    step: async (batch, step) => void (await runner.run(batch, step, LR)),
    infer: async (images, count) => void (await infer.run({ image: webFloat32Tensor(images, [count, 1, size, size]) })),
    release: async () => {
      await runner.release();
      await infer.release();
    },
  };
  return contender(`onnxgrad-web-${threads}t`, 'onnxgrad-web', threads, w, counts, rt);
}
