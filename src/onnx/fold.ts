// Constant folding at import time: the shape-computing subgraphs that exporters emit for a
// dynamic batch (`x.view(x.size(0), -1)` becomes Shape -> Gather -> Unsqueeze -> Concat ->
// Reshape) are evaluated here once every input shape is static, so the imported graph holds a
// constant where the file computes a shape. Each evaluator follows its op's ONNX definition for
// the small tensors these subgraphs carry; a node is folded only when all its inputs are known.
import { type Attributes, intAttr } from '../ir/attributes.js';
import { type DType, dtypeFromOnnx } from '../ir/dtype.js';
import { elementCount, type TensorArray, type TensorData, tensor } from '../ir/tensor.js';

/** What a folding evaluator sees: the node's known inputs (undefined for an omitted one). */
export interface FoldContext {
  readonly opType: string;
  readonly inputs: readonly (TensorData | undefined)[];
  readonly attributes: Attributes;
  readonly opset: number;
}

type Evaluator = (c: FoldContext) => TensorData[];

const numbers = (t: TensorData): number[] => Array.from(t.data as ArrayLike<number | bigint>, Number);

function make(dtype: DType, dims: readonly number[], values: readonly number[]): TensorData {
  const data: TensorArray =
    dtype === 'int64'
      ? BigInt64Array.from(values, (v) => BigInt(Math.trunc(v)))
      : dtype === 'float64'
        ? Float64Array.from(values)
        : dtype === 'bool'
          ? Uint8Array.from(values, (v) => (v ? 1 : 0))
          : Float32Array.from(values);
  return tensor(dtype, dims, data);
}

function need(c: FoldContext, i: number): TensorData {
  const t = c.inputs[i];
  if (!t) throw new Error(`${c.opType}: input ${i} is missing`);
  return t;
}

const stridesOf = (dims: readonly number[]): number[] => {
  const s = dims.map(() => 1);
  for (let i = dims.length - 2; i >= 0; i--) s[i] = (s[i + 1] as number) * (dims[i + 1] as number);
  return s;
};

/** The coordinates of flat index k in a row-major tensor of `dims`. */
function coordinates(k: number, dims: readonly number[]): number[] {
  const out = dims.map(() => 0);
  for (let a = dims.length - 1; a >= 0; a--) {
    const d = dims[a] as number;
    out[a] = k % d;
    k = Math.floor(k / d);
  }
  return out;
}

function broadcastDims(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  return Array.from({ length: rank }, (_, i) => {
    const x = a[a.length - rank + i] ?? 1;
    const y = b[b.length - rank + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) throw new Error(`cannot broadcast [${a.join(', ')}] with [${b.join(', ')}]`);
    return x === 1 ? y : x;
  });
}

/** The element of t that position `coord` of a broadcast result reads. */
function broadcastRead(t: TensorData, values: readonly number[], coord: readonly number[]): number {
  const lead = coord.length - t.dims.length;
  const s = stridesOf(t.dims);
  let k = 0;
  t.dims.forEach((d, i) => (k += d === 1 ? 0 : (coord[i + lead] as number) * (s[i] as number)));
  return values[k] as number;
}

function elementwise(f: (a: number, b: number) => number, resultType?: DType): Evaluator {
  return (c) => {
    const [a, b] = [need(c, 0), need(c, 1)];
    const dims = broadcastDims(a.dims, b.dims);
    const [av, bv] = [numbers(a), numbers(b)];
    const out = Array.from({ length: elementCount(dims) }, (_, k) => {
      const coord = coordinates(k, dims);
      return f(broadcastRead(a, av, coord), broadcastRead(b, bv, coord));
    });
    return [make(resultType ?? a.dtype, dims, out)];
  };
}

const normalize = (axis: number, rank: number): number => (axis < 0 ? axis + rank : axis);

/** Axes from the input (Unsqueeze/Squeeze since opset 13) or else the attribute. */
function axesOf(c: FoldContext, inputIndex: number): number[] | undefined {
  const t = c.inputs[inputIndex];
  if (t) return numbers(t);
  const a = c.attributes['axes'];
  return a?.kind === 'ints' ? [...a.value] : undefined;
}

