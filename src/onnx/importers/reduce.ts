// Reductions: axes from the input (ReduceSum since opset 13, the others since 18) or the attribute.
import type { Value } from '../../ir/graph.js';
import * as op from '../../ops/index.js';
import { axes, type ImportContext, int, type OpImporter, single } from './context.js';

type Reduce = (x: Value, axes: readonly number[], keepDims: boolean) => Value;

const reduction = (f: Reduce): OpImporter => ({
  build: single((c: ImportContext) => {
    const x = c.value(0);
    const given = axes(c, 1) ?? [];
    // noop_with_empty_axes (opset 13 for ReduceSum, 18 for the others): no axes means no reduction
    if (given.length === 0 && int(c, 'noop_with_empty_axes', 0) === 1) return op.identity(x);
    return f(x, given, int(c, 'keepdims', 1) === 1);
  }),
});

export const reduceImporters: Record<string, OpImporter> = {
  ReduceSum: reduction(op.reduceSum),
  ReduceMean: reduction(op.reduceMean),
  ReduceMax: reduction(op.reduceMax),
};
