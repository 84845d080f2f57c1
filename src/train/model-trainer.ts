// The library's trainer: a network from src/nn compiled into one training-step graph for a
// runtime, then fitted over the caller's batches by the same loop `onnxgrad train` runs
// (fit.ts), evaluated, checkpointed (safetensors bytes) and exported as an inference model.
// Pure: the runtime comes in as an object (Node: node-runtimes.ts; a page: its onnxruntime-web),
// and files are the caller's.
import type { CursorState } from '../data/batches.js';
import { dropoutSeed } from '../data/random.js';
import type { Normalization } from '../data/normalize.js';
import type { Subset } from '../data/split.js';
import type { TensorData } from '../ir/tensor.js';
import { float32 } from '../ir/tensor.js';
import { build, type Layer, type Network } from '../nn/layer.js';
import type { InitScheme } from '../nn/init.js';
import { exportModel } from '../onnx/export.js';
import * as op from '../ops/index.js';
import type { FormName } from '../passes/forms.js';
import type { TensorSession } from '../runtime/tensor-session.js';
import { decodeCheckpoint, encodeCheckpoint, type ResumeState } from './checkpoint-format.js';
import { compileTrainStep } from './compile-step.js';
import { evaluate, type Evaluation } from './evaluate.js';
import {
  type BatchSource,
  type EarlyStopping,
  type FitCallbacks,
  type LoopResult,
  type LoopStart,
  runLoop,
} from './fit.js';
import type { TrainStepManifest } from './manifest.js';
import { StepRunner } from './step-runner.js';

/** Where a trainer runs: the step form compiled for it and the sessions it opens. */
export interface TrainRuntime<T = unknown> {
  /** For messages: `onnxruntime-node cpu`, `onnxruntime-web wasm` ... */
  readonly name: string;
  /** The step form (src/passes/forms.ts) that suits this runtime. */
  readonly form: FormName;
  /** This CPU's NCHWc block size for the node-cpu form; null otherwise. */
  readonly nchwcBlock: number | null;
  /** Opens a session on a graph (ONNX bytes). */
  session(model: Uint8Array): Promise<TensorSession<T>>;
}

export interface TrainerOptions {
  /** The network, e.g. an `nn.sequential(...)`; built for training (dropout on) and for inference. */
  readonly model: Layer;
  /** One example's shape, without the batch dimension: `[1, 28, 28]` for MNIST. */
  readonly inputShape: readonly number[];
  /** The minibatch size; the training graph is built for it. */
  readonly batchSize: number;
  /** An optimizer of src/optim: adam (the default), adamw, sgd, momentum, nesterov, rmsprop. */
  readonly optimizer?: string;
  /** A loss by name (src/train/compile-step.ts LOSSES); default cross-entropy on the output as logits. */
  readonly loss?: string;
  /** Initial weights: PyTorch's defaults ('pytorch', the default) or the practical's ('practical'). */
  readonly init?: InitScheme;
  /** Seeds the initial weights and, unless `fit` is told otherwise, the dropout noise. */
  readonly seed?: number;
  /** The ONNX graph's name. */
  readonly name?: string;
}

/** Validation data: a split of an onnxgrad dataset and the normalisation its images get. */
export interface EvalData {
  readonly subset: Subset;
  readonly normalization: Normalization;
}

export interface FitOptions extends FitCallbacks {
  /** The training batches, e.g. `trainBatches(split.train, ...)`. */
  readonly batches: BatchSource;
  /** Train until this many steps in all (a restored trainer continues from its checkpoint's step). */
  readonly steps: number;
  /** The learning rate, or a schedule: the rate of update `step` (1-based). */
  readonly lr: number | ((step: number) => number);
  /** Evaluated every `evalEvery` steps and after the last; each evaluation is a record of the history. */
  readonly validation?: EvalData;
  readonly evalEvery?: number;
  readonly earlyStopping?: EarlyStopping;
  /** Every `every` steps (and when the run ends) the checkpoint's bytes are handed to `write`. */
  readonly checkpoint?: {
    readonly every?: number;
    readonly write: (bytes: Uint8Array, step: number) => void | Promise<void>;
  };
}

