// The Vega-Lite specs of every chart: training curves, the confusion matrix, and the sweep's
// comparison of validation accuracy. Pure data in, spec out; render.ts draws them.
import type { TopLevelSpec } from 'vega-lite';
import type { MetricsRecord } from '../train/metrics.js';

const WIDTH = 560;
const HEIGHT = 320;

/** Long-form points for one chart: one row per (step, series). */
function curvePoints(
  records: readonly MetricsRecord[],
  train: keyof MetricsRecord,
  val: keyof MetricsRecord,
): { step: number; value: number; series: string }[] {
  const points: { step: number; value: number; series: string }[] = [];
  for (const r of records) {
    if (Number.isFinite(r[train]))
      points.push({ step: r.step, value: r[train], series: 'training (batches, dropout on)' });
    if (Number.isFinite(r[val])) points.push({ step: r.step, value: r[val], series: 'validation' });
  }
  return points;
}

function curveSpec(
  title: string,
  yTitle: string,
  points: readonly object[],
  percent: boolean,
  subtitle: string,
): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, subtitle },
    width: WIDTH,
    height: HEIGHT,
    data: { values: [...points] },
    mark: { type: 'line', point: { size: 30 }, strokeWidth: 2 },
    encoding: {
      x: { field: 'step', type: 'quantitative', title: 'training step', axis: { format: '~s', tickCount: 8 } },
      y: {
        field: 'value',
        type: 'quantitative',
        title: yTitle,
        scale: { zero: !percent },
        ...(percent ? { axis: { format: '.0%' } } : {}),
      },
      color: {
        field: 'series',
        type: 'nominal',
        title: null,
        scale: { domain: ['training (batches, dropout on)', 'validation'], range: ['#4c78a8', '#f58518'] },
        legend: { orient: 'bottom', direction: 'horizontal' },
      },
      tooltip: [{ field: 'series' }, { field: 'step' }, { field: 'value', format: percent ? '.2%' : '.4f' }],
    },
  };
}

export function lossSpec(records: readonly MetricsRecord[], subtitle = ''): TopLevelSpec {
  return curveSpec('Loss', 'cross-entropy loss', curvePoints(records, 'trainLoss', 'valLoss'), false, subtitle);
}

export function accuracySpec(records: readonly MetricsRecord[], subtitle = ''): TopLevelSpec {
  return curveSpec('Accuracy', 'accuracy', curvePoints(records, 'trainAccuracy', 'valAccuracy'), true, subtitle);
}

/**
 * confusion[true][predicted] as a heat map. The colour is the share of the true class (a row
 * of the matrix sums to 100%), on a square-root scale so that 1% mistakes still show; each cell
 * is labelled with its count.
 */
export function confusionSpec(
  confusion: readonly (readonly number[])[],
  classNames: readonly string[],
  subtitle = '',
): TopLevelSpec {
  const names = confusion.map((_, c) => classNames[c] ?? String(c));
  const cells = confusion.flatMap((row, t) => {
    const total = row.reduce((a, b) => a + b, 0);
    return row.map((count, p) => ({
      actual: names[t],
      predicted: names[p],
      count,
      share: total > 0 ? count / total : 0,
    }));
  });
  const size = Math.max(320, Math.min(560, 44 * names.length));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Confusion matrix', subtitle },
    width: size,
    height: size,
    data: { values: cells },
    encoding: {
      x: {
        field: 'predicted',
        type: 'ordinal',
        sort: names,
        title: 'predicted class',
        axis: { labelAngle: names.some((n) => n.length > 2) ? -35 : 0 },
      },
      y: { field: 'actual', type: 'ordinal', sort: names, title: 'true class' },
    },
    layer: [
      {
        mark: { type: 'rect', stroke: 'white', strokeWidth: 1 },
        encoding: {
          color: {
            field: 'share',
            type: 'quantitative',
            title: 'share of true class',
            scale: { type: 'sqrt', domain: [0, 1], range: ['#f7fbff', '#08306b'] },
            legend: { format: '.0%', gradientLength: size - 40 },
          },
          tooltip: [
            { field: 'actual', title: 'true' },
            { field: 'predicted' },
            { field: 'count' },
            { field: 'share', format: '.2%' },
          ],
        },
      },
      {
        mark: { type: 'text', fontSize: names.length > 12 ? 9 : 11 },
        encoding: {
          text: { field: 'count', type: 'quantitative' },
          color: { condition: { test: 'datum.share > 0.3', value: 'white' }, value: '#222' },
          opacity: { condition: { test: 'datum.count == 0', value: 0.35 }, value: 1 },
        },
      },
    ],
  };
}

export interface RunCurve {
  readonly name: string;
  readonly records: readonly MetricsRecord[];
}

/** Validation accuracy of several runs on one chart (a sweep). */
export function comparisonSpec(runs: readonly RunCurve[], subtitle = ''): TopLevelSpec {
  const points = runs.flatMap((run) =>
    run.records
      .filter((r) => Number.isFinite(r.valAccuracy))
      .map((r) => ({ run: run.name, step: r.step, value: r.valAccuracy })),
  );
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Validation accuracy of every run', subtitle },
    width: WIDTH + 80,
    height: HEIGHT + 60,
    data: { values: points },
    mark: { type: 'line', point: { size: 25 }, strokeWidth: 2 },
    encoding: {
      x: { field: 'step', type: 'quantitative', title: 'training step', axis: { format: '~s', tickCount: 8 } },
      y: {
        field: 'value',
        type: 'quantitative',
        title: 'validation accuracy',
        scale: { zero: false },
        axis: { format: '.0%' },
      },
      color: {
        field: 'run',
        type: 'nominal',
        title: 'configuration',
        sort: runs.map((r) => r.name),
        scale: { scheme: runs.length > 10 ? 'category20' : 'tableau10' },
        legend: { orient: 'right', labelLimit: 320 },
      },
      tooltip: [{ field: 'run' }, { field: 'step' }, { field: 'value', format: '.2%' }],
    },
  };
}
