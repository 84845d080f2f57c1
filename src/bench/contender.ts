// What the harness alternates: contenders that each measure one round when asked.

/** One round's numbers; a contender fills in what it measures. */
export interface Measurement {
  trainStepMs?: number;
  inferB1Ms?: number;
  inferB1000ImagesPerSec?: number;
  gemmGflops?: number;
}

export type ContenderKind = 'onnxgrad-node' | 'onnxgrad-webgpu' | 'onnxgrad-web' | 'torch' | 'tfjs-wasm' | 'gemm-probe';

export interface Contender {
  /** e.g. `onnxgrad-node-1t` */
  readonly name: string;
  readonly kind: ContenderKind;
  readonly threads: number;
  /** Measures one round (warm-up inside is the contender's business). */
  round(): Promise<Measurement>;
  /** Untimed work before the first round: allocations made, kernels chosen, pages touched. */
  warmup?(count: number): Promise<void>;
  close(): Promise<void>;
}

/** Counts of the per-round work of the in-process contenders. */
export interface RoundCounts {
  /** timed training steps per round */
  readonly trainSteps: number;
  /** timed batch-1 inference calls per round */
  readonly inferCalls: number;
  /** images of the large inference batch (1000 in the reported figure) */
  readonly bigBatch: number;
  /** timed large-batch calls per round */
  readonly bigCalls: number;
  /** untimed calls of each kind at the start of every round: caches and thread pools wake up */
  readonly roundWarmup: number;
}
