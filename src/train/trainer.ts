// The training loop: batches in, metrics, checkpoints and the trained model out. It reports
// through callbacks and prints nothing; the CLI runs it in a worker thread (worker.ts).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { CnnConfig } from '../../graphs/cnn-config.js';
import { buildCnn, buildInferenceGraph } from '../../graphs/mnist-cnn.js';
import { CLOTHES_AUGMENT } from '../data/augment.js';
import { BatchCursor } from '../data/batches.js';
import { loadDataset } from '../data/datasets.js';
import { dropoutSeed } from '../data/random.js';
import { normalizationFor, splitDataset } from '../data/split.js';
import type { TensorData } from '../ir/tensor.js';
import { exportModel } from '../onnx/export.js';
import { createSession, float32Tensor } from '../runtime/node.js';
import { writeFileAtomic, writeFileAtomicIfChanged } from '../atomic-file.js';
import { type Checkpoint, loadCheckpoint, saveCheckpoint } from './checkpoint.js';
import { evaluate } from './evaluate.js';
import { type BatchSource, type LoopResult, runLoop, type StepInfo } from './fit.js';
import { MetricsLog, type MetricsRecord } from './metrics.js';
import { fingerprint, runtimeFingerprint, type TrainOptions } from './options.js';
import { learningRate } from './schedule.js';
import { createNodeStepRunner } from './node-step-runner.js';
import { TRAIN_STEP_FILE, TRAIN_STEP_MANIFEST_FILE } from './graph-dir.js';
import type { TrainStepManifest } from './manifest.js';
import { loadTrainGraph } from './run-graph.js';
import { ImportedForward } from './imported-forward.js';

export interface TrainCallbacks {
  onStart?(info: {
    startStep: number;
    totalSteps: number;
    stepsPerEpoch: number;
    parameters: number;
    trainImages: number;
  }): void;
  onStep?(info: { step: number; loss: number; accuracy: number; lr: number }): void;
  onEval?(record: MetricsRecord): void;
  onCheckpoint?(info: { step: number; path: string }): void;
  /** Something the user should know that does not stop the run (a torn metrics record dropped on resume). */
  onNotice?(message: string): void;
  /** Polled after every step: true saves a checkpoint and ends the run early. */
  shouldStop?(): boolean;
}

export interface TrainSummary {
  readonly completed: boolean;
  readonly steps: number;
  readonly seconds: number;
  readonly stepsPerSecond: number;
  readonly final?: MetricsRecord;
  readonly files: {
    readonly model?: string;
    readonly checkpoint: string;
    readonly metrics: string;
    readonly summary?: string;
  };
}

/** new: refuse a folder that holds a checkpoint; resume: continue it; overwrite: start over. */
export type StartMode = 'new' | 'resume' | 'overwrite';

export const RUN_FILES = {
  checkpoint: 'checkpoint.safetensors',
  metrics: 'metrics.jsonl',
  model: 'model.onnx',
  summary: 'summary.json',
  trainStep: TRAIN_STEP_FILE,
  manifest: TRAIN_STEP_MANIFEST_FILE,
  config: 'config.json',
} as const;

/** The CNN configuration a step was built from: train evaluates and exports that network. */
export function cnnOf(manifest: TrainStepManifest, where: string): CnnConfig {
  if (!manifest.model) throw new Error(`${where}: this training step has no CNN configuration in its manifest`);
  return manifest.model;
}

/**
 * A resume must use the settings that wrote the checkpoint; the error names those that differ.
 * Only --steps may change, and only where the schedule does not depend on the total: a constant
 * or step schedule keeps the total it was laid out over, and the extra steps run at its last rate.
 * Returns that total.
 */