function gather(c: FoldContext): TensorData[] {
  const [data, indices] = [need(c, 0), need(c, 1)];
  const axis = normalize(intAttr(c.attributes, 'axis', 0), data.dims.length);
  const d = data.dims[axis] as number;
  const idx = numbers(indices).map((i) => (i < 0 ? i + d : i));
  const dims = [...data.dims.slice(0, axis), ...indices.dims, ...data.dims.slice(axis + 1)];
  const values = numbers(data);
  const s = stridesOf(data.dims);
  const out = Array.from({ length: elementCount(dims) }, (_, k) => {
    const coord = coordinates(k, dims);
    const before = coord.slice(0, axis);
    const picked = coord.slice(axis, axis + indices.dims.length);
    const after = coord.slice(axis + indices.dims.length);
    const flatIndex = picked.reduce((n, v, i) => n * (indices.dims[i] as number) + v, 0);
    const source = [...before, idx[flatIndex] as number, ...after];
    return values[source.reduce((n, v, i) => n + v * (s[i] as number), 0)] as number;
  });
  return [make(data.dtype, dims, out)];
}

function concat(c: FoldContext): TensorData[] {
  const parts = c.inputs.map((t, i) => {
    if (!t) throw new Error(`Concat: input ${i} is missing`);
    return t;
  });
  const first = parts[0];
  if (!first) throw new Error('Concat: no inputs');
  const axis = normalize(intAttr(c.attributes, 'axis', 0), first.dims.length);
  const dims = [...first.dims];
  dims[axis] = parts.reduce((n, p) => n + (p.dims[axis] as number), 0);
  const outer = elementCount(first.dims.slice(0, axis));
  const out: number[] = [];
  const values = parts.map(numbers);
  for (let o = 0; o < outer; o++) {
    parts.forEach((p, i) => {
      const block = elementCount(p.dims.slice(axis));
      out.push(...(values[i] as number[]).slice(o * block, (o + 1) * block));
    });
  }
  return [make(first.dtype, dims, out)];
}

/** ONNX Slice: negative starts and ends count from the end, both are clamped, steps may be negative. */
function slice(c: FoldContext): TensorData[] {
  const data = need(c, 0);
  const starts = numbers(need(c, 1));
  const ends = numbers(need(c, 2));
  const rank = data.dims.length;
  const axes = c.inputs[3] ? numbers(c.inputs[3]).map((a) => normalize(a, rank)) : starts.map((_, i) => i);
  const steps = c.inputs[4] ? numbers(c.inputs[4]) : starts.map(() => 1);
  const begin = data.dims.map(() => 0);
  const step = data.dims.map(() => 1);
  const dims = [...data.dims];
  axes.forEach((axis, i) => {
    const d = data.dims[axis] as number;
    const s = steps[i] as number;
    const clampTo = (v: number, lo: number, hi: number) => Math.min(Math.max(v < 0 ? v + d : v, lo), hi);
    const start = s > 0 ? clampTo(starts[i] as number, 0, d) : clampTo(starts[i] as number, -1, d - 1);
    const end = s > 0 ? clampTo(ends[i] as number, 0, d) : clampTo(ends[i] as number, -1, d - 1);
    begin[axis] = start;
    step[axis] = s;
    dims[axis] = Math.max(0, Math.ceil((end - start) / s));
  });
  const values = numbers(data);
  const s = stridesOf(data.dims);
  const out = Array.from({ length: elementCount(dims) }, (_, k) => {
    const coord = coordinates(k, dims);
    return values[
      coord.reduce((n, v, a) => n + ((begin[a] as number) + v * (step[a] as number)) * (s[a] as number), 0)
    ];
  });
  return [make(data.dtype, dims, out as number[])];
}

function constant(c: FoldContext): TensorData[] {
  const a = c.attributes;
  const value = a['value'];
  if (value?.kind === 'tensor') return [value.value];
  if (a['value_float']?.kind === 'float') return [make('float32', [], [a['value_float'].value])];
  if (a['value_floats']?.kind === 'floats')
    return [make('float32', [a['value_floats'].value.length], a['value_floats'].value)];
  if (a['value_int']?.kind === 'int') return [make('int64', [], [a['value_int'].value])];
  if (a['value_ints']?.kind === 'ints') return [make('int64', [a['value_ints'].value.length], a['value_ints'].value)];
  throw new Error(`Constant: only tensor, float(s) and int(s) values are supported (got ${Object.keys(a).join(', ')})`);
}

function reshape(c: FoldContext): TensorData[] {
  const data = need(c, 0);
  const target = numbers(need(c, 1)).map((t, i) =>
    t === 0 && intAttr(c.attributes, 'allowzero', 0) === 0 ? (data.dims[i] as number) : t,
  );
  const known = target.filter((t) => t !== -1).reduce((n, t) => n * t, 1);
  const dims = target.map((t) => (t === -1 ? elementCount(data.dims) / known : t));
  return [tensor(data.dtype, dims, data.data)];
}

