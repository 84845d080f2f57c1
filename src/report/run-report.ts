// The HTML report of one training run: its configuration, final metrics, curves, the confusion
// matrix and per-class accuracy on a split, and a grid of sample predictions with mistakes in red.
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { loadDataset } from '../data/datasets.js';
import { renderImageGrid } from '../data/image-grid.js';
import { type SplitName, splitDataset, type Subset } from '../data/split.js';
import { importModel } from '../onnx/import.js';
import { readModelInfo } from '../onnx/metadata.js';
import { summarizeModel } from '../onnx/summary.js';
import type { ModelEvaluation } from '../train/eval-model.js';
import type { TrainOptions } from '../train/options.js';
import { RUN_FILES } from '../train/trainer.js';
import { cards, definitions, escapeHtml, figure, image, page, section, table } from './html.js';
import { runCharts } from './plots.js';

export interface RunReportOptions {
  /** The split of the confusion matrix and the sample predictions; default 'test'. */
  readonly split?: SplitName;
  readonly threads?: number;
  /** Number of sample images in the grid; default 40. */
  readonly samples?: number;
  /** A link back to the sweep's report, relative to the run folder. */
  readonly parentLink?: string;
}

const percent = (f: number | undefined) => (f !== undefined && Number.isFinite(f) ? `${(100 * f).toFixed(2)}%` : '-');
const SPLIT_NAMES: Readonly<Record<SplitName, string>> = { train: 'training', val: 'validation', test: 'test' };

interface SavedSummary {
  completed?: boolean;
  steps?: number;
  seconds?: number;
}

function describeModel(o: TrainOptions): string {
  if (!o.model) return `imported ONNX model${o.graphDir ? ` (${o.graphDir})` : ''}`;
  const convs = o.model.convs.map((c) => `conv ${c.filters}@${c.kernel}x${c.kernel}/${c.stride} ${c.padding}`);
  return [
    ...convs,
    ...(o.model.pool ? [`max-pool ${o.model.pool}`] : []),
    ...o.model.hidden.map((h) => `fc ${h}`),
    `fc ${o.model.classes}`,
  ].join(' → ');
}

function configPairs(o: TrainOptions | undefined, modelFile: string): [string, string][] {
  if (!o) return [['configuration', 'config.json is missing']];
  const pairs: [string, string][] = [
    [
      'dataset',
      `${o.data.dataset ?? 'mnist'}${o.data.dataDir ? ` (${o.data.dataDir})` : ''}${o.limit ? `, first ${o.limit} images of each split` : ''}`,
    ],
    ['network', describeModel(o)],
    ...(o.model
      ? ([
          ['dropout', String(o.model.dropout)],
          ['initialisation', `${o.model.init}, seed ${o.model.seed}`],
        ] as [string, string][])
      : []),
    ['optimizer', `${o.optimizer}, learning rate ${o.lr} (${o.schedule})`],
    ['batch size', String(o.batchSize)],
    ['steps', `${o.steps}, validation every ${o.evalEvery}`],
    ['augmentation', o.augment ? 'random shifts and rotations' : 'none'],
    ['seed', String(o.seed)],
  ];
  if (existsSync(modelFile)) {
    const s = summarizeModel(importModel(readFileSync(modelFile)), { batch: o.batchSize });
    pairs.push(['parameters', s.parameters.toLocaleString('en-US')]);
    pairs.push(['multiply-adds per image', s.macsPerImage.toLocaleString('en-US')]);
    pairs.push([
      'FLOPs per training step',
      `about ${(s.trainingStep.flopsEstimate / 1e9).toFixed(2)} G (estimate: ${s.trainingStep.rule})`,
    ]);
  }
  return pairs;
}

