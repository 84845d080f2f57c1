// Data movement: Reshape, Flatten, Transpose, Squeeze, Unsqueeze, Concat, Split, Slice, Pad, Expand, Gather.
// Their shape-like inputs (target shape, axes, pads, starts ...) must be known at import time:
// initializers, Constant nodes, or shape subgraphs folded once the batch size is fixed.
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

const squeeze = single((c) => op.squeeze(c.value(0), axes(c, 1)));

/** Split: sizes from the input (opset 13), the `split` attribute, or equal parts (opset 18: num_outputs). */
function split(c: ImportContext): Value[] {
  const x = c.value(0);
  const axis = int(c, 'axis', 0);
  const d = x.shape[axis < 0 ? axis + x.rank : axis];
  const count = c.node.outputs.length;
  const given = c.ints(1, 'split') ?? (c.attributes['split'] ? ints(c, 'split', []) : undefined);
  if (given) return op.split(x, axis, given);
  if (typeof d !== 'number') throw c.fail(`axis ${axis} of ${x.toString()} must be static to split it`);
  const part = Math.ceil(d / count);
  return op.split(
    x,
    axis,
    Array.from({ length: count }, (_, i) => Math.max(0, Math.min(part, d - i * part))),
  );
}

const slice = single((c) => {
  const x = c.value(0);
  const starts = required(c, 1, 'starts');
  const given = c.ints(3, 'axes') ?? starts.map((_, i) => i);
  const steps = c.ints(4, 'steps');
  return op.slice(x, given, starts, required(c, 2, 'ends'), steps);
});

const pad = single((c) => {
  const x = c.value(0);
  const mode = string(c, 'mode', 'constant');
  if (mode !== 'constant' && mode !== 'reflect' && mode !== 'edge') throw c.fail(`mode '${mode}' is not supported`);
  let pads = required(c, 1, 'pads');
  const value = c.known(2);
  if (c.node.inputs[2] && !value) throw c.fail('its constant_value must be a constant');
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
  return op.pad(x, pads, { mode, value: value ? Number(value.data[0]) : 0 });
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
  Squeeze: { build: squeeze },
  Concat: {
    build: single((c) =>
      op.concat(
        c.node.inputs.map((_, i) => c.value(i)),
        int(c, 'axis', 0),
      ),
    ),
  },
  Split: { build: split },
  Slice: { build: slice },
  Pad: { build: pad },
  Expand: { build: single((c) => op.expand(c.value(0), required(c, 1, 'shape'))) },
  Gather: { build: single((c) => op.gather(c.value(0), c.value(1), int(c, 'axis', 0))) },
};
