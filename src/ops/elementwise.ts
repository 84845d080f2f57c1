// Elementwise ops: arithmetic with broadcasting, comparisons, selection, unary maths.
import { attr } from '../ir/attributes.js';
import type { DType } from '../ir/dtype.js';
import type { Value } from '../ir/graph.js';
import { broadcastShapes, ShapeError } from '../ir/shape.js';
import { emit, type Operand, operands } from './node.js';

function binary(op: string, a: Operand, b: Operand): Value {
  const [x, y] = operands(op, a, b);
  if (x.dtype !== y.dtype) throw new ShapeError(`${op}: element types differ (${x.dtype} and ${y.dtype})`);
  return emit(op, [x, y], {}, x.dtype, broadcastShapes(op, x.shape, y.shape));
}

function compare(op: string, a: Operand, b: Operand): Value {
  const [x, y] = operands(op, a, b);
  if (x.dtype !== y.dtype) throw new ShapeError(`${op}: element types differ (${x.dtype} and ${y.dtype})`);
  return emit(op, [x, y], {}, 'bool', broadcastShapes(op, x.shape, y.shape));
}

const unary =
  (op: string) =>
  (x: Value): Value =>
    emit(op, [x], {}, x.dtype, x.shape);

export const add = (a: Operand, b: Operand): Value => binary('Add', a, b);
export const sub = (a: Operand, b: Operand): Value => binary('Sub', a, b);
export const mul = (a: Operand, b: Operand): Value => binary('Mul', a, b);
export const div = (a: Operand, b: Operand): Value => binary('Div', a, b);
export const pow = (a: Operand, b: Operand): Value => binary('Pow', a, b);

export const equal = (a: Operand, b: Operand): Value => compare('Equal', a, b);
export const greater = (a: Operand, b: Operand): Value => compare('Greater', a, b);
export const less = (a: Operand, b: Operand): Value => compare('Less', a, b);

export const relu = unary('Relu');
export const neg = unary('Neg');
export const exp = unary('Exp');
export const log = unary('Log');
export const sqrt = unary('Sqrt');

/** Identity, optionally giving the value a readable name (`grad.fc1.weight`). */
export function identity(x: Value, name?: string): Value {
  const [out] = x.graph.addNode('Identity', [x], {}, [{ dtype: x.dtype, shape: x.shape, ...(name ? { name } : {}) }]);
  return out as Value;
}

export function where(condition: Value, a: Operand, b: Operand): Value {
  if (condition.dtype !== 'bool')
    throw new ShapeError(`Where: condition ${condition.name} must be bool, got ${condition.dtype}`);
  const [x, y] = operands('Where', a, b);
  const shape = broadcastShapes('Where', condition.shape, broadcastShapes('Where', x.shape, y.shape));
  return emit('Where', [condition, x, y], {}, x.dtype, shape);
}

const CAST_TO: Readonly<Record<DType, number>> = { float32: 1, int64: 7, bool: 9, float64: 11 };

export function cast(x: Value, to: DType): Value {
  return emit('Cast', [x], { to: attr.int(CAST_TO[to]) }, to, x.shape);
}
