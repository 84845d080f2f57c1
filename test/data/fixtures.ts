// Small IDX files written to a temporary folder, good and deliberately broken.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'onnxgrad-data-'));
}

/** An IDX file: magic 00 00 type ndims, big-endian sizes, then `data`. */
export function idxBytes(dims: number[], data: Uint8Array, type = 0x08): Uint8Array {
  const header = new Uint8Array(4 + 4 * dims.length);
  const view = new DataView(header.buffer);
  header.set([0, 0, type, dims.length]);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  const out = new Uint8Array(header.length + data.length);
  out.set(header);
  out.set(data, header.length);
  return out;
}

/** `count` images of h x w whose pixels encode their index, and labels index % 10. */
export function imagesAndLabels(count: number, h = 28, w = 28): { images: Uint8Array; labels: Uint8Array } {
  const images = new Uint8Array(count * h * w);
  for (let i = 0; i < count; i++) images.fill((i * 37) % 256, i * h * w, (i + 1) * h * w);
  const labels = Uint8Array.from({ length: count }, (_, i) => i % 10);
  return { images, labels };
}

/** Writes the four standard files (optionally gzipped) into `dir`. */
export function writeDataDir(dir: string, nTrain: number, nTest: number, gzip = false): void {
  const put = (name: string, bytes: Uint8Array): void =>
    writeFileSync(join(dir, gzip ? `${name}.gz` : name), gzip ? gzipSync(bytes) : bytes);
  const train = imagesAndLabels(nTrain);
  const test = imagesAndLabels(nTest);
  put('train-images-idx3-ubyte', idxBytes([nTrain, 28, 28], train.images));
  put('train-labels-idx1-ubyte', idxBytes([nTrain], train.labels));
  put('t10k-images-idx3-ubyte', idxBytes([nTest, 28, 28], test.images));
  put('t10k-labels-idx1-ubyte', idxBytes([nTest], test.labels));
}
