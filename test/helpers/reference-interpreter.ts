// An independent float64 interpreter of the builder's graphs, for gradient checks: it walks a
// Graph's nodes in order and evaluates each op from its ONNX definition with naive loops. It
// shares nothing with ONNX Runtime, so agreement between the two is evidence for both.
import { floatAttr, intAttr, intsAttr, type Attributes } from '../../src/ir/attributes.js';
import { dtypeFromOnnx, type DType } from '../../src/ir/dtype.js';
import { type Graph, liveNodes, type Value } from '../../src/ir/graph.js';
import { averagePool, gemm, groupedConv, groupedConvTranspose, matMul, maxPool } from './reference-kernels.js';
import { batchNorm, erf, layerNorm, softmax } from './reference-math.js';
import {
  broadcastDims,
  broadcastIndex,
  broadcastMap,
  fromTensorData,
  gather,
  ints,
  refTensor,
  type RefTensor,
  size,
  strides,
} from './reference-tensor.js';

type Kernel = (inputs: readonly (RefTensor | undefined)[], attributes: Attributes) => RefTensor;
/** Ops with several outputs (Split) return one tensor per output. */
type MultiKernel = (inputs: readonly (RefTensor | undefined)[], attributes: Attributes) => RefTensor[];

const need = (inputs: readonly (RefTensor | undefined)[], i: number): RefTensor => {
  const t = inputs[i];
  if (!t) throw new Error(`reference: input ${i} is missing`);
  return t;
};

const unary =
  (f: (v: number) => number): Kernel =>
  (inputs) => {
    const x = need(inputs, 0);
    return refTensor(x.dims, x.data.map(f), x.dtype);
  };

const binary =
  (f: (a: number, b: number) => number, bool = false): Kernel =>
  (inputs) =>
    broadcastMap([need(inputs, 0), need(inputs, 1)], bool ? 'bool' : need(inputs, 0).dtype, f);

/** Normalised axes to reduce over: all when none are given (noop_with_empty_axes is 0 in our graphs). */
function reduceAxes(x: RefTensor, axes: readonly number[]): number[] {
  return axes.length === 0 ? x.dims.map((_, i) => i) : axes.map((a) => (a < 0 ? a + x.dims.length : a));
}

function reduce(
  x: RefTensor,
  axes: readonly number[],
  keepDims: boolean,
  start: number,
  f: (acc: number, v: number) => number,
  finish = (acc: number, _count: number) => acc,
): RefTensor {
  const all = reduceAxes(x, axes);
  const keptDims = x.dims.map((d, i) => (all.includes(i) ? 1 : d));
  const acc = new Float64Array(size(keptDims)).fill(start);
  const index = broadcastIndex({ dtype: x.dtype, dims: keptDims, data: acc }, x.dims);
  for (let k = 0; k < x.data.length; k++)
    acc[index[k] as number] = f(acc[index[k] as number] as number, x.data[k] as number);
  const count = x.data.length / acc.length;
  const out = acc.map((v) => finish(v, count));
  return refTensor(keepDims ? keptDims : x.dims.filter((_, i) => !all.includes(i)), out, x.dtype);
}

const keep = (a: Attributes) => intAttr(a, 'keepdims', 1) === 1;

/** ONNX Reshape: 0 copies the input dimension, one -1 is inferred. */
function reshape(x: RefTensor, target: readonly number[]): RefTensor {
  const dims = target.map((t, i) => (t === 0 ? (x.dims[i] as number) : t));
  const known = dims.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  const out = dims.map((d) => (d === -1 ? x.data.length / known : d));
  if (size(out) !== x.data.length)
    throw new Error(`reference Reshape: [${x.dims.join(', ')}] to [${target.join(', ')}]`);
  return refTensor(out, x.data, x.dtype);
}

