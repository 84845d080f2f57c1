// Identity: Conv(x, W, b) = ReorderOutput(NchwcConv(x, blocked(W), padded(b)), channels M), where
// blocked(W) zero-pads W's M filters to whole blocks of B and orders them [M/B][C][kH][kW][B]
// (ONNX Runtime's blocked-channel layout); the padded filters' outputs are dropped again.
// ONNX Runtime's blocked-channel (NCHWc) convolution for the image layer of a training graph,
// onnxruntime-node only. ORT uses its NCHWc kernels by itself only where the weights are
// constant, never in a training step, whose weights are inputs; but its 'com.microsoft.nchwc'
// Conv reads them at run time too, laid out in blocks of the CPU's vector width. For the
// practical's conv1 (1 channel in, 12x12 stride 2, batch 64) it takes 0.55 ms against 1.17 ms
// for the plain Conv, on one thread. (conv1's weight gradient and conv2 measured slower this way.)
// The block size comes from the runtime (src/runtime/node.ts nchwcBlockSize), through the form.
import { attr, intAttr } from '../ir/attributes.js';
import type { Graph, Value } from '../ir/graph.js';
import * as op from '../ops/index.js';
import { NCHWC_DOMAIN } from '../runtime/nchwc-domain.js';

const roundUp = (n: number, block: number): number => Math.ceil(n / block) * block;

/**
 * Rewrites each Conv of a graph input with fewer channels than a block (the image layer) into
 * ORT's NCHWc Conv, which reads NCHW input directly, with filters reordered to [M/B][C][kH][kW][B]
 * and zero-padded to whole blocks, followed by ReorderOutput back to NCHW. Returns how many.
 */
export function useNchwcForImageConvs(graph: Graph, block: number): number {
  let rewritten = 0;
  for (const node of [...graph.nodes]) {
    const [x, w, b] = node.inputs;
    if (node.opType !== 'Conv' || node.domain || !x || !w || intAttr(node.attributes, 'group', 1) !== 1) continue;
    const [m, c, kh, kw] = w.shape as [number, number, number, number];
    if (x.kind !== 'input' || c >= block) continue;
    const [n, , ho, wo] = (node.outputs[0] as Value).shape as [number, number, number, number];
    const padded = roundUp(m, block);
    // [M, C, kH, kW] -> zero filters up to whole blocks -> [M/B, B, C, kH, kW] -> [M/B, C, kH, kW, B]
    const whole = op.reshape(op.pad(w, [0, 0, 0, 0, padded - m, 0, 0, 0]), [padded / block, block, c, kh, kw]);
    const filters = op.reshape(op.transpose(whole, [0, 2, 3, 4, 1]), [padded, c, kh, kw]);
    const bias = b ? op.pad(b, [0, padded - m]) : null;
    const [blocked] = graph.addNode(
      'Conv',
      [x, filters, bias],
      node.attributes,
      [{ dtype: 'float32', shape: [n, padded, ho, wo] }],
      NCHWC_DOMAIN,
    );
    graph.rewrite(node, 'ReorderOutput', [blocked as Value], { channels: attr.int(m) }, NCHWC_DOMAIN);
    rewritten++;
  }
  return rewritten;
}
