// A layer is a function from a value to a value that may create parameters on the value's graph.
// Building a network calls its layers in order, so parameters are created (and their initial
// values drawn from the seeded generator) in the order the layers are written, as PyTorch's
// modules do; `sequential` gives each layer its state_dict prefix (`conv1`, or `0`, `1` ...).
import { Graph, type Value } from '../ir/graph.js';
import type { DType } from '../ir/dtype.js';
import type { TensorData } from '../ir/tensor.js';
import type { Dim } from '../ir/shape.js';
import { type InitScheme, Initializer } from './init.js';

/** A dropout layer's noise input in a training graph: the trainer feeds it uniform [0, 1) noise. */
export interface DropoutNoise {
  readonly input: Value;
  readonly rate: number;
}

/**
 * A tensor a training graph carries from step to step without training it (PyTorch's buffers:
 * BatchNorm's running statistics): the graph input, the value it takes after the step, and where
 * it starts.
 */
export interface CarriedTensor {
  readonly input: Value;
  readonly next: Value;
  readonly init: TensorData;
}

/** What a layer sees when it is built. */
export interface LayerContext {
  /** The layer's state_dict prefix: its key in the enclosing sequential, dotted when nested (`features.conv1`). */
  readonly name: string;
  /** A training graph has dropout noise inputs; an inference graph has no dropout at all. */
  readonly training: boolean;
  /** Draws initial parameter values; shared by every layer of one build, so the order of layers is the order of draws. */
  readonly init: Initializer;
  /** The dropout noise inputs made so far, in creation order. */
  readonly noise: DropoutNoise[];
  /** The buffers made so far (training graphs), in creation order. */
  readonly buffers: CarriedTensor[];
}

/** A layer: builds its part of the graph from `x` and returns its output. */
export type Layer = (x: Value, ctx: LayerContext) => Value;

/** A parameter named `<layer>.<what>` (`conv1.weight`), as PyTorch's state_dict names it. */
export function parameterName(ctx: LayerContext, what: string): string {
  return ctx.name === '' ? what : `${ctx.name}.${what}`;
}

export interface BuildOptions {
  /** The graph's name (ONNX's graph name). */
  readonly name?: string;
  /** The input's name; `image` by default, which the trainers feed. */
  readonly inputName?: string;
  /** The shape of one example, without the batch dimension (`[1, 28, 28]`). */
  readonly inputShape: readonly number[];
  readonly inputType?: DType;
  /** The batch dimension: a number for a training graph, or a symbolic name (`N`, the default). */
  readonly batch?: Dim;
  /** Build the training graph (dropout noise inputs) rather than the inference graph. */
  readonly training?: boolean;
  /** Initialisation: PyTorch's defaults ('pytorch', the default) or the practical's ('practical'). */
  readonly init?: InitScheme;
  /** Seeds the initial values: the same seed gives the same parameters. */
  readonly seed?: number;
}

/** A built network: its graph, input, output and (training graphs) dropout noise inputs and buffers. */
export interface Network {
  readonly graph: Graph;
  readonly input: Value;
  readonly output: Value;
  readonly noise: readonly DropoutNoise[];
  readonly buffers: readonly CarriedTensor[];
}

/** Builds `layer` on a new graph with one input of shape [batch, ...inputShape]. */
export function build(layer: Layer, options: BuildOptions): Network {
  const graph = new Graph(options.name ?? 'model');
  const input = graph.input(options.inputName ?? 'image', options.inputType ?? 'float32', [
    options.batch ?? 'N',
    ...options.inputShape,
  ]);
  const ctx: LayerContext = {
    name: '',
    training: options.training ?? false,
    init: new Initializer(options.init ?? 'pytorch', options.seed ?? 1),
    noise: [],
    buffers: [],
  };
  const output = layer(input, ctx);
  return { graph, input, output, noise: ctx.noise, buffers: ctx.buffers };
}
