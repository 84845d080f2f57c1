// A sweep: every combination of optimizer, learning rate, dropout and model, trained one after
// the other, each in its own folder named after its configuration, then evaluated on the test
// set (and its curves drawn, as 'onnxgrad plot' does). It resumes: a run with its summary.json and results.json is skipped, one with a
// checkpoint continues from it, any other starts over.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CnnConfig, cnnConfig, PRACTICAL_CNN } from '../../graphs/cnn-config.js';
import { OPTIMIZERS, type OptimizerName } from '../optim/index.js';
import { fingerprint, type TrainOptions } from '../train/options.js';
import { trainInWorker } from '../train/run-in-worker.js';
import { RUN_FILES, type StartMode, type TrainCallbacks } from '../train/trainer.js';
import { plotRun } from './plots.js';
import { RESULTS_FILE, type RunResult, runResult, writeSweepResults } from './sweep-results.js';

export interface SweepAxes {
  readonly optimizers: readonly string[];
  /** Empty: each optimizer's default learning rate. */
  readonly lrs: readonly number[];
  readonly dropouts: readonly number[];
  readonly models: readonly string[];
}

export interface SweepConfig {
  readonly name: string;
  readonly optimizer: string;
  readonly lr: number;
  readonly dropout: number;
  readonly model: string;
}

export interface SweepPlan {
  readonly outDir: string;
  /** Everything but the swept settings; its runDir is ignored. */
  readonly base: TrainOptions;
  readonly configs: readonly SweepConfig[];
}

export const SWEEP_FILE = 'sweep.json';

/** 1e-4 -> '1e-4', 0.0025 -> '2.5e-3': short, and safe in a folder name. */
export function lrText(lr: number): string {
  return lr.toExponential().replace('e+', 'e');
}

/** 'adam-lr1e-4-drop0.2-practical' */
export function configName(c: Omit<SweepConfig, 'name'>): string {
  return `${c.optimizer}-lr${lrText(c.lr)}-drop${c.dropout}-${c.model}`;
}

/** The cartesian product, optimizer outermost, model innermost. */
export function sweepConfigs(axes: SweepAxes): SweepConfig[] {
  const configs: SweepConfig[] = [];
  for (const optimizer of axes.optimizers) {
    const entry = OPTIMIZERS[optimizer as OptimizerName];
    if (!entry) throw new Error(`unknown optimizer '${optimizer}' (known: ${Object.keys(OPTIMIZERS).join(', ')})`);
    for (const lr of axes.lrs.length > 0 ? axes.lrs : [entry.defaultLr]) {
      for (const dropout of axes.dropouts) {
        for (const model of axes.models) {
          cnnConfig(model, { dropout }); // checks the name and the rate
          const c = { optimizer, lr, dropout, model };
          configs.push({ name: configName(c), ...c });
        }
      }
    }
  }
  const names = configs.map((c) => c.name);
  const repeated = names.find((n, i) => names.indexOf(n) !== i);
  if (repeated) throw new Error(`the sweep names ${repeated} twice; give each value once`);
  return configs;
}

export function trainOptionsFor(plan: SweepPlan, c: SweepConfig): TrainOptions {
  const model = cnnConfig(c.model, { ...sameInit(plan.base), dropout: c.dropout });
  return { ...plan.base, runDir: join(plan.outDir, c.name), model, optimizer: c.optimizer, lr: c.lr };
}

/** The base run's initialisation and seed carry over to every model variant. */
function sameInit(base: TrainOptions): { init: CnnConfig['init']; seed: number; classes: number } {
  const model = base.model ?? PRACTICAL_CNN;
  return { init: model.init, seed: model.seed, classes: model.classes };
}

export type RunState = 'done' | 'evaluate' | 'resume' | 'start';

