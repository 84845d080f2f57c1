import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Graph } from '../../src/ir/graph.js';
import { float32 } from '../../src/ir/tensor.js';
import * as op from '../../src/ops/index.js';
import { evaluate } from '../helpers/reference-interpreter.js';
import { inputs, node, throwsShapeError } from './helpers.js';

test('batchNormalization (inference) checks the channel parameters', () => {
  const [x, p, bad] = inputs(['N', 3, 4, 4], [3], [4]);
  const y = op.batchNormalization(x!, p!, p!, p!, p!, { epsilon: 1e-3 });
  assert.deepEqual(y.shape, ['N', 3, 4, 4]);
  assert.equal(node(y).attributes.epsilon?.value, 1e-3);
  throwsShapeError(() => op.batchNormalization(x!, bad!, p!, p!, p!), 'BatchNormalization', /must be \[3\]/);
});

test('batchNormalizationTraining: batch statistics, and the running ones updated with the momentum (ONNX convention)', () => {
  const g = new Graph('bn');
  // x[n, c]: channel 0 holds 1, 3; channel 1 holds 2, 6 (batch mean 2 and 4, population variance 1 and 4)
  const x = g.parameter('x', float32([2, 2, 1, 1], [1, 2, 3, 6]));
  const ones = g.constant(float32([2], [1, 1]));
  const zeros = g.constant(float32([2], [0, 0]));
  const runningMean = g.constant(float32([2], [10, 20]));
  const runningVar = g.constant(float32([2], [1, 1]));
  const bn = op.batchNormalizationTraining(x, ones, zeros, runningMean, runningVar, { momentum: 0.8, epsilon: 0 });
  const values = evaluate(g, [bn.y, bn.runningMean, bn.runningVar], {});
  const close = (a: ArrayLike<number>, b: number[]) =>
    b.forEach((v, i) => assert.ok(Math.abs((a[i] as number) - v) < 1e-6, `${a[i]} vs ${v}`));
  close(values.get(bn.runningMean)!.data, [0.8 * 10 + 0.2 * 2, 0.8 * 20 + 0.2 * 4]);
  close(values.get(bn.runningVar)!.data, [0.8 + 0.2 * 1, 0.8 + 0.2 * 4]);
  close(values.get(bn.y)!.data, [-1, -1, 1, 1]);
  assert.deepEqual(bn.runningMean.shape, [2]);
  assert.ok(!g.nodes.some((n) => n.opType === 'BatchNormalization'), 'built from portable ops, no training-mode node');
});

test('layerNormalization: scale and bias shaped like the normalised axes', () => {
  const [x, s, b, bad] = inputs(['N', 3, 4], [3, 4], [3, 4], [4]);
  const y = op.layerNormalization(x!, s!, b!, { axis: 1 });
  assert.deepEqual(y.shape, ['N', 3, 4]);
  assert.deepEqual(node(y).attributes.axis, { kind: 'int', value: 1 });
  throwsShapeError(() => op.layerNormalization(x!, bad!, null, { axis: 1 }), 'LayerNormalization', /must be \[3, 4\]/);
  assert.deepEqual(op.layerNormalization(x!, bad!, null).shape, ['N', 3, 4]);
});
