// Ops that move or reshape data: Reshape, Flatten, Shape, Transpose, Slice, Pad, Expand, Unsqueeze,
// Squeeze, Concat, Split, Gather.
import { attr } from '../ir/attributes.js';
import type { Value } from '../ir/graph.js';
import { broadcastShapes, type Dim, formatShape, normalizeAxis, ShapeError, staticSize } from '../ir/shape.js';
import { emit, int64s, scalar } from './node.js';

/**
 * Reshape to a static target, where 0 copies the input dimension and one -1 is inferred
 * (ONNX Reshape semantics). A symbolic dimension can only be carried by 0 or by -1.
 */
export function reshape(x: Value, target: readonly number[]): Value {
  const out: Dim[] = target.map((t, i) => {
    if (t === 0) {
      const d = x.shape[i];
      if (d === undefined)
        throw new ShapeError(`Reshape: 0 at position ${i} but input ${formatShape(x.shape)} has rank ${x.rank}`);
      return d;
    }
    return t;
  });
  const inferred = out.indexOf(-1);
  if (out.filter((d) => d === -1).length > 1)
    throw new ShapeError(`Reshape: more than one -1 in ${formatShape(target)}`);
  const known = out.filter((d, i) => i !== inferred);
  const inSize = staticSize(x.shape);
  const knownSize = staticSize(known);
  if (inferred >= 0) {
    if (inSize !== undefined && knownSize !== undefined) {
      if (knownSize === 0 || inSize % knownSize !== 0)
        throw new ShapeError(`Reshape: cannot reshape ${formatShape(x.shape)} to ${formatShape(target)}`);
      out[inferred] = inSize / knownSize;
    } else {
      // symbolic: -1 takes the input's one symbolic dimension when the static parts match
      const symbolic = x.shape.filter((d) => typeof d !== 'number');
      const restIn = staticSize(x.shape.filter((d) => typeof d === 'number'));
      const restOut = staticSize(known.filter((d) => typeof d === 'number'));
      const carried = known.filter((d) => typeof d !== 'number');
      if (symbolic.length === 1 && carried.length === 0 && restIn === restOut) out[inferred] = symbolic[0] as Dim;
      else if (
        carried.length === symbolic.length &&
        restIn !== undefined &&
        restOut !== undefined &&
        restIn % restOut === 0
      )
        out[inferred] = restIn / restOut;
      else
        throw new ShapeError(
          `Reshape: cannot infer -1 when reshaping ${formatShape(x.shape)} to ${formatShape(target)}`,
        );
    }
  } else if (inSize !== undefined && knownSize !== undefined && inSize !== knownSize) {
    throw new ShapeError(
      `Reshape: cannot reshape ${formatShape(x.shape)} (${inSize} elements) to ${formatShape(target)} (${knownSize})`,
    );
  }
  return emit('Reshape', [x, int64s(x.graph, target)], {}, x.dtype, out);
}

/** Reshape to the (runtime) shape of another value: used to undo a flatten in backward passes. */
export function reshapeLike(x: Value, like: Value): Value {
  return emit('Reshape', [x, shapeOf(like)], {}, x.dtype, like.shape);
}

export function flatten(x: Value, axis = 1): Value {
  const a = axis === x.rank ? axis : normalizeAxis('Flatten', axis, x.rank);
  const outer = staticSize(x.shape.slice(0, a));
  const inner = staticSize(x.shape.slice(a));
  if (inner === undefined)
    throw new ShapeError(`Flatten: the dimensions after axis ${axis} of ${formatShape(x.shape)} must be static`);
  const first: Dim = outer ?? (a === 1 ? (x.shape[0] as Dim) : 'N');
  return emit('Flatten', [x], { axis: attr.int(a) }, x.dtype, [first, inner]);
}

export function shapeOf(x: Value): Value {
  return emit('Shape', [x], {}, 'int64', [x.rank]);
}

export function transpose(x: Value, perm: readonly number[]): Value {
  if (perm.length !== x.rank || [...perm].sort().some((p, i) => p !== i)) {
    throw new ShapeError(
      `Transpose: perm ${formatShape(perm)} is not a permutation of the axes of ${formatShape(x.shape)}`,
    );
  }
  return emit(
    'Transpose',
    [x],
    { perm: attr.ints(perm) },
    x.dtype,
    perm.map((p) => x.shape[p] as Dim),
  );
}

