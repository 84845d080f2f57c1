// Data for the training page, with no DOM: MNIST's IDX files (from the server or picked by the
// user, plain or gzipped) through the same pure code `onnxgrad train` uses, imported from
// onnxgrad's browser entry: the IDX parsers, the practical's split (splitDataset: a sixth of any
// training set held out for validation, 10,000 of MNIST's 60,000, as `onnxgrad train` holds out),
// the batch order (BatchCursor) and the dropout-noise generator (Mulberry32, dropoutSeed), so the
// page and `onnxgrad train` see the same batches and the same dropout masks. Only gunzipping (the
// browser's DecompressionStream) and fetching are the page's own.
import {
  type Batch,
  BatchCursor,
  chunks,
  type Dataset,
  defaultValidationSize,
  dropoutSeed,
  isGzip,
  MNIST_NORMALIZATION,
  Mulberry32,
  parseImages,
  parseLabels,
  type Splits,
  splitDataset,
} from 'onnxgrad';

export type { Batch } from 'onnxgrad';

export const SIDE = 28;
export const IDX_FILES = { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte' } as const;

export interface TrainingSet {
  /** count * 28 * 28 bytes */
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
}

/** Reads an IDX file's bytes (gunzipped when they start with gzip's magic). */
export async function idxBytes(data: ArrayBuffer): Promise<Uint8Array> {
  const bytes = new Uint8Array(data);
  if (!isGzip(bytes)) return bytes;
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

export function trainingSet(imageBytes: Uint8Array, labelBytes: Uint8Array): TrainingSet {
  const images = parseImages(imageBytes, 'images file');
  const labels = parseLabels(labelBytes, 'labels file');
  if (images.height !== SIDE || images.width !== SIDE)
    throw new Error(`images file: ${images.height}x${images.width} images, expected ${SIDE}x${SIDE}`);
  if (labels.count !== images.count) throw new Error(`labels file: ${labels.count} labels for ${images.count} images`);
  if (defaultValidationSize(images.count) < 1)
    throw new Error(`images file: ${images.count} images, need at least 3 (a sixth is held out for validation)`);
  return { images: images.pixels, labels: labels.labels, count: images.count };
}

/** The server's MNIST training files. */
export async function fetchTrainingSet(): Promise<TrainingSet> {
  const get = async (file: string) => {
    const res = await fetch(`/v1/mnist/${file}`);
    if (!res.ok) throw new Error(`GET /v1/mnist/${file}: ${res.status}`);
    return idxBytes(await res.arrayBuffer());
  };
  const [images, labels] = await Promise.all([get(IDX_FILES.images), get(IDX_FILES.labels)]);
  return trainingSet(images, labels);
}

/** The training set as a dataset of the data core (the page has no test set). */
function datasetOf(set: TrainingSet): Dataset {
  const none = { images: new Uint8Array(0), labels: new Uint8Array(0), count: 0 };
  return {
    name: 'mnist',
    classNames: Array.from({ length: 10 }, (_, i) => String(i)),
    train: set,
    test: none,
    height: SIDE,
    width: SIDE,
    normalization: MNIST_NORMALIZATION,
  };
}

/** The seeded split, batch order and dropout noise of one training run. */
export class TrainingData {
  readonly train: Int32Array;
  readonly val: Int32Array;
  readonly stepsPerEpoch: number;
  readonly #splits: Splits;
  readonly #cursor: BatchCursor;
  readonly #noise: Mulberry32;

  constructor(
    readonly set: TrainingSet,
    readonly seed: number,
    readonly batchSize: number,
  ) {
    this.#splits = splitDataset(datasetOf(set), { seed });
    this.train = this.#splits.train.indices;
    this.val = this.#splits.val.indices;
    this.#cursor = new BatchCursor(this.#splits.train, { batchSize, seed, normalization: MNIST_NORMALIZATION });
    this.stepsPerEpoch = this.#cursor.stepsPerEpoch;
    this.#noise = new Mulberry32(dropoutSeed(seed));
  }

  get epoch(): number {
    return this.#cursor.position.epoch;
  }

  nextBatch(): Batch {
    return this.#cursor.next();
  }

  /** Uniform [0, 1) noise of `size` elements for one dropout layer. */
  nextNoise(size: number): Float32Array {
    const noise = new Float32Array(size);
    for (let i = 0; i < size; i++) noise[i] = this.#noise.next();
    return noise;
  }

  /** The validation images in order, in chunks of `size`. */
  valChunks(size: number): Generator<Batch> {
    return chunks(this.#splits.val, size, MNIST_NORMALIZATION);
  }
}
