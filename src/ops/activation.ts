// Activations: LeakyRelu, Sigmoid, Tanh, Erf, Clip, Softmax as single ONNX nodes; LogSoftmax and
// Gelu as portable compositions (LogSoftmax falls back to the CPU on WebGPU, Gelu is an opset 20 op).
import { attr } from '../ir/attributes.js';
import type { Value } from '../ir/graph.js';
import { normalizeAxis, ShapeError } from '../ir/shape.js';
import * as op from './elementwise.js';
import { emit, requireFloat, scalar } from './node.js';
import { reduceMax, reduceSum } from './reduce.js';

const unary =
  (name: string) =>
  (x: Value): Value => {
    requireFloat(name, x);
    return emit(name, [x], {}, x.dtype, x.shape);
  };

export const sigmoid = unary('Sigmoid');
export const tanh = unary('Tanh');
export const erf = unary('Erf');

/** y = x for x >= 0, alpha x below (ONNX default alpha 0.01). */
export function leakyRelu(x: Value, alpha = 0.01): Value {
  requireFloat('LeakyRelu', x);
  return emit('LeakyRelu', [x], { alpha: attr.float(alpha) }, x.dtype, x.shape);
}

/** y = min(max(x, min), max); the bounds are inputs since opset 11 (omitted: unbounded). */
export function clip(x: Value, min?: number | Value, max?: number | Value): Value {
  requireFloat('Clip', x);
  const bound = (b: number | Value | undefined): Value | null => {
    if (b === undefined) return null;
    const v = typeof b === 'number' ? scalar(x.graph, b, x.dtype) : b;
    if (v.rank !== 0) throw new ShapeError(`Clip: bounds must be scalars, got ${v.toString()}`);
    return v;
  };
  const [lo, hi] = [bound(min), bound(max)];
  return emit('Clip', hi ? [x, lo, hi] : lo ? [x, lo] : [x], {}, x.dtype, x.shape);
}

/** Softmax along one axis (opset 13 semantics: that axis alone, not the flattened tail). */
export function softmax(x: Value, axis = -1): Value {
  normalizeAxis('Softmax', axis, x.rank);
  return emit('Softmax', [x], { axis: attr.int(axis) }, x.dtype, x.shape);
}

/**
 * log softmax along `axis`: z - log(sum(exp(z))) with z = x - max(x), the max held constant
 * (log softmax is invariant to the shift, so its gradient through the max is zero anyway).
 */
export function logSoftmax(x: Value, axis = -1): Value {
  const a = normalizeAxis('LogSoftmax', axis, x.rank);
  const max = x.graph.detach(reduceMax(x, [a], true));
  const z = op.sub(x, max);
  return op.sub(z, op.log(reduceSum(op.exp(z), [a], true)));
}

/**
 * GELU: 0.5 x (1 + erf(x / sqrt 2)), or with approximate 'tanh'
 * 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))), as PyTorch exports it at opset 17.
 */
export function gelu(x: Value, approximate: 'none' | 'tanh' = 'none'): Value {
  requireFloat('Gelu', x);
  const inner =
    approximate === 'tanh'
      ? tanh(op.mul(op.add(x, op.mul(op.mul(op.mul(x, x), x), 0.044715)), Math.sqrt(2 / Math.PI)))
      : erf(op.mul(x, Math.SQRT1_2));
  return op.mul(op.mul(x, 0.5), op.add(inner, 1));
}
