// Each loss against its PyTorch definition computed here in float64, and its gradient against
// float64 central differences (through the reference interpreter).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Value } from '../../src/ir/graph.js';
import { int64 } from '../../src/ir/tensor.js';
import { CLASS_LOSSES } from '../../src/train/losses.js';
import { CaseContext, checkGradients, runWithOrt } from '../helpers/gradient-check.js';

const LABELS = [0, 2, 1, 2];
const CLASSES = 3;

/** The loss of one output row against its label, by PyTorch's definition (mean taken by the caller). */
const DEFINITIONS: Readonly<Record<string, (row: number[], label: number) => number>> = {
  nll: (row, label) => -(row[label] as number),
  mse: (row, label) => row.reduce((s, x, c) => s + (x - (c === label ? 1 : 0)) ** 2, 0) / CLASSES,
  l1: (row, label) => row.reduce((s, x, c) => s + Math.abs(x - (c === label ? 1 : 0)), 0) / CLASSES,
  'bce-with-logits': (row, label) =>
    row.reduce((s, x, c) => {
      const t = c === label ? 1 : 0;
      const p = 1 / (1 + Math.exp(-x));
      return s - (t * Math.log(p) + (1 - t) * Math.log(1 - p));
    }, 0) / CLASSES,
};

test('every loss has a definition here', () => {
  assert.deepEqual(Object.keys(CLASS_LOSSES).sort(), Object.keys(DEFINITIONS).sort());
});

for (const [name, loss] of Object.entries(CLASS_LOSSES)) {
  const build = (seed: number) => {
    const ctx = new CaseContext(`loss_${name}`, seed);
    const out = ctx.param('out', [LABELS.length, CLASSES], { lo: 0.1, hi: 2 });
    const labels = ctx.graph.constant(int64([LABELS.length], LABELS));
    return { ctx, out, ...loss.build(out, labels) };
  };

  test(`${name}: the value is PyTorch's, and correct counts the rows whose largest output is the label's`, async () => {
    const { ctx, out, loss: value, metrics } = build(7);
    ctx.graph.output(value, 'loss');
    ctx.graph.output(metrics['correct'] as Value, 'correct');
    const results = await runWithOrt(ctx.graph);
    const x = Array.from(ctx.graph.parameters.get(out.name)?.init.data as Float32Array);
    const rows = LABELS.map((_, n) => x.slice(n * CLASSES, (n + 1) * CLASSES));
    const expected =
      rows.reduce((s, row, n) => s + (DEFINITIONS[name]?.(row, LABELS[n] as number) ?? NaN), 0) / rows.length;
    const got = results['loss']?.data[0] as number;
    assert.ok(Math.abs(got - expected) <= 1e-6 * Math.max(1, Math.abs(expected)), `${got} vs ${expected}`);
    const right = rows.filter((row, n) => row.indexOf(Math.max(...row)) === LABELS[n]).length;
    assert.equal(results['correct']?.data[0], right);
  });

  test(`${name}: gradient against float64 central differences`, async () => {
    const { ctx, loss: value } = build(11);
    const { maxError, float64MaxError } = await checkGradients(ctx, value);
    assert.ok(maxError <= 1e-4, `ORT gradient: max relative error ${maxError}`);
    assert.ok(float64MaxError <= 1e-6, `float64 backward graph: max relative error ${float64MaxError}`);
  });
}
