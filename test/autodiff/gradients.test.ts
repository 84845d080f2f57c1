// Table-driven gradient checks: for every rule in GRAD_RULES, ORT (float32) runs the gradients
// our autodiff emits, and float64 central differences (eps 1e-6) of the reference interpreter
// give the truth. loss = ReduceSum(op(...) * R), R a fixed random constant, so every output
// element matters and the loss is a scalar.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backward } from '../../src/autodiff/backward.js';
import { GRAD_RULES } from '../../src/autodiff/rules/index.js';
import { Graph, type Node } from '../../src/ir/graph.js';
import { float32 } from '../../src/ir/tensor.js';
import * as op from '../../src/ops/index.js';
import { CaseContext, checkGradients } from '../helpers/gradient-check.js';
import { FLOAT32_TOLERANCE, FLOAT64_TOLERANCE, GRAD_CASES } from './gradient-cases.js';

/** Op types of the nodes a case's builder made (before the loss is added). */
function opsOf(nodes: readonly Node[]): Set<string> {
  return new Set(nodes.map((n) => n.opType));
}

GRAD_CASES.forEach((gc, index) => {
  test(`gradient of ${gc.rule}: ${gc.name}`, async (t) => {
    const ctx = new CaseContext(`case_${index}`, 1000 + index);
    const out = gc.build(ctx);
    assert.ok(opsOf(ctx.graph.nodes).has(gc.rule), `the case builds no ${gc.rule} node`);
    const { errors, maxError, float64MaxError } = await checkGradients(ctx, out, gc.rules);
    const tolerance = gc.tolerance ?? FLOAT32_TOLERANCE;
    t.diagnostic(
      `max relative error ${maxError.toExponential(2)} (${[...errors].map(([p, e]) => `${p} ${e.toExponential(2)}`).join(', ')}); tolerance ${tolerance}; ` +
        `backward graph in float64: ${float64MaxError.toExponential(2)}`,
    );
    for (const [param, error] of errors)
      assert.ok(error <= tolerance, `${param}: max relative error ${error} > ${tolerance}`);
    assert.ok(
      float64MaxError <= FLOAT64_TOLERANCE,
      `the backward graph evaluated in float64: max relative error ${float64MaxError} > ${FLOAT64_TOLERANCE}`,
    );
  });
});

test('every rule in GRAD_RULES has at least one gradient case', () => {
  const covered = new Set(GRAD_CASES.map((c) => c.rule));
  const missing = Object.keys(GRAD_RULES).filter((rule) => !covered.has(rule));
  assert.deepEqual(missing, [], `rules without a gradient case: ${missing.join(', ')}`);
  const unknown = [...covered].filter((rule) => !(rule in GRAD_RULES));
  assert.deepEqual(unknown, [], `cases for ops without a rule: ${unknown.join(', ')}`);
});

test('backward names the op when a node has no gradient rule', () => {
  const g = new Graph('no_rule');
  const x = g.parameter('x', float32([3], [0.1, 0.2, 0.3]));
  const [y] = g.addNode('Sin', [x], {}, [{ dtype: 'float32', shape: [3] }]);
  assert.ok(y);
  const loss = op.reduceSum(y);
  assert.throws(() => backward(loss, [x]), /no gradient rule for Sin \(node Sin_0\)/);
});

test('backward ignores an op without a rule when no gradient flows through it', () => {
  const g = new Graph('no_rule_off_path');
  const x = g.parameter('x', float32([3], [0.1, 0.2, 0.3]));
  const c = g.constant(float32([3], [1, 2, 3]));
  const [s] = g.addNode('Sin', [c], {}, [{ dtype: 'float32', shape: [3] }]);
  assert.ok(s);
  const grads = backward(op.reduceSum(op.mul(x, s)), [x]);
  assert.equal(grads.size, 1);
});
