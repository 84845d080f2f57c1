import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as op from '../../src/ops/index.js';
import { inputs, node, throwsShapeError } from './helpers.js';

test('reshape: 0 copies a dimension, -1 is inferred, symbolic batch carried', () => {
  const [x, s] = inputs([2, 3, 4], ['N', 64, 4, 4]);
  assert.deepEqual(op.reshape(x!, [6, -1]).shape, [6, 4]);
  assert.deepEqual(op.reshape(x!, [0, -1]).shape, [2, 12]);
  assert.deepEqual(op.reshape(x!, [24]).shape, [24]);
  assert.deepEqual(op.reshape(s!, [0, -1]).shape, ['N', 1024]);
  assert.deepEqual(op.reshape(s!, [-1, 1024]).shape, ['N', 1024]);
  assert.equal(node(op.reshape(x!, [24])).inputs[1]?.dtype, 'int64');
});

test('reshape: errors name the op', () => {
  const [x, s] = inputs([2, 3, 4], ['N', 64, 4, 4]);
  throwsShapeError(() => op.reshape(x!, [5, -1]), 'Reshape', /cannot reshape \[2, 3, 4\] to \[5, -1\]/);
  throwsShapeError(() => op.reshape(x!, [5, 5]), 'Reshape', /24 elements/);
  throwsShapeError(() => op.reshape(x!, [-1, -1]), 'Reshape', /more than one -1/);
  throwsShapeError(() => op.reshape(x!, [0, 0, 0, 0]), 'Reshape', /0 at position 3/);
  throwsShapeError(() => op.reshape(s!, [-1, 1000]), 'Reshape', /cannot infer -1/);
});

test('reshapeLike and shapeOf use the runtime shape of another value', () => {
  const [x, like] = inputs(['N', 1024], ['N', 64, 4, 4]);
  const y = op.reshapeLike(x!, like!);
  assert.deepEqual(y.shape, ['N', 64, 4, 4]);
  assert.equal(node(y).inputs[1]?.producer?.opType, 'Shape');
  const shape = op.shapeOf(like!);
  assert.equal(shape.dtype, 'int64');
  assert.deepEqual(shape.shape, [4]);
});

test('flatten: [N, 64, 4, 4] -> [N, 1024]; axis 0 and axis = rank', () => {
  const [x, s] = inputs(['N', 64, 4, 4], [2, 3, 4]);
  assert.deepEqual(op.flatten(x!).shape, ['N', 1024]);
  assert.deepEqual(op.flatten(s!, 0).shape, [1, 24]);
  assert.deepEqual(op.flatten(s!, 2).shape, [6, 4]);
  assert.deepEqual(op.flatten(s!, 3).shape, [24, 1]);
  throwsShapeError(() => op.flatten(s!, 4), 'Flatten', /out of range/);
  const [sym] = inputs(['N', 'C', 4]);
  throwsShapeError(() => op.flatten(sym!, 1), 'Flatten', /must be static/);
});

test('transpose permutes dimensions; a bad perm names the op', () => {
  const [x] = inputs(['N', 3, 5]);
  assert.deepEqual(op.transpose(x!, [2, 0, 1]).shape, [5, 'N', 3]);
  throwsShapeError(() => op.transpose(x!, [0, 1]), 'Transpose', /not a permutation/);
  throwsShapeError(() => op.transpose(x!, [0, 1, 1]), 'Transpose', /not a permutation/);
  throwsShapeError(() => op.transpose(x!, [0, 1, 3]), 'Transpose', /not a permutation/);
});

test('slice clamps like ONNX Slice and needs static axes', () => {
  const [x] = inputs(['N', 10, 8]);
  assert.deepEqual(op.slice(x!, [1], [2], [5]).shape, ['N', 3, 8]);
  assert.deepEqual(op.slice(x!, [1, 2], [0, 6], [100, 100]).shape, ['N', 10, 2]);
  assert.deepEqual(op.slice(x!, [-1], [5], [2]).shape, ['N', 10, 0]);
  throwsShapeError(() => op.slice(x!, [0], [0], [1]), 'Slice', /must be static/);
  throwsShapeError(() => op.slice(x!, [3], [0], [1]), 'Slice', /out of range/);
});

