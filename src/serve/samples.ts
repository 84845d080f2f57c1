// What the server knows about a dataset: class names and input normalisation for answering
// predictions, and the test split for the demo's gallery (read off the event loop, kept per server).
import { type DatasetName, loadDataset, loadTestSplit, type SourceOptions, type TestSplit } from '../data/datasets.js';
import { CLASS_NAMES, isDatasetName } from '../data/sources.js';
import type { ModelInfo as ModelMetadata } from '../onnx/metadata.js';
import { computeNormalization, MNIST_NORMALIZATION, type Normalization } from '../data/normalize.js';
import { HttpError } from './http.js';

export interface DatasetProfile {
  name: DatasetName;
  classNames: readonly string[];
  normalization: Normalization;
  /** where the class names and normalisation came from */
  from: 'model metadata' | 'dataset';
}

/**
 * MNIST's constants are fixed (the practical's). Other datasets' come from their training images,
 * as the trainer computes them (it uses the training split; the whole training set differs from
 * that by well under 1%). A model file carrying its own constants will make this unnecessary.
 */
export function datasetProfile(name: DatasetName, source: SourceOptions = {}): DatasetProfile {
  const classNames = CLASS_NAMES[name];
  if (name === 'mnist' && source.dataDir === undefined)
    return { name, classNames, normalization: { ...MNIST_NORMALIZATION }, from: 'dataset' };
  const dataset = loadDataset({ ...source, dataset: name });
  return {
    name,
    classNames,
    normalization: computeNormalization(dataset.train.images, dataset.height * dataset.width),
    from: 'dataset',
  };
}

/**
 * The profile a model file carries (the trainer writes its dataset, class names and normalisation
 * as metadata_props); the dataset's own when it carries none. Asking for another dataset than
 * the one the model was trained on is an error: its answers would be meaningless.
 */
export function profileFor(
  metadata: ModelMetadata,
  requested: DatasetName | undefined,
  source: SourceOptions = {},
): DatasetProfile {
  const { classNames, normalization } = metadata;
  if (!classNames || !normalization) return datasetProfile(requested ?? 'mnist', source);
  // a dataset read from a folder is named like 'mnist (/data/dir)'
  const trained = metadata.dataset?.split(' (')[0];
  if (requested !== undefined && trained !== undefined && trained !== requested) {
    throw new Error(
      `the model was trained on ${metadata.dataset}, not ${requested}: leave --dataset out, or serve a model trained on ${requested}`,
    );
  }
  const name = requested ?? (trained !== undefined && isDatasetName(trained) ? trained : 'mnist');
  return { name, classNames, normalization, from: 'model metadata' };
}

export interface TestSamples {
  dataset: string;
  classNames: readonly string[];
  side: number;
  /** total images in the test split */
  total: number;
  samples: { index: number; label: number; className: string; pixels: number[] }[];
}

export type SampleSource = (dataset: DatasetName, offset: number, count: number) => Promise<TestSamples>;

/**
 * A loader of test images with its own cache, so each server (and each test) has its own. Only
 * the test split is read, off the event loop; the datasets in `preload` start loading now (a
 * dataset that cannot be read is answered 404 when asked for).
 */
export function testSampleSource(source: SourceOptions = {}, preload: readonly DatasetName[] = []): SampleSource {
  const cache = new Map<DatasetName, Promise<TestSplit>>();
  const load = (dataset: DatasetName): Promise<TestSplit> => {
    let entry = cache.get(dataset);
    if (!entry) {
      entry = (async () => loadTestSplit({ ...source, dataset }))();
      entry.catch(() => undefined); // a preload nobody asks for must not be an unhandled rejection
      cache.set(dataset, entry);
    }
    return entry;
  };
  for (const dataset of preload) load(dataset);
  return async (dataset, offset, count) => {
    let split: TestSplit;
    try {
      split = await load(dataset);
    } catch (error) {
      throw new HttpError(
        404,
        `test samples of ${dataset} are not available: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    const { images, labels, count: total } = split.test;
    const { classNames } = split;
    const side = split.height;
    const size = side * side;
    const samples = [];
    for (let k = 0; k < count; k++) {
      const index = (offset + k) % total;
      const label = labels[index]!;
      samples.push({
        index,
        label,
        className: classNames[label] ?? String(label),
        pixels: Array.from(images.subarray(index * size, (index + 1) * size)),
      });
    }
    return { dataset: split.name, classNames, side, total, samples };
  };
}