/** What `fit` returns: how it ended, the steps done and the history (one record per evaluation). */
export type FitResult = LoopResult;

const PREDICT_CHUNK = 1000;

/** Trains one network on one runtime. Create it with `Trainer.create`, release it when done. */
export class Trainer<T = unknown> {
  #runner: StepRunner<T>;
  #start: LoopStart;
  #batchState: CursorState | undefined;

  private constructor(
    readonly options: TrainerOptions,
    private readonly runtime: TrainRuntime<T>,
    /** The training step's manifest: every input and output of the graph, by role. */
    readonly manifest: TrainStepManifest,
    private readonly stepGraph: Uint8Array,
    /** The inference graph (batch `N`, no dropout): what exportModel writes. */
    readonly inference: Network,
    private readonly evalSession: TensorSession<T>,
    runner: StepRunner<T>,
  ) {
    this.#runner = runner;
    this.#start = { step: 0, noiseState: dropoutSeed(options.seed ?? 1), elapsedSeconds: 0 };
  }

  /** Builds the network, compiles its training step for the runtime and opens the sessions. */
  static async create<U>(options: TrainerOptions, runtime: TrainRuntime<U>): Promise<Trainer<U>> {
    const built = (training: boolean) =>
      build(options.model, {
        name: options.name ?? 'model',
        inputShape: options.inputShape,
        batch: training ? options.batchSize : 'N',
        training,
        ...(options.init ? { init: options.init } : {}),
        seed: options.seed ?? 1,
      });
    const training = built(true);
    const step = compileTrainStep({
      graph: training.graph,
      output: training.output,
      optimizer: options.optimizer ?? 'adam',
      batchSize: options.batchSize,
      form: runtime.form,
      nchwcBlock: runtime.nchwcBlock,
      noise: training.noise,
      buffers: training.buffers,
      ...(options.loss ? { loss: options.loss } : {}),
    });
    const stepGraph = exportModel(step.graph, { parametersAs: 'inputs' });

    const inference = built(false);
    inference.graph.output(inference.output, 'logits');
    const evalSession = await runtime.session(exportModel(inference.graph, { parametersAs: 'inputs' }));
    const initial = new Map<string, TensorData>();
    for (const [name, p] of training.graph.parameters) initial.set(name, p.init);
    for (const [name, t] of step.initialBuffers) initial.set(name, t);
    for (const s of step.manifest.state) {
      const dims = s.shape as number[];
      initial.set(s.name, float32(dims, new Float32Array(dims.reduce((a, b) => a * b, 1))));
    }
    const runner = StepRunner.on(await runtime.session(stepGraph), step.manifest, initial);
    return new Trainer(options, runtime, step.manifest, stepGraph, inference, evalSession, runner);
  }

  /** Updates done so far (a restored checkpoint's included). */
  get step(): number {
    return this.#start.step;
  }