test('pad adds begin and end pads; wrong count or a symbolic axis names the op', () => {
  const [x] = inputs(['N', 1, 28, 28]);
  assert.deepEqual(op.pad(x!, [0, 0, 2, 1, 0, 0, 2, 3]).shape, ['N', 1, 32, 32]);
  assert.deepEqual(node(op.pad(x!, [0, 0, 0, 0, 0, 0, 0, 0])).attributes.mode, { kind: 'string', value: 'constant' });
  throwsShapeError(() => op.pad(x!, [1, 1]), 'Pad', /needs 8 pads/);
  throwsShapeError(() => op.pad(x!, [1, 0, 0, 0, 0, 0, 0, 0]), 'Pad', /symbolic axis 0/);
});

test('expand and expandLike broadcast; a mismatch names the op', () => {
  const [x, like] = inputs([1, 10], ['N', 10]);
  assert.deepEqual(op.expand(x!, [4, 10]).shape, [4, 10]);
  assert.deepEqual(op.expand(x!, [3, 1, 10]).shape, [3, 1, 10]);
  assert.deepEqual(op.expandLike(x!, like!).shape, ['N', 10]);
  throwsShapeError(() => op.expand(x!, [4, 9]), 'Expand', /broadcast/);
});

test('unsqueeze inserts axes of size 1 (negative axes count from the new rank)', () => {
  const [x] = inputs(['N']);
  assert.deepEqual(op.unsqueeze(x!, [1]).shape, ['N', 1]);
  assert.deepEqual(op.unsqueeze(x!, [0, -1]).shape, [1, 'N', 1]);
  throwsShapeError(() => op.unsqueeze(x!, [3]), 'Unsqueeze', /out of range/);
});

test('int64s and scalar make constants', () => {
  const [x] = inputs([2]);
  const g = x!.graph;
  const axes = op.int64s(g, [0, 2]);
  assert.deepEqual(axes.shape, [2]);
  assert.equal(axes.dtype, 'int64');
  assert.equal(op.scalar(g, 0.5), op.scalar(g, 0.5));
  assert.notEqual(op.scalar(g, 0.5), op.scalar(g, 0.5, 'float64'));
  assert.deepEqual(op.scalar(g, 1, 'bool').shape, []);
});

test('slice: negative indices count from the end, steps may be negative, ends clamp', () => {
  const [x] = inputs([5, 6]);
  assert.deepEqual(op.slice(x!, [0, 1], [1, -3], [3, 100]).shape, [2, 3]);
  assert.deepEqual(op.slice(x!, [1], [1], [6], [2]).shape, [5, 3]);
  assert.deepEqual(op.slice(x!, [0, 1], [-1, 5], [-6, 0], [-2, -3]).shape, [3, 2]);
  assert.equal(node(op.slice(x!, [1], [0], [2])).inputs.length, 4);
  assert.equal(node(op.slice(x!, [1], [0], [2], [1])).inputs.length, 5);
  throwsShapeError(() => op.slice(x!, [1], [0], [2], [0]), 'Slice', /step 0/);
});

test('pad: modes, a constant, negative pads crop', () => {
  const [x] = inputs([3, 5]);
  assert.deepEqual(op.pad(x!, [1, -1, 0, 2]).shape, [4, 6]);
  const edge = op.pad(x!, [0, 1, 0, 1], { mode: 'edge' });
  assert.deepEqual(node(edge).attributes.mode, { kind: 'string', value: 'edge' });
  assert.equal(node(op.pad(x!, [0, 1, 0, 1], { value: 0.5 })).inputs.length, 3);
  assert.equal(node(op.pad(x!, [0, 1, 0, 1])).inputs.length, 2);
  throwsShapeError(() => op.pad(x!, [0, -3, 0, -3]), 'Pad', /crop more than/);
});

test('squeeze, concat and split', () => {
  const [a, b, c] = inputs([1, 3, 1, 2], ['N', 2, 4], ['N', 3, 4]);
  assert.deepEqual(op.squeeze(a!).shape, [3, 2]);
  assert.deepEqual(op.squeeze(a!, [-2]).shape, [1, 3, 2]);
  throwsShapeError(() => op.squeeze(a!, [1]), 'Squeeze', /has size 3, not 1/);
  assert.deepEqual(op.concat([b!, c!], 1).shape, ['N', 5, 4]);
  throwsShapeError(() => op.concat([b!, c!], 2), 'Concat', /does not fit/);
  const parts = op.split(c!, 1, [1, 2]);
  assert.deepEqual(
    parts.map((p) => p.shape),
    [
      ['N', 1, 4],
      ['N', 2, 4],
    ],
  );
  assert.equal(parts[0]?.producer, parts[1]?.producer);
  throwsShapeError(() => op.split(c!, 1, [1, 1]), 'Split', /do not add up/);
});
