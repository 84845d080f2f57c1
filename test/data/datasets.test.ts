import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadDataset } from '../../src/data/datasets.js';
import { DataError } from '../../src/data/idx.js';
import { FASHION_MNIST_DIR } from '../../src/data/sources.js';
import { idxBytes, tempDir, writeDataDir } from './fixtures.js';

test("mnist (the default) loads 60000 + 10000 images of 28x28 with the practical's normalisation", () => {
  const ds = loadDataset();
  assert.equal(ds.name, 'mnist');
  assert.deepEqual([ds.train.count, ds.test.count, ds.height, ds.width], [60000, 10000, 28, 28]);
  assert.equal(ds.train.images.length, 60000 * 784);
  assert.equal(ds.train.labels.length, 60000);
  assert.deepEqual(ds.classNames, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  assert.deepEqual(ds.normalization, { mean: 0.1307, std: 0.3081 });
  assert.equal(ds.mirrorable, undefined, 'a mirrored digit is not a digit: --augment does not flip MNIST');
  // the published label counts of the MNIST training set
  const counts = new Array<number>(10).fill(0);
  for (const label of ds.train.labels) counts[label]! += 1;
  assert.deepEqual(counts, [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
});

test('--data-dir reads plain and gzipped folders; its statistics are computed, not assumed', () => {
  for (const gzip of [false, true]) {
    const dir = tempDir();
    writeDataDir(dir, 30, 7, gzip);
    const ds = loadDataset({ dataDir: dir });
    assert.deepEqual([ds.train.count, ds.test.count], [30, 7]);
    assert.equal(ds.normalization, undefined);
    assert.deepEqual(Array.from(ds.train.labels.subarray(0, 12)), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
  }
});

test("--data-dir with --dataset fashion-mnist keeps Fashion-MNIST's class names", () => {
  const dir = tempDir();
  writeDataDir(dir, 10, 10);
  const ds = loadDataset({ dataDir: dir, dataset: 'fashion-mnist' });
  assert.equal(ds.classNames[0], 'T-shirt/top');
  assert.equal(ds.classNames[9], 'Ankle boot');
  assert.equal(ds.mirrorable, true, 'clothes keep their class mirrored: --augment flips them');
});

test('images and labels that disagree in count are rejected, naming both files', () => {
  const dir = tempDir();
  writeDataDir(dir, 20, 5);
  const labels = join(dir, 'train-labels-idx1-ubyte');
  writeFileSync(labels, idxBytes([19], new Uint8Array(19)));
  assert.throws(() => loadDataset({ dataDir: dir }), {
    name: 'DataError',
    message: `${labels}: 19 labels, but ${join(dir, 'train-images-idx3-ubyte')} has 20 images`,
  });
});

test('a missing folder or file is a DataError that names it', () => {
  const dir = tempDir();
  assert.throws(() => loadDataset({ dataDir: join(dir, 'nope') }), {
    message: `${join(dir, 'nope')}: no such directory`,
  });
  writeDataDir(dir, 10, 10);
  rmSync(join(dir, 't10k-labels-idx1-ubyte'));
  assert.throws(
    () => loadDataset({ dataDir: dir }),
    (e: unknown) => e instanceof DataError && /no t10k-labels-idx1-ubyte \(or .*\.gz\)/.test(e.message),
  );
});

test('an unknown dataset name is rejected with the choices', () => {
  assert.throws(
    () => loadDataset({ dataset: 'cifar' }),
    /unknown dataset 'cifar' \(choose one of: mnist, fashion-mnist/,
  );
});

test('fashion-mnist, when not installed, says which package to install', () => {
  const missing = join(tempDir(), 'fashion-mnist');
  assert.throws(
    () => loadDataset({ dataset: 'fashion-mnist', fashionDir: missing }),
    /apt-get install dataset-fashion-mnist/,
  );
  mkdirSync(missing);
  assert.throws(() => loadDataset({ dataset: 'fashion-mnist', fashionDir: missing }), /no train-images-idx3-ubyte/);
});

test("fashion-mnist loads from Debian's package", () => {
  // like every test whose package is missing: fail with the line that installs it, never skip
  if (!existsSync(FASHION_MNIST_DIR))
    throw new Error(`${FASHION_MNIST_DIR} is missing: apt-get install -y dataset-fashion-mnist`);
  const ds = loadDataset({ dataset: 'fashion-mnist' });
  assert.deepEqual(
    [ds.name, ds.train.count, ds.test.count, ds.height, ds.width],
    ['fashion-mnist', 60000, 10000, 28, 28],
  );
  assert.equal(ds.normalization, undefined);
});
