// Ops that move or reshape data: Reshape, Flatten, Shape, Transpose, Slice, Pad, Expand, Unsqueeze, Gather.
import { attr } from '../ir/attributes.js';
import type { Value } from '../ir/graph.js';
import { broadcastShapes, type Dim, formatShape, normalizeAxis, ShapeError, staticSize } from '../ir/shape.js';
import { emit, int64s } from './node.js';

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

/** Static slice along the given axes; ends are clamped like ONNX Slice. */
export function slice(x: Value, axes: readonly number[], starts: readonly number[], ends: readonly number[]): Value {
  const shape = [...x.shape];
  axes.forEach((axis, i) => {
    const a = normalizeAxis('Slice', axis, x.rank);
    const d = shape[a];
    if (typeof d !== 'number') throw new ShapeError(`Slice: axis ${axis} of ${formatShape(x.shape)} must be static`);
    const start = Math.min(Math.max(starts[i] ?? 0, 0), d);
    const end = Math.min(Math.max(ends[i] ?? d, 0), d);
    shape[a] = Math.max(end - start, 0);
  });
  const g = x.graph;
  return emit('Slice', [x, int64s(g, starts), int64s(g, ends), int64s(g, axes)], {}, x.dtype, shape);
}

/** Zero padding: pads = [begin_0, ..., begin_{r-1}, end_0, ..., end_{r-1}] as in ONNX Pad. */
export function pad(x: Value, pads: readonly number[]): Value {
  if (pads.length !== 2 * x.rank)
    throw new ShapeError(`Pad: needs ${2 * x.rank} pads for ${formatShape(x.shape)}, got ${pads.length}`);
  const shape = x.shape.map((d, i) => {
    const extra = (pads[i] ?? 0) + (pads[i + x.rank] ?? 0);
    if (extra === 0) return d;
    if (typeof d !== 'number')
      throw new ShapeError(`Pad: cannot pad the symbolic axis ${i} of ${formatShape(x.shape)}`);
    return d + extra;
  });
  return emit('Pad', [x, int64s(x.graph, pads)], { mode: attr.string('constant') }, x.dtype, shape);
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
