// The figures of merit: onnxgrad against PyTorch at the same thread count, and against the
// machine's limit (the GEMM-rate floor). Each has a target, met or not.

export interface RatioInput {
  readonly name: string;
  readonly kind: string;
  readonly threads: number;
  readonly trainStepMs: number | null;
  readonly inferB1Ms: number | null;
  readonly inferB1000ImagesPerSec: number | null;
  readonly shareOfLimit: number | null;
}

export type RatioMetric = 'train step time' | 'batch-1 latency' | 'batch-1000 throughput' | 'share of GEMM limit';

export interface Ratio {
  readonly contender: string;
  /** the peer it is compared with, or 'gemm' for the machine's limit */
  readonly against: string;
  readonly threads: number;
  readonly metric: RatioMetric;
  /** null when either side is missing (a peer skipped, a measurement failed) */
  readonly value: number | null;
  readonly target: { readonly op: '<=' | '>='; readonly value: number };
  readonly met: boolean | null;
}

export const TARGETS: Readonly<Record<RatioMetric, Ratio['target']>> = Object.freeze({
  'train step time': { op: '<=', value: 1.0 },
  'batch-1 latency': { op: '<=', value: 0.5 },
  'batch-1000 throughput': { op: '>=', value: 1.2 },
  'share of GEMM limit': { op: '>=', value: 0.8 },
});

const divide = (a: number | null, b: number | null): number | null =>
  a === null || b === null || b === 0 ? null : a / b;

function ratio(contender: RatioInput, against: string, metric: RatioMetric, value: number | null): Ratio {
  const target = TARGETS[metric];
  const met = value === null ? null : target.op === '<=' ? value <= target.value : value >= target.value;
  return { contender: contender.name, against, threads: contender.threads, metric, value, target, met };
}

/**
 * For every onnxgrad contender on the CPU: the three ratios against PyTorch at its thread count,
 * and its share of the limit (WebGPU's step time stands beside them in the table, with no target).
 */
export function computeRatios(contenders: readonly RatioInput[]): Ratio[] {
  const out: Ratio[] = [];
  for (const c of contenders.filter((x) => x.kind.startsWith('onnxgrad') && x.kind !== 'onnxgrad-webgpu')) {
    const torch = contenders.find((p) => p.kind === 'torch' && p.threads === c.threads);
    const peer = torch?.name ?? `torch-${c.threads}t`;
    out.push(
      ratio(c, peer, 'train step time', divide(c.trainStepMs, torch?.trainStepMs ?? null)),
      ratio(c, peer, 'batch-1 latency', divide(c.inferB1Ms, torch?.inferB1Ms ?? null)),
      ratio(c, peer, 'batch-1000 throughput', divide(c.inferB1000ImagesPerSec, torch?.inferB1000ImagesPerSec ?? null)),
      ratio(c, `gemm-${c.threads}t`, 'share of GEMM limit', c.shareOfLimit),
    );
  }
  return out;
}
