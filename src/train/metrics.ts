// Training metrics: running averages between evaluations, one JSON record per line in metrics.jsonl.
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Evaluation } from './evaluate.js';

export interface MetricsRecord {
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

export class MetricsLog {
  private lossSum = 0;
  private correct = 0;
  private seen = 0;
  private steps = 0;

  /** Opens the log; records after `fromStep` (left by a run that crashed after its checkpoint) are dropped. */
  constructor(
    readonly path: string,
    fromStep: number,
  ) {
    if (fromStep === 0 || !existsSync(path)) {
      writeFileSync(path, '');
      return;
    }
    const kept = readMetrics(path).filter((r) => r.step <= fromStep);
    writeFileSync(path, kept.map((r) => `${JSON.stringify(r)}\n`).join(''));
  }

  addStep(loss: number, correct: number, batchSize: number): void {
    this.lossSum += loss;
    this.steps += 1;
    this.correct += correct;
    this.seen += batchSize;
  }

  record(step: number, epoch: number, seconds: number, lr: number, val: Evaluation): MetricsRecord {
    const record: MetricsRecord = {
      step,
      epoch,
      seconds: Number(seconds.toFixed(3)),
      lr,
      trainLoss: this.steps > 0 ? this.lossSum / this.steps : Number.NaN,
      trainAccuracy: this.seen > 0 ? this.correct / this.seen : Number.NaN,
      valLoss: val.loss,
      valAccuracy: val.accuracy,
    };
    appendFileSync(this.path, `${JSON.stringify(record)}\n`);
    this.lossSum = this.correct = this.seen = this.steps = 0;
    return record;
  }
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
