// The charts of one training run, from its folder: loss and accuracy curves from metrics.jsonl,
// and the confusion matrix of its model.onnx on the validation (or test) split.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SplitName } from '../data/split.js';
import { readModelInfo } from '../onnx/metadata.js';
import { type ModelEvaluation, evaluateModelFile } from '../train/eval-model.js';
import { type MetricsRecord, readMetrics } from '../train/metrics.js';
import type { TrainOptions } from '../train/options.js';
import { RUN_FILES } from '../train/trainer.js';
import { writeFileAtomic } from '../atomic-file.js';
import { accuracySpec, confusionSpec, lossSpec } from './charts.js';
import { type Chart, renderChart } from './render.js';

export const PLOT_FILES = { loss: 'loss', accuracy: 'accuracy', confusion: 'confusion' } as const;

export interface PlotOptions {
  /** The split the confusion matrix is computed on; default 'val' (the test set stays untouched). */
  readonly split?: SplitName;
  readonly threads?: number;
}

export interface RunCharts {
  readonly config?: TrainOptions;
  readonly records: readonly MetricsRecord[];
  readonly loss: Chart;
  readonly accuracy: Chart;
  /** Absent when the run has no model.onnx yet (stopped before its last step). */
  readonly confusion?: Chart;
  readonly evaluation?: ModelEvaluation;
}

/** The options the run was trained with (RUN/config.json), if it is readable. */
export function readRunConfig(runDir: string): TrainOptions | undefined {
  const path = join(runDir, RUN_FILES.config);
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as TrainOptions;
  } catch {
    return undefined;
  }
}

/** 'adam, lr 1e-4, dropout 0.2, batch 64, mnist' */
export function describeConfig(o: TrainOptions | undefined): string {
  if (!o) return '';
  return `${o.optimizer}, lr ${o.lr}, ${o.model ? `dropout ${o.model.dropout}` : 'imported model'}, batch ${o.batchSize}, ${o.data.dataset ?? 'mnist'}${o.limit ? `, first ${o.limit} images` : ''}`;
}

/** Evaluates RUN/model.onnx on a split the way the run saw its data (same seed and limit). */
export function evaluateRun(runDir: string, split: SplitName, threads = 0): Promise<ModelEvaluation> {
  const o = readRunConfig(runDir);
  return evaluateModelFile(join(runDir, RUN_FILES.model), {
    split,
    threads,
    ...(o ? { data: o.data, seed: o.seed } : {}),
    ...(o?.limit ? { limit: o.limit } : {}),
  });
}

export async function runCharts(runDir: string, options: PlotOptions = {}): Promise<RunCharts> {
  const metricsPath = join(runDir, RUN_FILES.metrics);
  if (!existsSync(metricsPath))
    throw new Error(`${runDir}: no ${RUN_FILES.metrics} here; is it a run folder written by 'onnxgrad train'?`);
  const records = readMetrics(metricsPath);
  if (records.length === 0)
    throw new Error(`${metricsPath}: no metrics recorded yet (the run stopped before its first validation)`);
  const config = readRunConfig(runDir);
  const subtitle = describeConfig(config);
  const loss = await renderChart(lossSpec(records, subtitle));
  const accuracy = await renderChart(accuracySpec(records, subtitle));
  const modelPath = join(runDir, RUN_FILES.model);
  if (!existsSync(modelPath)) return { ...(config ? { config } : {}), records, loss, accuracy };
  const split = options.split ?? 'val';
  const evaluation = await evaluateRun(runDir, split, options.threads);
  const classNames = readModelInfo(readFileSync(modelPath)).classNames ?? evaluation.classNames;
  const splitName = split === 'val' ? 'validation' : split;
  const confusionSubtitle = `${evaluation.dataset}, ${splitName} set, ${evaluation.count} images, accuracy ${(100 * evaluation.accuracy).toFixed(2)}%`;
  const confusion = await renderChart(confusionSpec(evaluation.confusion, classNames, confusionSubtitle));
  return { ...(config ? { config } : {}), records, loss, accuracy, confusion, evaluation };
}

/** Writes RUN/loss, RUN/accuracy and RUN/confusion as .svg and .png; returns the charts and the files. */
export async function plotRun(
  runDir: string,
  options: PlotOptions = {},
): Promise<{ charts: RunCharts; files: string[] }> {
  const charts = await runCharts(runDir, options);
  const files: string[] = [];
  const write = (name: string, chart: Chart | undefined) => {
    if (!chart) return;
    for (const [ext, bytes] of [
      ['svg', chart.svg],
      ['png', chart.png],
    ] as const) {
      const path = join(runDir, `${name}.${ext}`);
      writeFileAtomic(path, bytes);
      files.push(path);
    }
  };
  write(PLOT_FILES.loss, charts.loss);
  write(PLOT_FILES.accuracy, charts.accuracy);
  write(PLOT_FILES.confusion, charts.confusion);
  return { charts, files };
}