function checkResumable(checkpoint: Checkpoint, o: TrainOptions, runtime: string, path: string): number {
  const { state } = checkpoint;
  const saved = JSON.parse(state.fingerprint) as Record<string, unknown>;
  const now = JSON.parse(fingerprint(o)) as Record<string, unknown>;
  const differ = Object.keys(now).filter((k) => k !== 'steps' && JSON.stringify(saved[k]) !== JSON.stringify(now[k]));
  if (state.runtime !== undefined) {
    const ran = JSON.parse(state.runtime) as Record<string, unknown>;
    const runs = JSON.parse(runtime) as Record<string, unknown>;
    for (const k of Object.keys(runs)) {
      if (k in ran && JSON.stringify(ran[k]) !== JSON.stringify(runs[k]))
        differ.push(
          k === 'graph'
            ? `the training graph (sha256 ${String(ran[k])} then ${String(runs[k])}: another --graph, --conv-gradients or onnxgrad version)`
            : `${k} (${JSON.stringify(ran[k])} then ${JSON.stringify(runs[k])})`,
        );
    }
  }
  if (differ.length > 0)
    throw new Error(
      `${path}: was written by a run with different settings (${differ.join(', ')}); resume with the same options, or use another --run-dir`,
    );
  const scheduleSteps = state.scheduleSteps ?? Number(saved['steps']);
  if (o.steps < state.step)
    throw new Error(`${path}: the checkpoint is at step ${state.step}, past --steps ${o.steps}`);
  if (o.steps !== scheduleSteps && (o.schedule === 'cosine' || o.schedule === 'onecycle'))
    throw new Error(
      `${path}: the run's ${o.schedule} schedule is laid out over ${scheduleSteps} steps, so --steps ${o.steps} cannot change it (constant and step schedules can train longer); resume with --steps ${scheduleSteps}, or start a new run`,
    );
  return scheduleSteps;
}

/** Removes the temporary files that a process killed while writing one (atomic-file.ts) left in the run folder. */
function removeTemporaries(runDir: string): void {
  for (const name of readdirSync(runDir)) if (/\.tmp-\d+$/.test(name)) rmSync(join(runDir, name), { force: true });
}

