// The practical's CNN as a graph: parameters named like PyTorch's state_dict (conv1.weight, fc1.bias ...).
import { Graph, type Value } from '../src/ir/graph.js';
import * as op from '../src/ops/index.js';
import { type CnnConfig, convPads } from './cnn-config.js';
import { Initializer } from '../src/nn/init.js';

export interface CnnModel {
  readonly graph: Graph;
  readonly image: Value;
  readonly logits: Value;
  /** Uniform [0, 1) noise for each dropout layer, fed by the trainer (training graphs only). */
  readonly dropoutNoise: readonly Value[];
}

/**
 * Builds the forward pass. With `training`, each dropout layer takes a noise input:
 * an activation is dropped where noise < rate and the rest are scaled by 1/(1 - rate)
 * (inverted dropout). The noise comes from the trainer's seeded generator, which makes a
 * resumed run bit-identical and gives every execution provider the same masks.
 */
export function buildCnn(config: CnnConfig, options: { training: boolean; batch?: number | string }): CnnModel {
  const graph = new Graph(options.training ? 'mnist_cnn_train' : 'mnist_cnn');
  const init = new Initializer(config.init, config.seed);
  const batch = options.batch ?? 'N';
  const image = graph.input('image', 'float32', [batch, config.inputChannels, config.inputSize, config.inputSize]);
  const dropoutNoise: Value[] = [];

  // (a training step pools before the last ReLU: src/passes/pool-before-relu.ts)
  let x = image;
  config.convs.forEach((layer, i) => {
    const name = `conv${i + 1}`;
    const channels = x.shape[1] as number;
    const w = graph.parameter(`${name}.weight`, init.weight([layer.filters, channels, layer.kernel, layer.kernel]));
    const b = graph.parameter(`${name}.bias`, init.bias(layer.filters, channels * layer.kernel * layer.kernel));
    x = op.conv2d(x, w, b, { strides: [layer.stride, layer.stride], pads: convPads(layer) });
    x = op.relu(x);
  });
  if (config.pool > 0) x = op.maxPool2d(x, { kernel: [config.pool, config.pool] });
  x = op.flatten(x, 1);

  const widths = [...config.hidden, config.classes];
  widths.forEach((width, i) => {
    const name = `fc${i + 1}`;
    const fanIn = x.shape[1] as number;
    const w = graph.parameter(`${name}.weight`, init.weight([width, fanIn]));
    const b = graph.parameter(`${name}.bias`, init.bias(width, fanIn));
    x = op.gemm(x, w, b, { transB: true });
    if (i === widths.length - 1) return;
    x = op.relu(x);
    if (options.training && config.dropout > 0) {
      const noise = graph.input(`dropout${i + 1}.noise`, 'float32', x.shape);
      dropoutNoise.push(noise);
      x = op.where(op.less(noise, config.dropout), 0, op.mul(x, 1 / (1 - config.dropout)));
    }
  });
  return { graph, image, logits: x, dropoutNoise };
}

/** The inference model: image -> logits and probabilities (softmax), no dropout. */
export function buildInferenceGraph(config: CnnConfig): Graph {
  const { graph, logits } = buildCnn(config, { training: false });
  graph.output(logits, 'logits');
  // one Softmax kernel rather than five ops: 20 us of a 0.31 ms batch-1 inference
  graph.output(op.softmax(logits), 'probabilities');
  return graph;
}