function unsqueeze(c: FoldContext): TensorData[] {
  const data = need(c, 0);
  const axes = axesOf(c, 1) ?? [];
  const rank = data.dims.length + axes.length;
  const all = axes.map((a) => normalize(a, rank));
  const dims: number[] = [];
  let k = 0;
  for (let i = 0; i < rank; i++) dims.push(all.includes(i) ? 1 : (data.dims[k++] as number));
  return [tensor(data.dtype, dims, data.data)];
}

function squeeze(c: FoldContext): TensorData[] {
  const data = need(c, 0);
  const axes = axesOf(c, 1)?.map((a) => normalize(a, data.dims.length));
  const dims = data.dims.filter((d, i) => (axes ? !axes.includes(i) : d !== 1));
  return [tensor(data.dtype, dims, data.data)];
}

function constantOfShape(c: FoldContext): TensorData[] {
  const dims = numbers(need(c, 0));
  const value = c.attributes['value'];
  const fill = value?.kind === 'tensor' ? value.value : make('float32', [1], [0]);
  return [make(fill.dtype, dims, new Array<number>(elementCount(dims)).fill(numbers(fill)[0] ?? 0))];
}

function range(c: FoldContext): TensorData[] {
  const [start, limit, delta] = [0, 1, 2].map((i) => numbers(need(c, i))[0] as number) as [number, number, number];
  const n = Math.max(Math.ceil((limit - start) / delta), 0);
  return [
    make(
      need(c, 0).dtype,
      [n],
      Array.from({ length: n }, (_, i) => start + i * delta),
    ),
  ];
}

function where(c: FoldContext): TensorData[] {
  const [cond, a, b] = [need(c, 0), need(c, 1), need(c, 2)];
  const dims = broadcastDims(cond.dims, broadcastDims(a.dims, b.dims));
  const [cv, av, bv] = [numbers(cond), numbers(a), numbers(b)];
  const out = Array.from({ length: elementCount(dims) }, (_, k) => {
    const coord = coordinates(k, dims);
    return broadcastRead(cond, cv, coord) ? broadcastRead(a, av, coord) : broadcastRead(b, bv, coord);
  });
  return [make(a.dtype, dims, out)];
}

/** Integer division truncates toward zero, as ONNX Runtime's does. */
const divide = (a: number, b: number, dtype: DType) => (dtype === 'int64' ? Math.trunc(a / b) : a / b);

export const FOLDERS: Readonly<Record<string, Evaluator>> = Object.freeze({
  Constant: constant,
  Identity: (c) => [need(c, 0)],
  Cast: (c) => {
    const to = dtypeFromOnnx(intAttr(c.attributes, 'to', 1));
    return [make(to, need(c, 0).dims, numbers(need(c, 0)))];
  },
  Gather: gather,
  Concat: concat,
  Slice: slice,
  Reshape: reshape,
  Unsqueeze: unsqueeze,
  Squeeze: squeeze,
  ConstantOfShape: constantOfShape,
  Range: range,
  Where: where,
  Add: elementwise((a, b) => a + b),
  Sub: elementwise((a, b) => a - b),
  Mul: elementwise((a, b) => a * b),
  Div: (c) => elementwise((a, b) => divide(a, b, need(c, 0).dtype))(c),
  Equal: elementwise((a, b) => (a === b ? 1 : 0), 'bool'),
  Less: elementwise((a, b) => (a < b ? 1 : 0), 'bool'),
  Greater: elementwise((a, b) => (a > b ? 1 : 0), 'bool'),
  Not: (c) => [
    make(
      'bool',
      need(c, 0).dims,
      numbers(need(c, 0)).map((v) => (v ? 0 : 1)),
    ),
  ],
});

/** Shape(x) of a static shape, with opset 15's start and end. */
export function foldShape(dims: readonly number[], attributes: Attributes): TensorData {
  const rank = dims.length;
  const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + rank : v, 0), rank);
  const start = clamp(intAttr(attributes, 'start', 0));
  const end = clamp(intAttr(attributes, 'end', rank));
  const picked = dims.slice(start, end);
  return make('int64', [picked.length], picked);
}

/** Largest tensor worth folding: shape subgraphs carry a handful of numbers, weights are never folded here. */
export const FOLD_LIMIT = 1 << 16;

/** Evaluates a node whose inputs are all known; undefined when its op is not one that folds. */
export function fold(c: FoldContext): TensorData[] | undefined {
  const evaluate = FOLDERS[c.opType];
  if (!evaluate) return undefined;
  if (c.inputs.some((t) => t && elementCount(t.dims) > FOLD_LIMIT)) return undefined;
  return evaluate(c);
}
