// Layers in the spirit of PyTorch's nn: each creates its parameters (`<name>.weight`,
// `<name>.bias`) on the input's graph with the seeded initializer and calls the op builders.
// Input sizes are read from the input's shape (as PyTorch's Lazy* modules and Keras do), so
// only the output size is written.
import type { Value } from '../ir/graph.js';
import { formatShape, ShapeError } from '../ir/shape.js';
import { float32 } from '../ir/tensor.js';
import * as op from '../ops/index.js';
import { type Layer, type LayerContext, parameterName } from './layer.js';

type Pair = number | readonly [number, number];
const pair = (v: Pair): [number, number] => (typeof v === 'number' ? [v, v] : [v[0], v[1]]);

function channelsOf(layer: string, x: Value): number {
  const c = x.shape[1];
  if (typeof c !== 'number')
    throw new ShapeError(`${layer}: axis 1 of ${x.name} ${formatShape(x.shape)} must be static`);
  return c;
}

export interface Conv2dLayerOptions {
  readonly stride?: Pair;
  /**
   * 'valid' (none, the default), 'same' (keeps the size at stride 1; an even kernel pads one more
   * at the bottom and right, as PyTorch's padding='same'), one number for every side, or
   * [top, left, bottom, right].
   */
  readonly padding?: 'valid' | 'same' | number | readonly [number, number, number, number];
  readonly dilation?: Pair;
  /** Add a learned bias (default true). */
  readonly bias?: boolean;
}

/** [top, left, bottom, right] zero padding for a kernel. */
export function convPadding(
  kernel: readonly [number, number],
  padding: Conv2dLayerOptions['padding'],
  dilation: readonly [number, number] = [1, 1],
): [number, number, number, number] {
  if (padding === undefined || padding === 'valid') return [0, 0, 0, 0];
  if (typeof padding === 'number') return [padding, padding, padding, padding];
  if (padding !== 'same') return [padding[0], padding[1], padding[2], padding[3]];
  const [th, tw] = [dilation[0] * (kernel[0] - 1), dilation[1] * (kernel[1] - 1)];
  return [Math.floor(th / 2), Math.floor(tw / 2), th - Math.floor(th / 2), tw - Math.floor(tw / 2)];
}

/** 2-D convolution (PyTorch's Conv2d): `weight` [out, in, kH, kW], `bias` [out]. */
export function conv2d(outChannels: number, kernel: Pair, options: Conv2dLayerOptions = {}): Layer {
  const k = pair(kernel);
  const dilations = pair(options.dilation ?? 1);
  return (x: Value, ctx: LayerContext) => {
    const inChannels = channelsOf('conv2d', x);
    const fanIn = inChannels * k[0] * k[1];
    const w = x.graph.parameter(parameterName(ctx, 'weight'), ctx.init.weight([outChannels, inChannels, k[0], k[1]]));
    const b =
      options.bias === false ? null : x.graph.parameter(parameterName(ctx, 'bias'), ctx.init.bias(outChannels, fanIn));
    return op.conv2d(x, w, b, {
      strides: pair(options.stride ?? 1),
      pads: convPadding(k, options.padding, dilations),
      dilations,
    });
  };
}

/** A fully connected layer (PyTorch's Linear, y = x W^T + b): `weight` [out, in], `bias` [out]; exported as Gemm. */
export function linear(outFeatures: number, options: { readonly bias?: boolean } = {}): Layer {
  return (x: Value, ctx: LayerContext) => {
    if (x.rank !== 2)
      throw new ShapeError(
        `linear: input ${x.name} ${formatShape(x.shape)} must be [batch, features]; flatten it first`,
      );
    const inFeatures = channelsOf('linear', x);
    const w = x.graph.parameter(parameterName(ctx, 'weight'), ctx.init.weight([outFeatures, inFeatures]));
    const b =
      options.bias === false
        ? null
        : x.graph.parameter(parameterName(ctx, 'bias'), ctx.init.bias(outFeatures, inFeatures));
    return op.gemm(x, w, b, { transB: true });
  };
}

/**
 * Inverted dropout: in a training graph an activation is zeroed where the noise input
 * `<name>.noise` (uniform [0, 1), fed by the trainer's seeded generator) is below `rate`, and the
 * rest are scaled by 1 / (1 - rate); an inference graph passes x through untouched.
 */
