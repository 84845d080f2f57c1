// Before an imported model is differentiated: every node between a trained parameter and the
// loss needs a gradient rule. Where one lacks it, the error names the ONNX node it came from
// (not the builder's Conv_3), its op, and the ops that do train.
import { isFloat } from '../ir/dtype.js';
import type { Node, Value } from '../ir/graph.js';
import type { ImportedNode } from '../onnx/import.js';

/** Nodes that lie on a path from one of `wrt` to `loss`, in graph order. */
export function nodesBetween(
  nodes: readonly Node[],
  wrt: readonly Value[],
  loss: Value,
  detached: ReadonlySet<Value>,
): Node[] {
  const fromWrt = new Set<Value>(wrt);
  for (const n of nodes) {
    if (n.inputs.some((v) => v && fromWrt.has(v)))
      for (const out of n.outputs) if (isFloat(out.dtype) && !detached.has(out)) fromWrt.add(out);
  }
  const toLoss = new Set<Value>([loss]);
  const between: Node[] = [];
  for (let k = nodes.length - 1; k >= 0; k--) {
    const n = nodes[k] as Node;
    if (!n.outputs.some((o) => toLoss.has(o) && fromWrt.has(o))) continue;
    between.push(n);
    for (const v of n.inputs) if (v) toLoss.add(v);
  }
  return between.reverse();
}

/**
 * Throws one line naming the first ONNX node (by `origin`) whose graph nodes include an op
 * without a rule in `rules`.
 */
export function checkDifferentiable(
  loss: Value,
  wrt: readonly Value[],
  rules: Readonly<Record<string, unknown>>,
  origin: ReadonlyMap<Node, ImportedNode>,
  trainableOps: readonly string[],
): void {
  const graph = loss.graph;
  for (const n of nodesBetween(graph.nodes, wrt, loss, graph.detached)) {
    if (n.opType in rules) continue;
    const source = origin.get(n);
    const where = source ? `node '${source.name}' (${source.opType})` : `node ${n.name}`;
    const via = source && source.opType !== n.opType ? `, imported as ${n.opType},` : '';
    throw new Error(
      `cannot train through ${where}${via}: onnxgrad has no gradient for ${n.opType}. Ops that train: ${trainableOps.join(', ')}`,
    );
  }
}
