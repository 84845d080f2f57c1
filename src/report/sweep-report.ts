// The HTML report of a sweep (its table, the comparison chart, a link to each run's own report)
// and `writeReport`, which tells a sweep folder from a run folder and writes report.html.
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { SplitName } from '../data/split.js';
import type { TrainOptions } from '../train/options.js';
import { RUN_FILES } from '../train/trainer.js';
import { writeFileAtomic } from '../atomic-file.js';
import { comparisonSpec } from './charts.js';
import { cards, definitions, escapeHtml, figure, image, page, section, table } from './html.js';
import { renderSvg } from './render.js';
import { runReportHtml } from './run-report.js';
import { SWEEP_FILE, type SweepConfig } from './sweep.js';
import { flopsNote, RESULTS_FILE, type RunResult, sweepCurves, TABLE_HEADER, tableCells } from './sweep-results.js';

export const REPORT_FILE = 'report.html';

export interface ReportOptions {
  readonly split?: SplitName;
  readonly threads?: number;
}

export interface WrittenReport {
  readonly kind: 'run' | 'sweep';
  readonly file: string;
  readonly bytes: number;
  /** For a sweep: the reports of its runs. */
  readonly runs: readonly string[];
}

interface SweepFile {
  base: Omit<TrainOptions, 'runDir'>;
  configs: SweepConfig[];
}

export async function writeReport(dir: string, options: ReportOptions = {}): Promise<WrittenReport> {
  if (existsSync(join(dir, SWEEP_FILE))) return writeSweepReport(dir, options);
  if (!existsSync(join(dir, RUN_FILES.metrics)))
    throw new Error(`${dir}: neither a run folder (metrics.jsonl) nor a sweep folder (${SWEEP_FILE})`);
  const parent = join(dir, '..');
  const inSweep = existsSync(join(parent, SWEEP_FILE));
  const html = await runReportHtml(dir, { ...options, ...(inSweep ? { parentLink: `../${REPORT_FILE}` } : {}) });
  const file = join(dir, REPORT_FILE);
  writeFileAtomic(file, html);
  return { kind: 'run', file, bytes: Buffer.byteLength(html), runs: [] };
}

async function writeSweepReport(dir: string, options: ReportOptions): Promise<WrittenReport> {
  const sweep = JSON.parse(readFileSync(join(dir, SWEEP_FILE), 'utf8')) as SweepFile;
  const results: RunResult[] = [];
  const runs: string[] = [];
  const pending: string[] = [];
  for (const config of sweep.configs) {
    const runDir = join(dir, config.name);
    const resultFile = join(runDir, RESULTS_FILE);
    if (existsSync(resultFile)) results.push(JSON.parse(readFileSync(resultFile, 'utf8')) as RunResult);
    else pending.push(config.name);
    if (!existsSync(join(runDir, RUN_FILES.metrics))) continue;
    const html = await runReportHtml(runDir, { ...options, parentLink: `../${REPORT_FILE}` });
    writeFileAtomic(join(runDir, REPORT_FILE), html);
    runs.push(join(runDir, REPORT_FILE));
  }
  const html = await sweepReportHtml(dir, sweep, results, pending, runs);
  const file = join(dir, REPORT_FILE);
  writeFileAtomic(file, html);
  return { kind: 'sweep', file, bytes: Buffer.byteLength(html), runs };
}

async function sweepReportHtml(
  dir: string,
  sweep: SweepFile,
  results: readonly RunResult[],
  pending: readonly string[],
  runs: readonly string[],
): Promise<string> {
  const b = sweep.base;
  const best = results.reduce<RunResult | undefined>(
    (a, r) => (!a || r.testAccuracy > a.testAccuracy ? r : a),
    undefined,
  );
  const fastest = results.reduce<RunResult | undefined>(
    (a, r) => (!a || r.stepsPerSecond > a.stepsPerSecond ? r : a),
    undefined,
  );
  const linked = new Set(runs.map((f) => basename(join(f, '..'))));
  const rows = results.map((r) => {
    const cells: (string | { html: string })[] = tableCells(r);
    cells[0] = linked.has(r.name)
      ? { html: `<a href="${escapeHtml(r.name)}/${REPORT_FILE}">${escapeHtml(r.name)}</a>` }
      : r.name;
    return cells;
  });
  const axes = (key: keyof SweepConfig) => [...new Set(sweep.configs.map((c) => String(c[key])))].join(', ');
  const settings = definitions([
    ['dataset', `${b.data.dataset ?? 'mnist'}${b.limit ? `, first ${b.limit} images of each split` : ''}`],
    ['optimizers', axes('optimizer')],
    ['learning rates', axes('lr')],
    ['dropout rates', axes('dropout')],
    ['models', axes('model')],
    [
      'every run',
      `${b.steps} steps, batch ${b.batchSize}, ${b.schedule} schedule, validation every ${b.evalEvery}, seed ${b.seed}`,
    ],
  ]);
  const summary = cards([
    ['runs finished', `${results.length} of ${sweep.configs.length}`],
    ['best test accuracy', best ? `${(100 * best.testAccuracy).toFixed(2)}%` : '-'],
    ['best configuration', best?.name ?? '-'],
    ['fastest', fastest ? `${fastest.stepsPerSecond.toFixed(1)} steps/s` : '-'],
  ]);
  const sections = [
    section(
      'Summary',
      summary,
      pending.length > 0 ? `Not finished yet: ${pending.join(', ')}. Run the same sweep command again to resume.` : '',
    ),
    section('Settings', settings),
    section(
      'Results',
      `<div class="scroll">${table(TABLE_HEADER, rows, { numeric: true, rowClass: (i) => (results[i] === best ? 'best' : '') })}</div>`,
      `${flopsNote(results)} Click a configuration for its own report.`,
    ),
  ];
  if (results.length > 0) {
    const svg = await renderSvg(
      comparisonSpec(sweepCurves(dir, results), `${results[0]?.dataset ?? ''}, ${results.length} runs`),
    );
    sections.push(
      section(
        'Validation accuracy',
        figure(
          image(svg, 'svg', 'validation accuracy of every run'),
          'Validation accuracy during training, every configuration on one chart.',
        ),
      ),
    );
  }
  return page(`onnxgrad sweep: ${basename(dir)}`, escapeHtml(dir), sections.join('\n'));
}