export function dropout(rate: number): Layer {
  if (!(rate >= 0 && rate < 1)) throw new RangeError(`dropout: rate must be in [0, 1), got ${rate}`);
  return (x: Value, ctx: LayerContext) => {
    if (!ctx.training || rate === 0) return x;
    const noise = x.graph.input(parameterName(ctx, 'noise'), 'float32', x.shape);
    ctx.noise.push({ input: noise, rate });
    return op.where(op.less(noise, rate), 0, op.mul(x, 1 / (1 - rate)));
  };
}

export interface BatchNormLayerOptions {
  /** Added to the variance (default 1e-5, as PyTorch). */
  readonly epsilon?: number;
  /**
   * ONNX's momentum: running = momentum * running + (1 - momentum) * batch. Default 0.9, which is
   * PyTorch's momentum=0.1 (PyTorch weights the batch by its momentum, ONNX the running value).
   */
  readonly momentum?: number;
}

/**
 * Batch normalisation over the channels (axis 1) of [N, C, ...] (PyTorch's BatchNorm1d/2d):
 * `weight` (ones) and `bias` (zeros) are trained; `running_mean` (zeros) and `running_var` (ones)
 * are buffers. A training graph normalises by the batch's mean and population variance and
 * carries the running statistics as step state (LayerContext.buffers); an inference graph
 * normalises by the running statistics, stored as initializers that the trained values replace on
 * export, like the weights.
 */
export function batchNorm(options: BatchNormLayerOptions = {}): Layer {
  return (x: Value, ctx: LayerContext) => {
    const channels = channelsOf('batchNorm', x);
    const graph = x.graph;
    const scale = graph.parameter(
      parameterName(ctx, 'weight'),
      float32([channels], new Float32Array(channels).fill(1)),
    );
    const bias = graph.parameter(parameterName(ctx, 'bias'), float32([channels], new Float32Array(channels)));
    const start = {
      mean: float32([channels], new Float32Array(channels)),
      variance: float32([channels], new Float32Array(channels).fill(1)),
    };
    const [meanName, varName] = [parameterName(ctx, 'running_mean'), parameterName(ctx, 'running_var')];
    if (!ctx.training) {
      const [mean, variance] = [graph.parameter(meanName, start.mean), graph.parameter(varName, start.variance)];
      return op.batchNormalization(x, scale, bias, mean, variance, { epsilon: options.epsilon ?? 1e-5 });
    }
    const mean = graph.input(meanName, 'float32', [channels]);
    const variance = graph.input(varName, 'float32', [channels]);
    const made = op.batchNormalizationTraining(x, scale, bias, mean, variance, options);
    ctx.buffers.push(
      { input: mean, next: made.runningMean, init: start.mean },
      { input: variance, next: made.runningVar, init: start.variance },
    );
    return made.y;
  };
}

/** Flattens every axis from `startDim` (1: keep the batch) into one (PyTorch's Flatten). */
export function flatten(startDim = 1): Layer {
  return (x: Value) => op.flatten(x, startDim);
}

export const relu = (): Layer => (x: Value) => op.relu(x);

/** Softmax over the last axis (for an inference output; training takes the logits). */
export const softmax = (): Layer => (x: Value) => op.softmax(x);

/** A layer made from any function of one value, e.g. `nn.fn((x) => op.mul(x, 2))`. */
export const fn =
  (f: (x: Value) => Value): Layer =>
  (x: Value) =>
    f(x);

/**
 * Layers applied in order, named as PyTorch's Sequential names them: by position (`0.weight`,
 * `2.weight`) when given as a list, by key (`conv1.weight`) when given as an object, like
 * `nn.Sequential(OrderedDict(...))`. Nested sequentials join names with dots.
 */
export function sequential(layers: readonly Layer[] | Readonly<Record<string, Layer>>): Layer {
  const entries: [string, Layer][] = Array.isArray(layers)
    ? layers.map((layer, i): [string, Layer] => [String(i), layer])
    : Object.entries(layers as Readonly<Record<string, Layer>>);
  return (x: Value, ctx: LayerContext) =>
    entries.reduce((value, [key, layer]) => layer(value, { ...ctx, name: parameterName(ctx, key) }), x);
}
