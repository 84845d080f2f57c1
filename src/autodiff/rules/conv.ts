// Convolution, its transpose and max pooling, NCHW.
import { intAttr, intsAttr } from '../../ir/attributes.js';
import type { Value } from '../../ir/graph.js';
import * as op from '../../ops/index.js';
import { type GradContext, type GradRule, input, output, outputGrad } from '../rule.js';
import { maxPoolGradByWindows } from './pool.js';

type Pair = [number, number];
type Quad = [number, number, number, number];

export function spatial(c: GradContext) {
  const a = c.node.attributes;
  return {
    strides: intsAttr(a, 'strides', [1, 1]) as Pair,
    pads: intsAttr(a, 'pads', [0, 0, 0, 0]) as Quad,
    dilations: intsAttr(a, 'dilations', [1, 1]) as Pair,
    group: intAttr(a, 'group', 1),
  };
}

type Geometry = ReturnType<typeof spatial>;

/**
 * dX = ConvTranspose(G, W) with the forward strides, pads, dilations and groups; output_padding
 * restores rows and columns that a floor-mode forward dropped: H = s(Ho - 1) + op + d(k - 1) + 1 - pads.
 */
export function convInputGrad(geometry: Geometry, g: Value, w: Value, x: Value): Value {
  const { strides, pads, dilations, group } = geometry;
  const size = (axis: 2 | 3, i: 0 | 1) => {
    const k = w.shape[axis] as number;
    return (
      (x.shape[axis] as number) -
      (strides[i] * ((g.shape[axis] as number) - 1) + dilations[i] * (k - 1) + 1 - pads[i] - pads[i + 2]!)
    );
  };
  const outputPadding: Pair = [size(2, 0), size(3, 1)];
  const options = { strides, pads, dilations, outputPadding, ...(group !== 1 ? { group } : {}) };
  const [m, perGroup] = [w.shape[0] as number, w.shape[1] as number];
  if (group === 1 || perGroup !== 1 || m === group) return op.convTranspose2d(g, w, options);
  // one input channel per group but several filters (a depthwise multiplier): WebGPU's grouped
  // ConvTranspose is wrong with one output channel per group, so a zero filter makes it two
  const widened = op.convTranspose2d(g, op.concat([w, op.mul(w, 0)], 1), options); // [N, 2C, H, W]
  const [n, c, h, wd] = x.shape as [number, number, number, number];
  return op.reshape(op.slice(op.reshape(widened, [n, c, 2, h, wd]), [2], [0], [1]), [n, c, h, wd]);
}

/**
 * dW[m, c, i, j] = sum_{n, p, q} G[n, m, p, q] X[n, c, s p + d i - pad, s q + d j - pad].
 * That is a convolution over the batch: input X^T [C, N, H, W], filters G^T [M, N, Ho, Wo],
 * with the roles of stride and dilation swapped, giving [C, M, >=kH, >=kW]; extra rows (from a
 * floor-mode forward) are sliced off and the result is transposed to [M, C, kH, kW]. With groups,
 * filter m of group k reads only X's channels k C/group + c: X becomes [C/group, group N, H, W]
 * (channel c of every group's images side by side) and the convolution has the same groups.
 */
export function convWeightGrad(geometry: Geometry, g: Value, w: Value, x: Value): Value {
  const { strides, pads, dilations, group } = geometry;
  const xT = group === 1 ? op.transpose(x, [1, 0, 2, 3]) : groupedBatch(x, group);
  const gT = op.transpose(g, [1, 0, 2, 3]);
  let dW = op.conv2d(xT, gT, null, { strides: dilations, pads, dilations: strides, ...(group !== 1 ? { group } : {}) });
  const [kh, kw] = [w.shape[2] as number, w.shape[3] as number];
  if (dW.shape[2] !== kh || dW.shape[3] !== kw) dW = op.slice(dW, [2, 3], [0, 0], [kh, kw]);
  return op.transpose(dW, [1, 0, 2, 3]);
}

