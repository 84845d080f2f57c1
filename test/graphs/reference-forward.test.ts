// The float64 reference's building blocks against values worked out by hand.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { conv2d, crossEntropy, linear, maxPool, relu, softmax } from '../helpers/reference-forward.js';

test('conv2d is a cross-correlation with bias, stride and zero padding', () => {
  const x = { c: 1, h: 3, w: 3, data: Float64Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9) };
  const w = Float64Array.of(1, 0, 0, -1); // x[i][j] - x[i+1][j+1]
  const y = conv2d(x, w, Float64Array.of(10), 1, 2, 1, [0, 0, 0, 0]);
  assert.deepEqual([y.h, y.w, ...y.data], [2, 2, 6, 6, 6, 6]);
  const padded = conv2d(x, Float64Array.of(1, 1, 1, 1), Float64Array.of(0), 1, 2, 2, [1, 1, 1, 1]);
  assert.deepEqual([padded.h, padded.w, ...padded.data], [2, 2, 1, 5, 11, 28]);
});

test('maxPool drops a trailing partial window (floor mode)', () => {
  const x = { c: 1, h: 3, w: 3, data: Float64Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9) };
  const y = maxPool(x, 2);
  assert.deepEqual([y.h, y.w, ...y.data], [1, 1, 5]);
});

test('relu, linear, softmax and cross-entropy', () => {
  assert.deepEqual(Array.from(relu(Float64Array.of(-1, 0, 2))), [0, 0, 2]);
  assert.deepEqual(
    Array.from(linear(Float64Array.of(1, 2), Float64Array.of(1, 1, 0, 3), Float64Array.of(0.5, 0), 2)),
    [3.5, 6],
  );
  const p = softmax(Float64Array.of(0, Math.log(3)));
  assert.ok(Math.abs((p[0] as number) - 0.25) < 1e-15 && Math.abs((p[1] as number) - 0.75) < 1e-15);
  assert.ok(Math.abs(crossEntropy(Float64Array.of(0, Math.log(3)), [1n], 2) + Math.log(0.75)) < 1e-15);
});
