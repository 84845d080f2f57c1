// The whole training step as ONE graph: forward, loss, backward and the optimizer update.
//   in:  image, labels, dropout noise, step, lr, every parameter, every optimizer state tensor
//   out: loss, correct, next.<parameter>, next.<state>
// Parameters and state go in and come back each step, so a plain InferenceSession trains.
import { buildCnn } from '../../graphs/mnist-cnn.js';
import type { CnnConfig } from '../../graphs/cnn-config.js';
import { backward } from '../autodiff/backward.js';
import { GRAD_RULES, IM2COL_GRAD_RULES } from '../autodiff/rules/index.js';
import type { Graph, Value } from '../ir/graph.js';
import type { DType } from '../ir/dtype.js';
import { softmaxCrossEntropy } from '../ops/loss.js';
import { createOptimizer, stateName } from '../optim/index.js';
import { useNchwcForImageConvs } from '../passes/nchwc.js';
import { padPastTranspose } from '../passes/pad-past-transpose.js';
import { poolBeforeRelu } from '../passes/pool-before-relu.js';
import { sharePatches } from '../passes/share-patches.js';

type ConvGradients = 'conv' | 'im2col';

export interface TensorSpec {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly (number | string)[];
}

/** Everything a runner needs to feed the training graph, written beside it as JSON. */
export interface TrainStepManifest {
  readonly format: 'onnxgrad.train-step';
  readonly version: 1;
  readonly batchSize: number;
  readonly convGradients: ConvGradients;
  /** The NCHWc block size the image convolution was laid out for (onnxruntime-node on this CPU), or null. */
  readonly nchwcBlock: number | null;
  readonly model: CnnConfig;
  readonly optimizer: {
    readonly name: string;
    readonly hyper: Readonly<Record<string, number>>;
    /** Per slot: the graph stores PyTorch's state tensor times this (absent: 1). */
    readonly stateScale?: Readonly<Record<string, number>>;
  };
  readonly parameters: readonly TensorSpec[];
  /** Optimizer state, named `<optimizer>.<slot>.<parameter>`, all zeros at the start. */
  readonly state: readonly TensorSpec[];
  readonly dropout: readonly { readonly name: string; readonly rate: number; readonly shape: readonly number[] }[];
  readonly inputs: readonly TensorSpec[];
  readonly outputs: readonly TensorSpec[];
}

export interface TrainStep {
  readonly graph: Graph;
  readonly manifest: TrainStepManifest;
}

const spec = (v: Value): TensorSpec => ({ name: v.name, dtype: v.dtype, shape: [...v.shape] });

/** The name of a parameter's or state tensor's updated value among the outputs. */
export const nextName = (name: string): string => `next.${name}`;

export interface TrainStepOptions {
  readonly optimizer: string;
  readonly batchSize: number;
  /** How conv gradients are expressed: 'conv' (GRAD_RULES, the default) or 'im2col' (IM2COL_GRAD_RULES). */
  readonly convGradients?: ConvGradients;
  /** Lay the image convolution out for ORT's NCHWc kernels with this block size (src/passes/nchwc.ts). */
  readonly nchwcBlock?: number | null;
}

/**
 * The conv-gradient form for onnxruntime-node: 'im2col', whose large GEMMs beat ORT's own Conv
 * and ConvTranspose on any number of threads (practical CNN, batch 64, compare-steps: 35.7 vs
 * 38.8 ms per step on one thread; on two, 23.7 ms against 26.2 for the earlier one-hot im2col
 * form that 2 threads used). The portable 'conv' form is for WebGPU.
 */
export const NODE_CONV_GRADIENTS: ConvGradients = 'im2col';

export function buildTrainStep(config: CnnConfig, options: TrainStepOptions): TrainStep {
  if (!Number.isInteger(options.batchSize) || options.batchSize < 1)
    throw new Error(`batch size must be a positive integer, got ${options.batchSize}`);
  const optimizer = createOptimizer(options.optimizer);
  const model = buildCnn(config, { training: true, batch: options.batchSize });
  const { graph, values } = poolBeforeRelu(model.graph);
  const logits = values.get(model.logits) as Value;
  const dropoutNoise = model.dropoutNoise.map((n) => values.get(n) as Value);
  const labels = graph.input('labels', 'int64', [options.batchSize]);
  const step = graph.input('step', 'float32', []);
  const lr = graph.input('lr', 'float32', []);

  const { loss, correct } = softmaxCrossEntropy(logits, labels);
  const params = [...graph.parameters.values()].map((p) => p.value);
  const convGradients = options.convGradients ?? 'conv';
  const grads = backward(loss, params, { rules: convGradients === 'im2col' ? IM2COL_GRAD_RULES : GRAD_RULES });
  if (convGradients === 'im2col') {
    padPastTranspose(graph);
    sharePatches(graph);
  }
  const nchwcBlock = options.nchwcBlock ?? null;
  if (nchwcBlock) useNchwcForImageConvs(graph, nchwcBlock);
  const update = optimizer.prepare({ lr, step });

  graph.output(loss, 'loss');
  graph.output(correct, 'correct');
  const state: Value[] = [];
  const nextState: [string, Value][] = [];
  for (const param of params) {
    const grad = grads.get(param) as Value;
    const slots = optimizer.slots.map((slot) =>
      graph.input(stateName(optimizer, slot, param.name), param.dtype, param.shape),
    );
    state.push(...slots);
    const next = update({ param, grad, state: slots });
    graph.output(next.param, nextName(param.name));
    next.state.forEach((s, i) => nextState.push([nextName((slots[i] as Value).name), s]));
  }
  for (const [name, value] of nextState) graph.output(value, name);

  const manifest: TrainStepManifest = {
    format: 'onnxgrad.train-step',
    version: 1,
    batchSize: options.batchSize,
    convGradients,
    nchwcBlock,
    model: config,
    optimizer: {
      name: optimizer.name,
      hyper: optimizer.hyper,
      stateScale: Object.fromEntries(optimizer.slots.map((slot, i) => [slot, optimizer.stateScale?.[i] ?? 1])),
    },
    parameters: params.map(spec),
    state: state.map(spec),
    dropout: dropoutNoise.map((n) => ({ name: n.name, rate: config.dropout, shape: n.shape as number[] })),
    inputs: [...graph.inputs.map(spec), ...params.map(spec)],
    outputs: graph.outputs.map(spec),
  };
  return { graph, manifest };
}