/** [N, C, H, W] -> [C/group, group N, H, W]: element [c, k N + n] is X[n, k C/group + c]. */
function groupedBatch(x: Value, group: number): Value {
  const [n, ch, h, w] = x.shape as [number, number, number, number];
  const split = op.transpose(op.reshape(x, [n, group, ch / group, h, w]), [2, 1, 0, 3, 4]);
  return op.reshape(split, [ch / group, group * n, h, w]);
}

/** dX by ConvTranspose, dW by a Conv over the batch: ORT's own kernels, the portable form. */
export const convRule: GradRule = (c) => {
  const [x, w, g] = [input(c, 0), input(c, 1), outputGrad(c)];
  const geometry = spatial(c);
  const dB = c.inputs[2] ? op.reduceSum(g, [0, 2, 3]) : null;
  // the image needs no gradient: skip that whole computation for the first layer
  const dX = c.needs[0] ? convInputGrad(geometry, g, w, x) : null;
  const dW = c.needs[1] ? convWeightGrad(geometry, g, w, x) : null;
  return [dX, dW, ...(c.inputs.length > 2 ? [dB] : [])];
};

/**
 * ConvTranspose is the adjoint of Conv with the same weights, so dX = Conv(G, W) (same strides,
 * pads, dilations, groups), and dW is Conv's weight gradient with the roles of input and output
 * swapped: dW[c, m, i, j] = sum G[n, m, s h + d i - pad, s w + d j - pad] X[n, c, h, w].
 */
const convTransposeRule: GradRule = (c) => {
  const [x, w, g] = [input(c, 0), input(c, 1), outputGrad(c)];
  const geometry = spatial(c);
  const { strides, pads, dilations, group } = geometry;
  const grouped = group !== 1 ? { group } : {};
  const dX = c.needs[0] ? op.conv2d(g, w, null, { strides, pads, dilations, ...grouped }) : null;
  const dW = c.needs[1] ? convWeightGrad(geometry, x, w, g) : null;
  const dB = c.inputs[2] ? op.reduceSum(g, [0, 2, 3]) : null;
  return [dX, dW, ...(c.inputs.length > 2 ? [dB] : [])];
};

/**
 * MaxPool with non-overlapping windows (others: maxPoolGradByWindows), from a mask rather than the Indices output (which
 * WebGPU lacks): upsample Y and G (nearest Resize) over the covered area, send G where X equals
 * its window's max, and pad back the rows and columns a floor-mode pool dropped. Ties each
 * receive the gradient. (Resize measured 4x faster than Expand-and-Reshape in ORT here, and
 * resizing a zero-padded Y and G straight to X's size 40% slower than this slice and pad.)
 */
const maxPoolRule: GradRule = (c) => {
  const a = c.node.attributes;
  const [kh, kw] = intsAttr(a, 'kernel_shape', []) as Pair;
  const strides = intsAttr(a, 'strides', [1, 1]);
  const plain =
    intsAttr(a, 'pads', [0, 0, 0, 0]).every((p) => p === 0) &&
    intsAttr(a, 'dilations', [1, 1]).every((d) => d === 1) &&
    intAttr(a, 'ceil_mode', 0) === 0;
  // overlapping or padded windows, ceil mode: the general rule (rules/pool.ts)
  if (strides[0] !== kh || strides[1] !== kw || !plain) return [maxPoolGradByWindows(c)];
  const [x, y, g] = [input(c, 0), output(c), outputGrad(c)];
  const [h, w] = [(y.shape[2] as number) * kh, (y.shape[3] as number) * kw];
  const [H, W] = [x.shape[2] as number, x.shape[3] as number];
  const covered = H === h && W === w ? x : op.slice(x, [2, 3], [0, 0], [h, w]);
  const upsample = (v: Value) => op.upsampleNearest(v, [1, 1, kh, kw]);
  // times the mask as 0/1 rather than Where(mask, G, 0): 0.17 ms less on conv2 in ORT
  const dCovered = op.mul(op.cast(op.equal(covered, upsample(y)), 'float32'), upsample(g));
  return [H === h && W === w ? dCovered : op.pad(dCovered, [0, 0, 0, 0, 0, 0, H - h, W - w])];
};

export const convRules: Record<string, GradRule> = {
  Conv: convRule,
  ConvTranspose: convTransposeRule,
  MaxPool: maxPoolRule,
};
