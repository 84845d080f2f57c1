import assert from 'node:assert/strict';
import { test } from 'node:test';
import { maxPool2d } from '../../src/ops/pool.js';
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
