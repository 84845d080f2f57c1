import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Graph, liveNodes } from '../../src/ir/graph.js';
import { float32 } from '../../src/ir/tensor.js';
import * as op from '../../src/ops/index.js';

test('node and value names are deterministic: the n-th op of a type is Op_n', () => {
  const g = new Graph('g');
  const x = g.input('x', 'float32', [2]);
  const a = op.relu(x);
  const b = op.relu(a);
  const c = op.exp(b);
  assert.deepEqual([a.name, b.name, c.name], ['Relu_0_out', 'Relu_1_out', 'Exp_0_out']);
  assert.deepEqual(
    g.nodes.map((n) => n.name),
    ['Relu_0', 'Relu_1', 'Exp_0'],
  );
});

test('names are unique within a graph', () => {
  const g = new Graph('g');
  g.input('x', 'float32', [2]);
  assert.throws(() => g.parameter('x', float32([1], [0])), /the name 'x' is already used/);
});

test('output renames through an Identity only when needed', () => {
  const g = new Graph('g');
  const x = g.input('x', 'float32', [2]);
  const y = op.relu(x);
  assert.equal(g.output(y), y);
  const logits = g.output(y, 'logits');
  assert.equal(logits.name, 'logits');
  assert.equal(logits.producer?.opType, 'Identity');
  assert.equal(g.output(x, 'x_copy').producer?.opType, 'Identity'); // an input is copied to be an output
  assert.deepEqual(
    g.outputs.map((v) => v.name),
    ['Relu_0_out', 'logits', 'x_copy'],
  );
});

test("parameterCount sums the parameters' elements", () => {
  const g = new Graph('g');
  g.parameter('w', float32([2, 3], [1, 2, 3, 4, 5, 6]));
  g.parameter('b', float32([2], [0, 0]));
  assert.equal(g.parameterCount(), 8);
});

test('a rewritten node may read values made after it: liveNodes places them first', () => {
  const g = new Graph('g');
  const x = g.input('x', 'float32', [2]);
  const a = op.relu(x);
  const out = g.output(op.exp(a), 'out');
  const later = op.neg(x); // made after Exp, which will read it
  g.rewrite(a.producer as NonNullable<typeof a.producer>, 'Sqrt', [later], {});
  assert.deepEqual(
    liveNodes(g).map((n) => n.name),
    ['Neg_0', 'Sqrt_0', 'Exp_0'],
  );
  assert.equal(out.producer?.inputs[0], a); // uses of the rewritten value are untouched
  g.rewrite(a.producer as NonNullable<typeof a.producer>, 'Relu', [a], {});
  assert.throws(() => liveNodes(g), /Relu_1 depends on itself/);
});
