// The practical's CNN, written with the public layer helpers (src/nn) as a user would write it:
// parameters named like PyTorch's state_dict (conv1.weight, fc1.bias ...), created and drawn
// from the seeded initializer in the order of the layers.
import type { Graph, Value } from '../src/ir/graph.js';
import * as nn from '../src/nn/index.js';
import * as op from '../src/ops/index.js';
import { type CnnConfig, convPads } from './cnn-config.js';

export interface CnnModel {
  readonly graph: Graph;
  readonly image: Value;
  readonly logits: Value;
  /** Uniform [0, 1) noise for each dropout layer, fed by the trainer (training graphs only). */
  readonly dropoutNoise: readonly Value[];
  /** Batch norm's running statistics, carried from step to step (training graphs only). */
  readonly buffers: readonly nn.CarriedTensor[];
}

/**
 * The network as layers: per configured conv layer conv (+ batch norm) + ReLU (+ its max pool),
 * the final max pool, flatten, per hidden layer fc (+ batch norm) + ReLU + dropout, then the output fc.
 */
export function cnnLayers(config: CnnConfig): nn.Layer {
  const layers: Record<string, nn.Layer> = {};
  const bias = !config.batchNorm;
  config.convs.forEach((layer, i) => {
    const n = i + 1;
    layers[`conv${n}`] = nn.conv2d(layer.filters, layer.kernel, {
      stride: layer.stride,
      padding: convPads(layer),
      bias,
    });
    if (config.batchNorm) layers[`bn${n}`] = nn.batchNorm();
    layers[`relu${n}`] = nn.relu();
    if (layer.pool) layers[`pool${n}`] = nn.maxPool2d(layer.pool);
  });
  if (config.pool > 0) layers['pool'] = nn.maxPool2d(config.pool);
  layers['flatten'] = nn.flatten();
  config.hidden.forEach((width, i) => {
    layers[`fc${i + 1}`] = nn.linear(width, { bias });
    if (config.batchNorm) layers[`fc${i + 1}.bn`] = nn.batchNorm();
    layers[`fc${i + 1}.relu`] = nn.relu();
    layers[`dropout${i + 1}`] = nn.dropout(config.dropout);
  });
  layers[`fc${config.hidden.length + 1}`] = nn.linear(config.classes);
  return nn.sequential(layers);
}

/**
 * Builds the forward pass. With `training`, each dropout layer takes a noise input:
 * an activation is dropped where noise < rate and the rest are scaled by 1/(1 - rate)
 * (inverted dropout). The noise comes from the trainer's seeded generator, which makes a
 * resumed run bit-identical and gives every execution provider the same masks. (A training
 * step pools before the last ReLU: src/passes/pool-before-relu.ts.)
 */
export function buildCnn(config: CnnConfig, options: { training: boolean; batch?: number | string }): CnnModel {
  const network = nn.build(cnnLayers(config), {
    name: options.training ? 'mnist_cnn_train' : 'mnist_cnn',
    inputShape: [config.inputChannels, config.inputSize, config.inputSize],
    batch: options.batch ?? 'N',
    training: options.training,
    init: config.init,
    seed: config.seed,
  });
  return {
    graph: network.graph,
    image: network.input,
    logits: network.output,
    dropoutNoise: network.noise.map((n) => n.input),
    buffers: network.buffers,
  };
}

/** The inference model: image -> logits and probabilities (softmax), no dropout. */
export function buildInferenceGraph(config: CnnConfig): Graph {
  const { graph, logits } = buildCnn(config, { training: false });
  graph.output(logits, 'logits');
  // one Softmax kernel rather than five ops: 20 us of a 0.31 ms batch-1 inference
  graph.output(op.softmax(logits), 'probabilities');
  return graph;
}
