// Pooling, NCHW: MaxPool and AveragePool with pads, strides, ceil mode (MaxPool: dilations too),
// GlobalAveragePool and GlobalMaxPool. In floor mode the 9th row and column of a 9x9 map fall off
// a 2x2 pool.
import { attr, type Attribute } from '../ir/attributes.js';
import type { Value } from '../ir/graph.js';
import { type Dim, formatShape, ShapeError } from '../ir/shape.js';
import { emit, requireFloat, requireRank } from './node.js';

export interface PoolOptions {
  readonly kernel: readonly [number, number];
  /** Defaults to the kernel size (non-overlapping windows). */
  readonly strides?: readonly [number, number];
  /** [top, left, bottom, right] */
  readonly pads?: readonly [number, number, number, number];
  /** Output size rounded up: a last, partial window covers the rows that floor mode drops. */
  readonly ceilMode?: boolean;
}

export interface MaxPoolOptions extends PoolOptions {
  readonly dilations?: readonly [number, number];
}

export interface AveragePoolOptions extends PoolOptions {
  /** Divide by the whole window, padding included (1), or by the input elements in it (0, the default). */
  readonly countIncludePad?: boolean;
}

/**
 * floor or ceil((in + pads - dilation (k - 1) - 1) / stride) + 1. In ceil mode, a last window
 * that would start in the end padding is refused: ONNX's shape inference counts it, ONNX
 * Runtime's kernels (and PyTorch) drop it, so a graph with one fails in ORT.
 */
export function poolOutputSize(
  input: number,
  kernel: number,
  stride: number,
  padBegin: number,
  padEnd: number,
  dilation: number,
  ceilMode: boolean,
): number {
  const span = input + padBegin + padEnd - dilation * (kernel - 1) - 1;
  const out = (ceilMode ? Math.ceil(span / stride) : Math.floor(span / stride)) + 1;
  if (ceilMode && (out - 1) * stride >= input + padBegin)
    throw new ShapeError(
      `the last ceil-mode window (input ${input}, kernel ${kernel}, stride ${stride}, pads ${padBegin} and ${padEnd}) would start in the end padding: ONNX shape inference keeps it, ONNX Runtime's kernels drop it`,
    );
  return out;
}

/** The attributes and output shape that MaxPool and AveragePool share. */
function pool2d(op: string, x: Value, o: PoolOptions, dilations: readonly [number, number]) {
  requireRank(op, x, 4);
  requireFloat(op, x);
  const [kh, kw] = o.kernel;
  const [sh, sw] = o.strides ?? o.kernel;
  const [pt, pl, pb, pr] = o.pads ?? [0, 0, 0, 0];
  const [H, W] = [x.shape[2], x.shape[3]];
  if (typeof H !== 'number' || typeof W !== 'number')
    throw new ShapeError(`${op}: spatial size of ${formatShape(x.shape)} must be static`);
  if (Math.max(pt, pb) >= kh || Math.max(pl, pr) >= kw)
    throw new ShapeError(`${op}: pads [${[pt, pl, pb, pr].join(', ')}] must be smaller than the kernel ${kh}x${kw}`);
  const ceil = o.ceilMode ?? false;
  let h: number, w: number;
  try {
    h = poolOutputSize(H, kh, sh, pt, pb, dilations[0], ceil);
    w = poolOutputSize(W, kw, sw, pl, pr, dilations[1], ceil);
  } catch (error) {
    throw new ShapeError(`${op}: ${(error as Error).message}`);
  }
  if (h < 1 || w < 1) throw new ShapeError(`${op}: kernel ${kh}x${kw} does not fit input ${formatShape(x.shape)}`);
  const attributes: Record<string, Attribute> = {
    kernel_shape: attr.ints([kh, kw]),
    strides: attr.ints([sh, sw]),
    pads: attr.ints([pt, pl, pb, pr]),
  };
  if (ceil) attributes['ceil_mode'] = attr.int(1);
  return { attributes, shape: [x.shape[0] as Dim, x.shape[1] as Dim, h, w] };
}

export function maxPool2d(x: Value, o: MaxPoolOptions): Value {
  const dilations = o.dilations ?? [1, 1];
  const { attributes, shape } = pool2d('MaxPool', x, o, dilations);
  if (dilations.some((d) => d !== 1)) attributes['dilations'] = attr.ints(dilations);
  return emit('MaxPool', [x], attributes, x.dtype, shape);
}

export function averagePool2d(x: Value, o: AveragePoolOptions): Value {
  const { attributes, shape } = pool2d('AveragePool', x, o, [1, 1]);
  if (o.countIncludePad) attributes['count_include_pad'] = attr.int(1);
  return emit('AveragePool', [x], attributes, x.dtype, shape);
}

/** [N, C, H, W] -> [N, C, 1, 1]: the mean of each map. */
export function globalAveragePool(x: Value): Value {
  requireRank('GlobalAveragePool', x, 4);
  return emit('GlobalAveragePool', [x], {}, x.dtype, [x.shape[0] as Dim, x.shape[1] as Dim, 1, 1]);
}

/** [N, C, H, W] -> [N, C, 1, 1]: the max of each map. */
export function globalMaxPool(x: Value): Value {
  requireRank('GlobalMaxPool', x, 4);
  return emit('GlobalMaxPool', [x], {}, x.dtype, [x.shape[0] as Dim, x.shape[1] as Dim, 1, 1]);
}
