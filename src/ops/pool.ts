// Max pooling, NCHW, floor mode (the 9th row and column of a 9x9 map fall off a 2x2 pool).
import { attr } from '../ir/attributes.js';
import type { Value } from '../ir/graph.js';
import { type Dim, formatShape, ShapeError } from '../ir/shape.js';
import { convOutputSize } from './conv.js';
import { emit, requireRank } from './node.js';

export interface MaxPoolOptions {
  readonly kernel: readonly [number, number];
  /** Defaults to the kernel size (non-overlapping windows). */
  readonly strides?: readonly [number, number];
  readonly pads?: readonly [number, number, number, number];
}

export function maxPool2d(x: Value, o: MaxPoolOptions): Value {
  requireRank('MaxPool', x, 4);
  const [kh, kw] = o.kernel;
  const [sh, sw] = o.strides ?? o.kernel;
  const [pt, pl, pb, pr] = o.pads ?? [0, 0, 0, 0];
  const [H, W] = [x.shape[2], x.shape[3]];
  if (typeof H !== 'number' || typeof W !== 'number')
    throw new ShapeError(`MaxPool: spatial size of ${formatShape(x.shape)} must be static`);
  const h = convOutputSize(H, kh, sh, pt, pb, 1);
  const w = convOutputSize(W, kw, sw, pl, pr, 1);
  if (h < 1 || w < 1) throw new ShapeError(`MaxPool: kernel ${kh}x${kw} does not fit input ${formatShape(x.shape)}`);
  const attributes = {
    kernel_shape: attr.ints([kh, kw]),
    strides: attr.ints([sh, sw]),
    pads: attr.ints([pt, pl, pb, pr]),
  };
  return emit('MaxPool', [x], attributes, x.dtype, [x.shape[0] as Dim, x.shape[1] as Dim, h, w]);
}
