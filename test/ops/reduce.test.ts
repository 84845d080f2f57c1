import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as op from '../../src/ops/index.js';
import { inputs, node, throwsShapeError } from './helpers.js';

test('reduceSum takes its axes as an int64 input (opset 13+)', () => {
  const [x] = inputs(['N', 10]);
  const y = op.reduceSum(x!, [1], true);
  assert.deepEqual(y.shape, ['N', 1]);
  const axes = node(y).inputs[1];
  assert.equal(axes?.kind, 'constant');
  assert.deepEqual(Array.from(x!.graph.constants.get(axes!.name)!.data.data as BigInt64Array), [1n]);
  assert.deepEqual(node(y).attributes.keepdims, { kind: 'int', value: 1 });
  assert.deepEqual(op.reduceSum(x!).shape, []);
  assert.deepEqual(op.reduceSum(x!, [-1]).shape, ['N']);
});

for (const [name, build] of [
  ['ReduceMax', op.reduceMax],
  ['ReduceMean', op.reduceMean],
] as const) {
  test(`${name} takes its axes as an attribute (until opset 18)`, () => {
    const [x] = inputs(['N', 3, 4]);
    const y = build(x!, [1, -1], false);
    assert.deepEqual(y.shape, ['N']);
    assert.deepEqual(node(y).attributes.axes, { kind: 'ints', value: [1, 2] });
    assert.equal(node(y).inputs.length, 1);
    assert.deepEqual(build(x!, [0], true).shape, [1, 3, 4]);
  });

  test(`${name}: an axis out of range names the op`, () => {
    const [x] = inputs([2, 3]);
    throwsShapeError(() => build(x!, [2]), name, /axis 2 is out of range for rank 2/);
    throwsShapeError(() => build(x!, [-3]), name, /out of range/);
  });
}

test('ReduceSum: an axis out of range names the op', () => {
  const [x] = inputs([2, 3]);
  throwsShapeError(() => op.reduceSum(x!, [5]), 'ReduceSum', /out of range/);
});
