// IDX files from the file system, plain or gzipped: the Node edge of the pure parsers in idx.ts.
// The async readers read and gunzip on libuv's thread pool, off the event loop (for a server).
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gunzip, gunzipSync } from 'node:zlib';
import { DataError, type IdxImages, type IdxLabels, isGzip, parseImages, parseLabels } from './idx.js';

/** Reads an images file (plain or gzipped). */
export function readImagesFile(path: string): IdxImages {
  return parseImages(readMaybeGzipped(path), path);
}

/** Reads a labels file (plain or gzipped); every label must be below `numClasses`. */
export function readLabelsFile(path: string, numClasses = 10): IdxLabels {
  return parseLabels(readMaybeGzipped(path), path, numClasses);
}

/** readImagesFile without blocking the event loop. */
export async function readImagesFileAsync(path: string): Promise<IdxImages> {
  return parseImages(await readMaybeGzippedAsync(path), path);
}

/** readLabelsFile without blocking the event loop. */
export async function readLabelsFileAsync(path: string, numClasses = 10): Promise<IdxLabels> {
  return parseLabels(await readMaybeGzippedAsync(path), path, numClasses);
}

/** Reads a file and gunzips it when it starts with the gzip magic bytes 1f 8b. */
export function readMaybeGzipped(path: string): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw readError(path, error);
  }
  if (isGzip(bytes)) {
    try {
      bytes = gunzipSync(bytes);
    } catch (error) {
      throw gzipError(path, error);
    }
  }
  return plain(bytes);
}

/** readMaybeGzipped on libuv's thread pool. */
export async function readMaybeGzippedAsync(path: string): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw readError(path, error);
  }
  if (isGzip(bytes)) {
    try {
      bytes = await gunzipAsync(bytes);
    } catch (error) {
      throw gzipError(path, error);
    }
  }
  return plain(bytes);
}

const gunzipAsync = promisify(gunzip);

function readError(path: string, error: unknown): DataError {
  const code = (error as NodeJS.ErrnoException).code;
  return new DataError(`${path}: ${code === 'ENOENT' ? 'no such file' : `cannot read (${code ?? String(error)})`}`);
}

const gzipError = (path: string, error: unknown): DataError =>
  new DataError(`${path}: corrupt gzip data (${error instanceof Error ? error.message : String(error)})`);

/** A plain Uint8Array view (not a Buffer), so callers see one type whatever the source. */
const plain = (bytes: Uint8Array): Uint8Array => new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
