// What a gradient rule sees, and what it returns.
import type { Node, Value } from '../ir/graph.js';

/**
 * How rules express their gradients where ONNX Runtime's speed depends on it:
 *  - convGradients 'conv': a convolution's weight gradient as a Conv over the batch and its input
 *    gradient as a ConvTranspose: ORT's own kernels, the portable form WebGPU trains with;
 *  - 'im2col': large GEMMs instead (rules/conv-im2col.ts). The weight gradient is one GEMM over
 *    im2col patches (8+ input channels), which the forward Conv then reuses (share-patches.ts).
 *    For stride 1 the input gradient is one GEMM plus shifted rows. Faster on onnxruntime-node on
 *    any number of threads, and on WASM.
 */
export interface GradOptions {
  readonly convGradients: 'conv' | 'im2col';
}

export const DEFAULT_GRAD_OPTIONS: GradOptions = Object.freeze({ convGradients: 'conv' });

export interface GradContext {
  readonly node: Node;
  /** The node's inputs; a rule may read them (null for an omitted optional input). */
  readonly inputs: readonly (Value | null)[];
  readonly outputs: readonly Value[];
  /** dLoss/dOutput for each output, null where no gradient reaches it. */
  readonly grads: readonly (Value | null)[];
  /** Which inputs need a gradient; a rule may skip costly work for the others. */
  readonly needs: readonly boolean[];
  readonly options: GradOptions;
}

/**
 * A rule returns one gradient per input, in input order, with an explicit null where an input
 * gets none. It may return a gradient shaped like a broadcast of the input: the driver
 * un-broadcasts, sums fan-out, and checks the count, so no rule has to.
 */
export type GradRule = (ctx: GradContext) => readonly (Value | null)[];

/** The gradient of the (first) output; rules for single-output ops call this. */
export function outputGrad(ctx: GradContext): Value {
  const g = ctx.grads[0];
  if (!g) throw new Error(`${ctx.node.name}: no gradient for its output`);
  return g;
}

export function input(ctx: GradContext, i: number): Value {
  const v = ctx.inputs[i];
  if (!v) throw new Error(`${ctx.node.name}: input ${i} is missing`);
  return v;
}

export function output(ctx: GradContext, i = 0): Value {
  const v = ctx.outputs[i];
  if (!v) throw new Error(`${ctx.node.name}: output ${i} is missing`);
  return v;
}
