// Floating-point work of a graph: 2 FLOPs (a multiply and an add) per multiply-accumulate of
// its Conv, ConvTranspose, Gemm and MatMul nodes, from the shapes the builder inferred. Only
// the nodes that feed an output count (the exporter drops the rest), and the elementwise ops
// are left out: they are memory bound and a small share of the arithmetic.
import { intAttr } from '../ir/attributes.js';
import { type Graph, liveNodes, type Node, type Value } from '../ir/graph.js';
import { formatShape } from '../ir/shape.js';

export const COUNTED_OPS = ['Conv', 'ConvTranspose', 'Gemm', 'MatMul'] as const;

export interface FlopCount {
  readonly total: number;
  /** FLOPs per op type, for the counted types that occur. */
  readonly byOp: Readonly<Record<string, number>>;
  /** FLOPs per node name, in graph order. */
  readonly byNode: readonly { readonly name: string; readonly opType: string; readonly flops: number }[];
}

function dims(node: Node, v: Value | null | undefined, what: string): number[] {
  if (!v) throw new Error(`${node.name}: no ${what}`);
  if (!v.shape.every((d) => typeof d === 'number'))
    throw new Error(
      `${node.name}: ${what} ${v.name} has a symbolic shape ${formatShape(v.shape)}; count FLOPs on a graph with a fixed batch`,
    );
  return v.shape as number[];
}

const product = (xs: readonly number[]): number => xs.reduce((a, b) => a * b, 1);

/** Multiply-accumulates of one node, or 0 for an op type that is not counted. */
export function nodeMacs(node: Node): number {
  switch (node.opType) {
    case 'Conv': {
      // every output element sums C/group * kH * kW products; weight [M, C/group, kH, kW]
      const y = dims(node, node.outputs[0], 'output');
      const w = dims(node, node.inputs[1], 'weight');
      return product(y) * product(w.slice(1));
    }
    case 'ConvTranspose': {
      // every input element scatters into M/group * kH * kW outputs; weight [C, M/group, kH, kW]
      const x = dims(node, node.inputs[0], 'input');
      const w = dims(node, node.inputs[1], 'weight');
      return product(x) * product(w.slice(1));
    }
    case 'Gemm': {
      const y = dims(node, node.outputs[0], 'output');
      const a = dims(node, node.inputs[0], 'A');
      const k = intAttr(node.attributes, 'transA', 0) === 1 ? a[0] : a[1];
      return product(y) * (k as number);
    }
    case 'MatMul': {
      // [..., M, K] x [..., K, N]: every output element sums K products
      const y = dims(node, node.outputs[0], 'output');
      const a = dims(node, node.inputs[0], 'A');
      return product(y) * (a[a.length - 1] as number);
    }
    default:
      return 0;
  }
}

export function countFlops(graph: Graph): FlopCount {
  const byOp: Record<string, number> = {};
  const byNode: { name: string; opType: string; flops: number }[] = [];
  let total = 0;
  for (const node of liveNodes(graph)) {
    const flops = 2 * nodeMacs(node);
    if (flops === 0) continue;
    byOp[node.opType] = (byOp[node.opType] ?? 0) + flops;
    byNode.push({ name: node.name, opType: node.opType, flops });
    total += flops;
  }
  return { total, byOp, byNode };
}