/** The first `count` images of the evaluated split with their predictions, and the first mistakes. */
function sampleGrids(
  o: TrainOptions | undefined,
  e: ModelEvaluation,
  classNames: readonly string[],
  count: number,
): string {
  const dataset = loadDataset(o?.data ?? {});
  const subset = splitDataset(dataset, { seed: o?.seed ?? 1, ...(o?.limit ? { limit: o.limit } : {}) })[e.split];
  const name = (c: number) => classNames[c] ?? String(c);
  const grid = (items: readonly number[], columns: number) => {
    const size = subset.height * subset.width;
    const images = new Uint8Array(items.length * size);
    items.forEach((k, i) => images.set(pixels(subset, k, size), i * size));
    const labels = items.map((k) => name(subset.labels[subset.indices[k] as number] as number));
    const predicted = items.map((k) => name(e.predictions[k] as number));
    return renderImageGrid({
      images,
      height: subset.height,
      width: subset.width,
      labels,
      predicted,
      columns,
      scale: 3,
    });
  };
  const first = Array.from({ length: Math.min(count, e.count) }, (_, k) => k);
  const mistakes: number[] = [];
  for (let k = 0; k < e.count && mistakes.length < 30; k++)
    if (e.predictions[k] !== subset.labels[subset.indices[k] as number]) mistakes.push(k);
  const split = SPLIT_NAMES[e.split];
  const parts = [
    figure(
      image(grid(first, 10), 'png', `the first ${first.length} ${split} images`, 'samples'),
      `The first ${first.length} ${split} images: true class, then '> prediction'; mistakes are framed in red.`,
    ),
  ];
  if (mistakes.length > 0)
    parts.push(
      figure(
        image(grid(mistakes, 10), 'png', `the first ${mistakes.length} mistakes`, 'samples'),
        `The first ${mistakes.length} mistakes of the ${split} set.`,
      ),
    );
  return `<div class="stack">${parts.join('')}</div>`;
}

function pixels(subset: Subset, k: number, size: number): Uint8Array {
  const index = subset.indices[k] as number;
  return subset.images.subarray(index * size, (index + 1) * size);
}

export async function runReportHtml(runDir: string, options: RunReportOptions = {}): Promise<string> {
  const split = options.split ?? 'test';
  const charts = await runCharts(runDir, {
    split,
    ...(options.threads !== undefined ? { threads: options.threads } : {}),
  });
  const o = charts.config;
  const modelFile = join(runDir, RUN_FILES.model);
  const summaryFile = join(runDir, RUN_FILES.summary);
  const summary = existsSync(summaryFile) ? (JSON.parse(readFileSync(summaryFile, 'utf8')) as SavedSummary) : {};
  const last = charts.records.at(-1);
  const e = charts.evaluation;
  const classNames = existsSync(modelFile)
    ? (readModelInfo(readFileSync(modelFile)).classNames ?? e?.classNames ?? [])
    : [];
  const seconds = summary.seconds ?? last?.seconds;
  const steps = summary.steps ?? last?.step;
  const splitName = SPLIT_NAMES[split];

  const metrics = cards([
    ['steps trained', `${steps ?? '-'}${o ? ` / ${o.steps}` : ''}`],
    ['wall time', seconds !== undefined ? `${seconds.toFixed(1)} s` : '-'],
    ['steps per second', steps && seconds ? (steps / seconds).toFixed(1) : '-'],
    ['final training accuracy', percent(last?.trainAccuracy)],
    ['final validation accuracy', percent(last?.valAccuracy)],
    [`${splitName} accuracy`, percent(e?.accuracy)],
    [`${splitName} loss`, e ? e.loss.toFixed(4) : '-'],
  ]);
  const sections = [
    section(
      'Results',
      metrics,
      summary.completed ? '' : 'This run has not finished: there is no trained model.onnx yet, only its curves so far.',
    ),
    section('Configuration', definitions(configPairs(o, modelFile))),
    section(
      'Training curves',
      `<div class="grid">${figure(image(charts.loss.svg, 'svg', 'loss curves'), 'Training loss is the mean over the batches since the previous validation, with dropout on.')}${figure(image(charts.accuracy.svg, 'svg', 'accuracy curves'), 'Validation uses the held-out part of the training set, dropout off.')}</div>`,
    ),
  ];
  if (e && charts.confusion) {
    const perClass = table(
      ['class', 'images', 'accuracy'],
      e.perClass.map((a, c) => [
        classNames[c] ?? String(c),
        String(e.confusion[c]?.reduce((x, y) => x + y, 0) ?? 0),
        percent(a),
      ]),
      { numeric: true },
    );
    sections.push(
      section(
        `Confusion matrix, ${splitName} set`,
        `<div class="row">${figure(image(charts.confusion.svg, 'svg', 'confusion matrix'), `Rows: true class; columns: predicted class. ${e.count} images of ${e.dataset}.`)}<div>${perClass}</div></div>`,
      ),
    );
    sections.push(section(`Sample ${splitName} predictions`, sampleGrids(o, e, classNames, options.samples ?? 40)));
  }
  const title = `onnxgrad run: ${basename(runDir)}`;
  const subtitle = `${escapeHtml(runDir)}${options.parentLink ? ` · <a href="${escapeHtml(options.parentLink)}">back to the sweep</a>` : ''}`;
  return page(title, subtitle, sections.join('\n'));
}
