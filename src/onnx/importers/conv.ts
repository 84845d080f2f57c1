// Convolution and pooling, 2-D (rank-4 NCHW tensors), with ONNX's attribute defaults.
import type { Value } from '../../ir/graph.js';
import * as op from '../../ops/index.js';
import { type ImportContext, int, ints, type OpImporter, single, string } from './context.js';

type Pair = [number, number];
type Quad = [number, number, number, number];

function spatialSize(c: ImportContext, x: Value): Pair {
  if (x.rank !== 4) throw c.fail(`only 2-D ${c.node.opType} (rank-4 input) is supported, got ${x.toString()}`);
  const [h, w] = [x.shape[2], x.shape[3]];
  if (typeof h !== 'number' || typeof w !== 'number')
    throw c.fail(`the spatial size of ${x.toString()} must be static`);
  return [h, w];
}

/**
 * Explicit [top, left, bottom, right] pads from `pads` or `auto_pad`: SAME_UPPER / SAME_LOWER
 * pad so that out = ceil(in / stride), the odd pixel at the end (UPPER) or the start (LOWER).
 */
export function explicitPads(c: ImportContext, input: Pair, kernel: Pair, strides: Pair, dilations: Pair): Quad {
  const mode = string(c, 'auto_pad', 'NOTSET');
  if (mode === 'NOTSET') return ints(c, 'pads', [0, 0, 0, 0]) as Quad;
  if (mode === 'VALID') return [0, 0, 0, 0];
  if (mode !== 'SAME_UPPER' && mode !== 'SAME_LOWER') throw c.fail(`auto_pad '${mode}' is not an ONNX mode`);
  const total = input.map((n, i) => {
    const out = Math.ceil(n / strides[i]!);
    return Math.max(0, (out - 1) * strides[i]! + dilations[i]! * (kernel[i]! - 1) + 1 - n);
  }) as Pair;
  const small = total.map((t) => Math.floor(t / 2)) as Pair;
  const large = total.map((t, i) => t - small[i]!) as Pair;
  return mode === 'SAME_UPPER' ? [small[0], small[1], large[0], large[1]] : [large[0], large[1], small[0], small[1]];
}

const conv = single((c) => {
  const [x, w] = [c.value(0), c.value(1)];
  const input = spatialSize(c, x);
  const kernel = ints(c, 'kernel_shape', w.shape.slice(2) as number[]) as Pair;
  const strides = ints(c, 'strides', [1, 1]) as Pair;
  const dilations = ints(c, 'dilations', [1, 1]) as Pair;
  const pads = explicitPads(c, input, kernel, strides, dilations);
  return op.conv2d(x, w, c.optional(2), { strides, pads, dilations, group: int(c, 'group', 1) });
});

function maxPool(c: ImportContext): (Value | null)[] {
  if (c.node.outputs.length > 1 && c.node.outputs[1])
    throw c.fail('the Indices output is not supported (export the pooling without return_indices)');
  const x = c.value(0);
  const input = spatialSize(c, x);
  const kernel = ints(c, 'kernel_shape', []) as Pair;
  const strides = ints(c, 'strides', [1, 1]) as Pair;
  const dilations = ints(c, 'dilations', [1, 1]) as Pair;
  const pads = explicitPads(c, input, kernel, strides, dilations);
  return [op.maxPool2d(x, { kernel, strides, pads, dilations, ceilMode: int(c, 'ceil_mode', 0) === 1 })];
}

const averagePool = single((c) => {
  const x = c.value(0);
  const input = spatialSize(c, x);
  const kernel = ints(c, 'kernel_shape', []) as Pair;
  const strides = ints(c, 'strides', [1, 1]) as Pair;
  if (ints(c, 'dilations', [1, 1]).some((d) => d !== 1)) throw c.fail('dilated average pooling is not supported');
  const pads = explicitPads(c, input, kernel, strides, [1, 1]);
  return op.averagePool2d(x, {
    kernel,
    strides,
    pads,
    ceilMode: int(c, 'ceil_mode', 0) === 1,
    countIncludePad: int(c, 'count_include_pad', 0) === 1,
  });
});

/** ConvTranspose with explicit output_padding (output_shape and auto_pad are not read). */
const convTranspose = single((c) => {
  const [x, w] = [c.value(0), c.value(1)];
  if (c.attributes['output_shape']) throw c.fail('output_shape is not supported; export with explicit pads');
  if (string(c, 'auto_pad', 'NOTSET') !== 'NOTSET')
    throw c.fail('auto_pad is not supported; export with explicit pads');
  spatialSize(c, x);
  return op.convTranspose2d(
    x,
    w,
    {
      strides: ints(c, 'strides', [1, 1]) as Pair,
      pads: ints(c, 'pads', [0, 0, 0, 0]) as Quad,
      dilations: ints(c, 'dilations', [1, 1]) as Pair,
      outputPadding: ints(c, 'output_padding', [0, 0]) as Pair,
      group: int(c, 'group', 1),
    },
    c.optional(2),
  );
});

export const convImporters: Record<string, OpImporter> = {
  Conv: { build: conv },
  MaxPool: { build: maxPool },
  AveragePool: { build: averagePool },
  GlobalAveragePool: { build: single((c) => op.globalAveragePool(c.value(0))) },
  GlobalMaxPool: { build: single((c) => op.globalMaxPool(c.value(0))) },
  ConvTranspose: { build: convTranspose },
};
