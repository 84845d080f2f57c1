// The machine's limit: ONNX Runtime's own MatMul on a large square float32 product, a graph
// made with the builder. Its rate bounds what any convolution or Gemm in the step can reach,
// so (FLOPs of a step) / (this rate) is the floor to measure a training step against.
import { Mulberry32 } from '../data/random.js';
import { Graph } from '../ir/graph.js';
import { exportModel } from '../onnx/export.js';
import * as op from '../ops/index.js';
import { createSession, float32Tensor } from '../runtime/node.js';
import type { Contender, Measurement } from './contender.js';
import { medianMs } from './stats.js';

export const gemmFlops = (n: number): number => 2 * n * n * n;

export function matMulGraph(n: number): Graph {
  const graph = new Graph('gemm_probe');
  const a = graph.input('a', 'float32', [n, n]);
  const b = graph.input('b', 'float32', [n, n]);
  graph.output(op.matMul(a, b), 'c');
  return graph;
}

/** `calls` timed products per round (after one untimed), reported as GFLOP/s of the median. */
export async function gemmContender(n: number, threads: number, calls: number, spinning: boolean): Promise<Contender> {
  const session = await createSession(exportModel(matMulGraph(n)), { threads, spinning });
  const rng = new Mulberry32(11);
  const data = () => Float32Array.from({ length: n * n }, () => rng.uniform(-1, 1));
  const feeds = { a: float32Tensor(data(), [n, n]), b: float32Tensor(data(), [n, n]) };
  return {
    name: `gemm-${threads}t`,
    kind: 'gemm-probe',
    threads,
    async round(): Promise<Measurement> {
      const ms = await medianMs(calls, 1, () => session.run(feeds));
      return { gemmGflops: gemmFlops(n) / (ms * 1e6) };
    },
    close: () => session.release(),
  };
}
