// Shared plumbing for op builders: find the graph, emit a node, make scalar constants.
import type { Attributes } from '../ir/attributes.js';
import type { DType } from '../ir/dtype.js';
import { type Graph, Value } from '../ir/graph.js';
import { ShapeError, type Shape } from '../ir/shape.js';
import { tensor } from '../ir/tensor.js';

export function graphOf(op: string, inputs: readonly (Value | null)[]): Graph {
  const first = inputs.find((v): v is Value => v instanceof Value);
  if (!first) throw new Error(`${op}: needs at least one value input`);
  return first.graph;
}

export function emit(
  op: string,
  inputs: readonly (Value | null)[],
  attributes: Attributes,
  dtype: DType,
  shape: Shape,
): Value {
  const [out] = graphOf(op, inputs).addNode(op, inputs, attributes, [{ dtype, shape }]);
  return out as Value;
}

/** A rank-0 constant, shared by every use of the same value in one graph. */
export function scalar(graph: Graph, value: number, dtype: DType = 'float32'): Value {
  const key = `scalar:${dtype}:${value}`;
  const hit = graph.memo.get(null, key);
  if (hit) return hit;
  const data =
    dtype === 'int64'
      ? BigInt64Array.of(BigInt(value))
      : dtype === 'float64'
        ? Float64Array.of(value)
        : dtype === 'bool'
          ? Uint8Array.of(value ? 1 : 0)
          : Float32Array.of(value);
  return graph.memo.set(null, key, graph.constant(tensor(dtype, [], data)));
}

/** A 1-D int64 constant, as the shape-like inputs of Reshape, Slice, Pad, ReduceSum ... take. */
export function int64s(graph: Graph, values: readonly number[]): Value {
  return graph.constant(tensor('int64', [values.length], BigInt64Array.from(values.map((v) => BigInt(v)))));
}

export type Operand = Value | number;

/** Lets elementwise ops take plain numbers: they become scalars of the other operand's type. */
export function operands(op: string, a: Operand, b: Operand): [Value, Value] {
  if (a instanceof Value && b instanceof Value) return [a, b];
  if (a instanceof Value) return [a, scalar(a.graph, b as number, a.dtype)];
  if (b instanceof Value) return [scalar(b.graph, a, b.dtype), b];
  throw new Error(`${op}: at least one operand must be a graph value`);
}

export function requireRank(op: string, x: Value, rank: number, what = 'input'): void {
  if (x.rank !== rank)
    throw new ShapeError(`${op}: ${what} ${x.name} must have rank ${rank}, got ${x.dtype}[${x.shape.join(', ')}]`);
}

export function requireFloat(op: string, ...values: Value[]): void {
  for (const v of values) {
    if (v.dtype !== 'float32' && v.dtype !== 'float64')
      throw new ShapeError(`${op}: ${v.name} must be a float tensor, got ${v.dtype}`);
  }
}