/** What is left to do in a run's folder. */
export function runState(o: TrainOptions): RunState {
  const file = (name: string) => join(o.runDir, name);
  const summaryPath = file(RUN_FILES.summary);
  if (existsSync(summaryPath) && existsSync(file(RUN_FILES.model))) {
    const saved = JSON.parse(readFileSync(summaryPath, 'utf8')) as { completed?: boolean; config?: TrainOptions };
    if (saved.completed && saved.config) {
      const differ = settingsThatDiffer(saved.config, o);
      if (differ.length > 0)
        throw new Error(
          `${o.runDir} was trained with different settings (${differ.join(', ')}); use another --out for this sweep`,
        );
      return existsSync(file(RESULTS_FILE)) ? 'done' : 'evaluate';
    }
  }
  return existsSync(file(RUN_FILES.checkpoint)) ? 'resume' : 'start';
}

function settingsThatDiffer(a: TrainOptions, b: TrainOptions): string[] {
  const x = JSON.parse(fingerprint(a)) as Record<string, unknown>;
  const y = JSON.parse(fingerprint(b)) as Record<string, unknown>;
  return Object.keys(y).filter((k) => canonical(x[k]) !== canonical(y[k]));
}

/** JSON with sorted keys, so that key order does not count as a difference. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_, value: unknown) =>
    value && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value).sort(([p], [q]) => (p < q ? -1 : 1)))
      : value,
  );
}

export interface SweepCallbacks {
  onRunStart?(info: { config: SweepConfig; index: number; total: number; state: RunState; runDir: string }): void;
  onRunDone?(info: { config: SweepConfig; index: number; total: number; result: RunResult; skipped: boolean }): void;
  /** Progress of the run being trained. */
  run?(config: SweepConfig): Omit<TrainCallbacks, 'shouldStop'>;
}

export interface SweepOutcome {
  readonly completed: boolean;
  readonly results: readonly RunResult[];
  readonly files: readonly string[];
}

/** Runs the plan; `signal` stops the current run at a checkpoint and ends the sweep early. */
export async function runSweep(
  plan: SweepPlan,
  callbacks: SweepCallbacks = {},
  signal?: AbortSignal,
): Promise<SweepOutcome> {
  mkdirSync(plan.outDir, { recursive: true });
  const { runDir: _ignored, ...base } = plan.base;
  writeFileSync(
    join(plan.outDir, SWEEP_FILE),
    `${JSON.stringify({ format: 'onnxgrad.sweep', base, configs: plan.configs }, null, 2)}\n`,
  );
  const results: RunResult[] = [];
  const total = plan.configs.length;
  let completed = true;
  for (const [index, config] of plan.configs.entries()) {
    if (signal?.aborted) {
      completed = false;
      break;
    }
    const options = trainOptionsFor(plan, config);
    const state = runState(options);
    callbacks.onRunStart?.({ config, index, total, state, runDir: options.runDir });
    if (state === 'resume' || state === 'start') {
      const start: StartMode = state === 'resume' ? 'resume' : 'overwrite';
      const handle = trainInWorker(options, callbacks.run?.(config) ?? {}, start);
      const stop = () => handle.stop();
      signal?.addEventListener('abort', stop, { once: true });
      try {
        const summary = await handle.done;
        if (!summary.completed) {
          completed = false;
          break;
        }
      } finally {
        signal?.removeEventListener('abort', stop);
      }
    }
    if (state !== 'done') await plotRun(options.runDir, { threads: options.threads });
    const result = state === 'done' ? readResult(options.runDir) : await runResult(config, options);
    results.push(result);
    await writeSweepResults(plan.outDir, results);
    callbacks.onRunDone?.({ config, index, total, result, skipped: state === 'done' });
  }
  const files = await writeSweepResults(plan.outDir, results, { plot: true });
  return { completed, results, files };
}

function readResult(runDir: string): RunResult {
  return JSON.parse(readFileSync(join(runDir, RESULTS_FILE), 'utf8')) as RunResult;
}
