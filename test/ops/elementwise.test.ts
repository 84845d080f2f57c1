import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Graph } from '../../src/ir/graph.js';
import * as op from '../../src/ops/index.js';
import { inputs, node, throwsShapeError } from './helpers.js';

const BINARY = { Add: op.add, Sub: op.sub, Mul: op.mul, Div: op.div, Pow: op.pow } as const;
const COMPARE = { Equal: op.equal, Greater: op.greater, Less: op.less } as const;
const UNARY = { Relu: op.relu, Neg: op.neg, Exp: op.exp, Log: op.log, Sqrt: op.sqrt, Identity: op.identity } as const;

for (const [name, build] of Object.entries(BINARY)) {
  test(`${name} broadcasts numpy-style and fails on mismatched shapes`, () => {
    const [a, b, c, i] = inputs(['N', 64, 9, 9], [64, 1, 1], ['N', 63, 9, 9], ['int64', [64, 1, 1]]);
    const y = build(a!, b!);
    assert.equal(node(y).opType, name);
    assert.deepEqual(y.shape, ['N', 64, 9, 9]);
    assert.equal(y.dtype, 'float32');
    throwsShapeError(() => build(a!, c!), name, /cannot broadcast \[N, 64, 9, 9\] with \[N, 63, 9, 9\]/);
    throwsShapeError(() => build(a!, i!), name, /element types differ/);
  });
}

test("a number operand becomes a shared scalar constant of the other operand's type", () => {
  const [x] = inputs(['N', 10]);
  const y = op.mul(x!, 2);
  const z = op.add(2, x!);
  assert.deepEqual(y.shape, ['N', 10]);
  assert.equal(node(y).inputs[1], node(z).inputs[0]);
  assert.equal(x!.graph.constants.size, 1);
  const [i] = inputs(['int64', [3]]);
  assert.equal(node(op.add(i!, 1)).inputs[1]?.dtype, 'int64');
  assert.throws(() => op.add(1 as never, 2 as never), /Add: at least one operand/);
});

for (const [name, build] of Object.entries(COMPARE)) {
  test(`${name} gives bool and broadcasts`, () => {
    const [a, b, c] = inputs([4, 1], [1, 5], [3, 5]);
    const y = build(a!, b!);
    assert.equal(y.dtype, 'bool');
    assert.deepEqual(y.shape, [4, 5]);
    throwsShapeError(() => build(a!, c!), name, /broadcast/);
  });
}

for (const [name, build] of Object.entries(UNARY)) {
  test(`${name} keeps shape and type`, () => {
    const [x] = inputs(['N', 3, 'H']);
    const y = build(x!);
    assert.equal(node(y).opType, name);
    assert.deepEqual(y.shape, ['N', 3, 'H']);
    assert.equal(y.dtype, 'float32');
  });
}

test('identity can name its output', () => {
  const [x] = inputs([2]);
  assert.equal(op.identity(x!, 'grad.fc1.weight').name, 'grad.fc1.weight');
});

test('where broadcasts condition and branches; the condition must be bool', () => {
  const [x] = inputs(['N', 1024]);
  const noise = x!.graph.input('noise', 'float32', ['N', 1024]);
  const y = op.where(op.less(noise, 0.2), 0, x!);
  assert.deepEqual(y.shape, ['N', 1024]);
  assert.equal(y.dtype, 'float32');
  throwsShapeError(() => op.where(x!, 0, x!), 'Where', /must be bool/);
  const [c, a, b] = inputs(['bool', [3, 1]], [1, 4], [2, 4]);
  throwsShapeError(() => op.where(c!, a!, b!), 'Where', /broadcast/);
});

test('cast changes the element type and records the ONNX code', () => {
  const [x] = inputs(['bool', ['N', 10]]);
  const y = op.cast(x!, 'float32');
  assert.equal(y.dtype, 'float32');
  assert.deepEqual(y.shape, ['N', 10]);
  assert.deepEqual(node(y).attributes.to, { kind: 'int', value: 1 });
  assert.deepEqual(node(op.cast(y, 'int64')).attributes.to, { kind: 'int', value: 7 });
});

test('values of two graphs do not mix', () => {
  const [a] = inputs([2]);
  const other = new Graph('other').input('b', 'float32', [2]);
  assert.throws(() => op.add(a!, other), /Add: input b belongs to another graph/);
});
