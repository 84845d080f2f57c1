// The training loop, shared by the library's Trainer and `onnxgrad train`: batches in, one
// training-step graph run per batch, a validation every few steps, checkpoints, early stopping
// and a history of records out. It reports through callbacks and prints nothing; files, devices
// and datasets are the caller's (it runs in the browser as well as in Node).
import type { CursorState } from '../data/batches.js';
import { Mulberry32 } from '../data/random.js';
import { sizeOf, type TrainStepManifest } from './manifest.js';
import type { StepBatch } from './step-feeds.js';
import type { StepResult } from './step-runner.js';

/** One minibatch: the data of each of the network's inputs (usually one: the images) and the labels. */
export interface TrainBatch {
  readonly inputs: readonly Float32Array[];
  readonly labels: BigInt64Array;
  /** Examples in the batch (the step graph's batch size). */
  readonly size: number;
}

/** Where the batches come from: `next()` is called once per step, forever (it wraps epochs itself). */
export interface BatchSource {
  next(): TrainBatch;
  /** The epoch the next batch belongs to (0-based), for the history; 0 when absent. */
  readonly epoch?: number;
  /** Its position, for a checkpoint; a source without one starts over on resume. */
  save?(): CursorState;
  /** Moves to a position `save` gave. */
  load?(state: CursorState): void;
}

/** What runs a step: src/train/step-runner.ts on onnxruntime-node or onnxruntime-web. */
export interface StepRunnerLike {
  run(batch: StepBatch, step: number, lr: number): Promise<StepResult>;
}

/** A validation's mean loss and accuracy. */
export interface Validation {
  readonly loss: number;
  readonly accuracy: number;
}

/** One evaluation, like a line of Keras' History: the running training metrics since the last one, and validation's. */
export interface HistoryRecord {
  readonly step: number;
  readonly epoch: number;
  readonly seconds: number;
  readonly lr: number;
  /** Mean loss and accuracy of the training batches since the previous record (dropout on). */
  readonly trainLoss: number;
  readonly trainAccuracy: number;
  readonly valLoss: number;
  readonly valAccuracy: number;
}

/** Stops when `metric` has not improved by more than `minDelta` for `patience` evaluations in a row. */
export interface EarlyStopping {
  /** 'valLoss' (the default; lower is better) or 'valAccuracy' (higher is better). */
  readonly metric?: 'valLoss' | 'valAccuracy';
  readonly patience: number;
  readonly minDelta?: number;
}

export interface StepInfo {
  readonly step: number;
  readonly loss: number;
  readonly accuracy: number;
  readonly lr: number;
}

/** Called as training goes; all optional. */
export interface FitCallbacks {
  /** After every step. */
  onStep?(info: StepInfo): void;
  /** After every evaluation, with its record (also in the returned history). */
  onEval?(record: HistoryRecord): void;
  /** After every checkpoint the loop asked for. */
  onCheckpoint?(info: { readonly step: number }): void;
  /** Polled after every step: true saves a checkpoint and ends the run early. */
  shouldStop?(): boolean;
}

/** Where the loop starts: 0 for a new run, or what a checkpoint saved. */
export interface LoopStart {
  readonly step: number;
  /** The dropout-noise generator's state (src/data/random.ts Mulberry32). */
  readonly noiseState: number;
  readonly elapsedSeconds: number;
}

/** Makes the history: sums the training metrics of each step and closes a record at each evaluation. */
export interface MetricsRecorder {
  addStep(loss: number, correct: number, batchSize: number): void;
  record(step: number, epoch: number, seconds: number, lr: number, val: Validation): HistoryRecord;
}

/** The sums behind the next record's training averages; a checkpoint keeps them so a resume records the same. */
export interface RunningSums {
  readonly lossSum: number;
  readonly correct: number;
  readonly seen: number;
  readonly steps: number;
}

/** The recorder that keeps the history in memory only (metrics.ts's MetricsLog also writes it down). */
export class RunningMetrics implements MetricsRecorder {
  private lossSum = 0;
  private correct = 0;
  private seen = 0;
  private steps = 0;

  /** Starts from the sums a checkpoint kept, or from zero. */
  constructor(running?: RunningSums) {
    if (running) ({ lossSum: this.lossSum, correct: this.correct, seen: this.seen, steps: this.steps } = running);
  }

  get running(): RunningSums {
    return { lossSum: this.lossSum, correct: this.correct, seen: this.seen, steps: this.steps };
  }

  addStep(loss: number, correct: number, batchSize: number): void {
    this.lossSum += loss;
    this.steps += 1;
    this.correct += correct;
    this.seen += batchSize;
  }

  record(step: number, epoch: number, seconds: number, lr: number, val: Validation): HistoryRecord {
    const record: HistoryRecord = {
      step,
      epoch,
      seconds: Number(seconds.toFixed(3)),
      lr,
      trainLoss: this.steps > 0 ? this.lossSum / this.steps : Number.NaN,
      trainAccuracy: this.seen > 0 ? this.correct / this.seen : Number.NaN,
      valLoss: val.loss,
      valAccuracy: val.accuracy,
    };
    this.lossSum = this.correct = this.seen = this.steps = 0;
    return record;
  }
}

