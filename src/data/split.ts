// The practical's split: the 60k training images are shuffled once by seed and cut into
// 50k training and 10k validation images (random_split(dataset, [50000, 10000])); the test
// set stays apart. Subsets hold indices into the dataset's arrays, never copies of images.
import type { Dataset } from './dataset.js';
import { computeNormalization, type Normalization } from './normalize.js';
import { shuffled } from './random.js';

export type SplitName = 'train' | 'val' | 'test';

/** Some images of a dataset: item k is image `indices[k]` of `images`/`labels`. */
export interface Subset {
  name: SplitName;
  /** the whole split's bytes (train or test set), shared with the dataset */
  images: Uint8Array;
  labels: Uint8Array;
  indices: Int32Array;
  count: number;
  height: number;
  width: number;
}

export interface SplitOptions {
  /** seeds the permutation: perm = shuffled(trainCount, seed); default 1 (the peers' default) */
  seed?: number;
  /** images taken from the training set for validation; default a sixth of it (10000 of MNIST's 60000) */
  validationSize?: number;
  /** keep only the first `limit` images of each split (for tests and small runs) */
  limit?: number;
}

export interface Splits {
  train: Subset;
  val: Subset;
  test: Subset;
}

/**
 * The images held out for validation when none is asked for: a sixth of the training set, as the
 * practical's 10000 of 60000. `onnxgrad train` and the training page both split by this rule.
 */
export function defaultValidationSize(trainCount: number): number {
  return Math.round(trainCount / 6);
}

/** train = perm[0 : n - validationSize], val = perm[n - validationSize :], test = the test set in order. */
export function splitDataset(dataset: Dataset, options: SplitOptions = {}): Splits {
  const seed = options.seed ?? 1;
  const n = dataset.train.count;
  const validationSize = options.validationSize ?? defaultValidationSize(n);
  checkSeed(seed);
  if (!Number.isInteger(validationSize) || validationSize < 0 || validationSize >= n) {
    throw new RangeError(
      `validation size must be an integer from 0 to ${n - 1} (the training set has ${n} images), got ${validationSize}`,
    );
  }
  if (options.limit !== undefined && (!Number.isInteger(options.limit) || options.limit < 1)) {
    throw new RangeError(`limit must be a positive integer, got ${options.limit}`);
  }
  const perm = shuffled(n, seed);
  const cut = n - validationSize;
  const limited = (indices: Int32Array): Int32Array =>
    options.limit === undefined ? indices : indices.subarray(0, Math.min(options.limit, indices.length));
  const subset = (name: SplitName, part: Dataset['train'], indices: Int32Array): Subset => ({
    name,
    images: part.images,
    labels: part.labels,
    indices: limited(indices),
    count: limited(indices).length,
    height: dataset.height,
    width: dataset.width,
  });
  const testIndices = new Int32Array(dataset.test.count);
  for (let i = 0; i < testIndices.length; i++) testIndices[i] = i;
  return {
    train: subset('train', dataset.train, perm.subarray(0, cut)),
    val: subset('val', dataset.train, perm.subarray(cut)),
    test: subset('test', dataset.test, testIndices),
  };
}

/** The dataset's fixed constants, or mean/std computed from the training split. */
export function normalizationFor(dataset: Dataset, train: Subset): Normalization {
  return dataset.normalization ?? computeNormalization(train.images, train.height * train.width, train.indices);
}

/** Seeds go through `seed * 1000 + epoch + 1` (the peers' batch order) and mulberry32's uint32. */
export function checkSeed(seed: number): void {
  if (!Number.isSafeInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new RangeError(`seed must be an integer from 0 to 4294967295, got ${seed}`);
  }
}

/** The label of item k of a subset. */
export function labelAt(subset: Subset, k: number): number {
  return subset.labels[subset.indices[k] as number] as number;
}
