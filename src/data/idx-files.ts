// IDX files from the file system, plain or gzipped: the Node edge of the pure parsers in idx.ts.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { DataError, type IdxImages, type IdxLabels, isGzip, parseImages, parseLabels } from './idx.js';

/** Reads an images file (plain or gzipped). */
export function readImagesFile(path: string): IdxImages {
  return parseImages(readMaybeGzipped(path), path);
}

/** Reads a labels file (plain or gzipped); every label must be below `numClasses`. */
export function readLabelsFile(path: string, numClasses = 10): IdxLabels {
  return parseLabels(readMaybeGzipped(path), path, numClasses);
}

/** Reads a file and gunzips it when it starts with the gzip magic bytes 1f 8b. */
export function readMaybeGzipped(path: string): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new DataError(`${path}: ${code === 'ENOENT' ? 'no such file' : `cannot read (${code ?? String(error)})`}`);
  }
  if (isGzip(bytes)) {
    try {
      bytes = gunzipSync(bytes);
    } catch (error) {
      throw new DataError(`${path}: corrupt gzip data (${error instanceof Error ? error.message : String(error)})`);
    }
  }
  // A plain Uint8Array view (not a Buffer), so callers see one type whatever the source.
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
