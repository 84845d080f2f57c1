// Data-movement ops: the gradient moves back the same way.
import { intAttr, intsAttr } from '../../ir/attributes.js';
import type { Value } from '../../ir/graph.js';
import * as op from '../../ops/index.js';
import { type GradContext, type GradRule, input, outputGrad } from '../rule.js';

/** The values of a constant int64 input (Slice's starts, Pad's pads ...), undefined when omitted. */
function constantInts(c: GradContext, i: number): number[] | undefined {
  const v = c.inputs[i];
  if (!v) return undefined;
  const data = v.graph.constants.get(v.name)?.data.data;
  if (!(data instanceof BigInt64Array))
    throw new Error(`${c.node.name}: input ${i} of ${c.node.opType} must be an int64 constant to differentiate it`);
  return Array.from(data, Number);
}

const zerosLike = (v: Value): Value => op.expand(op.scalar(v.graph, 0, v.dtype), v.shape as number[]);

/** The static dims of a gradient that a rule reshapes. */
function staticDims(c: GradContext, v: Value): number[] {
  if (v.shape.some((d) => typeof d !== 'number'))
    throw new Error(`${c.node.name}: the gradient of ${c.node.opType} needs static shapes, got ${v.toString()}`);
  return v.shape as number[];
}

/**
 * Slice: dx is zero except where the slice read, dx[start + k step] = g[k] along each axis.
 * A negative step reads a flipped positive one (from start + (count - 1) step). A step s > 1
 * spreads g: [count] -> [count, 1] -> zero-padded to [count, s] -> [count s], of which the first
 * d - start are kept; then `start` zeros go in front and the rest of the axis behind.
 */
function sliceGrad(c: GradContext): (Value | null)[] {
  const x = input(c, 0);
  const starts = constantInts(c, 1) ?? [];
  const ends = constantInts(c, 2) ?? [];
  const axes = constantInts(c, 3) ?? starts.map((_, i) => i);
  let g = outputGrad(c);
  for (const r of op.sliceRanges('Slice', x.shape, axes, starts, ends, constantInts(c, 4))) {
    const d = x.shape[r.axis] as number;
    if (r.count === 0) return [zerosLike(x), ...c.inputs.slice(1).map(() => null)];
    let [start, step] = [r.start, r.step];
    if (step < 0) [g, start, step] = [op.flip(g, [r.axis]), r.start + (r.count - 1) * step, -step];
    if (step > 1) {
      const dims = staticDims(c, g);
      const spread = op.pad(
        op.unsqueeze(g, [r.axis + 1]),
        dims
          .flatMap((_, a) => (a === r.axis ? [0, 0] : [0]))
          .concat(dims.flatMap((_, a) => (a === r.axis ? [0, step - 1] : [0]))),
      );
      g = op.reshape(
        spread,
        dims.map((e, a) => (a === r.axis ? e * step : e)),
      );
      const kept = Math.min(r.count * step, d - start);
      if (kept < r.count * step) g = op.slice(g, [r.axis], [0], [kept]);
    }
    const pads = new Array<number>(2 * x.rank).fill(0);
    pads[r.axis] = start;
    pads[r.axis + x.rank] = d - start - (g.shape[r.axis] as number);
    if (pads.some((p) => p !== 0)) g = op.pad(g, pads);
  }
  return [g, ...c.inputs.slice(1).map(() => null)];
}

/** Pad, mode 'constant': dx is g with the padding cut off; where a negative pad cropped x, zeros come back. */
function padGrad(c: GradContext): (Value | null)[] {
  const mode = c.node.attributes['mode'];
  const name = mode?.kind === 'string' ? mode.value : 'constant';
  if (name === 'reflect' || name === 'edge') return [foldedPadGrad(c, name), ...c.inputs.slice(1).map(() => null)];
  if (name !== 'constant')
    throw new Error(`${c.node.name}: Pad has gradient rules for modes constant, reflect and edge, not '${name}'`);
  const [x, g] = [input(c, 0), outputGrad(c)];
  const pads = constantInts(c, 1) ?? [];
  const r = x.rank;
  const axes = x.shape.flatMap((_, a) => ((pads[a] ?? 0) !== 0 || (pads[a + r] ?? 0) !== 0 ? [a] : []));
  const begin = axes.map((a) => Math.max(pads[a] ?? 0, 0));
  const cut =
    axes.length === 0
      ? g
      : op.slice(
          g,
          axes,
          begin,
          axes.map((a) => (g.shape[a] as number) - Math.max(pads[a + r] ?? 0, 0)),
        );
  const crop = pads.map((p) => Math.max(-p, 0));
  return [crop.some((p) => p !== 0) ? op.pad(cut, crop) : cut, ...c.inputs.slice(1).map(() => null)];
}

