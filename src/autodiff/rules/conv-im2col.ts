// The im2col form of a convolution's gradients (the Conv entry of IM2COL_GRAD_RULES): both as
// large GEMMs, which ONNX Runtime runs well on any number of threads. Practical CNN, conv2,
// batch 64, against the conv form: weight gradient 3.6 vs 6.8 ms on one thread; input gradient
// 4.9 vs 6.4 ms on one thread and 3.5 vs 7.2 ms on two (its ConvTranspose does not parallelise).
import type { Value } from '../../ir/graph.js';
import { tensor } from '../../ir/tensor.js';
import * as op from '../../ops/index.js';
import { type GradRule, input, outputGrad } from '../rule.js';
import { convInputGrad, convRule, convWeightGrad, spatial } from './conv.js';

export interface ConvGeometry {
  readonly strides: readonly [number, number];
  /** [top, left, bottom, right] */
  readonly pads: readonly [number, number, number, number];
  readonly dilations: readonly [number, number];
}

/**
 * dW = (P^T G)^T: one GEMM over the batch and every output position, where P are x's patches
 * (src/ops/patches.ts) and G the output gradient as rows. The forward Conv may later read the
 * same patches (src/passes/share-patches.ts), so a step makes them once.
 */
export function convWeightGradFromPatches(gNhwc: Value, w: Value, x: Value, geometry: ConvGeometry): Value {
  const rows = op.patches(x, op.patchGeometry([w.shape[2] as number, w.shape[3] as number], geometry));
  // P^T G ([kH*kW*C, M]) ran at 3.6 ms against 4.6 ms for G^T P on conv2
  return op.weightFromColumns(op.gemm(rows, op.nhwcRows(gNhwc), null, { transA: true }), w);
}

/** The row-wise input gradient needs stride 1, no dilation, and pads smaller than the kernel. */
export function rowWiseApplies(w: Value, geometry: ConvGeometry): boolean {
  const [kh, kw] = [w.shape[2] as number, w.shape[3] as number];
  const [top, left, bottom, right] = geometry.pads;
  return (
    [...geometry.strides, ...geometry.dilations].every((v) => v === 1) &&
    Math.max(top, bottom) < kh &&
    Math.max(left, right) < kw
  );
}

/**
 * dX[n, h, w, c] = sum_{i, j, m} G[n, h + top - i, w + left - j, m] W[m, c, i, j], in two steps:
 *  1. over (j, m), as one GEMM: Z[n, p, w, (i, c)] = sum_{j, m} G[n, p, w + left - j, m] W[m, c, i, j],
 *     whose left operand gathers, for every output row p and input column w, the kW columns of G
 *     that reach w (zero-padded): [N*Ho*W, kW*M];
 *  2. over i, as a sum of kH row-shifted slices of Z: dX[n, h] = sum_i Z[n, h + top - i, ..., i].
 */
export function convInputGradByRows(gNhwc: Value, w: Value, x: Value, geometry: ConvGeometry): Value {
  const [m, c, kh, kw] = w.shape as [number, number, number, number];
  const [n, , height, width] = x.shape as [number, number, number, number];
  const [top, left, bottom, right] = geometry.pads;
  const rowsOut = gNhwc.shape[1] as number;
  // G zero-padded so that column w + left - j of G sits at w + kW - 1 - j
  const padded = op.pad(gNhwc, [0, 0, kw - 1 - left, 0, 0, 0, kw - 1 - right, 0]);
  const index = new BigInt64Array(width * kw);
  for (let col = 0; col < width; col++) for (let j = 0; j < kw; j++) index[col * kw + j] = BigInt(col + kw - 1 - j);
  const reach = op.gather(padded, gNhwc.graph.constant(tensor('int64', [width, kw], index)), 2); // [N, Ho, W, kW, M]
  const filters = op.reshape(op.transpose(w, [3, 0, 2, 1]), [kw * m, kh * c]); // [(j, m), (i, c)]
  const z = op.reshape(op.gemm(op.reshape(reach, [n * rowsOut * width, kw * m]), filters, null), [
    n,
    rowsOut,
    width,
    kh,
    c,
  ]);
  // row p = h + top - i of Z sits at h + kH - 1 - i once padded
  const zPadded = op.pad(z, [0, kh - 1 - top, 0, 0, 0, 0, kh - 1 - bottom, 0, 0, 0]);
  const shifted = Array.from({ length: kh }, (_, i) =>
    op.reshape(op.slice(zPadded, [1, 3], [kh - 1 - i, i], [kh - 1 - i + height, i + 1]), [n, height, width, c]),
  );
  // Adds rather than one Sum: WebGPU has no Sum kernel
  return op.transpose(
    shifted.reduce((a, b) => op.add(a, b)),
    [0, 3, 1, 2],
  );
}

/** Below this many input channels a Gather copies too little at a time to beat Conv. */
export const PATCHES_MIN_CHANNELS = 8;

/**
 * The im2col Conv rule: dW from patches (8+ input channels) and dX by rows (stride 1), each
 * falling back to the conv form's piece where it does not apply. Both read G as NHWC, made once,
 * and dB comes from that view too. (A zero Pad that made G is moved past that transpose by
 * src/passes/pad-past-transpose.ts.)
 */
export const im2colConvRule: GradRule = (c) => {
  const [x, w, g] = [input(c, 0), input(c, 1), outputGrad(c)];
  const geometry = spatial(c);
  // the im2col pieces are for group 1; grouped convolutions take the conv form
  if (geometry.group !== 1) return convRule(c);
  const byRows = rowWiseApplies(w, geometry);
  const fromPatches = (x.shape[1] as number) >= PATCHES_MIN_CHANNELS;
  const gNhwc = byRows || fromPatches ? op.transpose(g, [0, 2, 3, 1]) : null;
  const dB = !c.inputs[2] ? null : gNhwc ? op.reduceSum(gNhwc, [0, 1, 2]) : op.reduceSum(g, [0, 2, 3]);
  // the image needs no gradient: skip that whole computation for the first layer
  const dX = !c.needs[0]
    ? null
    : gNhwc && byRows
      ? convInputGradByRows(gNhwc, w, x, geometry)
      : convInputGrad(geometry, g, w, x);
  const dW = !c.needs[1]
    ? null
    : gNhwc && fromPatches
      ? convWeightGradFromPatches(gNhwc, w, x, geometry)
      : convWeightGrad(geometry, g, w, x);
  return [dX, dW, ...(c.inputs.length > 2 ? [dB] : [])];
};
