// An optimizer emits the update of one parameter as graph ops. The learning rate and the step
// count are graph inputs, so a schedule changes them without rebuilding anything.
import type { Value } from '../ir/graph.js';

export interface UpdateInput {
  readonly param: Value;
  readonly grad: Value;
  /** The optimizer's state tensors for this parameter, in the order of `slots`. */
  readonly state: readonly Value[];
}

export interface UpdateOutput {
  readonly param: Value;
  readonly state: readonly Value[];
}

export interface StepInputs {
  /** Learning rate, a float scalar. */
  readonly lr: Value;
  /** This update's number, 1 for the first, a float scalar (for bias correction). */
  readonly step: Value;
}

export interface Optimizer {
  readonly name: string;
  /** State tensors per parameter, each shaped like it and starting at zero: 'm', 'v' ... */
  readonly slots: readonly string[];
  /**
   * How each slot is stored: PyTorch's state tensor times this (1 where omitted). Adam keeps
   * m / (1 - beta1) and v / (1 - beta2), which saves two passes over every parameter.
   */
  readonly stateScale?: readonly number[];
  readonly hyper: Readonly<Record<string, number>>;
  /** Returns the per-parameter update; scalars shared by all parameters are made once here. */
  prepare(inputs: StepInputs): (u: UpdateInput) => UpdateOutput;
}

/** `adam.m.fc1.weight`: the scheme for optimizer state names. */
export const stateName = (optimizer: Optimizer, slot: string, param: string): string =>
  `${optimizer.name}.${slot}.${param}`;
