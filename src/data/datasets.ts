// Loading a whole dataset: four IDX files, checked against each other. Nothing is cached at
// module level, so every call reads the files again and tests cannot see each other's data.
import { DataError } from './idx.js';
import { readImagesFile, readImagesFileAsync, readLabelsFile, readLabelsFileAsync } from './idx-files.js';
import type { Dataset, LabelledImages } from './dataset.js';
import { resolveSource, type SourceOptions } from './sources.js';

export { DATASET_NAMES, type DatasetName, type SourceOptions } from './sources.js';

export type { Dataset, LabelledImages } from './dataset.js';

/** Loads `mnist` (default), `fashion-mnist`, or the IDX files in `dataDir`. Throws DataError. */
export function loadDataset(options: SourceOptions = {}): Dataset {
  const source = resolveSource(options);
  const { files, classNames } = source;
  const numClasses = classNames.length;
  const trainImages = readImagesFile(files.trainImages);
  const testImages = readImagesFile(files.testImages);
  const train = pair(files.trainImages, trainImages.pixels, trainImages.count, files.trainLabels, numClasses);
  const test = pair(files.testImages, testImages.pixels, testImages.count, files.testLabels, numClasses);
  if (trainImages.height !== testImages.height || trainImages.width !== testImages.width) {
    throw new DataError(
      `${files.testImages}: images of ${testImages.height}x${testImages.width}, ` +
        `but the training images (${files.trainImages}) are ${trainImages.height}x${trainImages.width}`,
    );
  }
  const dataset: Dataset = {
    name: source.name,
    classNames,
    train,
    test,
    height: trainImages.height,
    width: trainImages.width,
  };
  if (source.normalization) dataset.normalization = source.normalization;
  if (source.mirrorable) dataset.mirrorable = true;
  return dataset;
}

export interface TestSplit {
  name: string;
  classNames: readonly string[];
  test: LabelledImages;
  height: number;
  width: number;
}

/** Only the test split of a dataset, read off the event loop (the server's gallery). Rejects with DataError. */
export async function loadTestSplit(options: SourceOptions = {}): Promise<TestSplit> {
  const source = resolveSource(options);
  const { files, classNames } = source;
  const [images, labels] = await Promise.all([
    readImagesFileAsync(files.testImages),
    readLabelsFileAsync(files.testLabels, classNames.length),
  ]);
  if (labels.count !== images.count) {
    throw new DataError(
      `${files.testLabels}: ${labels.count} labels, but ${files.testImages} has ${images.count} images`,
    );
  }
  const test = { images: images.pixels, labels: labels.labels, count: images.count };
  return { name: source.name, classNames, test, height: images.height, width: images.width };
}

function pair(
  imagesPath: string,
  images: Uint8Array,
  count: number,
  labelsPath: string,
  numClasses: number,
): LabelledImages {
  const { labels, count: labelCount } = readLabelsFile(labelsPath, numClasses);
  if (labelCount !== count) {
    throw new DataError(`${labelsPath}: ${labelCount} labels, but ${imagesPath} has ${count} images`);
  }
  return { images, labels, count };
}
