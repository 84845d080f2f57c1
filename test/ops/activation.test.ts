import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as op from '../../src/ops/index.js';
import { inputs, node, throwsShapeError } from './helpers.js';

test('single-node activations keep the shape and refuse integer tensors', () => {
  const [x, i] = inputs(['N', 10], ['int64', [3]]);
  for (const [name, build] of [
    ['Sigmoid', op.sigmoid],
    ['Tanh', op.tanh],
    ['Erf', op.erf],
    ['LeakyRelu', (v: typeof x) => op.leakyRelu(v!, 0.2)],
    ['Clip', (v: typeof x) => op.clip(v!, 0, 6)],
  ] as const) {
    const y = build(x!);
    assert.equal(node(y).opType, name);
    assert.deepEqual(y.shape, ['N', 10]);
    throwsShapeError(() => build(i!), name, /must be a float tensor/);
  }
  assert.equal(node(op.leakyRelu(x!, 0.2)).attributes['alpha']?.value, 0.2);
});

test('Clip takes its bounds as scalar inputs, an omitted lower bound as an empty input', () => {
  const [x, v] = inputs([2, 3], [3]);
  assert.equal(node(op.clip(x!)).inputs.length, 1);
  assert.deepEqual(
    node(op.clip(x!, undefined, 1)).inputs.map((i) => i?.rank ?? null),
    [2, null, 0],
  );
  throwsShapeError(() => op.clip(x!, v!), 'Clip', /bounds must be scalars/);
});

test('Softmax checks its axis; LogSoftmax and Gelu are portable compositions', () => {
  const [x] = inputs([2, 4, 3]);
  assert.equal(node(op.softmax(x!, 1)).attributes['axis']?.value, 1);
  throwsShapeError(() => op.softmax(x!, 3), 'Softmax', /axis 3 is out of range/);
  const graph = x!.graph;
  const before = graph.nodes.length;
  assert.deepEqual(op.logSoftmax(x!, 1).shape, [2, 4, 3]);
  assert.deepEqual(op.gelu(x!).shape, [2, 4, 3]);
  const made = new Set(graph.nodes.slice(before).map((n) => n.opType));
  assert.ok(!made.has('LogSoftmax') && !made.has('Gelu'), `made ${[...made].join(', ')}`);
  throwsShapeError(() => op.logSoftmax(x!, -4), 'LogSoftmax', /out of range/);
});
