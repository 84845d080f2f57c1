// 2-D convolution and its transpose, NCHW, with channel groups (depthwise: group = C).
import { attr } from '../ir/attributes.js';
import type { Value } from '../ir/graph.js';
import { type Dim, formatShape, ShapeError } from '../ir/shape.js';
import { emit, requireFloat, requireRank } from './node.js';

export interface Conv2dOptions {
  readonly strides?: readonly [number, number];
  /** [top, left, bottom, right], as ONNX orders them. */
  readonly pads?: readonly [number, number, number, number];
  readonly dilations?: readonly [number, number];
  /** Channel groups: each filter sees C / group input channels (ConvTranspose: produces M / group). */
  readonly group?: number;
}

export interface ConvTranspose2dOptions extends Conv2dOptions {
  readonly outputPadding?: readonly [number, number];
}

/** out = floor((in + padBegin + padEnd - dilation*(k-1) - 1) / stride) + 1 */
export function convOutputSize(
  input: number,
  kernel: number,
  stride: number,
  padBegin: number,
  padEnd: number,
  dilation: number,
): number {
  return Math.floor((input + padBegin + padEnd - dilation * (kernel - 1) - 1) / stride) + 1;
}

function staticDim(op: string, x: Value, axis: number): number {
  const d = x.shape[axis];
  if (typeof d !== 'number')
    throw new ShapeError(`${op}: axis ${axis} of ${x.name} ${formatShape(x.shape)} must be static`);
  return d;
}

function spatialAttributes(o: Conv2dOptions) {
  return {
    strides: attr.ints(o.strides ?? [1, 1]),
    pads: attr.ints(o.pads ?? [0, 0, 0, 0]),
    dilations: attr.ints(o.dilations ?? [1, 1]),
  };
}

/** x: [N, C, H, W], w: [M, C / group, kH, kW], b: [M] -> [N, M, H', W'] */
export function conv2d(x: Value, w: Value, b: Value | null, o: Conv2dOptions = {}): Value {
  requireRank('Conv', x, 4);
  requireRank('Conv', w, 4, 'weight');
  requireFloat('Conv', x, w);
  const [sh, sw] = o.strides ?? [1, 1];
  const [pt, pl, pb, pr] = o.pads ?? [0, 0, 0, 0];
  const [dh, dw] = o.dilations ?? [1, 1];
  const group = o.group ?? 1;
  const channels = x.shape[1];
  if (
    typeof channels !== 'number' ||
    channels !== (w.shape[1] as number) * group ||
    (w.shape[0] as number) % group !== 0
  ) {
    const groups = group === 1 ? '' : ` in ${group} groups`;
    throw new ShapeError(
      `Conv: input ${formatShape(x.shape)} has ${channels} channels but weight ${formatShape(w.shape)}${groups} expects ${(w.shape[1] as number) * group}`,
    );
  }
  const outChannels = w.shape[0] as Dim;
  if (b && (b.rank !== 1 || b.shape[0] !== outChannels))
    throw new ShapeError(`Conv: bias ${formatShape(b.shape)} must be [${outChannels}]`);
  const h = convOutputSize(staticDim('Conv', x, 2), staticDim('Conv', w, 2), sh, pt, pb, dh);
  const wd = convOutputSize(staticDim('Conv', x, 3), staticDim('Conv', w, 3), sw, pl, pr, dw);
  if (h < 1 || wd < 1)
    throw new ShapeError(
      `Conv: kernel ${formatShape(w.shape)} does not fit input ${formatShape(x.shape)} (output ${h}x${wd})`,
    );
  const attributes = { ...spatialAttributes(o), ...(group !== 1 ? { group: attr.int(group) } : {}) };
  return emit('Conv', b ? [x, w, b] : [x, w], attributes, x.dtype, [x.shape[0] as Dim, outChannels, h, wd]);
}

/**
 * x: [N, C, H, W], w: [C, M / group, kH, kW], b: [M] -> [N, M, H', W'] with
 * H' = stride*(H-1) + outputPadding + dilation*(k-1) + 1 - padBegin - padEnd.
 */
export function convTranspose2d(x: Value, w: Value, o: ConvTranspose2dOptions = {}, b: Value | null = null): Value {
  requireRank('ConvTranspose', x, 4);
  requireRank('ConvTranspose', w, 4, 'weight');
  const group = o.group ?? 1;
  if (x.shape[1] !== w.shape[0] || (w.shape[0] as number) % group !== 0) {
    throw new ShapeError(
      `ConvTranspose: input ${formatShape(x.shape)} has ${x.shape[1]} channels but weight ${formatShape(w.shape)} expects ${w.shape[0]}${group === 1 ? '' : ` in ${group} groups`}`,
    );
  }
  const outChannels = (w.shape[1] as number) * group;
  if (b && (b.rank !== 1 || b.shape[0] !== outChannels))
    throw new ShapeError(`ConvTranspose: bias ${formatShape(b.shape)} must be [${outChannels}]`);
  const [sh, sw] = o.strides ?? [1, 1];
  const [pt, pl, pb, pr] = o.pads ?? [0, 0, 0, 0];
  const [dh, dw] = o.dilations ?? [1, 1];
  const [oph, opw] = o.outputPadding ?? [0, 0];
  const size = (input: number, k: number, s: number, p0: number, p1: number, d: number, op: number) =>
    s * (input - 1) + op + d * (k - 1) + 1 - p0 - p1;
  const h = size(staticDim('ConvTranspose', x, 2), staticDim('ConvTranspose', w, 2), sh, pt, pb, dh, oph);
  const wd = size(staticDim('ConvTranspose', x, 3), staticDim('ConvTranspose', w, 3), sw, pl, pr, dw, opw);
  if (h < 1 || wd < 1)
    throw new ShapeError(
      `ConvTranspose: pads [${[pt, pl, pb, pr].join(', ')}] leave no output for ${formatShape(x.shape)}`,
    );
  const attributes = {
    ...spatialAttributes(o),
    output_padding: attr.ints([oph, opw]),
    ...(group !== 1 ? { group: attr.int(group) } : {}),
  };
  return emit('ConvTranspose', b ? [x, w, b] : [x, w], attributes, x.dtype, [x.shape[0] as Dim, outChannels, h, wd]);
}
