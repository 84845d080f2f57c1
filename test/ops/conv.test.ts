import assert from 'node:assert/strict';
import { test } from 'node:test';
import { conv2d, convOutputSize, convTranspose2d } from '../../src/ops/conv.js';
import { inputs, node, throwsShapeError } from './helpers.js';

test('convOutputSize follows floor((in + pads - dilation*(k-1) - 1) / stride) + 1', () => {
  assert.equal(convOutputSize(28, 12, 2, 0, 0, 1), 9);
  assert.equal(convOutputSize(9, 5, 1, 2, 2, 1), 9);
  assert.equal(convOutputSize(9, 2, 2, 0, 0, 1), 4);
  assert.equal(convOutputSize(9, 3, 1, 0, 0, 2), 5);
});

test('conv2d: the practical layers give [N, 25, 9, 9] then [N, 64, 9, 9]', () => {
  const [x, w1, b1, w2] = inputs(['N', 1, 28, 28], [25, 1, 12, 12], [25], [64, 25, 5, 5]) as [
    never,
    never,
    never,
    never,
  ];
  const y1 = conv2d(x, w1, b1, { strides: [2, 2] });
  assert.deepEqual(y1.shape, ['N', 25, 9, 9]);
  assert.equal(y1.name, 'Conv_0_out');
  const y2 = conv2d(y1, w2, null, { pads: [2, 2, 2, 2] });
  assert.deepEqual(y2.shape, ['N', 64, 9, 9]);
  assert.equal(node(y2).inputs.length, 2);
  assert.deepEqual(node(y2).attributes.pads, { kind: 'ints', value: [2, 2, 2, 2] });
  assert.deepEqual(node(y2).attributes.strides, { kind: 'ints', value: [1, 1] });
});

test('conv2d: dilations and asymmetric padding', () => {
  const [x, w] = inputs([2, 3, 10, 12], [4, 3, 3, 3]);
  assert.deepEqual(conv2d(x!, w!, null, { dilations: [2, 2] }).shape, [2, 4, 6, 8]);
  assert.deepEqual(conv2d(x!, w!, null, { pads: [1, 0, 0, 1] }).shape, [2, 4, 9, 11]);
});

test('conv2d: errors name the op', () => {
  const [x4, x3, w, wBad, b, bBad, xInt] = inputs(
    ['N', 1, 28, 28],
    ['N', 28, 28],
    [8, 1, 3, 3],
    [8, 2, 3, 3],
    [8],
    [7],
    ['int64', ['N', 1, 28, 28]],
  );
  throwsShapeError(() => conv2d(x3!, w!, null), 'Conv', /rank 4/);
  throwsShapeError(() => conv2d(x4!, b!, null), 'Conv', /weight/);
  throwsShapeError(() => conv2d(x4!, wBad!, null), 'Conv', /1 channels but weight \[8, 2, 3, 3\] expects 2/);
  throwsShapeError(() => conv2d(x4!, w!, bBad!), 'Conv', /bias \[7\] must be \[8\]/);
  throwsShapeError(() => conv2d(xInt!, w!, null), 'Conv', /float/);
  const [small, big] = inputs(['N', 1, 4, 4], [8, 1, 5, 5]);
  throwsShapeError(() => conv2d(small!, big!, null), 'Conv', /does not fit/);
  const [symbolic, k] = inputs(['N', 1, 'H', 28], [8, 1, 3, 3]);
  throwsShapeError(() => conv2d(symbolic!, k!, null), 'Conv', /must be static/);
});

test('convTranspose2d inverts the size rule of conv2d', () => {
  const [g, w] = inputs(['N', 25, 9, 9], [25, 1, 12, 12]);
  const y = convTranspose2d(g!, w!, { strides: [2, 2] });
  assert.deepEqual(y.shape, ['N', 1, 28, 28]);
  assert.deepEqual(node(y).attributes.output_padding, { kind: 'ints', value: [0, 0] });
  const [g2, w2] = inputs([1, 4, 4, 4], [4, 2, 3, 3]);
  assert.deepEqual(
    convTranspose2d(g2!, w2!, { strides: [2, 2], pads: [1, 1, 1, 1], outputPadding: [1, 1] }).shape,
    [1, 2, 8, 8],
  );
});

test('convTranspose2d: errors name the op', () => {
  const [x, x3, w, wBad] = inputs(['N', 4, 5, 5], [4, 5, 5], [4, 2, 3, 3], [3, 2, 3, 3]);
  throwsShapeError(() => convTranspose2d(x3!, w!), 'ConvTranspose', /rank 4/);
  throwsShapeError(() => convTranspose2d(x!, wBad!), 'ConvTranspose', /4 channels/);
});

test('conv2d: grouped filters see their share of the channels', () => {
  const [x, w, wBad] = inputs([2, 6, 9, 9], [12, 2, 3, 3], [12, 3, 3, 3]);
  assert.deepEqual(conv2d(x!, w!, null, { group: 3 }).shape, [2, 12, 7, 7]);
  throwsShapeError(() => conv2d(x!, wBad!, null, { group: 3 }), 'Conv', /in 3 groups expects 9/);
});

test('convTranspose2d: groups and a bias', () => {
  const [x, w, b, bad] = inputs([1, 4, 3, 3], [4, 3, 2, 2], [6], [4]);
  const y = convTranspose2d(x!, w!, { strides: [2, 2], group: 2 }, b!);
  assert.deepEqual(y.shape, [1, 6, 6, 6]);
  assert.deepEqual(node(y).attributes.group, { kind: 'int', value: 2 });
  assert.equal(node(y).inputs.length, 3);
  throwsShapeError(() => convTranspose2d(x!, w!, { group: 2 }, bad!), 'ConvTranspose', /bias \[4\] must be \[6\]/);
  throwsShapeError(() => convTranspose2d(x!, w!, { group: 3 }), 'ConvTranspose', /in 3 groups/);
});
