import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadDataset } from '../../src/data/datasets.js';
import { defaultValidationSize, normalizationFor, splitDataset } from '../../src/data/split.js';
import { tempDir, writeDataDir } from './fixtures.js';

const mnist = loadDataset();

test('the default split is 50k/10k, disjoint, covers all 60000, and follows perm = shuffled(60000, seed)', () => {
  const { train, val, test: testSet } = splitDataset(mnist);
  assert.deepEqual([train.count, val.count, testSet.count], [50000, 10000, 10000]);
  assert.deepEqual(Array.from(train.indices.subarray(0, 5)), [24196, 28437, 47001, 44700, 693]);
  const seen = new Uint8Array(60000);
  for (const i of train.indices) seen[i]! += 1;
  for (const i of val.indices) seen[i]! += 1;
  assert.ok(
    seen.every((c) => c === 1),
    'every training image is in exactly one of train and val',
  );
  assert.equal(train.images, mnist.train.images);
  assert.equal(val.images, mnist.train.images);
  assert.equal(testSet.images, mnist.test.images);
  assert.deepEqual(Array.from(testSet.indices.subarray(0, 3)), [0, 1, 2]);
});

test('with no validation size, a sixth of any training set is held out (10000 of 60000), as on the training page', () => {
  assert.deepEqual([60000, 154, 100, 7, 3, 2].map(defaultValidationSize), [10000, 26, 17, 1, 1, 0]);
  const dir = tempDir();
  writeDataDir(dir, 154, 10);
  const s = splitDataset(loadDataset({ dataDir: dir }));
  assert.deepEqual([s.train.count, s.val.count], [128, 26]);
  assert.deepEqual(s.val.indices, splitDataset(loadDataset({ dataDir: dir }), { validationSize: 26 }).val.indices);
});

test('the split is deterministic per seed and changes with it', () => {
  const a = splitDataset(mnist, { seed: 5 });
  const b = splitDataset(mnist, { seed: 5 });
  const c = splitDataset(mnist, { seed: 6 });
  assert.deepEqual(a.val.indices, b.val.indices);
  assert.notDeepEqual(a.val.indices, c.val.indices);
});

test('validation size and limit are configurable and checked', () => {
  const s = splitDataset(mnist, { validationSize: 5000, limit: 1000 });
  assert.deepEqual([s.train.count, s.val.count, s.test.count], [1000, 1000, 1000]);
  assert.deepEqual(s.train.indices, splitDataset(mnist, { validationSize: 5000 }).train.indices.subarray(0, 1000));
  assert.equal(splitDataset(mnist, { validationSize: 0 }).val.count, 0);
  assert.throws(
    () => splitDataset(mnist, { validationSize: 60000 }),
    /validation size must be an integer from 0 to 59999/,
  );
  assert.throws(() => splitDataset(mnist, { limit: 0 }), /limit must be a positive integer/);
  assert.throws(() => splitDataset(mnist, { seed: -1 }), /seed must be an integer/);
});

test("MNIST keeps the practical's constants; other data gets statistics from its training split", () => {
  const s = splitDataset(mnist);
  assert.deepEqual(normalizationFor(mnist, s.train), { mean: 0.1307, std: 0.3081 });
  const dir = tempDir();
  writeDataDir(dir, 40, 10);
  const other = loadDataset({ dataDir: dir });
  const t = splitDataset(other, { validationSize: 10 }).train;
  const values = Array.from(t.indices, (i) => ((i * 37) % 256) / 255);
  const mean = values.reduce((x, y) => x + y, 0) / values.length;
  const norm = normalizationFor(other, t);
  assert.ok(Math.abs(norm.mean - mean) < 1e-12);
});
