// im2col with one Gather: the patches a convolution's filters see, one row per output position,
//   x [N, C, H, W] -> rows [N*Ho*Wo, kH*kW*C], columns in (i, j, c) order,
// so that the convolution is a single large GEMM, rows x weightRows(W)^T. ONNX Runtime's own
// Conv runs one small GEMM per image; on the practical's conv2 (batch 64) the single GEMM is
// 3.0 ms against 5.4 ms on one thread, and its weight gradient 3.6 ms against 6.8 ms.
//
// Patches are made once per input and geometry and recorded in the graph's memo: the weight
// gradient makes them, and the forward Conv then reads the same rows (src/passes/share-patches.ts).
import type { Value } from '../ir/graph.js';
import { formatShape, ShapeError } from '../ir/shape.js';
import { tensor } from '../ir/tensor.js';
import { type Conv2dOptions, convOutputSize } from './conv.js';
import { gather, pad, reshape, transpose } from './shape.js';

export interface PatchGeometry {
  readonly kernel: readonly [number, number];
  readonly strides: readonly [number, number];
  /** [top, left, bottom, right] */
  readonly pads: readonly [number, number, number, number];
  readonly dilations: readonly [number, number];
}

export function patchGeometry(kernel: readonly [number, number], o: Conv2dOptions): PatchGeometry {
  return { kernel, strides: o.strides ?? [1, 1], pads: o.pads ?? [0, 0, 0, 0], dilations: o.dilations ?? [1, 1] };
}

const keyOf = (g: PatchGeometry): string =>
  `patches:${[g.kernel, g.strides, g.pads, g.dilations].map((v) => v.join(',')).join('|')}`;

function staticNchw(x: Value): [number, number, number, number] {
  if (x.rank !== 4 || x.shape.some((d) => typeof d !== 'number'))
    throw new ShapeError(`patches: ${x.name} ${formatShape(x.shape)} must be a static NCHW tensor`);
  return x.shape as [number, number, number, number];
}

/** The output height and width of a convolution with this geometry over x. */
function patchGrid(x: Value, g: PatchGeometry): [number, number] {
  const [, , h, w] = staticNchw(x);
  return [
    convOutputSize(h, g.kernel[0], g.strides[0], g.pads[0], g.pads[2], g.dilations[0]),
    convOutputSize(w, g.kernel[1], g.strides[1], g.pads[1], g.pads[3], g.dilations[1]),
  ];
}

/** The patches already made for x with this geometry, if any. */
export function existingPatches(x: Value, g: PatchGeometry): Value | undefined {
  return x.graph.memo.get(x, keyOf(g));
}

/** [N*Ho*Wo, kH*kW*C]: row (n, p, q) holds x's window under output position (p, q) of image n. */
export function patches(x: Value, g: PatchGeometry): Value {
  const found = existingPatches(x, g);
  if (found) return found;
  const [n, c, h, w] = staticNchw(x);
  const [ho, wo] = patchGrid(x, g);
  const [kh, kw] = g.kernel;
  const [top, left, bottom, right] = g.pads;
  const width = w + left + right;
  const nhwc = transpose(x, [0, 2, 3, 1]);
  const padded = g.pads.some((p) => p !== 0) ? pad(nhwc, [0, top, left, 0, 0, bottom, right, 0]) : nhwc;
  const pixels = reshape(padded, [n, (h + top + bottom) * width, c]);
  const index = new BigInt64Array(ho * wo * kh * kw);
  let k = 0;
  for (let p = 0; p < ho; p++) {
    for (let q = 0; q < wo; q++) {
      for (let i = 0; i < kh; i++) {
        for (let j = 0; j < kw; j++)
          index[k++] = BigInt((p * g.strides[0] + i * g.dilations[0]) * width + q * g.strides[1] + j * g.dilations[1]);
      }
    }
  }
  const windows = gather(pixels, x.graph.constant(tensor('int64', [ho * wo, kh * kw], index)), 1);
  return x.graph.memo.set(x, keyOf(g), reshape(windows, [n * ho * wo, kh * kw * c]));
}

/** W [M, C, kH, kW] -> [M, kH*kW*C], the column order of `patches`. */
export function weightRows(w: Value): Value {
  const [m, c, kh, kw] = w.shape as [number, number, number, number];
  return reshape(transpose(w, [0, 2, 3, 1]), [m, kh * kw * c]);
}

/** Back from [kH*kW*C, M] (weightRows transposed) to [M, C, kH, kW]. */
export function weightFromColumns(columns: Value, like: Value): Value {
  const [m, c, kh, kw] = like.shape as [number, number, number, number];
  return transpose(reshape(columns, [kh, kw, c, m]), [3, 2, 0, 1]);
}

/** [N, M, Ho, Wo] as NHWC -> [N*Ho*Wo, M], the row order of `patches`. */
export function nhwcRows(nhwc: Value): Value {
  const [n, ho, wo, m] = nhwc.shape as [number, number, number, number];
  return reshape(nhwc, [n * ho * wo, m]);
}
