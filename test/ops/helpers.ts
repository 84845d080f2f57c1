// Shared bits of the op-builder tests: a fresh graph with typed inputs, and an assertion that a
// builder fails with a ShapeError that names its op.
import assert from 'node:assert/strict';
import type { DType } from '../../src/ir/dtype.js';
import { Graph, type Value } from '../../src/ir/graph.js';
import type { Shape } from '../../src/ir/shape.js';

export function inputs(...specs: (Shape | [DType, Shape])[]): Value[] {
  const g = new Graph('test');
  return specs.map((s, i) => {
    const [dtype, shape] =
      typeof s[0] === 'string' && Array.isArray(s[1]) ? (s as [DType, Shape]) : ['float32' as DType, s as Shape];
    return g.input(`x${i}`, dtype, shape);
  });
}

/** The builder throws a ShapeError whose message starts with `op:` (and matches `pattern`, if given). */
export function throwsShapeError(build: () => unknown, op: string, pattern?: RegExp): void {
  assert.throws(build, (error: unknown) => {
    assert.ok(error instanceof Error, 'expected an Error');
    assert.equal(error.name, 'ShapeError', `expected a ShapeError, got ${error.name}: ${error.message}`);
    assert.ok(error.message.startsWith(`${op}:`), `the message should name ${op}: ${error.message}`);
    if (pattern) assert.match(error.message, pattern);
    return true;
  });
}

export function node(v: Value) {
  assert.ok(v.producer, `${v.name} has no producer`);
  return v.producer;
}