export interface LoopOptions extends FitCallbacks {
  readonly runner: StepRunnerLike;
  /** The step graph's manifest: its dropout inputs get fresh noise every step. */
  readonly manifest: TrainStepManifest;
  readonly batches: BatchSource;
  /** Train until this step (a resumed run counts from where it stopped). */
  readonly steps: number;
  /** The learning rate of update `step` (1-based). */
  readonly lr: (step: number) => number;
  readonly start: LoopStart;
  /** Validation every this many steps, and after the last. */
  readonly evalEvery?: number;
  readonly validate?: () => Promise<Validation>;
  /** A checkpoint every this many steps (not at the last: the loop's end writes one). */
  readonly checkpointEvery?: number;
  /** Writes a checkpoint of the state the loop reports (the caller owns the tensors and the batches). */
  readonly checkpoint?: (state: LoopStart) => void | Promise<void>;
  readonly earlyStopping?: EarlyStopping;
  /** Default: a RunningMetrics; `onnxgrad train` passes its metrics.jsonl log. */
  readonly recorder?: MetricsRecorder;
}

export interface LoopResult {
  /** completed: all steps; stopped: shouldStop asked for it; early-stopping: the metric stopped improving. */
  readonly end: 'completed' | 'stopped' | 'early-stopping';
  readonly steps: number;
  readonly seconds: number;
  /** Steps per second of this call (not counting a resumed run's earlier part). */
  readonly stepsPerSecond: number;
  readonly history: readonly HistoryRecord[];
}

/** Runs steps from `start.step` to `steps`. */
export async function runLoop(o: LoopOptions): Promise<LoopResult> {
  const noiseRng = new Mulberry32(o.start.noiseState);
  const started = performance.now();
  const elapsed = () => o.start.elapsedSeconds + (performance.now() - started) / 1000;
  const history: HistoryRecord[] = [];
  const stopping = o.earlyStopping ? earlyStopper(o.earlyStopping) : undefined;
  const recorder = o.recorder ?? new RunningMetrics();
  let step = o.start.step;

  const state = (): LoopStart => ({ step, noiseState: noiseRng.state, elapsedSeconds: elapsed() });
  const save = async () => {
    if (!o.checkpoint) return;
    await o.checkpoint(state());
    o.onCheckpoint?.({ step });
  };
  const evaluate = async (): Promise<HistoryRecord> => {
    const val = o.validate ? await o.validate() : { loss: Number.NaN, accuracy: Number.NaN };
    const record = recorder.record(step, o.batches.epoch ?? 0, elapsed(), o.lr(step), val);
    history.push(record);
    o.onEval?.(record);
    return record;
  };

  let end: LoopResult['end'] = 'completed';
  while (step < o.steps) {
    const batch = o.batches.next();
    const noise = o.manifest.dropout.map((d) => {
      const n = new Float32Array(sizeOf(d.shape));
      for (let i = 0; i < n.length; i++) n[i] = noiseRng.next();
      return n;
    });
    const lr = o.lr(step + 1);
    const result = await o.runner.run({ inputs: batch.inputs, labels: batch.labels, noise }, step + 1, lr);
    step += 1;
    if (!Number.isFinite(result.loss))
      throw new Error(`the loss became ${result.loss} at step ${step}; try a smaller learning rate`);
    recorder.addStep(result.loss, result.correct, batch.size);
    o.onStep?.({ step, loss: result.loss, accuracy: result.correct / batch.size, lr });
    const evalEvery = o.evalEvery ?? o.steps;
    if (step % evalEvery === 0 || step === o.steps) {
      const record = await evaluate();
      if (stopping?.(record) && step < o.steps) {
        end = 'early-stopping';
        break;
      }
    }
    if (o.checkpointEvery && step % o.checkpointEvery === 0 && step < o.steps) await save();
    if (o.shouldStop?.() && step < o.steps) {
      end = 'stopped';
      break;
    }
  }
  await save();
  const seconds = elapsed();
  const stepsPerSecond = (step - o.start.step) / Math.max((performance.now() - started) / 1000, 1e-9);
  return { end, steps: step, seconds, stepsPerSecond, history };
}

/** True once the watched metric has gone `patience` evaluations without improving. */
function earlyStopper(e: EarlyStopping): (record: HistoryRecord) => boolean {
  if (!Number.isInteger(e.patience) || e.patience < 1)
    throw new RangeError(`early stopping: patience must be a positive integer, got ${e.patience}`);
  const metric = e.metric ?? 'valLoss';
  const sign = metric === 'valLoss' ? -1 : 1;
  const minDelta = e.minDelta ?? 0;
  let best = -Infinity;
  let waited = 0;
  return (record) => {
    const score = sign * record[metric];
    if (score > best + minDelta) {
      best = score;
      waited = 0;
      return false;
    }
    waited += 1;
    return waited >= e.patience;
  };
}
