// Node attributes, tagged with their ONNX kind so that 1 (an int) and 1.0 (a float) export correctly.
import type { TensorData } from './tensor.js';

export type Attribute =
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'ints'; readonly value: readonly number[] }
  | { readonly kind: 'floats'; readonly value: readonly number[] }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'tensor'; readonly value: TensorData };

export type Attributes = Readonly<Record<string, Attribute>>;

export const attr = {
  int: (value: number): Attribute => ({ kind: 'int', value }),
  float: (value: number): Attribute => ({ kind: 'float', value }),
  ints: (value: readonly number[]): Attribute => ({ kind: 'ints', value: [...value] }),
  floats: (value: readonly number[]): Attribute => ({ kind: 'floats', value: [...value] }),
  string: (value: string): Attribute => ({ kind: 'string', value }),
  tensor: (value: TensorData): Attribute => ({ kind: 'tensor', value }),
};

export function intAttr(attributes: Attributes, name: string, fallback: number): number {
  const a = attributes[name];
  return a?.kind === 'int' ? a.value : fallback;
}

export function intsAttr(attributes: Attributes, name: string, fallback: readonly number[]): readonly number[] {
  const a = attributes[name];
  return a?.kind === 'ints' ? a.value : fallback;
}

export function floatAttr(attributes: Attributes, name: string, fallback: number): number {
  const a = attributes[name];
  return a?.kind === 'float' ? a.value : fallback;
}