  /** Runs training steps until `o.steps`, validating, checkpointing and stopping early as asked. */
  async fit(o: FitOptions): Promise<FitResult> {
    if (this.#batchState && o.batches.load) o.batches.load(this.#batchState);
    this.#batchState = undefined;
    const lr = typeof o.lr === 'number' ? () => o.lr as number : o.lr;
    const { checkpoint, validation, ...callbacks } = o;
    const result = await runLoop({
      ...callbacks,
      runner: this.#runner,
      manifest: this.manifest,
      lr,
      start: this.#start,
      ...(o.evalEvery !== undefined ? { evalEvery: o.evalEvery } : {}),
      ...(validation ? { validate: () => this.evaluate(validation) } : {}),
      ...(checkpoint
        ? {
            ...(checkpoint.every !== undefined ? { checkpointEvery: checkpoint.every } : {}),
            checkpoint: (state: LoopStart) => checkpoint.write(this.#checkpointBytes(state, o.batches), state.step),
          }
        : {}),
    });
    this.#start = { ...this.#start, step: result.steps, elapsedSeconds: result.seconds };
    return result;
  }

  /** Logits [count, classes] for `count` normalised examples (NCHW), with the current weights. */
  async predict(inputs: Float32Array, count: number): Promise<Float32Array> {
    const name = this.inference.input.name;
    const dims = [count, ...this.options.inputShape];
    const out = await this.evalSession.run({
      [name]: this.evalSession.tensor({ dtype: 'float32', dims, data: inputs }),
      ...this.#runner.parameterFeeds(),
    });
    const logits = out['logits'];
    if (logits === undefined) throw new Error('the inference graph gave no logits');
    return this.evalSession.read(logits).data as Float32Array;
  }

  /** Accuracy, mean cross-entropy and the confusion matrix over a whole split. */
  async evaluate(data: EvalData): Promise<Evaluation> {
    const classes = this.inference.output.shape[1];
    if (typeof classes !== 'number') throw new Error('the network output must be [batch, classes]');
    return evaluate(data.subset, data.normalization, classes, (x, n) => this.predict(x, n), PREDICT_CHUNK);
  }

  /** The trained parameters and buffers (batch norm's running statistics) by name, as PyTorch's state_dict: copies. */
  weights(): Map<string, TensorData> {
    const all = this.#runner.tensors();
    const kept = [...this.manifest.parameters, ...(this.manifest.buffers ?? [])];
    return new Map(kept.map((p) => [p.name, all.get(p.name) as TensorData]));
  }

  /**
   * The inference model as ONNX bytes, with the trained weights: input -> logits and
   * probabilities (one Softmax). `metadata` goes into metadata_props (onnxgrad's eval and serve
   * read dataset, classNames and normalization there).
   */
  exportModel(options: { readonly metadata?: Readonly<Record<string, string>> } = {}): Uint8Array {
    const built = build(this.options.model, {
      name: this.options.name ?? 'model',
      inputShape: this.options.inputShape,
      ...(this.options.init ? { init: this.options.init } : {}),
      seed: this.options.seed ?? 1,
    });
    built.graph.output(built.output, 'logits');
    built.graph.output(op.softmax(built.output), 'probabilities');
    return exportModel(built.graph, {
      weights: this.weights(),
      ...(options.metadata ? { metadata: options.metadata } : {}),
    });
  }

  /** A checkpoint of everything needed to go on exactly: weights, optimizer state, step, noise generator. */
  checkpoint(batches?: BatchSource): Uint8Array {
    return this.#checkpointBytes(this.#start, batches);
  }

  /** Continues from a checkpoint's bytes: the next `fit` starts at its step, with its batch position. */
  async restore(bytes: Uint8Array): Promise<void> {
    const { tensors, state } = decodeCheckpoint(bytes, this.manifest, 'the checkpoint');
    if (state.fingerprint !== this.#fingerprint())
      throw new Error('the checkpoint was written for another network, optimizer or batch size');
    const runner = StepRunner.on(await this.runtime.session(this.stepGraph), this.manifest, tensors);
    await this.#runner.release();
    this.#runner = runner;
    this.#start = { step: state.step, noiseState: state.dropoutRng, elapsedSeconds: state.elapsedSeconds };
    this.#batchState = state.cursor;
  }

  /** Closes the sessions. */
  async release(): Promise<void> {
    await this.#runner.release();
    await this.evalSession.release();
  }

  #checkpointBytes(start: LoopStart, batches: BatchSource | undefined): Uint8Array {
    const state: ResumeState = {
      step: start.step,
      cursor: batches?.save?.() ?? { epoch: 0, batch: 0 },
      dropoutRng: start.noiseState,
      elapsedSeconds: start.elapsedSeconds,
      fingerprint: this.#fingerprint(),
    };
    return encodeCheckpoint({ tensors: this.#runner.tensors(), state }, this.manifest);
  }

  #fingerprint(): string {
    const { parameters, optimizer, batchSize } = this.manifest;
    return JSON.stringify({ parameters, optimizer: optimizer.name, batchSize, runtime: this.runtime.form });
  }
}
