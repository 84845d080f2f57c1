// Normalisation: BatchNormalization (inference: the given statistics; training: the batch's,
// with the running statistics' update) and LayerNormalization (opset 17).
import { attr } from '../ir/attributes.js';
import type { Value } from '../ir/graph.js';
import { type Dim, formatShape, normalizeAxis, ShapeError } from '../ir/shape.js';
import * as op from './elementwise.js';
import { emit, requireFloat } from './node.js';
import { reduceMean } from './reduce.js';
import { reshape, unsqueeze } from './shape.js';

export interface BatchNormOptions {
  /** Added to the variance (ONNX default 1e-5). */
  readonly epsilon?: number;
  /** running = momentum * running + (1 - momentum) * batch (ONNX default 0.9). */
  readonly momentum?: number;
}

/** The channel parameters [C] of x [N, C, ...], checked. */
function requireChannels(op: string, x: Value, ...params: Value[]): Dim {
  requireFloat(op, x, ...params);
  const channels = x.shape[1];
  if (x.rank < 2 || channels === undefined) throw new ShapeError(`${op}: input ${x.toString()} needs [N, C, ...]`);
  for (const p of params) {
    if (p.rank !== 1 || p.shape[0] !== channels)
      throw new ShapeError(`${op}: ${p.name} ${formatShape(p.shape)} must be [${channels}] for input ${x.toString()}`);
  }
  return channels;
}

/** Inference mode: y = (x - mean) / sqrt(var + epsilon) * scale + bias, per channel (axis 1). */
export function batchNormalization(
  x: Value,
  scale: Value,
  bias: Value,
  mean: Value,
  variance: Value,
  o: BatchNormOptions = {},
): Value {
  requireChannels('BatchNormalization', x, scale, bias, mean, variance);
  const attributes = {
    epsilon: attr.float(o.epsilon ?? 1e-5),
    ...(o.momentum !== undefined ? { momentum: attr.float(o.momentum) } : {}),
  };
  return emit('BatchNormalization', [x, scale, bias, mean, variance], attributes, x.dtype, x.shape);
}

export interface BatchNormTraining {
  readonly y: Value;
  /** momentum * running_mean + (1 - momentum) * batch mean, [C]: the step's new state. */
  readonly runningMean: Value;
  /** momentum * running_var + (1 - momentum) * batch variance (the population variance, as ONNX defines it), [C]. */
  readonly runningVar: Value;
}

/**
 * Training mode, as ONNX's training_mode=1 defines it but from portable ops (ONNX Runtime's
 * inference builds have no training-mode kernel): the batch's mean and population variance over
 * every axis but the channels normalise x, so the gradient flows through them too.
 */
export function batchNormalizationTraining(
  x: Value,
  scale: Value,
  bias: Value,
  runningMean: Value,
  runningVar: Value,
  o: BatchNormOptions = {},
): BatchNormTraining {
  const channels = requireChannels('BatchNormalization', x, scale, bias, runningMean, runningVar);
  const [epsilon, momentum] = [o.epsilon ?? 1e-5, o.momentum ?? 0.9];
  const axes = x.shape.flatMap((_, a) => (a === 1 ? [] : [a]));
  // [C] -> [C, 1, 1] against [N, C, H, W]
  const perChannel = (p: Value) =>
    x.rank > 2
      ? unsqueeze(
          p,
          axes.slice(1).map((a) => a - 1),
        )
      : p;
  const mean = reduceMean(x, axes, true);
  const centred = op.sub(x, mean);
  const variance = reduceMean(op.mul(centred, centred), axes, true);
  const normalised = op.div(centred, op.sqrt(op.add(variance, epsilon)));
  const y = op.add(op.mul(normalised, perChannel(scale)), perChannel(bias));
  const flat = (v: Value) => x.graph.detach(reshape(v, [channels as number]));
  const update = (running: Value, batch: Value) => op.add(op.mul(running, momentum), op.mul(flat(batch), 1 - momentum));
  return { y, runningMean: update(runningMean, mean), runningVar: update(runningVar, variance) };
}

export interface LayerNormOptions {
  /** The first normalised axis; all from it to the last are normalised together (default -1). */
  readonly axis?: number;
  readonly epsilon?: number;
}

/** y = (x - mean) / sqrt(var + epsilon) * scale + bias over axes [axis, rank); scale, bias: x.shape[axis:]. */
export function layerNormalization(x: Value, scale: Value, bias: Value | null, o: LayerNormOptions = {}): Value {
  requireFloat('LayerNormalization', x, scale, ...(bias ? [bias] : []));
  const axis = normalizeAxis('LayerNormalization', o.axis ?? -1, x.rank);
  const tail = x.shape.slice(axis);
  for (const p of bias ? [scale, bias] : [scale]) {
    if (p.rank !== tail.length || p.shape.some((d, i) => d !== tail[i]))
      throw new ShapeError(`LayerNormalization: ${p.name} ${formatShape(p.shape)} must be ${formatShape(tail)}`);
  }
  const attributes = { axis: attr.int(axis), epsilon: attr.float(o.epsilon ?? 1e-5) };
  return emit('LayerNormalization', bias ? [x, scale, bias] : [x, scale], attributes, x.dtype, x.shape);
}