/**
 * Pad, modes 'reflect' and 'edge': the padded border copies pixels of x, so its gradient folds
 * back onto them, one axis at a time (the modes pad each axis in turn). Along an axis of size n
 * padded by b before and e after: edge repeats x[0] b times and x[n-1] e times, so those two get
 * the sums of g's borders; reflect's before-border is x[b], ..., x[1] (the edge not repeated), so
 * x[1..b] get that border flipped, and x[n-1-e..n-2] get the flipped after-border.
 */
function foldedPadGrad(c: GradContext, mode: 'reflect' | 'edge'): Value {
  const x = input(c, 0);
  const pads = constantInts(c, 1) ?? [];
  const dims = staticDims(c, x);
  let g = outputGrad(c);
  dims.forEach((n, a) => {
    const [b, e] = [pads[a] ?? 0, pads[a + dims.length] ?? 0];
    if (b === 0 && e === 0) return;
    if (b < 0 || e < 0) throw new Error(`${c.node.name}: a ${mode} Pad that crops has no gradient rule`);
    if (mode === 'reflect' && Math.max(b, e) > n - 1)
      throw new Error(`${c.node.name}: reflect pads of ${b} and ${e} do not fit an axis of ${n}`);
    // zero-pads v along axis a by `before` and `after`
    const place = (v: Value, before: number, after: number) => {
      const full = new Array<number>(2 * dims.length).fill(0);
      [full[a], full[a + dims.length]] = [before, after];
      return op.pad(v, full);
    };
    const border = (from: number, to: number) =>
      mode === 'edge'
        ? op.reduceSum(op.slice(g, [a], [from], [to]), [a], true)
        : op.flip(op.slice(g, [a], [from], [to]), [a]);
    let dx = op.slice(g, [a], [b], [b + n]);
    if (b > 0) dx = op.add(dx, mode === 'edge' ? place(border(0, b), 0, n - 1) : place(border(0, b), 1, n - 1 - b));
    if (e > 0)
      dx = op.add(
        dx,
        mode === 'edge' ? place(border(b + n, b + n + e), n - 1, 0) : place(border(b + n, b + n + e), n - 1 - e, 1),
      );
    g = dx;
  });
  return g;
}

/** Concat: each input gets its own stretch of g along the axis. */
function concatGrad(c: GradContext): Value[] {
  const axis = intAttr(c.node.attributes, 'axis', 0);
  const g = outputGrad(c);
  let offset = 0;
  return c.inputs.map((_, i) => {
    const d = input(c, i).shape[axis] as number;
    offset += d;
    return op.slice(g, [axis], [offset - d], [offset]);
  });
}

export const shapeRules: Record<string, GradRule> = {
  Reshape: (c) => [op.reshapeLike(outputGrad(c), input(c, 0)), null],
  Flatten: (c) => [op.reshapeLike(outputGrad(c), input(c, 0))],
  Transpose: (c) => {
    const perm = intsAttr(c.node.attributes, 'perm', []);
    const inverse = perm.map((_, i) => perm.indexOf(i));
    return [op.transpose(outputGrad(c), inverse)];
  },
  Unsqueeze: (c) => [op.reshapeLike(outputGrad(c), input(c, 0)), null],
  Squeeze: (c) => [op.reshapeLike(outputGrad(c), input(c, 0)), null],
  Slice: sliceGrad,
  Pad: padGrad,
  Concat: concatGrad,
  // the parts' gradients side by side again, zeros for a part the loss ignores
  Split: (c) => [
    op.concat(
      c.outputs.map((o, i) => c.grads[i] ?? zerosLike(o)),
      intAttr(c.node.attributes, 'axis', 0),
    ),
    null,
  ],
};
