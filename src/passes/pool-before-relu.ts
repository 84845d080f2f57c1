// Identity: MaxPool(Relu(x)) = Relu(MaxPool(x)), values and gradients alike: ReLU is monotonic,
// so it commutes with taking a window's max (where a window is all negative, both give 0 and
// send it no gradient). The ReLU and its gradient then run on the pooled tensor, 4x smaller
// for 2x2 windows. A training step takes it; inference graphs keep the builder's order.
import type { Graph, Node, Value } from '../ir/graph.js';
import * as op from '../ops/index.js';
import { rebuild, type Rebuilt } from './rebuild.js';

/** A copy of the graph with each MaxPool of a ReLU used by nothing else swapped; changed counts the swaps. */
export function poolBeforeRelu(graph: Graph): Rebuilt {
  const uses = new Map<Value, number>();
  for (const n of graph.nodes) for (const v of n.inputs) if (v) uses.set(v, (uses.get(v) ?? 0) + 1);
  const reluOf = (pool: Node): Node | undefined => {
    const relu = pool.inputs[0]?.producer;
    const out = relu?.outputs[0];
    if (pool.opType !== 'MaxPool' || pool.domain || pool.outputs.length !== 1 || !relu?.inputs[0] || !out)
      return undefined;
    if (relu.opType !== 'Relu' || relu.domain || uses.get(out) !== 1 || graph.outputs.includes(out)) return undefined;
    return relu;
  };
  const moved = new Set<Node>(graph.nodes.flatMap((n) => reluOf(n) ?? []));
  const swapped = rebuild(graph, (node, input, g) => {
    if (moved.has(node)) return 'drop';
    const relu = reluOf(node);
    if (!relu) return undefined;
    const [out] = node.outputs as [Value];
    const [pooled] = g.addNode('MaxPool', [input(relu.inputs[0] as Value)], node.attributes, [
      { dtype: out.dtype, shape: out.shape },
    ]) as [Value];
    return [op.relu(pooled)];
  });
  // each swap dropped one node and rewrote another: count places, not nodes
  return { ...swapped, changed: swapped.changed / 2 };
}
