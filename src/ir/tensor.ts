// Concrete tensor data: initializers, constants, checkpoints, runtime feeds.
import type { DType } from './dtype.js';

export type TensorArray = Float32Array | Float64Array | BigInt64Array | Uint8Array;

export interface TensorData {
  readonly dtype: DType;
  readonly dims: readonly number[];
  readonly data: TensorArray;
}

export const elementCount = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);

export function tensor(dtype: DType, dims: readonly number[], data: TensorArray): TensorData {
  if (data.length !== elementCount(dims)) {
    throw new Error(`tensor data has ${data.length} elements but dims [${dims.join(', ')}] need ${elementCount(dims)}`);
  }
  return { dtype, dims: [...dims], data };
}

export const float32 = (dims: readonly number[], values: ArrayLike<number>): TensorData =>
  tensor('float32', dims, Float32Array.from(values));

export const int64 = (dims: readonly number[], values: ArrayLike<number>): TensorData =>
  tensor('int64', dims, BigInt64Array.from(Array.from(values, (v) => BigInt(v))));
