// Runs a training-step graph on onnxruntime-node or onnxruntime-web: holds the carried tensors
// (parameters and state) between steps and feeds each step's outputs back as the next step's
// inputs, all from the manifest (src/train/step-feeds.ts).
//
// Where the runtime writes into caller-owned tensors (onnxruntime-node), the carried tensors live
// in two pre-allocated buffer sets used in turn (ping-pong): a step reads set A and writes set B,
// the next reads B and writes A. ONNX Runtime then writes straight into memory we own, with no
// allocation or copy per step, and an output never aliases an input (which gives silently wrong
// results in ONNX Runtime). Elsewhere the outputs a step returns are the next step's inputs.
import type { TensorData } from '../ir/tensor.js';
import type { TensorSession } from '../runtime/tensor-session.js';
import { carried, type TrainStepManifest } from './manifest.js';
import { type StepBatch, stepFeeds } from './step-feeds.js';

export type { StepBatch } from './step-feeds.js';

export interface StepResult {
  readonly loss: number;
  /** #correct in the batch, where the loss reports it (cross-entropy does); else NaN. */
  readonly correct: number;
}

type BufferSet<T> = Map<string, T>;

const scalar = (): TensorData => ({ dtype: 'float32', dims: [], data: new Float32Array(1) });

export class StepRunner<T = unknown> {
  private current: BufferSet<T> = new Map();
  private spare: BufferSet<T> = new Map();
  /** Each carried input's name with the output that replaces it. */
  private readonly carried: readonly { readonly name: string; readonly next: string }[];
  private readonly hasCorrect: boolean;
  private readonly loss: T;
  private readonly correct: T;

  private constructor(
    private readonly session: TensorSession<T>,
    private readonly manifest: TrainStepManifest,
    initial: ReadonlyMap<string, TensorData>,
  ) {
    this.carried = carried(manifest).map(({ input, next }) => ({ name: input.name, next }));
    this.hasCorrect = manifest.outputs.some((o) => o.name === 'correct');
    [this.loss, this.correct] = [session.tensor(scalar()), session.tensor(scalar())];
    for (const { input: spec } of carried(manifest)) {
      const t = initial.get(spec.name);
      if (!t) throw new Error(`no initial value for '${spec.name}'`);
      if (t.dtype !== 'float32') throw new Error(`'${spec.name}' must be float32, got ${t.dtype}`);
      this.current.set(spec.name, session.tensor({ ...t, data: t.data.slice() }));
      if (session.preallocatedOutputs)
        this.spare.set(spec.name, session.tensor({ ...t, data: new Float32Array(t.data.length) }));
    }
  }

  /** A runner on any runtime's session (node-step-runner.ts for onnxruntime-node; src/runtime/web.ts webTensorSession). */
  static on<U>(
    session: TensorSession<U>,
    manifest: TrainStepManifest,
    initial: ReadonlyMap<string, TensorData>,
  ): StepRunner<U> {
    return new StepRunner(session, manifest, initial);
  }

  /** One update; `step` is its 1-based number (Adam's bias correction uses it). */
  async run(batch: StepBatch, step: number, lr: number): Promise<StepResult> {
    const feeds: Record<string, T> = {};
    for (const f of stepFeeds(this.manifest, batch, step, lr)) feeds[f.name] = this.session.tensor(f);
    for (const { name } of this.carried) feeds[name] = this.current.get(name) as T;
    if (!this.session.preallocatedOutputs) {
      const out = await this.session.run(feeds);
      for (const { name, next } of this.carried) {
        const t = out[next];
        if (!t) throw new Error(`the training step gave no ${next}`);
        const previous = this.current.get(name);
        this.current.set(name, t);
        // on onnxruntime-node's WebGPU provider the carried tensors stay in GPU memory: free the last step's
        if (previous !== undefined) this.session.dispose?.(previous);
      }
      return this.result(out['loss'], out['correct']);
    }
    const fetches: Record<string, T> = { loss: this.loss };
    if (this.hasCorrect) fetches['correct'] = this.correct;
    for (const { name, next } of this.carried) fetches[next] = this.spare.get(name) as T;
    await this.session.run(feeds, fetches);
    [this.current, this.spare] = [this.spare, this.current];
    return this.result(this.loss, this.hasCorrect ? this.correct : undefined);
  }

  private result(loss: T | undefined, correct: T | undefined): StepResult {
    const first = (t: T | undefined) => (t === undefined ? Number.NaN : Number(this.session.read(t).data[0]));
    return { loss: first(loss), correct: first(correct) };
  }

  /** The current parameters and buffers (running statistics) as runtime tensors, to feed a forward graph without copying. */
  parameterFeeds(): Record<string, T> {
    const feeds: Record<string, T> = {};
    for (const spec of [...this.manifest.parameters, ...(this.manifest.buffers ?? [])])
      feeds[spec.name] = this.current.get(spec.name) as T;
    return feeds;
  }

  /** Current parameters and optimizer state (copies that later steps do not change), from host memory. */
  tensors(): Map<string, TensorData> {
    if (this.session.download) throw new Error('the weights are in device memory: read them with hostTensors()');
    const copy = new Map<string, TensorData>();
    for (const [name, t] of this.current) {
      const data = this.session.read(t);
      copy.set(name, { ...data, data: data.data.slice() });
    }
    return copy;
  }

  /** The same on any runtime, device memory included (WebGPU: copied back by the session). */
  async hostTensors(): Promise<Map<string, TensorData>> {
    return this.session.download ? this.session.download(this.current) : this.tensors();
  }

  async release(): Promise<void> {
    if (this.session.dispose) for (const t of this.current.values()) this.session.dispose(t);
    await this.session.release();
  }
}
