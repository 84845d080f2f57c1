// Runs the training-step graph: holds the parameters and optimizer state between steps and
// feeds each step's outputs back as the next step's inputs.
import type { TensorData } from '../ir/tensor.js';
import { createSession, float32Tensor, fromOrtTensor, int64Tensor, type OrtTensor, type Session, type SessionOptions, toOrtTensor } from '../runtime/node.js';
import { nextName, type TrainStepManifest } from './train-step.js';

export interface StepBatch {
  readonly images: Float32Array;
  readonly labels: BigInt64Array;
  /** Uniform [0, 1) noise for each dropout layer, in manifest order. */
  readonly noise: readonly Float32Array[];
}

export interface StepResult {
  readonly loss: number;
  readonly correct: number;
}

export class StepRunner {
  private readonly carried: Map<string, OrtTensor>;

  private constructor(
    private readonly session: Session,
    private readonly manifest: TrainStepManifest,
    initial: ReadonlyMap<string, TensorData>,
  ) {
    this.carried = new Map();
    for (const spec of [...manifest.parameters, ...manifest.state]) {
      const t = initial.get(spec.name);
      if (!t) throw new Error(`no initial value for '${spec.name}'`);
      this.carried.set(spec.name, toOrtTensor(t));
    }
  }

  static async create(graph: Uint8Array, manifest: TrainStepManifest, initial: ReadonlyMap<string, TensorData>, options: SessionOptions): Promise<StepRunner> {
    return new StepRunner(await createSession(graph, options), manifest, initial);
  }

  /** One update; `step` is its 1-based number (Adam's bias correction uses it). */
  async run(batch: StepBatch, step: number, lr: number): Promise<StepResult> {
    const b = this.manifest.batchSize;
    const feeds: Record<string, OrtTensor> = {
      image: float32Tensor(batch.images, [b, 1, this.manifest.model.inputSize, this.manifest.model.inputSize]),
      labels: int64Tensor(batch.labels, [b]),
      step: float32Tensor(Float32Array.of(step), []),
      lr: float32Tensor(Float32Array.of(lr), []),
    };
    this.manifest.dropout.forEach((d, i) => {
      const noise = batch.noise[i];
      if (!noise) throw new Error(`missing noise for ${d.name}`);
      feeds[d.name] = float32Tensor(noise, d.shape);
    });
    for (const [name, t] of this.carried) feeds[name] = t;
    const out = await this.session.run(feeds);
    for (const name of this.carried.keys()) {
      const next = out[nextName(name)];
      if (!next) throw new Error(`the training graph did not return ${nextName(name)}`);
      this.carried.set(name, next);
    }
    return { loss: Number(out.loss?.data[0]), correct: Number(out.correct?.data[0]) };
  }

  /** The current parameters as runtime tensors, to feed a forward graph without copying. */
  parameterFeeds(): Record<string, OrtTensor> {
    const feeds: Record<string, OrtTensor> = {};
    for (const spec of this.manifest.parameters) feeds[spec.name] = this.carried.get(spec.name) as OrtTensor;
    return feeds;
  }

  /** Current parameters and optimizer state (copies that later steps do not change). */
  tensors(): Map<string, TensorData> {
    const copy = new Map<string, TensorData>();
    for (const [name, t] of this.carried) {
      const data = fromOrtTensor(t);
      copy.set(name, { ...data, data: data.data.slice() });
    }
    return copy;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
