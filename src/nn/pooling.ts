// Pooling layers in the spirit of PyTorch's nn (MaxPool2d, AvgPool2d, AdaptiveAvgPool2d(1),
// AdaptiveMaxPool2d(1)). Pooling has no parameters, so these layers ignore their state_dict name.
import type { Value } from '../ir/graph.js';
import * as op from '../ops/index.js';
import type { Layer } from './layer.js';
import { convPadding } from './layers.js';

type Pair = number | readonly [number, number];
const pair = (v: Pair): [number, number] => (typeof v === 'number' ? [v, v] : [v[0], v[1]]);

export interface PoolOptions {
  /** Defaults to the kernel size (non-overlapping windows). */
  readonly stride?: Pair;
  readonly padding?: number | readonly [number, number, number, number];
}

/** The windows of a pooling layer: its kernel, its strides (the kernel's unless given) and its zero padding. */
function windows(kernel: Pair, options: PoolOptions) {
  const k = pair(kernel);
  return { kernel: k, strides: pair(options.stride ?? k), pads: convPadding(k, options.padding ?? 0) };
}

/** Max pooling over kernel x kernel windows, floor mode (PyTorch's MaxPool2d). */
export function maxPool2d(kernel: Pair, options: PoolOptions = {}): Layer {
  return (x: Value) => op.maxPool2d(x, windows(kernel, options));
}

export interface AvgPool2dOptions extends PoolOptions {
  /**
   * Divide each window's sum by the whole window, zero padding included (true, the default, as
   * PyTorch's AvgPool2d), or by the input elements in it (false; ONNX's own default).
   */
  readonly countIncludePad?: boolean;
  /** Round the output size up, so a last, partial window covers the rows floor mode drops (default false). */
  readonly ceilMode?: boolean;
}

/**
 * Average pooling over kernel x kernel windows (PyTorch's AvgPool2d): the stride defaults to
 * the kernel, padding is zero padding, and a padded window is divided by the whole window unless
 * `countIncludePad` is false. Exported as ONNX AveragePool.
 */
export function avgPool2d(kernel: Pair, options: AvgPool2dOptions = {}): Layer {
  return (x: Value) =>
    op.averagePool2d(x, {
      ...windows(kernel, options),
      countIncludePad: options.countIncludePad ?? true,
      ceilMode: options.ceilMode ?? false,
    });
}

/** The mean of each feature map, [N, C, H, W] -> [N, C, 1, 1] (PyTorch's AdaptiveAvgPool2d(1)); flatten after it. */
export const globalAvgPool2d = (): Layer => (x: Value) => op.globalAveragePool(x);

/** The max of each feature map, [N, C, H, W] -> [N, C, 1, 1] (PyTorch's AdaptiveMaxPool2d(1)); flatten after it. */
export const globalMaxPool2d = (): Layer => (x: Value) => op.globalMaxPool(x);
