// Identity: Conv(x, W, b) = Transpose(Reshape(P(x) Wr^T + b, [N, Ho, Wo, M]), [0, 3, 1, 2]), where
// P(x) are x's im2col patches [N*Ho*Wo, kH*kW*C] and Wr = W as [M, kH*kW*C] (src/ops/patches.ts).
// After differentiation with the im2col rules, each Conv whose input already has patches of its
// geometry (the weight gradient made them; the graph's memo records them) is rewritten into that
// one GEMM: the step builds the patches once, and forward and weight gradient both run as GEMMs.
import { attr, intAttr, intsAttr } from '../ir/attributes.js';
import type { Graph, Value } from '../ir/graph.js';
import * as op from '../ops/index.js';

/** Rewrites the Convs that can reuse patches; returns how many it rewrote. */
export function sharePatches(graph: Graph): number {
  let rewritten = 0;
  for (const node of [...graph.nodes]) {
    const [x, w, b] = node.inputs;
    if (node.opType !== 'Conv' || !x || !w || intAttr(node.attributes, 'group', 1) !== 1) continue;
    const geometry = op.patchGeometry([w.shape[2] as number, w.shape[3] as number], {
      strides: intsAttr(node.attributes, 'strides', [1, 1]) as [number, number],
      pads: intsAttr(node.attributes, 'pads', [0, 0, 0, 0]) as [number, number, number, number],
      dilations: intsAttr(node.attributes, 'dilations', [1, 1]) as [number, number],
    });
    const rows = op.existingPatches(x, geometry);
    if (!rows) continue;
    const [n, m, ho, wo] = (node.outputs[0] as Value).shape as [number, number, number, number];
    const product = op.gemm(rows, op.weightRows(w), b ?? null, { transB: true });
    graph.rewrite(node, 'Transpose', [op.reshape(product, [n, ho, wo, m])], { perm: attr.ints([0, 3, 1, 2]) });
    rewritten++;
  }
  return rewritten;
}
