// What a gradient rule sees, and what it returns.
import type { Node, Value } from '../ir/graph.js';

export interface GradContext {
  readonly node: Node;
  /** The node's inputs; a rule may read them (null for an omitted optional input). */
  readonly inputs: readonly (Value | null)[];
  readonly outputs: readonly Value[];
  /** dLoss/dOutput for each output, null where no gradient reaches it. */
  readonly grads: readonly (Value | null)[];
  /** Which inputs need a gradient; a rule may skip costly work for the others. */
  readonly needs: readonly boolean[];
}

/**
 * A rule returns one gradient per input, in input order, with an explicit null where an input
 * gets none. It may return a gradient shaped like a broadcast of the input: the driver
 * un-broadcasts, sums fan-out, and checks the count, so no rule has to.
 */
export type GradRule = (ctx: GradContext) => readonly (Value | null)[];

/** A table of rules keyed by ONNX op type (src/autodiff/rules/index.ts). */
export type GradRules = Readonly<Record<string, GradRule>>;

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
