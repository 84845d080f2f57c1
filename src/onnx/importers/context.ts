// What an op importer sees while it rebuilds one ONNX node with the op builders, and what it
// returns. The driver (src/onnx/to-graph.ts) keeps the values; an importer only asks for them.
import type { Attributes } from '../../ir/attributes.js';
import type { Graph, Value } from '../../ir/graph.js';
import type { Shape } from '../../ir/shape.js';
import type { TensorData } from '../../ir/tensor.js';
import type { ImportedNode } from '../import.js';

export interface ImportContext {
  readonly node: ImportedNode;
  readonly attributes: Attributes;
  readonly graph: Graph;
  /** The model's version of the default ONNX operator set. */
  readonly opset: number;
  /** Building a training graph: Dropout drops, BatchNormalization uses the batch's statistics. */
  readonly training: boolean;
  /** How many inputs the node lists (omitted optional ones included). */
  readonly inputCount: number;
  /** Input i as a graph value: a float initializer becomes a trainable parameter, any other known tensor a constant. */
  value(i: number): Value;
  /** Like value(i), or null where the input is omitted. */
  optional(i: number): Value | null;
  /** Input i's data where it is known at import time (initializer, Constant, folded subgraph). */
  known(i: number): TensorData | undefined;
  /** Input i as integers (shape, axes, pads ...), which must be known; undefined where the input is omitted. */
  ints(i: number, what: string): number[] | undefined;
  /** Input i as a graph constant (never a parameter): e.g. BatchNormalization's running statistics at inference. */
  constantValue(i: number): Value;
  /** A noise input for one dropout layer: uniform [0, 1) values fed each step. */
  dropoutNoise(shape: Shape, rate: number): Value;
  /** Input i as state carried between steps (running statistics): a graph input now, `next` given later. */
  stateInput(i: number): Value;
  /** The value a state input takes after this step. */
  stateNext(input: Value, next: Value): void;
  /** An error that names this node and its op. */
  fail(message: string): Error;
}

/** Rebuilds one ONNX node; returns one value per ONNX output, null for an output it does not make. */
export type BuildNode = (c: ImportContext) => readonly (Value | null)[];

export interface OpImporter {
  readonly build: BuildNode;
  /** How the op trains when its IR form is not one op with a gradient rule of its own (the README's table). */
  readonly trains?: string;
}

/** Integer attribute-or-input readers shared by the importers. */
export function ints(c: ImportContext, name: string, fallback: readonly number[]): number[] {
  const a = c.attributes[name];
  return a?.kind === 'ints' ? [...a.value] : [...fallback];
}

export function int(c: ImportContext, name: string, fallback: number): number {
  const a = c.attributes[name];
  return a?.kind === 'int' ? a.value : fallback;
}

export function float(c: ImportContext, name: string, fallback: number): number {
  const a = c.attributes[name];
  return a?.kind === 'float' ? a.value : fallback;
}

export function string(c: ImportContext, name: string, fallback: string): string {
  const a = c.attributes[name];
  return a?.kind === 'string' ? a.value : fallback;
}

/**
 * Axes given as an input (Squeeze/Unsqueeze/ReduceSum since opset 13, the other reductions since
 * 18) or, in older opsets, as the `axes` attribute.
 */
export function axes(c: ImportContext, inputIndex: number): number[] | undefined {
  return c.ints(inputIndex, 'axes') ?? (c.attributes['axes']?.kind === 'ints' ? ints(c, 'axes', []) : undefined);
}

/** A one-output importer. */
export const single =
  (f: (c: ImportContext) => Value): BuildNode =>
  (c) => [f(c)];
