import assert from 'node:assert/strict';
import { test } from 'node:test';
import { averagePool2d, globalAveragePool, globalMaxPool, maxPool2d, poolOutputSize } from '../../src/ops/pool.js';
import { inputs, node, throwsShapeError } from './helpers.js';

test('maxPool2d uses floor mode: a 9x9 map pools to 4x4', () => {
  const [x] = inputs(['N', 64, 9, 9]);
  const y = maxPool2d(x!, { kernel: [2, 2] });
  assert.deepEqual(y.shape, ['N', 64, 4, 4]);
  assert.deepEqual(node(y).attributes.strides, { kind: 'ints', value: [2, 2] });
  assert.deepEqual(node(y).attributes.kernel_shape, { kind: 'ints', value: [2, 2] });
});

test('maxPool2d with strides and padding', () => {
  const [x] = inputs([1, 3, 10, 10]);
  assert.deepEqual(maxPool2d(x!, { kernel: [3, 3], strides: [1, 1] }).shape, [1, 3, 8, 8]);
  assert.deepEqual(maxPool2d(x!, { kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }).shape, [1, 3, 5, 5]);
});

test('maxPool2d: errors name the op', () => {
  const [x3, small, symbolic] = inputs([1, 9, 9], [1, 1, 1, 1], [1, 1, 'H', 'W']);
  throwsShapeError(() => maxPool2d(x3!, { kernel: [2, 2] }), 'MaxPool', /rank 4/);
  throwsShapeError(() => maxPool2d(small!, { kernel: [2, 2] }), 'MaxPool', /does not fit/);
  throwsShapeError(() => maxPool2d(symbolic!, { kernel: [2, 2] }), 'MaxPool', /static/);
});

test('pooling in ceil mode keeps the last partial window; one that would start in the padding is refused', () => {
  const [x, y] = inputs([1, 2, 9, 9], [1, 1, 5, 5]);
  assert.deepEqual(maxPool2d(x!, { kernel: [2, 2], ceilMode: true }).shape, [1, 2, 5, 5]);
  assert.deepEqual(node(maxPool2d(x!, { kernel: [2, 2], ceilMode: true })).attributes.ceil_mode, {
    kind: 'int',
    value: 1,
  });
  assert.equal(node(maxPool2d(x!, { kernel: [2, 2] })).attributes.ceil_mode, undefined);
  assert.equal(poolOutputSize(8, 3, 2, 1, 1, 1, true), 5);
  throwsShapeError(
    () => maxPool2d(y!, { kernel: [2, 2], pads: [1, 1, 1, 1], ceilMode: true }),
    'MaxPool',
    /would start in the end padding/,
  );
  throwsShapeError(() => maxPool2d(x!, { kernel: [2, 2], pads: [2, 0, 0, 0] }), 'MaxPool', /smaller than the kernel/);
});

test('maxPool2d with dilations; averagePool2d and the global pools', () => {
  const [x] = inputs(['N', 3, 8, 8]);
  const dilated = maxPool2d(x!, { kernel: [2, 2], strides: [1, 1], dilations: [2, 2] });
  assert.deepEqual(dilated.shape, ['N', 3, 6, 6]);
  assert.deepEqual(node(dilated).attributes.dilations, { kind: 'ints', value: [2, 2] });
  const avg = averagePool2d(x!, { kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], countIncludePad: true });
  assert.deepEqual(avg.shape, ['N', 3, 4, 4]);
  assert.equal(node(avg).opType, 'AveragePool');
  assert.deepEqual(node(avg).attributes.count_include_pad, { kind: 'int', value: 1 });
  assert.deepEqual(globalAveragePool(x!).shape, ['N', 3, 1, 1]);
  assert.deepEqual(globalMaxPool(x!).shape, ['N', 3, 1, 1]);
  const [v] = inputs([3, 8]);
  throwsShapeError(() => globalMaxPool(v!), 'GlobalMaxPool', /rank 4/);
});
