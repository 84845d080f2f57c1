// Training metrics: running averages between evaluations, one JSON record per line in metrics.jsonl.
// Records are appended, so a run killed mid-append leaves a torn last line; a resume keeps the
// records up to its checkpoint's step, drops the rest (with a notice when a line was torn), and
// rewrites the log atomically.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '../atomic-file.js';
import { type HistoryRecord, RunningMetrics, type RunningSums, type Validation } from './fit.js';

/** One line of metrics.jsonl: the loop's HistoryRecord. */
export type MetricsRecord = HistoryRecord;
export type { RunningSums } from './fit.js';

/** The loop's running metrics, each record also appended to metrics.jsonl. */
export class MetricsLog extends RunningMetrics {
  /** Set when opening dropped a torn line: one line that says what was dropped. */
  readonly notice: string | undefined;

  /** Opens the log; records after `fromStep` (left by a run that crashed after its checkpoint) are dropped. */
  constructor(
    readonly path: string,
    fromStep: number,
    running?: RunningSums,
  ) {
    super(running);
    if (fromStep === 0 || !existsSync(path)) {
      writeFileAtomic(path, '');
      this.notice = undefined;
      return;
    }
    const { kept, torn } = metricsUpTo(path, fromStep);
    writeFileAtomic(path, kept.map((r) => `${JSON.stringify(r)}\n`).join(''));
    this.notice =
      torn === undefined
        ? undefined
        : `${path}: dropped a torn record at line ${torn} (left by a run that was killed while writing it)`;
  }

  override record(step: number, epoch: number, seconds: number, lr: number, val: Validation): MetricsRecord {
    const record = super.record(step, epoch, seconds, lr, val);
    appendFileSync(this.path, `${JSON.stringify(record)}\n`);
    return record;
  }
}

/**
 * The records up to `step`, read until the first that is later or not JSON. A line that is not
 * JSON is a torn record only at the end of what is kept; one with valid records up to `step`
 * after it is corruption, and an error.
 */
function metricsUpTo(path: string, step: number): { kept: MetricsRecord[]; torn: number | undefined } {
  const lines = readFileSync(path, 'utf8').split('\n');
  const kept: MetricsRecord[] = [];
  let torn: number | undefined;
  for (const [i, line] of lines.entries()) {
    if (line.trim() === '') continue;
    let record: MetricsRecord;
    try {
      record = JSON.parse(line) as MetricsRecord;
    } catch {
      torn ??= i + 1;
      continue;
    }
    if (record.step > step) break;
    if (torn !== undefined) throw new Error(`${path}: line ${torn} is not JSON`);
    kept.push(record);
  }
  return { kept, torn };
}

export function readMetrics(path: string): MetricsRecord[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, i) => {
      try {
        return JSON.parse(line) as MetricsRecord;
      } catch {
        throw new Error(`${path}: line ${i + 1} is not JSON`);
      }
    });
}
