// Tensors of the element types that only exported models store (int8 and uint8 quantized values,
// int32 biases, float16 weights): the graph builder never computes with them, so they stay out of
// src/ir's DType and go straight into TensorProtos as raw little-endian bytes.
import type { TensorProto } from '../onnx/proto.js';

/** ONNX TensorProto.DataType codes. */
export const ELEMENT_TYPE = Object.freeze({ float32: 1, uint8: 2, int8: 3, int32: 6, int64: 7, float16: 10 });
export type StoredType = keyof typeof ELEMENT_TYPE;

export interface StoredTensor {
  readonly type: StoredType;
  readonly dims: readonly number[];
  readonly data: Int8Array | Uint8Array | Int32Array | Uint16Array | Float32Array;
}

export function storedTensorProto(name: string, t: StoredTensor): TensorProto {
  const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  return { name, dataType: ELEMENT_TYPE[t.type], dims: [...t.dims], rawData: Uint8Array.from(bytes) };
}

export function elementTypeName(code: number): string {
  const names: Record<number, string> = {
    1: 'float32',
    2: 'uint8',
    3: 'int8',
    4: 'uint16',
    5: 'int16',
    6: 'int32',
    7: 'int64',
    9: 'bool',
    10: 'float16',
    11: 'float64',
    16: 'bfloat16',
  };
  return names[code] ?? `element type ${code}`;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/**
 * float32 -> IEEE binary16 bits, rounding to nearest even (as a C cast does). Finite values beyond
 * 65504 round to infinity; values below 2^-24 to (signed) zero; in between, subnormals.
 */
export function float16Bits(x: number): number {
  f32[0] = x;
  const b = u32[0] as number;
  const sign = (b >>> 16) & 0x8000;
  const exponent = (b >>> 23) & 0xff;
  const mantissa = b & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  const e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // subnormal: value = m * 2^-24 with m = (1.mantissa * 2^23) >> (14 - e)
    if (e < -10) return sign;
    const full = mantissa | 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    const rest = full & ((1 << shift) - 1);
    let m = full >>> shift;
    if (rest > half || (rest === half && m & 1)) m++;
    return sign | m;
  }
  let h = sign | (e << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  // a carry out of the mantissa moves into the exponent: still the right (rounded-up) value
  if (rest > 0x1000 || (rest === 0x1000 && h & 1)) h++;
  return h;
}

/** IEEE binary16 bits -> the number they hold. */
export function float16Value(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >>> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return sign * m * 2 ** -24;
  if (e === 0x1f) return m ? Number.NaN : sign * Infinity;
  return sign * (1 + m / 1024) * 2 ** (e - 15);
}

export const FLOAT16_MAX = 65504;
