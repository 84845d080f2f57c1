// Elementwise ops, activations and softmax.
import { dtypeFromOnnx } from '../../ir/dtype.js';
import type { Value } from '../../ir/graph.js';
import * as op from '../../ops/index.js';
import { float, int, type OpImporter, single } from './context.js';

const binary = (f: (a: Value, b: Value) => Value): OpImporter => ({ build: single((c) => f(c.value(0), c.value(1))) });
const unary = (f: (x: Value) => Value): OpImporter => ({ build: single((c) => f(c.value(0))) });

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
  // opset 13: over one axis, by default the last (older opsets flattened the tail: refused there)
  Softmax: { build: single((c) => op.softmax(c.value(0), int(c, 'axis', -1))) },
  LogSoftmax: {
    build: single((c) => op.logSoftmax(c.value(0), int(c, 'axis', -1))),
    trains: 'as x - max - log(sum(exp(x - max))): ReduceMax, Sub, Exp, ReduceSum, Log',
  },
  Sigmoid: unary(op.sigmoid),
  Tanh: unary(op.tanh),
  Erf: unary(op.erf),
  LeakyRelu: { build: single((c) => op.leakyRelu(c.value(0), float(c, 'alpha', 0.01))) },
  // the bounds are optional inputs since opset 11
  Clip: { build: single((c) => op.clip(c.value(0), c.optional(1) ?? undefined, c.optional(2) ?? undefined)) },
};
