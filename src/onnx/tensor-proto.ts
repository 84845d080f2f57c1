// TensorData <-> TensorProto, with the raw little-endian bytes ONNX Runtime reads fastest.
import { dtypeFromOnnx, ONNX_DTYPE } from '../ir/dtype.js';
import { type TensorArray, type TensorData, tensor } from '../ir/tensor.js';
import type { TensorProto } from './proto.js';

export function toTensorProto(name: string, t: TensorData): TensorProto {
  const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  return { name, dataType: ONNX_DTYPE[t.dtype], dims: [...t.dims], rawData: Uint8Array.from(bytes) };
}

export function fromTensorProto(p: TensorProto): TensorData {
  const dtype = dtypeFromOnnx(p.dataType ?? 0);
  const dims = (p.dims ?? []).map(Number);
  const raw = p.rawData && p.rawData.length > 0 ? Uint8Array.from(p.rawData) : undefined;
  let data: TensorArray;
  if (raw) {
    const b = raw.buffer;
    data =
      dtype === 'float32'
        ? new Float32Array(b)
        : dtype === 'float64'
          ? new Float64Array(b)
          : dtype === 'int64'
            ? new BigInt64Array(b)
            : raw;
  } else {
    data =
      dtype === 'float32'
        ? Float32Array.from(p.floatData ?? [])
        : dtype === 'float64'
          ? Float64Array.from(p.doubleData ?? [])
          : dtype === 'int64'
            ? BigInt64Array.from((p.int64Data ?? []).map((v) => BigInt(v.toString())))
            : Uint8Array.from((p.int32Data ?? []).map(Number));
  }
  return tensor(dtype, dims, data);
}
