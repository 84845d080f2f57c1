// The manifest of a training-step graph: everything a runner needs to feed it, written beside it
// as JSON. Every input and output says what it is (its role), so a runner feeds any network's
// step from the manifest alone (src/train/step-feeds.ts). Pure types and functions: the page
// reads manifests too.
import type { CnnConfig } from '../../graphs/cnn-config.js';
import type { DType } from '../ir/dtype.js';
import { convGradientsOf, type FormName, formForFlags, stepForm } from '../passes/forms.js';

export interface TensorSpec {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly (number | string)[];
}

/**
 * batch: the network's own inputs (the images), one minibatch; labels: what the loss compares
 * with; noise: uniform [0, 1) for a dropout layer; step: the 1-based update number; lr: the
 * learning rate; parameter: a trained tensor, carried from step to step; state: carried too
 * (optimizer state, zeros at the start).
 */
export type InputRole = 'batch' | 'labels' | 'noise' | 'step' | 'lr' | 'parameter' | 'state';

/** loss: the scalar trained on; metric: a scalar reported beside it; next: the updated value of input `of`. */
export type OutputRole = 'loss' | 'metric' | 'next';

export interface InputSpec extends TensorSpec {
  readonly role: InputRole;
}

export interface OutputSpec extends TensorSpec {
  readonly role: OutputRole;
  /** For role 'next': the carried input this output replaces in the next step. */
  readonly of?: string;
}

export interface TrainStepManifest {
  readonly format: 'onnxgrad.train-step';
  readonly version: 1;
  /** The step form it was compiled in (src/passes/forms.ts). */
  readonly form: FormName;
  readonly batchSize: number;
  /** Descriptive, from the form: how conv gradients are expressed. */
  readonly convGradients: 'conv' | 'im2col';
  /** The NCHWc block size the image convolution was laid out for (onnxruntime-node on this CPU), or null. */
  readonly nchwcBlock: number | null;
  readonly loss: {
    readonly name: string;
    /** The network output the loss reads (e.g. logits), by its name in the forward graph. */
    readonly output?: string;
  };
  /** Descriptive: the practical CNN's configuration, for graphs built from one. */
  readonly model?: CnnConfig;
  readonly optimizer: {
    readonly name: string;
    readonly hyper: Readonly<Record<string, number>>;
    /** Per slot: the graph stores PyTorch's state tensor times this (absent: 1). */
    readonly stateScale?: Readonly<Record<string, number>>;
  };
  readonly parameters: readonly TensorSpec[];
  /** State carried between steps that starts at zero: optimizer state, `<optimizer>.<slot>.<parameter>`. */
  readonly state: readonly TensorSpec[];
  /** State carried between steps that starts from the forward model's initializers: BatchNormalization's running statistics. */
  readonly buffers?: readonly TensorSpec[];
  readonly dropout: readonly { readonly name: string; readonly rate: number; readonly shape: readonly number[] }[];
  readonly inputs: readonly InputSpec[];
  readonly outputs: readonly OutputSpec[];
}

/** The name of a parameter's or state tensor's updated value among the outputs. */
export const nextName = (name: string): string => `next.${name}`;

/** A manifest as read from JSON: older ones (before roles and forms) get them from their names. */
export function upgradeManifest(m: TrainStepManifest): TrainStepManifest {
  if (m.form && m.inputs.every((s) => s.role) && m.outputs.every((s) => s.role)) return m;
  const has = (list: readonly { name: string }[], name: string) => list.some((s) => s.name === name);
  const inputRole = (name: string): InputRole =>
    name === 'labels' || name === 'step' || name === 'lr'
      ? name
      : has(m.dropout, name)
        ? 'noise'
        : has(m.parameters, name)
          ? 'parameter'
          : has(m.state, name)
            ? 'state'
            : 'batch';
  const outputSpec = (s: TensorSpec): OutputSpec =>
    s.name === 'loss'
      ? { ...s, role: 'loss' }
      : s.name.startsWith('next.')
        ? { ...s, role: 'next', of: s.name.slice('next.'.length) }
        : { ...s, role: 'metric' };
  const form = m.form ?? formForFlags({ convGradients: m.convGradients, nchwc: m.nchwcBlock !== null });
  return {
    ...m,
    form,
    convGradients: convGradientsOf(stepForm(form)),
    loss: m.loss ?? { name: 'cross-entropy', output: 'logits' },
    inputs: m.inputs.map((s) => ({ ...s, role: s.role ?? inputRole(s.name) })),
    outputs: m.outputs.map((s) => (s.role ? s : outputSpec(s))),
  };
}

/** The inputs of one role, in manifest order. */
export const inputsOf = (m: TrainStepManifest, role: InputRole): InputSpec[] => m.inputs.filter((s) => s.role === role);

/** The inputs carried from one step to the next (parameters and state), each with the output that replaces it. */
export function carried(m: TrainStepManifest): { input: InputSpec; next: string }[] {
  return [...inputsOf(m, 'parameter'), ...inputsOf(m, 'state')].map((input) => {
    const next = m.outputs.find((o) => o.role === 'next' && o.of === input.name);
    if (!next) throw new Error(`the training step has no output that updates '${input.name}'`);
    return { input, next: next.name };
  });
}

/** The number of elements of a static shape. */
export const sizeOf = (shape: readonly (number | string)[]): number =>
  shape.reduce<number>((n, d) => {
    if (typeof d !== 'number') throw new Error(`a training step needs static shapes, got the dimension '${d}'`);
    return n * d;
  }, 1);
