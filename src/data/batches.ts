// Minibatches for training and chunks for evaluation.
//
// Training order is the peers' (../shared/peers): epoch e visits the training subset in the
// order shuffled(count, seed * 1000 + e + 1). The last partial batch is DROPPED by default
// (remainder: 'drop'): every step then has the same static batch size, which a train-step graph
// with a fixed batch dimension needs. At 50000 images and batch 64 that is 781 steps and 16
// images left out per epoch, a different 16 each epoch since the order changes. The peers keep
// it (782 steps, the last of 16): remainder: 'keep' reproduces that.
//
// The cursor's position (epoch, batch index in the epoch, and the augmentation generator's
// state) is all there is to its state, so a checkpoint can save it and resume exactly.
import { augmentBatch, type AugmentOptions } from './augment.js';
import { normalizationTable, type Normalization } from './normalize.js';
import { Mulberry32, shuffled } from './random.js';
import { checkSeed, type Subset } from './split.js';

export interface Batch {
  /** size * 1 * height * width normalised pixels (NCHW) */
  images: Float32Array;
  /** int64, as ONNX's losses take them */
  labels: BigInt64Array;
  /** which images of the dataset part (train or test set) these are */
  indices: Int32Array;
  size: number;
}

export interface CursorState {
  epoch: number;
  /** the next batch's index within the epoch */
  batch: number;
  /** the augmentation generator's state; absent without augmentation */
  augmentState?: number;
}

export interface CursorOptions {
  batchSize: number;
  seed: number;
  normalization: Normalization;
  remainder?: 'drop' | 'keep';
  /** null/absent: no augmentation */
  augment?: AugmentOptions | null;
}

/** An endless sequence of training batches; `next()` moves on to the next epoch by itself. */
export class BatchCursor {
  readonly stepsPerEpoch: number;
  readonly #subset: Subset;
  readonly #options: CursorOptions;
  readonly #table: Float32Array;
  #rng: Mulberry32 | null;
  #epoch = 0;
  #batch = 0;
  #order: Int32Array | null = null;

  constructor(subset: Subset, options: CursorOptions, state?: CursorState) {
    const { batchSize, seed } = options;
    checkSeed(seed);
    if (!Number.isInteger(batchSize) || batchSize < 1)
      throw new RangeError(`batch size must be a positive integer, got ${batchSize}`);
    const keep = options.remainder === 'keep';
    this.stepsPerEpoch = keep ? Math.ceil(subset.count / batchSize) : Math.floor(subset.count / batchSize);
    if (this.stepsPerEpoch === 0) {
      throw new RangeError(`batch size ${batchSize} is larger than the ${subset.name} split (${subset.count} images)`);
    }
    this.#subset = subset;
    this.#options = options;
    this.#table = normalizationTable(options.normalization);
    // A separate stream from the order's, so switching augmentation on leaves the order alone.
    this.#rng = options.augment ? new Mulberry32((seed * 1000 + 0x5eed) >>> 0) : null;
    if (state) this.restore(state);
  }

  /** Where the cursor stands: save it with a checkpoint, give it to `restore` to continue. */
  get position(): CursorState {
    const state: CursorState = { epoch: this.#epoch, batch: this.#batch };
    if (this.#rng) state.augmentState = this.#rng.state;
    return state;
  }

  restore(state: CursorState): void {
    const { epoch, batch } = state;
    if (!Number.isInteger(epoch) || epoch < 0 || !Number.isInteger(batch) || batch < 0 || batch > this.stepsPerEpoch) {
      throw new RangeError(
        `cursor state (epoch ${epoch}, batch ${batch}) is outside 0..${this.stepsPerEpoch} batches per epoch`,
      );
    }
    if ((state.augmentState === undefined) !== (this.#rng === null)) {
      throw new RangeError('cursor state and options disagree about augmentation');
    }
    if (this.#rng && state.augmentState !== undefined) this.#rng = new Mulberry32(state.augmentState);
    if (epoch !== this.#epoch) this.#order = null;
    this.#epoch = epoch;
    this.#batch = batch;
  }

  /** The next training batch, with the epoch and the batch index it came from. */
  next(): Batch & { epoch: number; batch: number } {
    if (this.#batch >= this.stepsPerEpoch) {
      this.#epoch += 1;
      this.#batch = 0;
      this.#order = null;
    }
    this.#order ??= shuffled(this.#subset.count, this.#options.seed * 1000 + this.#epoch + 1);
    const { batchSize } = this.#options;
    const start = this.#batch * batchSize;
    const positions = this.#order.subarray(start, Math.min(start + batchSize, this.#subset.count));
    const indices = positions.map((k) => this.#subset.indices[k] as number);
    const batch = assemble(this.#subset, indices, this.#table);
    if (this.#rng && this.#options.augment) {
      const { height, width } = this.#subset;
      augmentBatch(batch.images, batch.size, height, width, this.#rng, this.#table[0] as number, this.#options.augment);
    }
    const result = { ...batch, epoch: this.#epoch, batch: this.#batch };
    this.#batch += 1;
    return result;
  }
}

/** The whole subset in order, in chunks of `size` (the last may be smaller): for evaluation. */
export function* chunks(subset: Subset, size: number, normalization: Normalization): Generator<Batch> {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`chunk size must be a positive integer, got ${size}`);
  const table = normalizationTable(normalization);
  for (let start = 0; start < subset.count; start += size) {
    yield assemble(subset, subset.indices.slice(start, Math.min(start + size, subset.count)), table);
  }
}

// Fresh buffers for every batch: ONNX Runtime may still hold the previous ones (an output that
// aliases an input gives silently wrong results).
function assemble(subset: Subset, indices: Int32Array, table: Float32Array): Batch {
  const pixels = subset.height * subset.width;
  const images = new Float32Array(indices.length * pixels);
  const labels = new BigInt64Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const index = indices[i] as number;
    const src = index * pixels;
    const dst = i * pixels;
    for (let p = 0; p < pixels; p++) images[dst + p] = table[subset.images[src + p] as number] as number;
    labels[i] = BigInt(subset.labels[index] as number);
  }
  return { images, labels, indices, size: indices.length };
}
