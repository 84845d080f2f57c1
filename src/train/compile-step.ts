// The whole training step of any network as ONE graph: forward, loss, backward and the
// optimizer update, in a named step form (src/passes/forms.ts).
//   in:  the network's inputs, labels, dropout noise, step, lr, every parameter, every state tensor
//   out: loss, metrics (e.g. correct), next.<parameter>, next.<state>
// Parameters and state go in and come back each step, so a plain InferenceSession trains.
import { backward } from '../autodiff/backward.js';
import type { DType } from '../ir/dtype.js';
import type { Graph, Value } from '../ir/graph.js';
import type { TensorData } from '../ir/tensor.js';
import { softmaxCrossEntropy } from '../ops/loss.js';
import { CLASS_LOSSES } from './losses.js';
import { createOptimizer, stateName } from '../optim/index.js';
import { convGradientsOf, stepForm, usesNchwc } from '../passes/forms.js';
import { type PassCounts, RULE_TABLES, runForwardPasses, runStepPasses } from '../passes/index.js';
import {
  type InputRole,
  type InputSpec,
  nextName,
  type OutputSpec,
  type TensorSpec,
  type TrainStepManifest,
} from './manifest.js';

/** What a loss adds to the graph: the scalar to minimise and scalars reported beside it. */
export interface LossTerms {
  readonly loss: Value;
  readonly metrics: Readonly<Record<string, Value>>;
}

export interface LossDefinition {
  /** The labels input a batch of `output` takes by default. */
  readonly labels: (output: Value) => { readonly dtype: DType; readonly shape: readonly number[] };
  readonly build: (output: Value, labels: Value) => LossTerms;
}

/** The losses by name. cross-entropy: softmax cross-entropy of logits [N, classes] against int64 class labels [N]. */
export const LOSSES: Readonly<Record<string, LossDefinition>> = Object.freeze({
  'cross-entropy': {
    labels: (output: Value) => ({ dtype: 'int64' as const, shape: [output.shape[0] as number] }),
    build: (output: Value, labels: Value) => {
      const { loss, correct } = softmaxCrossEntropy(output, labels);
      return { loss, metrics: { correct } };
    },
  },
  ...CLASS_LOSSES,
});

export interface CompileOptions {
  /** The forward graph; all of its parameters are trained. It is copied, not changed. */
  readonly graph: Graph;
  /** The value the loss reads (logits for cross-entropy). */
  readonly output: Value;
  /** A key of LOSSES; default 'cross-entropy'. */
  readonly loss?: string;
  /** The labels input; default what the loss takes for `output` (cross-entropy: int64 [batch]). */
  readonly labels?: { readonly dtype: DType; readonly shape: readonly number[] };
  /** A name of src/optim (adam, adamw, sgd ...). */
  readonly optimizer: string;
  /** The batch size the graph's shapes were built for. */
  readonly batchSize: number;
  /** A step form's name (src/passes/forms.ts). */
  readonly form: string;
  /** For a form with the NCHWc pass: this CPU's block size (src/runtime/node.ts nchwcBlockSize), or null for none. */
  readonly nchwcBlock?: number | null;
  /** Graph inputs that are dropout noise (uniform [0, 1) each step), with their rates. */
  readonly noise?: readonly { readonly input: Value; readonly rate: number }[];
  /**
   * Tensors carried from step to step besides the parameters and optimizer state, each with the
   * value it takes after the step: BatchNormalization's running statistics. They start from the
   * given `init`, or else from the forward model's initializers of the same name (manifest `buffers`).
   */
  readonly buffers?: readonly { readonly input: Value; readonly next: Value; readonly init?: TensorData }[];
  /** Descriptive metadata copied into the manifest (e.g. the CNN's configuration as `model`). */
  readonly describe?: Pick<TrainStepManifest, 'model'>;
}

export interface TrainStep {
  readonly graph: Graph;
  readonly manifest: TrainStepManifest;
  /** How many places each pass of the form changed. */
  readonly passes: PassCounts;
  /** The buffers' starting values that CompileOptions gave, by input name. */
  readonly initialBuffers: ReadonlyMap<string, TensorData>;
}

const spec = (v: Value): TensorSpec => ({ name: v.name, dtype: v.dtype, shape: [...v.shape] });

