// Elementwise ops, activations and softmax.
import { dtypeFromOnnx } from '../../ir/dtype.js';
import type { Value } from '../../ir/graph.js';
import { normalizeAxis } from '../../ir/shape.js';
import * as op from '../../ops/index.js';
import { logSoftmax } from '../../ops/loss.js';
import { type ImportContext, int, type OpImporter, single } from './context.js';

const binary = (f: (a: Value, b: Value) => Value): OpImporter => ({ build: single((c) => f(c.value(0), c.value(1))) });
const unary = (f: (x: Value) => Value): OpImporter => ({ build: single((c) => f(c.value(0))) });

/** Softmax and LogSoftmax since opset 13: over one axis, by default the last. */
function softmaxAxis(c: ImportContext, x: Value): number {
  const axis = normalizeAxis(c.node.opType, int(c, 'axis', -1), x.rank);
  if (axis !== x.rank - 1) throw c.fail(`only the last axis is supported, got axis ${axis} of ${x.toString()}`);
  return axis;
}

export const elementwiseImporters: Record<string, OpImporter> = {
  Add: binary(op.add),
  Sub: binary(op.sub),
  Mul: binary(op.mul),
  Div: binary(op.div),
  Pow: binary(op.pow),
  Equal: binary(op.equal),
  Less: binary(op.less),
  Greater: binary(op.greater),
  Relu: unary(op.relu),
  Neg: unary(op.neg),
  Exp: unary(op.exp),
  Log: unary(op.log),
  Sqrt: unary(op.sqrt),
  Identity: unary((x) => op.identity(x)),
  Where: { build: single((c) => op.where(c.value(0), c.value(1), c.value(2))) },
  Cast: { build: single((c) => op.cast(c.value(0), dtypeFromOnnx(int(c, 'to', 1)))) },
  Softmax: {
    build: single((c) => {
      const x = c.value(0);
      softmaxAxis(c, x);
      return op.softmax(x);
    }),
  },
  LogSoftmax: {
    build: single((c) => {
      const x = c.value(0);
      if (x.rank !== 2) throw c.fail(`only rank-2 inputs [batch, classes] are supported, got ${x.toString()}`);
      softmaxAxis(c, x);
      return logSoftmax(x);
    }),
    trains: 'as x - max - log(sum(exp(x - max))): ReduceMax, Sub, Exp, ReduceSum, Log',
  },
};
