// What every pass test checks: a small training step (forward, softmax cross-entropy, backward,
// one SGD update) built with and without a pass computes the same loss and parameter updates on
// ONNX Runtime, to float32 rounding.
import assert from 'node:assert/strict';
import { backward } from '../../src/autodiff/backward.js';
import type { GradRules } from '../../src/autodiff/rule.js';
import { Mulberry32 } from '../../src/data/random.js';
import type { Graph, Value } from '../../src/ir/graph.js';
import { elementCount, type TensorData, tensor } from '../../src/ir/tensor.js';
import { exportModel } from '../../src/onnx/export.js';
import * as op from '../../src/ops/index.js';
import { softmaxCrossEntropy } from '../../src/ops/loss.js';
import { createSession, fromOrtTensor, type OrtTensor, toOrtTensor } from '../../src/runtime/node.js';

export interface StepVariant {
  /** Rewrites the forward graph before differentiation (a copy; values maps old to new). */
  readonly forward?: (graph: Graph) => { graph: Graph; values: ReadonlyMap<Value, Value>; changed: number };
  /** Rewrites the whole step after differentiation, in place. */
  readonly step?: (graph: Graph) => number;
  readonly rules?: GradRules;
}

/** The forward network: a graph whose first input is the batch, and its logits [N, classes]. */
export type NetworkBuilder = () => { graph: Graph; logits: Value };

/** Builds the step; returns its bytes and how many places the variant's passes changed. */
export function sgdStep(build: NetworkBuilder, variant: StepVariant): { bytes: Uint8Array; changed: number } {
  const built = build();
  const rebuilt = variant.forward?.(built.graph);
  const graph = rebuilt?.graph ?? built.graph;
  const logits = rebuilt ? (rebuilt.values.get(built.logits) as Value) : built.logits;
  const labels = graph.input('labels', 'int64', [logits.shape[0] as number]);
  const { loss } = softmaxCrossEntropy(logits, labels);
  const params = [...graph.parameters.values()].map((p) => p.value);
  const grads = backward(loss, params, variant.rules ? { rules: variant.rules } : {});
  const changed = (rebuilt?.changed ?? 0) + (variant.step?.(graph) ?? 0);
  graph.output(loss, 'loss');
  for (const p of params) graph.output(op.sub(p, op.mul(grads.get(p) as Value, 0.1)), `next.${p.name}`);
  return { bytes: exportModel(graph, { parametersAs: 'inputs' }), changed };
}

async function run(bytes: Uint8Array, feeds: Record<string, TensorData>): Promise<Record<string, TensorData>> {
  const session = await createSession(bytes, { threads: 1 });
  const inputs: Record<string, OrtTensor> = {};
  for (const [name, t] of Object.entries(feeds)) inputs[name] = toOrtTensor(t);
  const out = await session.run(inputs);
  await session.release();
  return Object.fromEntries(Object.entries(out).map(([name, t]) => [name, fromOrtTensor(t)]));
}

/**
 * Asserts that `variant` changes `expected` places more than `plain` and computes what `plain` computes: the loss
 * and every updated parameter within `tolerance` (absolute).
 */
export async function assertSameStep(
  build: NetworkBuilder,
  plain: StepVariant,
  variant: StepVariant,
  expected: number,
  tolerance = 1e-5,
): Promise<void> {
  const [a, b] = [sgdStep(build, plain), sgdStep(build, variant)];
  assert.equal(b.changed - a.changed, expected, 'places the pass changed');
  const { graph, logits } = build();
  const rng = new Mulberry32(3);
  const feeds: Record<string, TensorData> = {};
  for (const v of graph.inputs) {
    const dims = v.shape as number[];
    feeds[v.name] = tensor(
      'float32',
      dims,
      Float32Array.from({ length: elementCount(dims) }, () => rng.next() - 0.3),
    );
  }
  const classes = logits.shape[1] as number;
  const n = logits.shape[0] as number;
  feeds['labels'] = tensor(
    'int64',
    [n],
    BigInt64Array.from({ length: n }, (_, i) => BigInt(i % classes)),
  );
  for (const [name, p] of graph.parameters) feeds[name] = p.init;
  const [x, y] = await Promise.all([run(a.bytes, feeds), run(b.bytes, feeds)]);
  for (const name of Object.keys(x)) {
    const [u, v] = [x[name]?.data as Float32Array, y[name]?.data as Float32Array];
    assert.ok(v && u.length === v.length, `${name}: missing or of another size after the pass`);
    let worst = 0;
    for (let i = 0; i < u.length; i++) worst = Math.max(worst, Math.abs((u[i] as number) - (v[i] as number)));
    assert.ok(worst < tolerance, `${name}: differs by ${worst} after the pass`);
  }
}
