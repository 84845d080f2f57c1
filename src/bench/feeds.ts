// Realistic inputs for the benchmark: normalised MNIST images when the dataset loads (random
// images of the same statistics otherwise), labels, and fresh dropout noise each step, as the
// trainer feeds them.
import { loadDataset } from '../data/datasets.js';
import { MNIST_NORMALIZATION, normalizationTable } from '../data/normalize.js';
import { Mulberry32 } from '../data/random.js';

export type DataKind = 'mnist' | 'synthetic';

export interface ImagePool {
  readonly kind: DataKind;
  /** count * 28 * 28 normalised pixels */
  readonly images: Float32Array;
  readonly labels: BigInt64Array;
  readonly count: number;
  readonly pixels: number;
  /** Why MNIST was not used, when it was asked for and could not load. */
  readonly note?: string;
}

/** `count` images: the first of a seeded shuffle of MNIST's training set, or synthetic ones. */
export function imagePool(count: number, kind: DataKind, seed = 1): ImagePool {
  const rng = new Mulberry32(seed);
  const table = normalizationTable(MNIST_NORMALIZATION);
  const pixels = 28 * 28;
  const images = new Float32Array(count * pixels);
  const labels = new BigInt64Array(count);
  let note: string | undefined;
  if (kind === 'mnist') {
    try {
      const { train } = loadDataset({ dataset: 'mnist' });
      for (let i = 0; i < count; i++) {
        const j = Math.floor(rng.next() * train.count);
        for (let p = 0; p < pixels; p++)
          images[i * pixels + p] = table[train.images[j * pixels + p] as number] as number;
        labels[i] = BigInt(train.labels[j] as number);
      }
      return { kind, images, labels, count, pixels };
    } catch (error) {
      note = `MNIST did not load (${error instanceof Error ? error.message : String(error)}); synthetic images instead`;
    }
  }
  // about 19% ink, as in MNIST, so the normalised values have MNIST's mean and spread
  for (let i = 0; i < count * pixels; i++)
    images[i] = table[rng.next() < 0.19 ? Math.floor(128 + 128 * rng.next()) : 0] as number;
  for (let i = 0; i < count; i++) labels[i] = BigInt(Math.floor(rng.next() * 10));
  return { kind: 'synthetic', images, labels, count, pixels, ...(note ? { note } : {}) };
}

/** Batches cut from a pool in turn, wrapping around. */
export function batchAt(
  pool: ImagePool,
  batchSize: number,
  k: number,
): { images: Float32Array; labels: BigInt64Array } {
  const batches = Math.max(1, Math.floor(pool.count / batchSize));
  const start = (k % batches) * batchSize;
  if (start + batchSize > pool.count)
    throw new Error(`the image pool (${pool.count}) is smaller than a batch (${batchSize})`);
  return {
    images: pool.images.subarray(start * pool.pixels, (start + batchSize) * pool.pixels),
    labels: pool.labels.subarray(start, start + batchSize),
  };
}

/** Refills dropout-noise buffers with uniform [0, 1) values, as the trainer does every step. */
export function fillNoise(buffers: readonly Float32Array[], rng: Mulberry32): void {
  for (const b of buffers) for (let i = 0; i < b.length; i++) b[i] = rng.next();
}
