import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadDataset } from '../../src/data/datasets.js';
import { computeNormalization, MNIST_NORMALIZATION, normalize } from '../../src/data/normalize.js';

test('normalize computes (x/255 - mean)/std', () => {
  const out = normalize(new Uint8Array([0, 255, 51]), MNIST_NORMALIZATION);
  assert.ok(out instanceof Float32Array);
  assert.equal(out[0], Math.fround(-0.1307 / 0.3081));
  assert.equal(out[1], Math.fround((1 - 0.1307) / 0.3081));
  assert.equal(out[2], Math.fround((0.2 - 0.1307) / 0.3081));
});

test("the computed statistics of the MNIST training set are the practical's constants", () => {
  const { mean, std } = computeNormalization(loadDataset().train.images, 784);
  assert.equal(mean.toFixed(4), '0.1307');
  assert.equal(std.toFixed(4), '0.3081');
});

test('statistics over chosen images only', () => {
  const images = new Uint8Array([0, 0, 255, 255, 51, 51]);
  assert.deepEqual(computeNormalization(images, 2, Int32Array.from([0, 1])), { mean: 0.5, std: 0.5 });
  assert.throws(() => computeNormalization(images, 2, Int32Array.from([2])), /same value/);
});
