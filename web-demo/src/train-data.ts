// Data for the training page, with no DOM: MNIST's IDX files (from the server or picked by the
// user, plain or gzipped), the practical's split and the trainer's batch order and dropout noise.
// Everything is seeded exactly as src/train/trainer.ts seeds it, so the page and
// `onnxgrad train` see the same batches and the same dropout masks:
//   perm = shuffled(60000, seed); train = perm[0 : 50000]; val = perm[50000 :]
//   epoch e visits train in the order shuffled(50000, seed * 1000 + e + 1), last partial batch dropped
//   dropout noise: Mulberry32((seed * 1000 + 0xd7) >>> 0), one draw per element, layer by layer
// (src/data/split.ts and batches.ts import node-only modules through their types, so the few
// lines of indexing are repeated here; the generator and the shuffle are imported, not copied.)
import { MNIST_NORMALIZATION } from '../../src/data/normalize.js';
import { Mulberry32, shuffled } from '../../src/data/random.js';

export const SIDE = 28;
const PIXELS = SIDE * SIDE;
export const VALIDATION_SIZE = 10_000;
export const IDX_FILES = { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte' } as const;

export interface TrainingSet {
  /** count * 28 * 28 bytes */
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
}

export interface Batch {
  images: Float32Array;
  labels: BigInt64Array;
  /** which images of the training set */
  indices: Int32Array;
}

/** Reads an IDX file's bytes (gunzipped when they start with gzip's magic). */
export async function idxBytes(data: ArrayBuffer): Promise<Uint8Array> {
  const bytes = new Uint8Array(data);
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Parses an unsigned-byte IDX file with `dims` dimensions: its sizes and its elements. */
export function parseIdx(bytes: Uint8Array, dims: number, name: string): { sizes: number[]; data: Uint8Array } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 4 + 4 * dims || view.getUint16(0) !== 0 || bytes[2] !== 0x08 || bytes[3] !== dims) {
    throw new Error(`${name}: not an IDX file of unsigned bytes with ${dims} dimension(s)`);
  }
  const sizes = Array.from({ length: dims }, (_, i) => view.getUint32(4 + 4 * i));
  const length = sizes.reduce((a, b) => a * b, 1);
  const start = 4 + 4 * dims;
  if (bytes.length !== start + length)
    throw new Error(`${name}: ${bytes.length - start} data bytes, expected ${length}`);
  return { sizes, data: bytes.subarray(start) };
}

export function trainingSet(imageBytes: Uint8Array, labelBytes: Uint8Array): TrainingSet {
  const images = parseIdx(imageBytes, 3, 'images file');
  const labels = parseIdx(labelBytes, 1, 'labels file');
  const [count = 0, h, w] = images.sizes;
  if (h !== SIDE || w !== SIDE) throw new Error(`images file: ${h}x${w} images, expected ${SIDE}x${SIDE}`);
  if (labels.sizes[0] !== count) throw new Error(`labels file: ${labels.sizes[0]} labels for ${count} images`);
  if (count <= VALIDATION_SIZE) throw new Error(`images file: ${count} images, need more than ${VALIDATION_SIZE}`);
  return { images: images.data, labels: labels.data, count };
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

const TABLE = Float32Array.from(
  { length: 256 },
  (_, v) => (v / 255 - MNIST_NORMALIZATION.mean) / MNIST_NORMALIZATION.std,
);

function assemble(set: TrainingSet, indices: Int32Array): Batch {
  const images = new Float32Array(indices.length * PIXELS);
  const labels = new BigInt64Array(indices.length);
  indices.forEach((index, i) => {
    const src = set.images.subarray(index * PIXELS, (index + 1) * PIXELS);
    for (let p = 0; p < PIXELS; p++) images[i * PIXELS + p] = TABLE[src[p]!]!;
    labels[i] = BigInt(set.labels[index]!);
  });
  return { images, labels, indices };
}

/** The seeded split, batch order and dropout noise of one training run. */
export class TrainingData {
  readonly train: Int32Array;
  readonly val: Int32Array;
  readonly stepsPerEpoch: number;
  #order: Int32Array | null = null;
  #epoch = 0;
  #batch = 0;
  #noise: Mulberry32;

  constructor(
    readonly set: TrainingSet,
    readonly seed: number,
    readonly batchSize: number,
  ) {
    const perm = shuffled(set.count, seed);
    this.train = perm.subarray(0, set.count - VALIDATION_SIZE);
    this.val = perm.subarray(set.count - VALIDATION_SIZE);
    this.stepsPerEpoch = Math.floor(this.train.length / batchSize);
    this.#noise = new Mulberry32((seed * 1000 + 0xd7) >>> 0);
  }

  get epoch(): number {
    return this.#epoch;
  }

  nextBatch(): Batch {
    if (this.#batch >= this.stepsPerEpoch) {
      this.#epoch += 1;
      this.#batch = 0;
      this.#order = null;
    }
    this.#order ??= shuffled(this.train.length, this.seed * 1000 + this.#epoch + 1);
    const positions = this.#order.subarray(this.#batch * this.batchSize, (this.#batch + 1) * this.batchSize);
    this.#batch += 1;
    return assemble(
      this.set,
      positions.map((k) => this.train[k]!),
    );
  }

  /** Uniform [0, 1) noise of `size` elements for one dropout layer. */
  nextNoise(size: number): Float32Array {
    const noise = new Float32Array(size);
    for (let i = 0; i < size; i++) noise[i] = this.#noise.next();
    return noise;
  }

  /** The validation images in order, in chunks of `size`. */
  *valChunks(size: number): Generator<Batch> {
    for (let start = 0; start < this.val.length; start += size)
      yield assemble(this.set, this.val.slice(start, start + size));
  }
}