/**
 * The [start, step, count] of each sliced axis, as ONNX Slice computes them: a negative start or
 * end counts from the end of the axis; then both are clamped, to [0, d] for a positive step and
 * to [0, d - 1] (start) and [-1, d - 1] (end) for a negative one.
 */
export function sliceRanges(
  op: string,
  shape: readonly Dim[],
  axes: readonly number[],
  starts: readonly number[],
  ends: readonly number[],
  steps: readonly number[] = [],
): { axis: number; start: number; step: number; count: number }[] {
  return axes.map((axis, i) => {
    const a = normalizeAxis(op, axis, shape.length);
    const d = shape[a];
    if (typeof d !== 'number') throw new ShapeError(`${op}: axis ${axis} of ${formatShape(shape)} must be static`);
    const step = steps[i] ?? 1;
    if (step === 0) throw new ShapeError(`${op}: step 0 on axis ${axis}`);
    const from = (v: number) => (v < 0 ? v + d : v);
    const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
    const start = step > 0 ? clamp(from(starts[i] ?? 0), 0, d) : clamp(from(starts[i] ?? d - 1), 0, d - 1);
    const end = step > 0 ? clamp(from(ends[i] ?? d), 0, d) : clamp(from(ends[i] ?? -d - 1), -1, d - 1);
    return { axis: a, start, step, count: Math.max(0, Math.ceil((end - start) / step)) };
  });
}

/** Static slice along the given axes (ONNX Slice: negative indices count from the end, then clamp). */
export function slice(
  x: Value,
  axes: readonly number[],
  starts: readonly number[],
  ends: readonly number[],
  steps?: readonly number[],
): Value {
  const shape = [...x.shape];
  for (const r of sliceRanges('Slice', x.shape, axes, starts, ends, steps)) shape[r.axis] = r.count;
  const g = x.graph;
  const inputs = [x, int64s(g, starts), int64s(g, ends), int64s(g, axes), ...(steps ? [int64s(g, steps)] : [])];
  return emit('Slice', inputs, {}, x.dtype, shape);
}

/** Reverses the order of elements along the given (static) axes: Slice with step -1. */
export function flip(x: Value, axes: readonly number[]): Value {
  const dims = axes.map((a) => {
    const d = x.shape[normalizeAxis('Slice', a, x.rank)];
    if (typeof d !== 'number')
      throw new ShapeError(`Slice: cannot flip the symbolic axis ${a} of ${formatShape(x.shape)}`);
    return d;
  });
  const g = x.graph;
  // from the last element down to before the first: ends of -(d + 1) mean "past index 0"
  const inputs = [
    x,
    int64s(
      g,
      axes.map(() => -1),
    ),
    int64s(
      g,
      dims.map((d) => -(d + 1)),
    ),
    int64s(g, axes),
    int64s(
      g,
      axes.map(() => -1),
    ),
  ];
  return emit('Slice', inputs, {}, x.dtype, x.shape);
}

export interface PadOptions {
  /** 'constant' (the default), or 'reflect' / 'edge', which repeat the input's own values. */
  readonly mode?: 'constant' | 'reflect' | 'edge';
  /** The constant of mode 'constant' (default 0). */
  readonly value?: number;
}

/**
 * Padding: pads = [begin_0, ..., begin_{r-1}, end_0, ..., end_{r-1}] as in ONNX Pad (opsets 13 to
 * 17: pads and the constant are inputs, mode an attribute); a negative amount crops.
 */
export function pad(x: Value, pads: readonly number[], o: PadOptions = {}): Value {
  if (pads.length !== 2 * x.rank)
    throw new ShapeError(`Pad: needs ${2 * x.rank} pads for ${formatShape(x.shape)}, got ${pads.length}`);
  const shape = x.shape.map((d, i) => {
    const extra = (pads[i] ?? 0) + (pads[i + x.rank] ?? 0);
    if (extra === 0) return d;
    if (typeof d !== 'number')
      throw new ShapeError(`Pad: cannot pad the symbolic axis ${i} of ${formatShape(x.shape)}`);
    if (d + extra < 0) throw new ShapeError(`Pad: pads [${pads.join(', ')}] crop more than ${formatShape(x.shape)}`);
    return d + extra;
  });
  const mode = o.mode ?? 'constant';
  const value = o.value ?? 0;
  const inputs = [
    x,
    int64s(x.graph, pads),
    ...(mode === 'constant' && value !== 0 ? [scalar(x.graph, value, x.dtype)] : []),
  ];
  return emit('Pad', inputs, { mode: attr.string(mode) }, x.dtype, shape);
}