export function compileTrainStep(o: CompileOptions): TrainStep {
  if (!Number.isInteger(o.batchSize) || o.batchSize < 1)
    throw new Error(`batch size must be a positive integer, got ${o.batchSize}`);
  const form = stepForm(o.form);
  const lossName = o.loss ?? 'cross-entropy';
  const lossDefinition = LOSSES[lossName];
  if (!lossDefinition) throw new Error(`unknown loss '${lossName}' (known: ${Object.keys(LOSSES).join(', ')})`);
  if (o.output.graph !== o.graph)
    throw new Error(`the output ${o.output.name} is not a value of graph ${o.graph.name}`);
  const optimizer = createOptimizer(o.optimizer);
  const passes: PassCounts = {};

  const { graph, values } = runForwardPasses(o.graph, form, passes);
  const copied = (v: Value): Value => {
    const found = values.get(v);
    if (!found) throw new Error(`the ${form.name} form's passes removed ${v.name}`);
    return found;
  };
  const output = copied(o.output);
  if (output.shape[0] !== o.batchSize)
    throw new Error(`${o.output.name} has a batch of ${output.shape[0]}, not the batch size ${o.batchSize}`);
  const noiseRates = new Map((o.noise ?? []).map((n) => [copied(n.input), n.rate]));
  const buffers = (o.buffers ?? []).map((b) => ({ input: copied(b.input), next: copied(b.next) }));
  const labelsSpec = o.labels ?? lossDefinition.labels(output);
  const labels = graph.input('labels', labelsSpec.dtype, labelsSpec.shape);
  const step = graph.input('step', 'float32', []);
  const lr = graph.input('lr', 'float32', []);

  const { loss, metrics } = lossDefinition.build(output, labels);
  const params = [...graph.parameters.values()].map((p) => p.value);
  const grads = backward(loss, params, { rules: RULE_TABLES[form.rules] });
  const nchwcBlock = usesNchwc(form) ? (o.nchwcBlock ?? null) : null;
  runStepPasses(graph, form, { nchwcBlock }, passes);
  const update = optimizer.prepare({ lr, step });

  graph.output(loss, 'loss');
  for (const [name, value] of Object.entries(metrics)) graph.output(value, name);
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
  for (const b of buffers) graph.output(b.next, nextName(b.input.name));

  const roles = new Map<Value, InputRole>([
    [labels, 'labels'],
    [step, 'step'],
    [lr, 'lr'],
    ...params.map((p): [Value, InputRole] => [p, 'parameter']),
    ...state.map((s): [Value, InputRole] => [s, 'state']),
    ...buffers.map((b): [Value, InputRole] => [b.input, 'state']),
    ...[...noiseRates.keys()].map((n): [Value, InputRole] => [n, 'noise']),
  ]);
  const inputSpec = (v: Value): InputSpec => ({ ...spec(v), role: roles.get(v) ?? 'batch' });
  const carriedNames = new Set([...params, ...state, ...buffers.map((b) => b.input)].map((v) => nextName(v.name)));
  const outputSpec = (v: Value): OutputSpec =>
    v.name === 'loss'
      ? { ...spec(v), role: 'loss' }
      : carriedNames.has(v.name)
        ? { ...spec(v), role: 'next', of: v.name.slice('next.'.length) }
        : { ...spec(v), role: 'metric' };
  const manifest: TrainStepManifest = {
    format: 'onnxgrad.train-step',
    version: 1,
    form: form.name,
    batchSize: o.batchSize,
    convGradients: convGradientsOf(form),
    nchwcBlock,
    loss: { name: lossName, output: o.output.name },
    ...(o.describe?.model ? { model: o.describe.model } : {}),
    optimizer: {
      name: optimizer.name,
      hyper: optimizer.hyper,
      stateScale: Object.fromEntries(optimizer.slots.map((slot, i) => [slot, optimizer.stateScale?.[i] ?? 1])),
    },
    parameters: params.map(spec),
    state: state.map(spec),
    ...(buffers.length > 0 ? { buffers: buffers.map((b) => spec(b.input)) } : {}),
    dropout: [...noiseRates].map(([n, rate]) => ({ name: n.name, rate, shape: n.shape as number[] })),
    inputs: [...graph.inputs.map(inputSpec), ...params.map(inputSpec)],
    outputs: graph.outputs.map(outputSpec),
  };
  const initialBuffers = new Map((o.buffers ?? []).flatMap((b) => (b.init ? [[b.input.name, b.init] as const] : [])));
  return { graph, manifest, passes, initialBuffers };
}