function transpose(x: RefTensor, perm: readonly number[]): RefTensor {
  const p = perm.length > 0 ? perm : x.dims.map((_, i) => x.dims.length - 1 - i);
  const s = strides(x.dims);
  return gather(
    x,
    p.map((a) => x.dims[a] as number),
    (c) => c.reduce((o, ci, i) => o + ci * (s[p[i] as number] as number), 0),
  );
}

/** ONNX Slice with optional axes and steps; starts and ends are clamped as the spec says. */
function slice(x: RefTensor, starts: number[], ends: number[], axes: number[], steps: number[]): RefTensor {
  const rank = x.dims.length;
  const start = x.dims.map(() => 0);
  const step = x.dims.map(() => 1);
  const dims = [...x.dims];
  starts.forEach((s0, i) => {
    const a = axes.length > 0 ? ((axes[i] as number) + rank) % rank : i;
    const d = x.dims[a] as number;
    const st = steps[i] ?? 1;
    const norm = (v: number) => (v < 0 ? v + d : v);
    const lo = st > 0 ? Math.min(Math.max(norm(s0), 0), d) : Math.min(Math.max(norm(s0), 0), d - 1);
    const hi =
      st > 0
        ? Math.min(Math.max(norm(ends[i] as number), 0), d)
        : Math.min(Math.max(norm(ends[i] as number), -1), d - 1);
    start[a] = lo;
    step[a] = st;
    dims[a] = Math.max(0, Math.ceil((hi - lo) / st));
  });
  const s = strides(x.dims);
  return gather(x, dims, (c) =>
    c.reduce((o, ci, i) => o + ((start[i] as number) + ci * (step[i] as number)) * (s[i] as number), 0),
  );
}

function pad(x: RefTensor, pads: readonly number[], value: number, mode: string): RefTensor {
  if (mode !== 'constant' && mode !== 'reflect' && mode !== 'edge')
    throw new Error(`reference Pad: mode ${mode} is not supported`);
  // where a padded index reads from: reflect mirrors about the edge pixel, edge repeats it
  const source = (i: number, n: number) =>
    mode === 'constant'
      ? i
      : mode === 'edge'
        ? Math.min(Math.max(i, 0), n - 1)
        : i < 0
          ? -i
          : i >= n
            ? 2 * (n - 1) - i
            : i;
  const rank = x.dims.length;
  const dims = x.dims.map((d, i) => d + (pads[i] as number) + (pads[i + rank] as number));
  const s = strides(x.dims);
  return gather(
    x,
    dims,
    (c) => {
      let o = 0;
      for (let i = 0; i < rank; i++) {
        const src = source((c[i] as number) - (pads[i] as number), x.dims[i] as number);
        if (src < 0 || src >= (x.dims[i] as number)) return -1;
        o += src * (s[i] as number);
      }
      return o;
    },
    value,
  );
}

function cast(x: RefTensor, to: DType): RefTensor {
  const f =
    to === 'bool'
      ? (v: number) => (v !== 0 ? 1 : 0)
      : to === 'int64'
        ? Math.trunc
        : to === 'float32'
          ? Math.fround
          : (v: number) => v;
  return refTensor(x.dims, x.data.map(f), to);
}

function unsqueeze(x: RefTensor, axes: readonly number[]): RefTensor {
  const rank = x.dims.length + axes.length;
  const all = axes.map((a) => (a < 0 ? a + rank : a));
  const dims: number[] = [];
  let k = 0;
  for (let i = 0; i < rank; i++) dims.push(all.includes(i) ? 1 : (x.dims[k++] as number));
  return refTensor(dims, x.data, x.dtype);
}

function flatten(x: RefTensor, axis: number): RefTensor {
  const a = axis < 0 ? axis + x.dims.length : axis;
  return refTensor([size(x.dims.slice(0, a)), size(x.dims.slice(a))], x.data, x.dtype);
}

