// Normalisation layers. (Training-mode BatchNormalization is a composition of portable ops,
// src/ops/normalization.ts, differentiated through its batch statistics by the other rules.)
import { floatAttr, intAttr } from '../../ir/attributes.js';
import type { Value } from '../../ir/graph.js';
import * as op from '../../ops/index.js';
import { type GradContext, type GradRule, input, outputGrad } from '../rule.js';

/**
 * Inference-mode BatchNormalization, y = xhat scale + B with xhat = (x - mean) r, r = 1/sqrt(var + eps),
 * all per channel (axis 1), the statistics given:
 *   dx = g scale r,  dscale = sum(g xhat),  dB = sum(g),
 *   dmean = -sum(g) scale r,  dvar = -sum(g (x - mean)) scale r^3 / 2  (sums over all axes but 1).
 */
function batchNormGrad(c: GradContext): (Value | null)[] {
  const [x, scale, , mean, variance] = [0, 1, 2, 3, 4].map((i) => input(c, i)) as [Value, Value, Value, Value, Value];
  const g = outputGrad(c);
  const eps = floatAttr(c.node.attributes, 'epsilon', 1e-5);
  const axes = x.shape.flatMap((_, a) => (a === 1 ? [] : [a]));
  const perChannel = (p: Value) =>
    x.rank > 2
      ? op.unsqueeze(
          p,
          axes.slice(1).map((a) => a - 1),
        )
      : p;
  const sum = (v: Value) => op.reduceSum(v, axes);
  const r = op.div(1, op.sqrt(op.add(variance, eps))); // [C]
  const centred = op.sub(x, perChannel(mean));
  const dx = c.needs[0] ? op.mul(g, perChannel(op.mul(scale, r))) : null;
  const dScale = c.needs[1] ? sum(op.mul(g, op.mul(centred, perChannel(r)))) : null;
  const dBias = c.needs[2] ? sum(g) : null;
  const dMean = c.needs[3] ? op.neg(op.mul(sum(g), op.mul(scale, r))) : null;
  const dVar = c.needs[4]
    ? op.mul(sum(op.mul(g, centred)), op.mul(scale, op.mul(op.mul(op.mul(r, r), r), -0.5)))
    : null;
  return [dx, dScale, dBias, dMean, dVar];
}

/**
 * LayerNormalization over the axes A = [axis, rank): with xhat = (x - mean_A x) r, r = 1/sqrt(var_A x + eps),
 * y = xhat scale + B, and h = g scale:
 *   dx = r (h - mean_A h - xhat mean_A(h xhat)),  dscale = g xhat,  dB = g
 * (the driver sums dscale and dB over the leading axes).
 */
function layerNormGrad(c: GradContext): (Value | null)[] {
  const [x, scale, g] = [input(c, 0), input(c, 1), outputGrad(c)];
  const eps = floatAttr(c.node.attributes, 'epsilon', 1e-5);
  const axis = intAttr(c.node.attributes, 'axis', -1);
  const first = axis < 0 ? axis + x.rank : axis;
  const axes = x.shape.slice(first).map((_, i) => first + i);
  const mean = (v: Value) => op.reduceMean(v, axes, true);
  const centred = op.sub(x, mean(x));
  const r = op.div(1, op.sqrt(op.add(mean(op.mul(centred, centred)), eps)));
  const xhat = op.mul(centred, r);
  const h = op.mul(g, scale);
  const dx = c.needs[0] ? op.mul(r, op.sub(op.sub(h, mean(h)), op.mul(xhat, mean(op.mul(h, xhat))))) : null;
  return [dx, c.needs[1] ? op.mul(g, xhat) : null, ...(c.inputs.length > 2 ? [c.needs[2] ? g : null] : [])];
}

export const normalizationRules: Record<string, GradRule> = {
  BatchNormalization: (c) => {
    if (intAttr(c.node.attributes, 'training_mode', 0) !== 0)
      throw new Error(
        `${c.node.name}: a training-mode BatchNormalization node has no rule; build it with batchNormalizationTraining`,
      );
    return batchNormGrad(c);
  },
  LayerNormalization: layerNormGrad,
};