export async function train(
  o: TrainOptions,
  callbacks: TrainCallbacks = {},
  start: StartMode = 'new',
): Promise<TrainSummary> {
  mkdirSync(o.runDir, { recursive: true });
  const path = (file: string) => join(o.runDir, file);
  const resume = start === 'resume';
  if (start === 'new' && existsSync(path(RUN_FILES.checkpoint))) {
    throw new Error(
      `${o.runDir} already holds a checkpoint; pass --resume to continue it, --overwrite to start over, or choose another --run-dir`,
    );
  }
  const dataset = loadDataset(o.data);
  const splits = splitDataset(dataset, {
    seed: o.seed,
    ...(o.validationSize !== undefined ? { validationSize: o.validationSize } : {}),
    ...(o.limit !== undefined ? { limit: o.limit } : {}),
  });
  const normalization = normalizationFor(dataset, splits.train);
  const { bytes, manifest, init, forward: forwardBytes } = await loadTrainGraph(o);
  // a step without a CNN configuration is an imported model's: its forward graph is the folder's model.onnx
  const session = { device: o.device, threads: o.threads, spinning: o.spinning === true };
  const imported =
    manifest.model || !forwardBytes ? undefined : new ImportedForward(forwardBytes, manifest.loss.output, session);
  const model = imported ? undefined : cnnOf(manifest, o.graphDir ?? 'the training step');
  const classes = model?.classes ?? imported?.classes ?? dataset.classNames.length;
  if (classes !== dataset.classNames.length)
    throw new Error(`the model has ${classes} classes but ${dataset.name} has ${dataset.classNames.length}`);

  const runtime = runtimeFingerprint(o, createHash('sha256').update(bytes).digest('hex').slice(0, 12));
  let checkpoint: Checkpoint | undefined;
  let scheduleSteps = o.steps;
  if (resume) {
    if (!existsSync(path(RUN_FILES.checkpoint))) throw new Error(`${o.runDir}: no checkpoint to resume from`);
    checkpoint = loadCheckpoint(path(RUN_FILES.checkpoint), manifest);
    scheduleSteps = checkResumable(checkpoint, o, runtime, path(RUN_FILES.checkpoint));
  }
  removeTemporaries(o.runDir);
  // --graph and --run-dir may be the same folder (npm start): its files are rewritten only when they change
  writeFileAtomicIfChanged(path(RUN_FILES.config), `${JSON.stringify({ ...o, model }, null, 2)}\n`);
  writeFileAtomicIfChanged(path(RUN_FILES.trainStep), bytes);
  writeFileAtomicIfChanged(path(RUN_FILES.manifest), `${JSON.stringify(manifest, null, 2)}\n`);

  const runner = await createNodeStepRunner(bytes, manifest, checkpoint?.tensors ?? init, session);
  const forward = model ? buildCnn(model, { training: false }) : undefined;
  if (forward) forward.graph.output(forward.logits, 'logits');
  const evalSession = forward
    ? await createSession(exportModel(forward.graph, { parametersAs: 'inputs' }), session)
    : undefined;
  const predict = async (images: Float32Array, count: number) => {
    if (imported) return imported.predict(images, count, [dataset.height, dataset.width]);
    const out = await (evalSession as NonNullable<typeof evalSession>).run({
      image: float32Tensor(images, [count, 1, dataset.height, dataset.width]),
      ...runner.parameterFeeds(),
    });
    return out.logits?.data as Float32Array;
  };

  const cursor = new BatchCursor(
    splits.train,
    {
      batchSize: manifest.batchSize,
      seed: o.seed,
      normalization,
      augment: o.augment ? (dataset.mirrorable === true ? CLOTHES_AUGMENT : {}) : null,
    },
    checkpoint?.state.cursor,
  );
  const metrics = new MetricsLog(path(RUN_FILES.metrics), checkpoint?.state.step ?? 0, checkpoint?.state.running);
  if (metrics.notice !== undefined) callbacks.onNotice?.(metrics.notice);
  const startStep = checkpoint?.state.step ?? 0;
  const batches: BatchSource = {
    next: () => {
      const batch = cursor.next();
      return { inputs: [batch.images], labels: batch.labels, size: batch.size };
    },
    get epoch() {
      return cursor.position.epoch;
    },
  };

  callbacks.onStart?.({
    startStep,
    totalSteps: o.steps,
    stepsPerEpoch: cursor.stepsPerEpoch,
    parameters: manifest.parameters.reduce((n, p) => n + (p.shape as number[]).reduce((a, b) => a * b, 1), 0),
    trainImages: splits.train.count,
  });
  let loop: LoopResult;
  let weights = new Map<string, TensorData>();
  try {
    // the loop the library's Trainer runs (fit.ts); the files are this function's
    loop = await runLoop({
      runner,
      manifest,
      batches,
      steps: o.steps,
      lr: (step) => learningRate(o.schedule, o.lr, step, scheduleSteps),
      start: {
        step: startStep,
        noiseState: checkpoint?.state.dropoutRng ?? dropoutSeed(o.seed),
        elapsedSeconds: checkpoint?.state.elapsedSeconds ?? 0,
      },
      evalEvery: o.evalEvery,
      validate: async () => {
        await imported?.refresh(runner.tensors());
        return evaluate(splits.val, normalization, classes, predict);
      },
      recorder: metrics,
      checkpointEvery: o.checkpointEvery,
      checkpoint: async (s) => {
        const state = {
          step: s.step,
          cursor: cursor.position,
          dropoutRng: s.noiseState,
          elapsedSeconds: s.elapsedSeconds,
          fingerprint: fingerprint(o),
          runtime,
          scheduleSteps,
          running: metrics.running,
        };
        saveCheckpoint(path(RUN_FILES.checkpoint), { tensors: await runner.hostTensors(), state }, manifest);
      },
      onCheckpoint: ({ step }) => callbacks.onCheckpoint?.({ step, path: path(RUN_FILES.checkpoint) }),
      ...(callbacks.onStep ? { onStep: (info: StepInfo) => callbacks.onStep?.(info) } : {}),
      ...(callbacks.onEval ? { onEval: (record: MetricsRecord) => callbacks.onEval?.(record) } : {}),
      ...(callbacks.shouldStop ? { shouldStop: () => callbacks.shouldStop?.() === true } : {}),
    });
    // host copies before the runner goes: on a GPU they live in its memory
    if (loop.end === 'completed') weights = await runner.hostTensors();
  } finally {
    await runner.release();
    await evalSession?.release();
    await imported?.release();
  }
  const { steps: step, seconds, stepsPerSecond } = loop;
  const final = loop.history.at(-1);
  const files = { checkpoint: path(RUN_FILES.checkpoint), metrics: path(RUN_FILES.metrics) };
  if (loop.end !== 'completed') return { completed: false, steps: step, seconds, stepsPerSecond, files };

  const metadata = {
    dataset: dataset.name,
    classNames: JSON.stringify(dataset.classNames),
    normalization: JSON.stringify(normalization),
  };
  writeFileAtomic(
    path(RUN_FILES.model),
    model
      ? exportModel(buildInferenceGraph(model), { weights, metadata })
      : (imported as ImportedForward).export(weights, metadata),
  );
  const summary = {
    completed: true,
    steps: step,
    seconds,
    stepsPerSecond,
    ...(final ? { final } : {}),
    files: { ...files, model: path(RUN_FILES.model), summary: path(RUN_FILES.summary) },
  };
  writeFileAtomic(path(RUN_FILES.summary), `${JSON.stringify({ ...summary, config: { ...o, model } }, null, 2)}\n`);
  return summary;
}