export const KERNELS: Readonly<Record<string, Kernel>> = Object.freeze({
  Conv: (i, a) => groupedConv(need(i, 0), need(i, 1), i[2], a),
  ConvTranspose: (i, a) => groupedConvTranspose(need(i, 0), need(i, 1), i[2], a),
  MaxPool: (i, a) => maxPool(need(i, 0), a),
  AveragePool: (i, a) => averagePool(need(i, 0), a),
  GlobalAveragePool: (i) =>
    reduce(
      need(i, 0),
      [2, 3],
      true,
      0,
      (s, v) => s + v,
      (s, n) => s / n,
    ),
  GlobalMaxPool: (i) => reduce(need(i, 0), [2, 3], true, -Infinity, Math.max),
  Gemm: (i, a) => gemm(need(i, 0), need(i, 1), i[2], a),
  MatMul: (i) => matMul(need(i, 0), need(i, 1)),
  Relu: unary((v) => Math.max(v, 0)),
  LeakyRelu: (i, a) => unary((v) => (v >= 0 ? v : floatAttr(a, 'alpha', 0.01) * v))(i, a),
  Sigmoid: unary((v) => 1 / (1 + Math.exp(-v))),
  Tanh: unary(Math.tanh),
  Erf: unary(erf),
  Clip: (i) => {
    const [lo, hi] = [i[1]?.data[0] ?? -Infinity, i[2]?.data[0] ?? Infinity];
    return unary((v) => Math.min(Math.max(v, lo), hi))(i, {});
  },
  Softmax: (i, a) => softmax(need(i, 0), intAttr(a, 'axis', -1), false),
  BatchNormalization: (i, a) => {
    if (intAttr(a, 'training_mode', 0) !== 0) throw new Error('reference BatchNormalization: inference mode only');
    return batchNorm(
      need(i, 0),
      [1, 2, 3, 4].map((k) => need(i, k)),
      floatAttr(a, 'epsilon', 1e-5),
    );
  },
  LayerNormalization: (i, a) =>
    layerNorm(need(i, 0), need(i, 1), i[2], intAttr(a, 'axis', -1), floatAttr(a, 'epsilon', 1e-5)),
  Neg: unary((v) => -v),
  Exp: unary(Math.exp),
  Log: unary(Math.log),
  Sqrt: unary(Math.sqrt),
  Identity: unary((v) => v),
  Add: binary((a, b) => a + b),
  Sub: binary((a, b) => a - b),
  Mul: binary((a, b) => a * b),
  Div: binary((a, b) => a / b),
  Pow: binary((a, b) => a ** b),
  Equal: binary((a, b) => (a === b ? 1 : 0), true),
  Less: binary((a, b) => (a < b ? 1 : 0), true),
  Greater: binary((a, b) => (a > b ? 1 : 0), true),
  Where: (i) => broadcastMap([need(i, 0), need(i, 1), need(i, 2)], need(i, 1).dtype, (c, x, y) => (c !== 0 ? x : y)),
  Cast: (i, a) => cast(need(i, 0), dtypeFromOnnx(intAttr(a, 'to', 1))),
  ReduceSum: (i, a) => reduce(need(i, 0), ints(i[1]), keep(a), 0, (s, v) => s + v),
  ReduceMean: (i, a) =>
    reduce(
      need(i, 0),
      intsAttr(a, 'axes', []),
      keep(a),
      0,
      (s, v) => s + v,
      (s, n) => s / n,
    ),
  ReduceMax: (i, a) => reduce(need(i, 0), intsAttr(a, 'axes', []), keep(a), -Infinity, Math.max),
  Reshape: (i) => reshape(need(i, 0), ints(i[1])),
  Flatten: (i, a) => flatten(need(i, 0), intAttr(a, 'axis', 1)),
  Shape: (i) => refTensor([need(i, 0).dims.length], need(i, 0).dims, 'int64'),
  Transpose: (i, a) => transpose(need(i, 0), intsAttr(a, 'perm', [])),
  Slice: (i) => slice(need(i, 0), ints(i[1]), ints(i[2]), ints(i[3]), ints(i[4])),
  Pad: (i, a) =>
    pad(need(i, 0), ints(i[1]), i[2]?.data[0] ?? 0, a['mode']?.kind === 'string' ? a['mode'].value : 'constant'),
  Expand: (i) => {
    const x = need(i, 0);
    const dims = broadcastDims(x.dims, ints(i[1]));
    const index = broadcastIndex(x, dims);
    return refTensor(
      dims,
      Float64Array.from(index, (k) => x.data[k] as number),
      x.dtype,
    );
  },
  Unsqueeze: (i) => unsqueeze(need(i, 0), ints(i[1])),
  Squeeze: (i) => {
    const x = need(i, 0);
    const axes = i[1] ? ints(i[1]).map((a) => (a < 0 ? a + x.dims.length : a)) : [];
    return refTensor(
      x.dims.filter((d, k) => (axes.length > 0 ? !axes.includes(k) : d !== 1)),
      x.data,
      x.dtype,
    );
  },
  Concat: (i, a) =>
    concat(
      i.map((t, k) => need(i, k)),
      intAttr(a, 'axis', 0),
    ),
  Resize: (i) => upsampleNearest(need(i, 0), Array.from(need(i, 2).data)),
  Gather: (i, a) => gatherAxis(need(i, 0), need(i, 1), intAttr(a, 'axis', 0)),
});

