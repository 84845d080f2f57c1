// Activation layers in the spirit of PyTorch's nn beyond ReLU and softmax (those are in
// layers.ts): each is one op builder, one ONNX node (GELU: a few, as PyTorch exports it at opset
// 17), with its gradient rule in autodiff. No parameters.
import type { Value } from '../ir/graph.js';
import * as op from '../ops/index.js';
import type { Layer } from './layer.js';

/** 1 / (1 + exp(-x)) (PyTorch's Sigmoid). */
export const sigmoid = (): Layer => (x: Value) => op.sigmoid(x);

/** tanh(x) (PyTorch's Tanh). */
export const tanh = (): Layer => (x: Value) => op.tanh(x);

/** x for x >= 0, negativeSlope * x below (PyTorch's LeakyReLU; the slope defaults to 0.01 as there). */
export function leakyRelu(negativeSlope = 0.01): Layer {
  if (!Number.isFinite(negativeSlope))
    throw new RangeError(`leakyRelu: negativeSlope must be finite, got ${negativeSlope}`);
  return (x: Value) => op.leakyRelu(x, negativeSlope);
}

export interface GeluOptions {
  /** 'none' (the default): 0.5 x (1 + erf(x / sqrt 2)); 'tanh': the tanh approximation (PyTorch's approximate='tanh'). */
  readonly approximate?: 'none' | 'tanh';
}

/** Gaussian error linear unit (PyTorch's GELU), exact or tanh-approximated. */
export const gelu =
  (options: GeluOptions = {}): Layer =>
  (x: Value) =>
    op.gelu(x, options.approximate ?? 'none');
