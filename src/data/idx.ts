// IDX files (the MNIST format, http://yann.lecun.com/exdb/mnist/): a 4-byte magic number
// 0x00 0x00 <type> <ndims>, then ndims big-endian uint32 sizes, then the elements, row-major.
// Only unsigned bytes (type 0x08) are read: images have 3 dimensions (count, rows, columns),
// labels 1 (count). Files may be gzipped; gzip is recognised by its magic bytes, not the name.
// Every error names the file and says what is wrong in one line, since a truncated or swapped
// download is the usual cause and the user has to know which file to fetch again.
// Pure: bytes in, arrays out, for Node and the page alike; files and gzip are read at the edge
// (idx-files.ts in Node, the page's own fetch and DecompressionStream).

/** A problem with the data itself (missing, malformed or inconsistent files). */
export class DataError extends Error {
  override name = 'DataError';
}

export interface IdxImages {
  count: number;
  height: number;
  width: number;
  /** count * height * width bytes, 0 = background */
  pixels: Uint8Array;
}

export interface IdxLabels {
  count: number;
  labels: Uint8Array;
}

const UBYTE = 0x08;
const KIND_DIMS = { images: 3, labels: 1 } as const;
type Kind = keyof typeof KIND_DIMS;

/** Parses the bytes of an images file; `name` is used in error messages. */
export function parseImages(bytes: Uint8Array, name: string): IdxImages {
  const { dims, data } = parseIdx(bytes, name, 'images');
  const [count, height, width] = dims as [number, number, number];
  if (height === 0 || width === 0) throw new DataError(`${name}: images of ${height}x${width} pixels`);
  return { count, height, width, pixels: data };
}

/** Parses the bytes of a labels file; `name` is used in error messages. */
export function parseLabels(bytes: Uint8Array, name: string, numClasses = 10): IdxLabels {
  const { dims, data } = parseIdx(bytes, name, 'labels');
  for (let i = 0; i < data.length; i++) {
    const label = data[i] as number;
    if (label >= numClasses) {
      throw new DataError(
        `${name}: label ${label} at index ${i} is out of range (${numClasses} classes: 0..${numClasses - 1})`,
      );
    }
  }
  return { count: dims[0] as number, labels: data };
}

/** Whether the bytes start with gzip's magic bytes 1f 8b (the reader at the edge gunzips them). */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

function parseIdx(bytes: Uint8Array, name: string, kind: Kind): { dims: number[]; data: Uint8Array } {
  if (bytes.length === 0) throw new DataError(`${name}: empty file`);
  if (bytes.length < 4) throw new DataError(`${name}: ${bytes.length} bytes, too short for an IDX header`);
  const type = bytes[2] as number;
  const ndims = bytes[3] as number;
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    const hex = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new DataError(`${name}: not an IDX file (magic bytes ${hex}, expected 00 00 08 0${KIND_DIMS[kind]})`);
  }
  if (type !== UBYTE) {
    throw new DataError(`${name}: element type 0x${type.toString(16).padStart(2, '0')} is not unsigned byte (0x08)`);
  }
  const want = KIND_DIMS[kind];
  if (ndims !== want) {
    const other = (Object.keys(KIND_DIMS) as Kind[]).find((k) => KIND_DIMS[k] === ndims);
    const hint = other ? `: this looks like ${other === 'images' ? 'an' : 'a'} ${other} file` : '';
    throw new DataError(`${name}: ${ndims} dimension${ndims === 1 ? '' : 's'}, ${kind} files have ${want}${hint}`);
  }
  const headerBytes = 4 + 4 * ndims;
  if (bytes.length < headerBytes) {
    throw new DataError(`${name}: truncated header (${bytes.length} bytes, the header needs ${headerBytes})`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims = Array.from({ length: ndims }, (_, i) => view.getUint32(4 + 4 * i, false));
  const count = dims[0] as number;
  if (count === 0) throw new DataError(`${name}: the header declares 0 ${kind}`);
  const itemBytes = dims.slice(1).reduce((a, b) => a * b, 1);
  const expected = count * itemBytes;
  const actual = bytes.length - headerBytes;
  const what = kind === 'images' ? `${count} images of ${dims[1]}x${dims[2]} (${expected} bytes)` : `${count} items`;
  if (actual < expected)
    throw new DataError(`${name}: truncated: header says ${what}, file has ${actual} bytes of data`);
  if (actual > expected)
    throw new DataError(`${name}: ${actual - expected} trailing bytes after the ${what} the header declares`);
  return { dims, data: bytes.subarray(headerBytes) };
}
