// Reductions. Opset 17 spelling: ReduceSum takes its axes as an input (since opset 13),
// ReduceMax and ReduceMean still take them as an attribute (until opset 18).
import { attr } from '../ir/attributes.js';
import type { Value } from '../ir/graph.js';
import { type Dim, normalizeAxis } from '../ir/shape.js';
import { emit, int64s } from './node.js';

export function reducedShape(
  op: string,
  x: Value,
  axes: readonly number[],
  keepDims: boolean,
): { axes: number[]; shape: Dim[] } {
  const all = axes.length === 0 ? x.shape.map((_, i) => i) : axes.map((a) => normalizeAxis(op, a, x.rank));
  const shape: Dim[] = [];
  x.shape.forEach((d, i) => {
    if (!all.includes(i)) shape.push(d);
    else if (keepDims) shape.push(1);
  });
  return { axes: all, shape };
}

/** Sums over `axes` (all axes when empty). */
export function reduceSum(x: Value, axes: readonly number[] = [], keepDims = false): Value {
  const { axes: all, shape } = reducedShape('ReduceSum', x, axes, keepDims);
  return emit('ReduceSum', [x, int64s(x.graph, all)], { keepdims: attr.int(keepDims ? 1 : 0) }, x.dtype, shape);
}

function attributeReduce(op: string, x: Value, axes: readonly number[], keepDims: boolean): Value {
  const { axes: all, shape } = reducedShape(op, x, axes, keepDims);
  return emit(op, [x], { axes: attr.ints(all), keepdims: attr.int(keepDims ? 1 : 0) }, x.dtype, shape);
}

export const reduceMax = (x: Value, axes: readonly number[] = [], keepDims = false): Value =>
  attributeReduce('ReduceMax', x, axes, keepDims);

export const reduceMean = (x: Value, axes: readonly number[] = [], keepDims = false): Value =>
  attributeReduce('ReduceMean', x, axes, keepDims);
