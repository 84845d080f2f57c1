import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IM2COL_GRAD_RULES } from '../../src/autodiff/rules/index.js';
import { Graph } from '../../src/ir/graph.js';
import * as op from '../../src/ops/index.js';
import { poolBeforeRelu } from '../../src/passes/pool-before-relu.js';
import { padPastTranspose } from '../../src/passes/pad-past-transpose.js';
import { evaluate } from '../helpers/reference-interpreter.js';
import { refTensor } from '../helpers/reference-tensor.js';
import { assertSameStep } from './equivalence.js';
import { tinyCnn } from './tiny-cnn.js';

test('pad past transpose: Transpose(Pad(x)) to NHWC becomes Pad(Transpose(x)), with the same values', () => {
  const [N, C, H, W] = [2, 3, 5, 6];
  const g = new Graph('nhwc');
  const x = g.input('x', 'float32', [N, C, H, W]);
  const padded = op.pad(x, [0, 0, 1, 0, 0, 0, 2, 1]);
  const moved = op.transpose(padded, [0, 2, 3, 1]);
  const plain = op.transpose(x, [0, 2, 3, 1]);
  const reference = evaluate(g, [moved], {
    x: refTensor(
      [N, C, H, W],
      Array.from({ length: N * C * H * W }, (_, k) => k + 1),
      'float32',
    ),
  });
  assert.equal(padPastTranspose(g), 1);
  assert.equal(moved.producer?.opType, 'Pad');
  assert.equal(plain.producer?.opType, 'Transpose', 'a transpose of no Pad stays');
  const image = refTensor(
    [N, C, H, W],
    Array.from({ length: N * C * H * W }, (_, k) => k + 1),
    'float32',
  );
  assert.deepEqual(evaluate(g, [moved], { x: image }).get(moved)?.data, reference.get(moved)?.data);
});

test('pad past transpose in an im2col step: the same loss and updates', async () => {
  // pooled before the ReLU, conv2's output gradient is the MaxPool gradient's zero Pad itself
  const plain = { rules: IM2COL_GRAD_RULES, forward: poolBeforeRelu };
  await assertSameStep(tinyCnn, plain, { ...plain, step: padPastTranspose }, 1);
});
