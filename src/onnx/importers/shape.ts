// Data movement: Reshape, Flatten, Transpose, Squeeze, Unsqueeze, Slice, Pad, Expand, Gather.
// Their shape-like inputs (target shape, axes, pads, starts ...) must be known at import time:
// initializers, Constant nodes, or shape subgraphs folded once the batch size is fixed.
import type { Dim } from '../../ir/shape.js';
import type { Value } from '../../ir/graph.js';
import * as op from '../../ops/index.js';
import { axes, type ImportContext, int, ints, type OpImporter, single, string } from './context.js';

function required(c: ImportContext, i: number, what: string): number[] {
  const v = c.ints(i, what);
  if (!v) throw c.fail(`its ${what} input is missing`);
  return v;
}

const reshape = single((c) => {
  const x = c.value(0);
  const target = required(c, 1, 'shape');
  if (int(c, 'allowzero', 0) === 1 && target.includes(0))
    throw c.fail('allowzero=1 with a 0 in the target shape (an empty tensor) is not supported');
  return op.reshape(x, target);
});

/** A reshape to `dims`, keeping a symbolic dimension where it stays at its position (0 in ONNX Reshape). */
function reshapeTo(c: ImportContext, x: Value, dims: readonly Dim[]): Value {
  const target = dims.map((d, i) => {
    if (typeof d === 'number') return d;
    if (x.shape[i] === d) return 0;
    throw c.fail(`cannot move the symbolic dimension ${d} of ${x.toString()}; fix the batch size`);
  });
  return op.reshape(x, target);
}

const squeeze = single((c) => {
  const x = c.value(0);
  const given = axes(c, 1)?.map((a) => (a < 0 ? a + x.rank : a));
  const dims = x.shape.filter((d, i) => {
    if (given && !given.includes(i)) return true;
    if (given && d !== 1) throw c.fail(`axis ${i} of ${x.toString()} is not 1`);
    return d !== 1;
  });
  return reshapeTo(c, x, dims);
});

/** ONNX Slice bounds for one axis of size d: negatives count from the end, both are clamped to [0, d]. */
function bound(v: number, d: number): number {
  return Math.min(Math.max(v < 0 ? v + d : v, 0), d);
}

const slice = single((c) => {
  const x = c.value(0);
  const starts = required(c, 1, 'starts');
  const ends = required(c, 2, 'ends');
  const given = c.ints(3, 'axes')?.map((a) => (a < 0 ? a + x.rank : a)) ?? starts.map((_, i) => i);
  const steps = c.ints(4, 'steps') ?? starts.map(() => 1);
  if (steps.some((s) => s !== 1)) throw c.fail(`only steps of 1 are supported, got [${steps.join(', ')}]`);
  const size = (axis: number) => {
    const d = x.shape[axis];
    if (typeof d !== 'number') throw c.fail(`axis ${axis} of ${x.toString()} must be static to slice it`);
    return d;
  };
  return op.slice(
    x,
    given,
    given.map((a, i) => bound(starts[i] as number, size(a))),
    given.map((a, i) => bound(ends[i] as number, size(a))),
  );
});

const pad = single((c) => {
  const x = c.value(0);
  if (string(c, 'mode', 'constant') !== 'constant') throw c.fail(`only mode 'constant' is supported`);
  let pads = required(c, 1, 'pads');
  const value = c.known(2);
  if (c.inputCount > 2 && c.node.inputs[2] && (!value || Array.from(value.data, Number).some((v) => v !== 0)))
    throw c.fail('only zero padding is supported (constant_value must be 0)');
  const along = c.ints(3, 'axes');
  if (along) {
    // opset 18: pads for the listed axes only
    const full = new Array<number>(2 * x.rank).fill(0);
    along.forEach((a, i) => {
      const axis = a < 0 ? a + x.rank : a;
      full[axis] = pads[i] as number;
      full[axis + x.rank] = pads[i + along.length] as number;
    });
    pads = full;
  }
  if (pads.some((p) => p < 0)) throw c.fail(`negative pads (cropping) are not supported: [${pads.join(', ')}]`);
  return op.pad(x, pads);
});

export const shapeImporters: Record<string, OpImporter> = {
  Reshape: { build: reshape },
  Flatten: { build: single((c) => op.flatten(c.value(0), int(c, 'axis', 1))) },
  Transpose: {
    build: single((c) => {
      const x = c.value(0);
      return op.transpose(
        x,
        ints(
          c,
          'perm',
          x.shape.map((_, i) => x.rank - 1 - i),
        ),
      );
    }),
  },
  Unsqueeze: {
    build: single((c) => {
      const given = axes(c, 1);
      if (!given) throw c.fail('its axes are missing');
      return op.unsqueeze(c.value(0), given);
    }),
  },
  Squeeze: { build: squeeze, trains: 'as Reshape' },
  Slice: { build: slice },
  Pad: { build: pad },
  Expand: { build: single((c) => op.expand(c.value(0), required(c, 1, 'shape'))) },
  Gather: { build: single((c) => op.gather(c.value(0), c.value(1), int(c, 'axis', 0))) },
};
