// The numbers that tell the exports apart: file size, test accuracy, batch-1 latency and
// batch-1000 throughput on onnxruntime-node (CPU) and onnxruntime-web (WASM, in Node). All
// models are timed in the same rounds, their order turning each round, so that a busy machine
// slows them alike and their ratios hold.
import { chunks } from '../data/batches.js';
import { median } from '../bench/stats.js';
import { evaluate } from '../train/evaluate.js';
import { createSession, float32Tensor, type Session } from '../runtime/node.js';
import { createWebSession, type WebSession, webFloat32Tensor } from '../runtime/web.js';
import type { ModelData, Precision } from './export.js';

export interface Timing {
  /** median milliseconds of one batch-1 inference */
  readonly latencyMs: number;
  /** images per second at batch 1000 (median round) */
  readonly throughput: number;
}

export interface Measured {
  readonly precision: Precision;
  readonly bytes: number;
  readonly accuracy: number;
  readonly node: Timing;
  readonly web: Timing;
}

export interface MeasureOptions {
  /** intra-op threads for both runtimes (onnxruntime-web's count is fixed per process); default 1 */
  readonly threads?: number;
  /** timing rounds; each runs every model 50 times at batch 1 and once at batch 1000 */
  readonly rounds?: number;
  /** test images for the accuracy (default: the whole test set) */
  readonly limit?: number;
}

type Run = (images: Float32Array, count: number) => Promise<Float32Array>;

interface Contender {
  readonly precision: Precision;
  readonly bytes: number;
  readonly node: Run;
  readonly web: Run;
  readonly release: () => Promise<void>;
}

const BATCH = 1000;
const LATENCY_RUNS = 50;

function runner(session: Session | WebSession, tensor: typeof float32Tensor, side: [number, number]): Run {
  const input = session.inputNames[0] ?? 'image';
  const output = session.outputNames.includes('logits') ? 'logits' : (session.outputNames[0] ?? 'logits');
  return async (images, count) => {
    const out = await session.run({ [input]: tensor(images, [count, 1, ...side]) }, [output]);
    return out[output]?.data as Float32Array;
  };
}

/** Test accuracy on onnxruntime-node: what `onnxgrad eval` reports for the same file. */
export async function testAccuracy(bytes: Uint8Array, data: ModelData, threads = 0): Promise<number> {
  const session = await createSession(bytes, { threads });
  try {
    const run = runner(session, float32Tensor, [data.dataset.height, data.dataset.width]);
    return (await evaluate(data.splits.test, data.normalization, data.dataset.classNames.length, run)).accuracy;
  } finally {
    await session.release();
  }
}

export async function measureModels(
  models: readonly { precision: Precision; bytes: Uint8Array }[],
  data: ModelData,
  o: MeasureOptions = {},
): Promise<Measured[]> {
  const threads = o.threads ?? 1;
  const side: [number, number] = [data.dataset.height, data.dataset.width];
  const contenders: Contender[] = [];
  try {
    for (const m of models) {
      const node = await createSession(m.bytes, { threads });
      const web = await createWebSession(m.bytes, { threads });
      contenders.push({
        precision: m.precision,
        bytes: m.bytes.length,
        node: runner(node, float32Tensor, side),
        web: runner(web, webFloat32Tensor, side),
        release: async () => {
          await node.release();
          await web.release();
        },
      });
    }
    const classes = data.dataset.classNames.length;
    const test = o.limit
      ? { ...data.splits.test, count: o.limit, indices: data.splits.test.indices.subarray(0, o.limit) }
      : data.splits.test;
    const accuracies: number[] = [];
    for (const c of contenders) accuracies.push((await evaluate(test, data.normalization, classes, c.node)).accuracy);

    const [batch] = chunks(data.splits.test, BATCH, data.normalization);
    if (!batch) throw new Error('measure: the test set is empty');
    const one = batch.images.subarray(0, side[0] * side[1]);
    const times = contenders.map(() => ({
      node: [] as number[],
      web: [] as number[],
      nodeBatch: [] as number[],
      webBatch: [] as number[],
    }));
    const rounds = o.rounds ?? 5;
    for (let round = -1; round < rounds; round++) {
      for (let k = 0; k < contenders.length; k++) {
        const at = (k + Math.max(round, 0)) % contenders.length;
        const c = contenders[at]!;
        const t = times[at]!;
        for (const rt of ['node', 'web'] as const) {
          const run = c[rt];
          const latencies = rt === 'node' ? t.node : t.web;
          for (let i = 0; i < LATENCY_RUNS; i++) {
            const start = performance.now();
            await run(one, 1);
            if (round >= 0) latencies.push(performance.now() - start);
          }
          const start = performance.now();
          await run(batch.images, batch.size);
          if (round >= 0) (rt === 'node' ? t.nodeBatch : t.webBatch).push(performance.now() - start);
        }
      }
    }
    return contenders.map((c, k) => {
      const t = times[k]!;
      const timing = (latency: number[], batchMs: number[]): Timing => ({
        latencyMs: median(latency) ?? Number.NaN,
        throughput: (batch.size * 1000) / (median(batchMs) ?? Number.NaN),
      });
      return {
        precision: c.precision,
        bytes: c.bytes,
        accuracy: accuracies[k] as number,
        node: timing(t.node, t.nodeBatch),
        web: timing(t.web, t.webBatch),
      };
    });
  } finally {
    for (const c of contenders) await c.release();
  }
}