const MULTI_KERNELS: Readonly<Record<string, MultiKernel>> = Object.freeze({
  Split: (i, a) => {
    const x = need(i, 0);
    const axis = intAttr(a, 'axis', 0);
    let offset = 0;
    return ints(i[1]).map((n) => {
      offset += n;
      return slice(x, [offset - n], [offset], [axis], []);
    });
  },
});

/** ONNX Concat: the inputs one after the other along the axis. */
function concat(parts: readonly RefTensor[], axis: number): RefTensor {
  const first = parts[0] as RefTensor;
  const a = axis < 0 ? axis + first.dims.length : axis;
  const dims = first.dims.map((d, k) => (k === a ? parts.reduce((s, p) => s + (p.dims[a] as number), 0) : d));
  const outer = size(first.dims.slice(0, a));
  const out = new Float64Array(size(dims));
  let o = 0;
  for (let r = 0; r < outer; r++) {
    for (const p of parts) {
      const block = size(p.dims.slice(a));
      out.set(p.data.subarray(r * block, (r + 1) * block), o);
      o += block;
    }
  }
  return refTensor(dims, out, first.dtype);
}

/** ONNX Gather along one axis; negative indices count from the end. */
function gatherAxis(x: RefTensor, indices: RefTensor, axis: number): RefTensor {
  const a = axis < 0 ? axis + x.dims.length : axis;
  const d = x.dims[a] as number;
  const dims = [...x.dims.slice(0, a), ...indices.dims, ...x.dims.slice(a + 1)];
  const s = strides(x.dims);
  const r = indices.dims.length;
  return gather(x, dims, (c) => {
    let flat = 0;
    for (let k = 0; k < r; k++) flat = flat * (indices.dims[k] as number) + (c[a + k] as number);
    const picked = indices.data[flat] as number;
    const at = picked < 0 ? picked + d : picked;
    if (at < 0 || at >= d) throw new Error(`reference Gather: index ${picked} out of range for ${d}`);
    let o = at * (s[a] as number);
    c.forEach((ci, i) => {
      if (i < a) o += ci * (s[i] as number);
      else if (i >= a + r) o += ci * (s[i - r + 1] as number);
    });
    return o;
  });
}

