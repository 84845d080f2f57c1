// Reductions: the gradient is the output gradient spread back over the reduced axes.
import { intAttr, intsAttr } from '../../ir/attributes.js';
import type { Value } from '../../ir/graph.js';
import * as op from '../../ops/index.js';
import { reducedShape } from '../../ops/reduce.js';
import { type GradContext, type GradRule, input, output, outputGrad } from '../rule.js';

function reducedAxes(c: GradContext): number[] {
  const x = input(c, 0);
  if (c.node.opType === 'ReduceSum') {
    const axesValue = c.inputs[1];
    const data = axesValue ? x.graph.constants.get(axesValue.name)?.data.data : undefined;
    if (axesValue && !data)
      throw new Error(`${c.node.name}: the axes of ReduceSum must be a constant to differentiate it`);
    return reducedShape(c.node.opType, x, data ? Array.from(data as BigInt64Array, Number) : [], true).axes;
  }
  return reducedShape(c.node.opType, x, intsAttr(c.node.attributes, 'axes', []), true).axes;
}

/** Re-inserts reduced axes (when keepdims=0) so that a value broadcasts against the input. */
function keepDims(c: GradContext, v: Value): Value {
  if (intAttr(c.node.attributes, 'keepdims', 1) === 1) return v;
  return op.unsqueeze(v, reducedAxes(c));
}

/** ReduceMean: g / count, count = elements reduced into each output (static). */
function reduceMeanGrad(c: GradContext): Value[] {
  const x = input(c, 0);
  const count = reducedAxes(c).reduce((n, a) => n * (typeof x.shape[a] === 'number' ? (x.shape[a] as number) : NaN), 1);
  if (!Number.isFinite(count))
    throw new Error(
      `${c.node.name}: ReduceMean over a symbolic axis of ${x.toString()} is not differentiable here; use a static batch`,
    );
  return [op.expandLike(op.div(keepDims(c, outputGrad(c)), count), x)];
}

/** ReduceMax: the gradient goes to every position equal to the max (ties each get all of it). */
function reduceMaxGrad(c: GradContext): Value[] {
  const x = input(c, 0);
  const isMax = op.equal(x, keepDims(c, output(c)));
  return [op.where(isMax, keepDims(c, outputGrad(c)), 0)];
}

export const reduceRules: Record<string, GradRule> = {
  ReduceSum: (c) => [op.expandLike(keepDims(c, outputGrad(c)), input(c, 0)), null],
  ReduceMean: reduceMeanGrad,
  ReduceMax: reduceMaxGrad,
};
