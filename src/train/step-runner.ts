// Runs the training-step graph: holds the parameters and optimizer state between steps and
// feeds each step's outputs back as the next step's inputs.
//
// The carried tensors live in two pre-allocated buffer sets used in turn (ping-pong): a step
// reads set A and writes set B, the next reads B and writes A. ONNX Runtime then writes
// straight into memory we own, with no allocation or copy per step, and an output never
// aliases an input (which gives silently wrong results, DESIGN.md).
import type { TensorData } from '../ir/tensor.js';
import {
  createSession,
  float32Tensor,
  fromOrtTensor,
  int64Tensor,
  type OrtTensor,
  type Session,
  type SessionOptions,
  toOrtTensor,
} from '../runtime/node.js';
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

type BufferSet = Map<string, OrtTensor>;

export class StepRunner {
  private current: BufferSet;
  private spare: BufferSet;
  private readonly loss = float32Tensor(new Float32Array(1), []);
  private readonly correct = float32Tensor(new Float32Array(1), []);

  private constructor(
    private readonly session: Session,
    private readonly manifest: TrainStepManifest,
    initial: ReadonlyMap<string, TensorData>,
  ) {
    this.current = new Map();
    this.spare = new Map();
    for (const spec of [...manifest.parameters, ...manifest.state]) {
      const t = initial.get(spec.name);
      if (!t) throw new Error(`no initial value for '${spec.name}'`);
      if (t.dtype !== 'float32') throw new Error(`'${spec.name}' must be float32, got ${t.dtype}`);
      this.current.set(spec.name, toOrtTensor({ ...t, data: t.data.slice() }));
      this.spare.set(spec.name, float32Tensor(new Float32Array(t.data.length), t.dims));
    }
  }

  static async create(
    graph: Uint8Array,
    manifest: TrainStepManifest,
    initial: ReadonlyMap<string, TensorData>,
    options: SessionOptions,
  ): Promise<StepRunner> {
    return new StepRunner(await createSession(graph, options), manifest, initial);
  }

  /** One update; `step` is its 1-based number (Adam's bias correction uses it). */
  async run(batch: StepBatch, step: number, lr: number): Promise<StepResult> {
    const b = this.manifest.batchSize;
    const size = this.manifest.model.inputSize;
    const feeds: Record<string, OrtTensor> = {
      image: float32Tensor(batch.images, [b, this.manifest.model.inputChannels, size, size]),
      labels: int64Tensor(batch.labels, [b]),
      step: float32Tensor(Float32Array.of(step), []),
      lr: float32Tensor(Float32Array.of(lr), []),
    };
    this.manifest.dropout.forEach((d, i) => {
      const noise = batch.noise[i];
      if (!noise) throw new Error(`missing noise for ${d.name}`);
      feeds[d.name] = float32Tensor(noise, d.shape);
    });
    const fetches: Record<string, OrtTensor> = { loss: this.loss, correct: this.correct };
    for (const [name, t] of this.current) {
      feeds[name] = t;
      fetches[nextName(name)] = this.spare.get(name) as OrtTensor;
    }
    await this.session.run(feeds, fetches);
    [this.current, this.spare] = [this.spare, this.current];
    return { loss: Number(this.loss.data[0]), correct: Number(this.correct.data[0]) };
  }

  /** The current parameters as runtime tensors, to feed a forward graph without copying. */
  parameterFeeds(): Record<string, OrtTensor> {
    const feeds: Record<string, OrtTensor> = {};
    for (const spec of this.manifest.parameters) feeds[spec.name] = this.current.get(spec.name) as OrtTensor;
    return feeds;
  }

  /** Current parameters and optimizer state (copies that later steps do not change). */
  tensors(): Map<string, TensorData> {
    const copy = new Map<string, TensorData>();
    for (const [name, t] of this.current) {
      const data = fromOrtTensor(t);
      copy.set(name, { ...data, data: data.data.slice() });
    }
    return copy;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
