// The results of a sweep: one row per run (size, cost, speed, accuracy), written as
// DIR/results.csv and DIR/results.md, and the validation accuracy of every run on one chart.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importModel } from '../onnx/import.js';
import { summarizeModel, TRAINING_FLOPS_RULE } from '../onnx/summary.js';
import { readMetrics } from '../train/metrics.js';
import type { TrainOptions } from '../train/options.js';
import { RUN_FILES } from '../train/trainer.js';
import { writeFileAtomic } from '../atomic-file.js';
import { comparisonSpec } from './charts.js';
import { evaluateRun } from './plots.js';
import { renderChart } from './render.js';

export const RESULTS_FILE = 'results.json';
export const SWEEP_RESULT_FILES = { csv: 'results.csv', md: 'results.md', plot: 'val-accuracy' } as const;

export interface RunResult {
  readonly name: string;
  readonly optimizer: string;
  readonly lr: number;
  readonly dropout: number;
  readonly model: string;
  readonly dataset: string;
  readonly parameters: number;
  readonly macsPerImage: number;
  readonly batchSize: number;
  /** An estimate: TRAINING_FLOPS_RULE (3 x the forward pass's 2 x MACs x batch). */
  readonly trainStepFlops: number;
  readonly steps: number;
  /** Wall time of the whole run, resumed parts included, validation included. */
  readonly seconds: number;
  readonly stepsPerSecond: number;
  readonly valAccuracy: number;
  readonly testAccuracy: number;
  readonly testImages: number;
}

/** Measures a finished run (its model, summary, metrics and a test-set evaluation) and writes RUN/results.json. */
export async function runResult(
  config: { name: string; optimizer: string; lr: number; dropout: number; model: string },
  o: TrainOptions,
): Promise<RunResult> {
  const file = (name: string) => join(o.runDir, name);
  const summary = JSON.parse(readFileSync(file(RUN_FILES.summary), 'utf8')) as {
    steps: number;
    seconds: number;
    final?: { valAccuracy: number };
  };
  const model = summarizeModel(importModel(readFileSync(file(RUN_FILES.model))), { batch: o.batchSize });
  const lastVal = summary.final?.valAccuracy ?? readMetrics(file(RUN_FILES.metrics)).at(-1)?.valAccuracy ?? Number.NaN;
  const test = await evaluateRun(o.runDir, 'test', o.threads);
  const result: RunResult = {
    ...config,
    dataset: test.dataset,
    parameters: model.parameters,
    macsPerImage: model.macsPerImage,
    batchSize: o.batchSize,
    trainStepFlops: model.trainingStep.flopsEstimate,
    steps: summary.steps,
    seconds: summary.seconds,
    stepsPerSecond: summary.seconds > 0 ? summary.steps / summary.seconds : Number.NaN,
    valAccuracy: lastVal,
    testAccuracy: test.accuracy,
    testImages: test.count,
  };
  writeFileAtomic(file(RESULTS_FILE), `${JSON.stringify(result, null, 2)}\n`);
  return result;
}

const CSV_COLUMNS: readonly (keyof RunResult)[] = [
  'name',
  'optimizer',
  'lr',
  'dropout',
  'model',
  'dataset',
  'parameters',
  'macsPerImage',
  'batchSize',
  'trainStepFlops',
  'steps',
  'seconds',
  'stepsPerSecond',
  'valAccuracy',
  'testAccuracy',
  'testImages',
];

export function resultsCsv(rows: readonly RunResult[]): string {
  const quote = (v: unknown) => (typeof v === 'string' && /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : String(v));
  return [CSV_COLUMNS.join(','), ...rows.map((r) => CSV_COLUMNS.map((c) => quote(r[c])).join(','))]
    .map((l) => `${l}\n`)
    .join('');
}

const si = (n: number, unit: string) => {
  const [scale, prefix] = n >= 1e9 ? [1e9, 'G'] : n >= 1e6 ? [1e6, 'M'] : n >= 1e3 ? [1e3, 'k'] : [1, ''];
  return Number.isFinite(n) ? `${(n / scale).toFixed(scale === 1 ? 0 : 2)} ${prefix}${unit}` : '-';
};
const percent = (f: number) => (Number.isFinite(f) ? `${(100 * f).toFixed(2)}%` : '-');

export const TABLE_HEADER = [
  'configuration',
  'parameters',
  'MACs / image',
  'FLOPs / train step (est.)',
  'wall time',
  'steps/s',
  'final val acc',
  'test acc',
] as const;

/** The human table's cells, shared by the Markdown file, the terminal and the HTML report. */
export function tableCells(r: RunResult): string[] {
  return [
    r.name,
    r.parameters.toLocaleString('en-US'),
    si(r.macsPerImage, ''),
    si(r.trainStepFlops, 'FLOP'),
    `${r.seconds.toFixed(1)} s`,
    r.stepsPerSecond.toFixed(1),
    percent(r.valAccuracy),
    percent(r.testAccuracy),
  ];
}

export function flopsNote(rows: readonly RunResult[]): string {
  const batch = rows[0]?.batchSize ?? 64;
  const tests = rows[0]?.testImages;
  return `FLOPs per training step are an estimate: ${TRAINING_FLOPS_RULE} (batch ${batch}), from the per-layer multiply-adds of the model summary. Wall time includes validation. Test accuracy on ${tests ?? '?'} test images.`;
}

/** A Markdown table with padded columns, readable in a terminal too. */
export function resultsMarkdown(rows: readonly RunResult[]): string {
  const body = rows.map(tableCells);
  const widths = TABLE_HEADER.map((h, c) => Math.max(h.length, ...body.map((row) => (row[c] ?? '').length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join(' | ')} |`;
  const rule = `|${widths.map((w, c) => (c === 0 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return `${[line(TABLE_HEADER), rule, ...body.map(line)].join('\n')}\n\n${flopsNote(rows)}\n`;
}

/** Writes the tables (and, with `plot`, the comparison chart); returns the files written. */
export async function writeSweepResults(
  dir: string,
  rows: readonly RunResult[],
  options: { plot?: boolean } = {},
): Promise<string[]> {
  const files = [join(dir, SWEEP_RESULT_FILES.csv), join(dir, SWEEP_RESULT_FILES.md)];
  writeFileAtomic(files[0] as string, resultsCsv(rows));
  writeFileAtomic(files[1] as string, resultsMarkdown(rows));
  if (!options.plot || rows.length === 0) return files;
  const chart = await renderChart(
    comparisonSpec(sweepCurves(dir, rows), `${rows[0]?.dataset ?? ''}, ${rows.length} runs`),
  );
  for (const [ext, bytes] of [
    ['svg', chart.svg],
    ['png', chart.png],
  ] as const) {
    const path = join(dir, `${SWEEP_RESULT_FILES.plot}.${ext}`);
    writeFileAtomic(path, bytes);
    files.push(path);
  }
  return files;
}

export function sweepCurves(
  dir: string,
  rows: readonly RunResult[],
): { name: string; records: ReturnType<typeof readMetrics> }[] {
  return rows.map((r) => {
    const path = join(dir, r.name, RUN_FILES.metrics);
    return { name: r.name, records: existsSync(path) ? readMetrics(path) : [] };
  });
}
