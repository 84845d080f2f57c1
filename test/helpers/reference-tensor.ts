// Float64 tensors for the reference interpreter: every element type is held as float64 numbers
// (int64 and bool too), with its dtype kept as a tag so that Cast and comparisons behave.
import type { DType } from '../../src/ir/dtype.js';
import type { TensorData } from '../../src/ir/tensor.js';

export interface RefTensor {
  readonly dtype: DType;
  readonly dims: readonly number[];
  readonly data: Float64Array;
}

export const size = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);

export function refTensor(
  dims: readonly number[],
  data: ArrayLike<number> | Float64Array,
  dtype: DType = 'float64',
): RefTensor {
  if (data.length !== size(dims))
    throw new Error(`reference tensor: ${data.length} elements for dims [${dims.join(', ')}]`);
  return { dtype, dims: [...dims], data: data instanceof Float64Array ? data : Float64Array.from(data) };
}

export const zeros = (dims: readonly number[], dtype: DType = 'float64'): RefTensor =>
  refTensor(dims, new Float64Array(size(dims)), dtype);

/** Converts builder tensor data (float32 initializers, int64 constants ...) to float64. */
export function fromTensorData(t: TensorData): RefTensor {
  const values = t.data instanceof BigInt64Array ? Array.from(t.data, Number) : Array.from(t.data as ArrayLike<number>);
  return refTensor(t.dims, values, t.dtype);
}

/** Row-major strides. */
export function strides(dims: readonly number[]): number[] {
  const s = new Array<number>(dims.length).fill(1);
  for (let i = dims.length - 2; i >= 0; i--) s[i] = (s[i + 1] as number) * (dims[i + 1] as number);
  return s;
}

/** Numpy broadcasting of several shapes. */
export function broadcastDims(...shapes: (readonly number[])[]): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    let d = 1;
    for (const s of shapes) {
      const e = s[s.length - rank + i] ?? 1;
      if (e !== 1 && d !== 1 && e !== d)
        throw new Error(`reference: cannot broadcast ${shapes.map((x) => `[${x.join(', ')}]`).join(' with ')}`);
      if (e !== 1) d = e;
    }
    out.push(d);
  }
  return out;
}

/**
 * For each flat index of a tensor of shape `out`, the flat index into `t` broadcast to it
 * (stride 0 along broadcast axes).
 */
export function broadcastIndex(t: RefTensor, out: readonly number[]): Int32Array {
  const lead = out.length - t.dims.length;
  const own = strides(t.dims);
  const bs = out.map((d, i) => (i < lead || t.dims[i - lead] === 1 ? 0 : (own[i - lead] as number)));
  const index = new Int32Array(size(out));
  const coord = new Array<number>(out.length).fill(0);
  let offset = 0;
  for (let k = 0; k < index.length; k++) {
    index[k] = offset;
    for (let a = out.length - 1; a >= 0; a--) {
      coord[a] = (coord[a] as number) + 1;
      offset += bs[a] as number;
      if ((coord[a] as number) < (out[a] as number)) break;
      offset -= (bs[a] as number) * (out[a] as number);
      coord[a] = 0;
    }
  }
  return index;
}

/** Elementwise map over broadcast operands. */
export function broadcastMap(inputs: readonly RefTensor[], dtype: DType, f: (...v: number[]) => number): RefTensor {
  const dims = broadcastDims(...inputs.map((t) => t.dims));
  const indices = inputs.map((t) => broadcastIndex(t, dims));
  const out = new Float64Array(size(dims));
  const args = new Array<number>(inputs.length).fill(0);
  for (let k = 0; k < out.length; k++) {
    for (let j = 0; j < inputs.length; j++)
      args[j] = (inputs[j] as RefTensor).data[(indices[j] as Int32Array)[k] as number] as number;
    out[k] = f(...args);
  }
  return refTensor(dims, out, dtype);
}

/** Multi-index of flat position k in a tensor of shape dims. */
export function unravel(k: number, dims: readonly number[]): number[] {
  const c = new Array<number>(dims.length).fill(0);
  for (let a = dims.length - 1; a >= 0; a--) {
    const d = dims[a] as number;
    c[a] = k % d;
    k = Math.floor(k / d);
  }
  return c;
}

/** Builds a tensor of shape dims whose element at multi-index c is read from `src` at `at(c)` (-1: `fill`). */
export function gather(src: RefTensor, dims: readonly number[], at: (c: number[]) => number, fill = 0): RefTensor {
  const out = new Float64Array(size(dims));
  for (let k = 0; k < out.length; k++) {
    const i = at(unravel(k, dims));
    out[k] = i < 0 ? fill : (src.data[i] as number);
  }
  return refTensor(dims, out, src.dtype);
}

/** Reads an int64 tensor (shape, axes, pads ...) as plain numbers. */
export const ints = (t: RefTensor | undefined): number[] => (t ? Array.from(t.data) : []);

export function toFloat32(t: RefTensor): Float32Array {
  return Float32Array.from(t.data);
}
