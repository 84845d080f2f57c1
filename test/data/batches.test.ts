import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BatchCursor, chunks, type CursorOptions } from '../../src/data/batches.js';
import { loadDataset } from '../../src/data/datasets.js';
import { MNIST_NORMALIZATION } from '../../src/data/normalize.js';
import { shuffled } from '../../src/data/random.js';
import { splitDataset } from '../../src/data/split.js';

const mnist = loadDataset();
const { train, val } = splitDataset(mnist);
const options: CursorOptions = { batchSize: 64, seed: 1, normalization: MNIST_NORMALIZATION };

test('a batch is 64 normalised NCHW images with int64 labels', () => {
  const batch = new BatchCursor(train, options).next();
  assert.equal(batch.size, 64);
  assert.equal(batch.images.length, 64 * 28 * 28);
  assert.ok(batch.labels instanceof BigInt64Array);
  assert.equal(batch.labels.length, 64);
  const first = batch.indices[0] as number;
  assert.equal(batch.labels[0], BigInt(mnist.train.labels[first] as number));
  const pixel = mnist.train.images[first * 784 + 400] as number;
  assert.equal(batch.images[400], Math.fround((pixel / 255 - 0.1307) / 0.3081));
  // the peers' order: epoch 0 visits train in shuffled(50000, seed * 1000 + 1)
  const order = shuffled(50000, 1001);
  assert.equal(first, train.indices[order[0] as number]);
});

test('an epoch drops the last partial batch: 781 steps cover 49984 distinct training images', () => {
  const cursor = new BatchCursor(train, options);
  assert.equal(cursor.stepsPerEpoch, 781);
  const inTrain = new Uint8Array(60000);
  for (const i of train.indices) inTrain[i] = 1;
  const seen = new Uint8Array(60000);
  let dropped0: number[] = [];
  for (let s = 0; s < 781; s++) {
    const batch = cursor.next();
    assert.deepEqual([batch.epoch, batch.batch, batch.size], [0, s, 64]);
    for (const i of batch.indices) seen[i]! += 1;
  }
  dropped0 = Array.from(train.indices).filter((i) => seen[i] === 0);
  assert.equal(dropped0.length, 16);
  assert.ok(seen.every((c, i) => c === 0 || (c === 1 && inTrain[i] === 1)));
  const next = cursor.next();
  assert.deepEqual([next.epoch, next.batch], [1, 0]);
  // a different 16 are dropped in epoch 1
  const order1 = shuffled(50000, 1002);
  const dropped1 = Array.from(order1.subarray(49984), (k) => train.indices[k] as number);
  assert.notDeepEqual(dropped1.sort(), dropped0.sort());
});

test('remainder "keep" reproduces the peers\' 782 steps with a last batch of 16', () => {
  const cursor = new BatchCursor(train, { ...options, remainder: 'keep' }, { epoch: 0, batch: 781 });
  assert.equal(cursor.stepsPerEpoch, 782);
  const last = cursor.next();
  assert.deepEqual([last.batch, last.size, last.images.length], [781, 16, 16 * 784]);
});

test('a cursor restored from its saved position continues identically, with augmentation too', () => {
  for (const augment of [null, { maxShift: 2, maxRotation: 10 }]) {
    const opts = { ...options, batchSize: 1000, augment };
    const a = new BatchCursor(train, opts);
    for (let s = 0; s < 53; s++) a.next();
    const saved = JSON.parse(JSON.stringify(a.position)) as typeof a.position;
    assert.deepEqual([saved.epoch, saved.batch], [1, 3]);
    const b = new BatchCursor(train, opts, saved);
    for (let s = 0; s < 60; s++) {
      const x = a.next();
      const y = b.next();
      assert.deepEqual(y.indices, x.indices);
      assert.deepEqual(y.images, x.images);
      assert.deepEqual([y.epoch, y.batch], [x.epoch, x.batch]);
    }
  }
});

test('bad cursor options and states are rejected', () => {
  assert.throws(() => new BatchCursor(train, { ...options, batchSize: 0 }), /batch size must be a positive integer/);
  assert.throws(() => new BatchCursor(val, { ...options, batchSize: 20000 }), /larger than the val split/);
  assert.throws(() => new BatchCursor(train, options, { epoch: 0, batch: 900 }), /outside/);
  assert.throws(() => new BatchCursor(train, options, { epoch: 0, batch: 1, augmentState: 5 }), /augmentation/);
});

test('chunks visit a split once, in order, the last chunk partial', () => {
  const sizes: number[] = [];
  const visited: number[] = [];
  for (const chunk of chunks(val, 3000, MNIST_NORMALIZATION)) {
    sizes.push(chunk.size);
    visited.push(...chunk.indices);
    assert.equal(chunk.images.length, chunk.size * 784);
  }
  assert.deepEqual(sizes, [3000, 3000, 3000, 1000]);
  assert.deepEqual(visited, Array.from(val.indices));
});
