// A small CNN with every place the passes rewrite: the image conv (1 channel: NCHWc), a conv with
// 8 input channels (patches shared with its weight gradient), ReLU then a 2x2 pool that drops the
// 9th row and column (pool before ReLU; a zero Pad in its gradient, moved past a transpose).
import { Mulberry32 } from '../../src/data/random.js';
import { Graph } from '../../src/ir/graph.js';
import { float32 } from '../../src/ir/tensor.js';
import * as op from '../../src/ops/index.js';
import type { NetworkBuilder } from './equivalence.js';

export const tinyCnn: NetworkBuilder = () => {
  const graph = new Graph('tiny_cnn');
  const rng = new Mulberry32(11);
  const init = (dims: number[], scale: number) =>
    float32(
      dims,
      Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => (rng.next() - 0.5) * scale),
    );
  const image = graph.input('image', 'float32', [4, 1, 11, 11]);
  let x = op.conv2d(
    image,
    graph.parameter('conv1.weight', init([8, 1, 3, 3], 1)),
    graph.parameter('conv1.bias', init([8], 0.2)),
  );
  x = op.relu(x);
  x = op.conv2d(
    x,
    graph.parameter('conv2.weight', init([8, 8, 3, 3], 0.4)),
    graph.parameter('conv2.bias', init([8], 0.2)),
    {
      pads: [1, 1, 1, 1],
    },
  );
  x = op.maxPool2d(op.relu(x), { kernel: [2, 2] });
  x = op.flatten(x, 1);
  const logits = op.gemm(
    x,
    graph.parameter('fc.weight', init([10, 128], 0.2)),
    graph.parameter('fc.bias', init([10], 0.1)),
    {
      transB: true,
    },
  );
  return { graph, logits };
};