/** Resize, mode nearest, asymmetric, floor, integer scales: out[i] = in[floor(i / scale)]. */
function upsampleNearest(x: RefTensor, scales: readonly number[]): RefTensor {
  const dims = x.dims.map((d, i) => d * (scales[i] as number));
  const out = new Float64Array(size(dims));
  const index = new Array<number>(dims.length).fill(0);
  for (let k = 0; k < out.length; k++) {
    let source = 0;
    for (let a = 0; a < dims.length; a++)
      source = source * (x.dims[a] as number) + Math.floor((index[a] as number) / (scales[a] as number));
    out[k] = x.data[source] as number;
    for (let a = dims.length - 1; a >= 0; a--) {
      index[a] = (index[a] as number) + 1;
      if ((index[a] as number) < (dims[a] as number)) break;
      index[a] = 0;
    }
  }
  return refTensor(dims, out, x.dtype);
}

export type Feeds = Readonly<Record<string, RefTensor>>;

/**
 * Evaluates the targets. Inputs come from `feeds` by name; parameters from `feeds` or else their
 * initial values; constants from the graph. With `base` (an earlier evaluation), only the nodes
 * downstream of the fed names are recomputed: a finite-difference probe of one parameter then
 * costs only the layers after it.
 */
export function evaluate(
  graph: Graph,
  targets: readonly Value[],
  feeds: Feeds,
  base?: ReadonlyMap<Value, RefTensor>,
): Map<Value, RefTensor> {
  const values = new Map<Value, RefTensor>();
  const fresh = new Set<Value>();
  const read = (v: Value): RefTensor => {
    const known = values.get(v);
    if (known) return known;
    let t = feeds[v.name];
    if (t) fresh.add(v);
    else if (base?.has(v)) t = base.get(v);
    else if (v.kind === 'parameter') t = fromTensorData(graph.parameters.get(v.name)?.init ?? missing(v));
    else if (v.kind === 'constant') t = fromTensorData(graph.constants.get(v.name)?.data ?? missing(v));
    if (!t) return missing(v);
    if (
      size(t.dims) !== t.data.length ||
      (v.shape.every((d) => typeof d === 'number') && v.shape.join() !== t.dims.join())
    ) {
      throw new Error(`reference: ${v.name} fed with dims [${t.dims.join(', ')}], expected [${v.shape.join(', ')}]`);
    }
    values.set(v, t);
    return t;
  };
  for (const node of liveNodes(graph, targets)) {
    const inputs = node.inputs.map((v) => (v ? read(v) : undefined));
    if (base && !node.inputs.some((v) => v && fresh.has(v)) && node.outputs.every((o) => base.has(o))) {
      for (const o of node.outputs) values.set(o, base.get(o) as RefTensor);
      continue;
    }
    const multi = MULTI_KERNELS[node.opType];
    const kernel = KERNELS[node.opType];
    if (!kernel && !multi) throw new Error(`reference: no kernel for ${node.opType} (node ${node.name})`);
    const outs = multi ? multi(inputs, node.attributes) : [(kernel as Kernel)(inputs, node.attributes)];
    if (outs.length !== node.outputs.length)
      throw new Error(`reference: ${node.name} gave ${outs.length} outputs for ${node.outputs.length}`);
    node.outputs.forEach((expected, k) => {
      const out = outs[k] as RefTensor;
      if (expected.shape.every((d) => typeof d === 'number') && expected.shape.join() !== out.dims.join()) {
        throw new Error(
          `reference: ${node.name} gave [${out.dims.join(', ')}], the builder inferred [${expected.shape.join(', ')}]`,
        );
      }
      values.set(expected, out);
      fresh.add(expected);
    });
  }
  for (const t of targets) read(t);
  return values;
}

function missing(v: Value): never {
  throw new Error(`reference: no value for ${v.kind} ${v.name}`);
}

/** The value of a scalar (or any single-element) target. */
export function scalarOf(values: ReadonlyMap<Value, RefTensor>, v: Value): number {
  const t = values.get(v);
  if (!t || t.data.length !== 1) throw new Error(`reference: ${v.name} is not a scalar`);
  return t.data[0] as number;
}
