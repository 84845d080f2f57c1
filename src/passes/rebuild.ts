// Rewrites that change a graph before differentiation replay it into a fresh graph, node by node
// in order, so that the copy keeps the builder's invariants (nodes in topological order, names
// numbered in creation order: a node replaced by the same ops gets the same names).
import { Graph, type Node, type Value } from '../ir/graph.js';

export interface Rebuilt {
  readonly graph: Graph;
  /** Each value of the old graph that the new one has, to its copy. */
  readonly values: ReadonlyMap<Value, Value>;
  /** How many places the rewrite changed. */
  readonly changed: number;
}

/**
 * What to do with a node: undefined copies it; 'drop' leaves it out (a later use of its outputs
 * is an error); values are what its outputs become, built in `graph` from `input`'s copies.
 */
export type NodeRewrite = (
  node: Node,
  input: (v: Value) => Value,
  graph: Graph,
) => readonly Value[] | 'drop' | undefined;

/** A copy of `graph` with `rewrite` applied to each node; a rewrite returning nothing copies it all. */
export function rebuild(graph: Graph, rewrite: NodeRewrite = () => undefined): Rebuilt {
  const copy = new Graph(graph.name);
  const values = new Map<Value, Value>();
  for (const v of graph.inputs) values.set(v, copy.input(v.name, v.dtype, v.shape));
  for (const [name, p] of graph.parameters) values.set(p.value, copy.parameter(name, p.init));
  for (const [name, c] of graph.constants) values.set(c.value, copy.constant(c.data, name));
  const input = (v: Value): Value => {
    const mapped = values.get(v);
    if (!mapped) throw new Error(`graph ${graph.name}: ${v.name} was dropped or is used before it is made`);
    return mapped;
  };
  let changed = 0;
  for (const node of graph.nodes) {
    const replaced = rewrite(node, input, copy);
    if (replaced === 'drop') {
      changed++;
      continue;
    }
    if (replaced) {
      if (replaced.length !== node.outputs.length)
        throw new Error(`${node.name}: rewritten into ${replaced.length} values for ${node.outputs.length} outputs`);
      node.outputs.forEach((v, i) => values.set(v, replaced[i] as Value));
      changed++;
      continue;
    }
    const outputs = node.outputs.map((v, i) => {
      const made = node.outputs.length === 1 ? `${node.name}_out` : `${node.name}_out${i}`;
      return { dtype: v.dtype, shape: v.shape, ...(v.name !== made ? { name: v.name } : {}) };
    });
    const inputs = node.inputs.map((v) => (v ? input(v) : null));
    const made = copy.addNode(node.opType, inputs, node.attributes, outputs, node.domain);
    node.outputs.forEach((v, i) => values.set(v, made[i] as Value));
  }
  for (const v of graph.detached) {
    const mapped = values.get(v);
    if (mapped) copy.detach(mapped);
  }
  for (const [source, key, v] of graph.memo.entries()) {
    const [s, m] = [source ? values.get(source) : null, values.get(v)];
    if (m && s !== undefined) copy.memo.set(s, key, m);
  }
  for (const v of graph.outputs) copy.output(input(v), v.name);
  return { graph: copy, values, changed };
}
