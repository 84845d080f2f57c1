// The gradient cases as small exported graphs for the runtime checks of the portable form: each
// graph outputs the op's value `case.out` and the gradients `grad.NAME` of ReduceSum(y * R), its
// parameters are graph inputs (so no runtime can constant-fold the kernels away), and the float64
// reference interpreter gives the expected outputs.
import { backward } from '../../src/autodiff/backward.js';
import { liveNodes, type Node, type Value } from '../../src/ir/graph.js';
import type { TensorData } from '../../src/ir/tensor.js';
import { exportModel } from '../../src/onnx/export.js';
import * as op from '../../src/ops/index.js';
import { portabilityProblem } from '../../src/train/portable-ops.js';
import { GRAD_CASES, type GradCase } from '../autodiff/gradient-cases.js';
import { arrayRelativeError, CaseContext, maxAbs, parameterFeeds } from './gradient-check.js';
import { evaluate } from './reference-interpreter.js';

export interface PortableCase {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly feeds: Readonly<Record<string, TensorData>>;
  /** Output name -> float64 reference values. */
  readonly expected: Readonly<Record<string, Float64Array>>;
  /** Why a node of the graph is not portable, one line each (none expected). */
  readonly problems: readonly string[];
  /** The nodeKind of every node. */
  readonly kinds: ReadonlySet<string>;
}

/**
 * What decides which kernel variant a runtime picks for a node: the op, its input count, its
 * attribute names and its scalar attributes (group, mode, ceil_mode ...), not the sizes in lists.
 */
export function nodeKind(n: Node): string {
  const attributes = Object.entries(n.attributes)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, a]) => (a.kind === 'int' || a.kind === 'float' || a.kind === 'string' ? `${k}=${a.value}` : k));
  return `${n.opType}/${n.inputs.length}(${attributes.join(',')})`;
}

/** The default (portable) form's cases: the im2col form is for onnxruntime-node and WASM only. */
export const PORTABLE_GRAD_CASES: readonly GradCase[] = GRAD_CASES.filter((gc) => gc.rules === undefined);

export function portableCase(gc: GradCase, index: number): PortableCase {
  const ctx = new CaseContext(`portable_${index}`, 5000 + index);
  const y = gc.build(ctx);
  const { graph } = ctx;
  const loss = op.reduceSum(op.mul(y, ctx.constant(y.shape as number[], { lo: 0.2, hi: 1 })));
  const params = [...graph.parameters.values()].map((p) => p.value);
  const grads = backward(loss, params);
  graph.output(y, 'case.out');
  for (const p of params) graph.output(grads.get(p) as Value, `grad.${p.name}`);
  const reference = evaluate(graph, graph.outputs, parameterFeeds(graph));
  const expected: Record<string, Float64Array> = {};
  for (const o of graph.outputs) expected[o.name] = (reference.get(o) as { data: Float64Array }).data;
  const feeds: Record<string, TensorData> = {};
  for (const [name, p] of graph.parameters) feeds[name] = p.init;
  const problems = [...new Set(graph.nodes.flatMap((n) => portabilityProblem(n.opType, n.outputs.length) ?? []))];
  return {
    name: `${gc.rule}: ${gc.name}`,
    bytes: exportModel(graph, { parametersAs: 'inputs' }),
    feeds,
    expected,
    problems,
    kinds: new Set(liveNodes(graph).map(nodeKind)),
  };
}

export const portableCases = (): PortableCase[] => PORTABLE_GRAD_CASES.map((gc, i) => portableCase(gc, i));

/** float32 runtimes against the float64 reference: relative to each output's largest value, floor 1e-3. */
export const RUNTIME_TOLERANCE = 1e-3;

/** The worst relative error over the outputs, with the output that has it; throws on a missing output. */
export function compareOutputs(
  c: PortableCase,
  actual: Readonly<Record<string, ArrayLike<number>>>,
): { error: number; output: string } {
  let worst = { error: 0, output: '' };
  for (const [name, want] of Object.entries(c.expected)) {
    const got = actual[name];
    if (!got || got.length !== want.length)
      throw new Error(`${c.name}: output ${name} is missing or has the wrong size`);
    const error = arrayRelativeError(got, want, maxAbs(want));
    if (error > worst.error) worst = { error, output: name };
  }
  return worst;
}