/** Broadcasts x to a static target shape (ONNX Expand). */
export function expand(x: Value, target: readonly number[]): Value {
  const shape = broadcastShapes('Expand', x.shape, target);
  return emit('Expand', [x, int64s(x.graph, target)], {}, x.dtype, shape);
}

/** Broadcasts x to the runtime shape of another value. */
export function expandLike(x: Value, like: Value): Value {
  return emit('Expand', [x, shapeOf(like)], {}, x.dtype, broadcastShapes('Expand', x.shape, like.shape));
}

export function unsqueeze(x: Value, axes: readonly number[]): Value {
  const rank = x.rank + axes.length;
  const all = axes.map((a) => normalizeAxis('Unsqueeze', a, rank)).sort((a, b) => a - b);
  const shape: Dim[] = [];
  let k = 0;
  for (let i = 0; i < rank; i++) shape.push(all.includes(i) ? 1 : (x.shape[k++] as Dim));
  return emit('Unsqueeze', [x, int64s(x.graph, all)], {}, x.dtype, shape);
}

/** Gather along one axis with int64 indices: out shape = x[:axis] + indices + x[axis+1:]. */
export function gather(x: Value, indices: Value, axis: number): Value {
  if (indices.dtype !== 'int64')
    throw new ShapeError(`Gather: indices ${indices.name} must be int64, got ${indices.dtype}`);
  const a = normalizeAxis('Gather', axis, x.rank);
  const shape = [...x.shape.slice(0, a), ...indices.shape, ...x.shape.slice(a + 1)];
  return emit('Gather', [x, indices], { axis: attr.int(a) }, x.dtype, shape);
}

/** Removes the given axes, which must have size 1; all size-1 axes when none are given. */
export function squeeze(x: Value, axes?: readonly number[]): Value {
  const all = axes
    ? axes.map((a) => normalizeAxis('Squeeze', a, x.rank))
    : x.shape.flatMap((d, i) => (d === 1 ? [i] : []));
  for (const a of all) {
    if (x.shape[a] !== 1)
      throw new ShapeError(`Squeeze: axis ${a} of ${formatShape(x.shape)} has size ${x.shape[a]}, not 1`);
  }
  const shape = x.shape.filter((_, i) => !all.includes(i));
  return emit('Squeeze', [x, int64s(x.graph, all)], {}, x.dtype, shape);
}

/** Joins values along one axis; every other dimension must agree. */
export function concat(values: readonly Value[], axis: number): Value {
  const first = values[0];
  if (!first) throw new ShapeError('Concat: needs at least one input');
  const a = normalizeAxis('Concat', axis, first.rank);
  let total = 0;
  for (const v of values) {
    const d = v.shape[a];
    const same = v.rank === first.rank && v.shape.every((e, i) => i === a || e === first.shape[i]);
    if (!same || v.dtype !== first.dtype || typeof d !== 'number')
      throw new ShapeError(
        `Concat: ${v.toString()} does not fit ${first.toString()} along axis ${axis} (static, other axes equal)`,
      );
    total += d;
  }
  const shape = first.shape.map((d, i) => (i === a ? total : d));
  return emit('Concat', values, { axis: attr.int(a) }, first.dtype, shape);
}

/** Splits along one axis into parts of the given sizes (opset 13: the sizes are an input). */
export function split(x: Value, axis: number, sizes: readonly number[]): Value[] {
  const a = normalizeAxis('Split', axis, x.rank);
  const d = x.shape[a];
  if (typeof d !== 'number' || sizes.reduce((s, n) => s + n, 0) !== d || sizes.some((n) => n < 0))
    throw new ShapeError(`Split: sizes [${sizes.join(', ')}] do not add up to axis ${axis} of ${formatShape(x.shape)}`);
  const outputs = sizes.map((n) => ({ dtype: x.dtype, shape: x.shape.map((e, i) => (i === a ? n : e)) }));
  return x.graph.addNode('Split', [x, int64s(x.graph, sizes)], { axis: attr.int(a) }, outputs);
}
