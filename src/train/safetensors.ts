// The safetensors format (readable from Python with `safetensors.numpy.load_file`):
//   u64 little-endian header length | JSON header | tensor bytes
// The header maps each name to { dtype, shape, data_offsets: [begin, end] } relative to the
// byte after the header, plus "__metadata__": string -> string.
import type { DType } from '../ir/dtype.js';
import { elementCount, type TensorArray, type TensorData, tensor } from '../ir/tensor.js';

const DTYPE_CODES: Readonly<Record<DType, string>> = { float32: 'F32', float64: 'F64', int64: 'I64', bool: 'BOOL' };
const BYTES: Readonly<Record<DType, number>> = { float32: 4, float64: 8, int64: 8, bool: 1 };

export class SafetensorsError extends Error {
  override name = 'SafetensorsError';
}

export interface SafetensorsFile {
  readonly tensors: Map<string, TensorData>;
  readonly metadata: Record<string, string>;
}

export function encodeSafetensors(
  tensors: ReadonlyMap<string, TensorData>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const [name, t] of tensors) {
    header[name] = { dtype: DTYPE_CODES[t.dtype], shape: t.dims, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((json.length + 8) % 8)) % 8); // align the data to 8 bytes
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const t of tensors.values()) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    at += t.data.byteLength;
  }
  return out;
}

export function decodeSafetensors(bytes: Uint8Array, name = 'checkpoint'): SafetensorsFile {
  if (bytes.length < 8)
    throw new SafetensorsError(`${name}: truncated: ${bytes.length} bytes, not even a header length`);
  const headerLength = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  if (headerLength > bytes.length - 8)
    throw new SafetensorsError(`${name}: truncated: header of ${headerLength} bytes in a file of ${bytes.length}`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength)),
    ) as Record<string, unknown>;
  } catch {
    throw new SafetensorsError(`${name}: corrupt: the header is not valid JSON`);
  }
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const tensors = new Map<string, TensorData>();
  let metadata: Record<string, string> = {};
  const spans: { key: string; begin: number; end: number }[] = [];
  for (const [key, entry] of Object.entries(header)) {
    if (key === '__metadata__') {
      metadata = entry as Record<string, string>;
      continue;
    }
    const {
      dtype: code,
      shape,
      data_offsets: offsets,
    } = entry as { dtype: string; shape: number[]; data_offsets: [number, number] };
    const dtype = (Object.keys(DTYPE_CODES) as DType[]).find((d) => DTYPE_CODES[d] === code);
    if (!dtype || !Array.isArray(shape) || !Array.isArray(offsets) || offsets.length !== 2)
      throw new SafetensorsError(`${name}: corrupt: bad header entry for '${key}'`);
    const [begin, end] = offsets;
    if (!Number.isSafeInteger(begin) || !Number.isSafeInteger(end) || begin < 0 || end < begin)
      throw new SafetensorsError(`${name}: corrupt: '${key}' has data_offsets [${String(begin)}, ${String(end)}]`);
    if (end > dataLength)
      throw new SafetensorsError(`${name}: truncated: '${key}' ends at byte ${end} of ${dataLength} data bytes`);
    if (end - begin !== elementCount(shape) * BYTES[dtype])
      throw new SafetensorsError(`${name}: corrupt: '${key}' has ${end - begin} bytes for shape [${shape.join(', ')}]`);
    spans.push({ key, begin, end });
    // a copy (Buffer.slice would be a view into a shared pool), aligned for the typed array
    const copy = Uint8Array.prototype.slice.call(bytes, dataStart + begin, dataStart + end).buffer;
    const data: TensorArray =
      dtype === 'float32'
        ? new Float32Array(copy)
        : dtype === 'float64'
          ? new Float64Array(copy)
          : dtype === 'int64'
            ? new BigInt64Array(copy)
            : new Uint8Array(copy);
    tensors.set(key, tensor(dtype, shape, data));
  }
  // as the reference implementation checks: the tensors, in offset order, tile the data exactly
  // (no overlap, no gap); overlapping tensors would alias one another's bytes
  spans.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  for (const span of spans) {
    if (span.begin !== covered)
      throw new SafetensorsError(
        `${name}: corrupt: '${span.key}' starts at data byte ${span.begin}, ${span.begin < covered ? 'overlapping the tensor before it' : `leaving a gap after byte ${covered}`}`,
      );
    covered = span.end;
  }
  if (covered !== dataLength)
    throw new SafetensorsError(`${name}: corrupt: ${dataLength} data bytes but the tensors cover ${covered}`);
  return { tensors, metadata };
}
