import assert from 'node:assert/strict';
import { test } from 'node:test';
import { broadcastShapes, formatShape, normalizeAxis, sameShape, ShapeError, staticSize } from '../../src/ir/shape.js';

test('broadcastShapes follows numpy rules, with symbolic dimensions', () => {
  assert.deepEqual(broadcastShapes('Add', [2, 1, 4], [3, 1]), [2, 3, 4]);
  assert.deepEqual(broadcastShapes('Add', ['N', 10], [10]), ['N', 10]);
  assert.deepEqual(broadcastShapes('Add', ['N', 1], [1, 10]), ['N', 10]);
  assert.deepEqual(broadcastShapes('Add', [], [3]), [3]);
  assert.throws(() => broadcastShapes('Mul', [2, 3], [4, 3]), {
    name: 'ShapeError',
    message: 'Mul: cannot broadcast [2, 3] with [4, 3]',
  });
  assert.throws(() => broadcastShapes('Mul', ['N', 3], ['M', 3]), ShapeError);
});

test('normalizeAxis accepts -rank..rank-1 and names the op otherwise', () => {
  assert.equal(normalizeAxis('Op', -1, 4), 3);
  assert.equal(normalizeAxis('Op', 0, 4), 0);
  assert.throws(() => normalizeAxis('Flatten', 4, 4), { message: 'Flatten: axis 4 is out of range for rank 4' });
  assert.throws(() => normalizeAxis('Flatten', -5, 4), ShapeError);
});

test('staticSize, sameShape, formatShape', () => {
  assert.equal(staticSize([2, 3, 4]), 24);
  assert.equal(staticSize([]), 1);
  assert.equal(staticSize(['N', 3]), undefined);
  assert.ok(sameShape(['N', 3], ['N', 3]));
  assert.ok(!sameShape(['N', 3], ['N', 3, 1]));
  assert.equal(formatShape(['N', 1, 28, 28]), '[N, 1, 28, 28]');
});
