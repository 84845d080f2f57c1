// Matrix products: Gemm (y = alpha * A' B' + beta * C) and MatMul.
import { attr, floatAttr, intAttr } from '../ir/attributes.js';
import type { Value } from '../ir/graph.js';
import { broadcastShapes, type Dim, formatShape, type Shape, ShapeError } from '../ir/shape.js';
import { emit, requireFloat, requireRank } from './node.js';

export interface GemmOptions {
  readonly transA?: boolean;
  readonly transB?: boolean;
  readonly alpha?: number;
  readonly beta?: number;
}

export function gemm(a: Value, b: Value, c: Value | null, o: GemmOptions = {}): Value {
  requireRank('Gemm', a, 2, 'A');
  requireRank('Gemm', b, 2, 'B');
  requireFloat('Gemm', a, b);
  const [m, ka] = o.transA ? [a.shape[1], a.shape[0]] : [a.shape[0], a.shape[1]];
  const [kb, n] = o.transB ? [b.shape[1], b.shape[0]] : [b.shape[0], b.shape[1]];
  if (ka !== kb)
    throw new ShapeError(
      `Gemm: inner dimensions differ: A ${formatShape(a.shape)}${o.transA ? "'" : ''} and B ${formatShape(b.shape)}${o.transB ? "'" : ''}`,
    );
  const shape: Dim[] = [m as Dim, n as Dim];
  if (c) broadcastShapes('Gemm', shape, c.shape);
  const attributes = {
    ...(o.transA ? { transA: attr.int(1) } : {}),
    ...(o.transB ? { transB: attr.int(1) } : {}),
    ...(o.alpha !== undefined && o.alpha !== 1 ? { alpha: attr.float(o.alpha) } : {}),
    ...(o.beta !== undefined && o.beta !== 1 ? { beta: attr.float(o.beta) } : {}),
  };
  return emit('Gemm', c ? [a, b, c] : [a, b], attributes, a.dtype, shape);
}

/** Reads a Gemm node's options back from its attributes (used by its gradient rule). */
export function gemmOptions(attributes: Parameters<typeof intAttr>[0]): Required<GemmOptions> {
  return {
    transA: intAttr(attributes, 'transA', 0) === 1,
    transB: intAttr(attributes, 'transB', 0) === 1,
    alpha: floatAttr(attributes, 'alpha', 1),
    beta: floatAttr(attributes, 'beta', 1),
  };
}

/**
 * MatMul of matrices [M, K] x [K, N], or of stacks of them [..., M, K] x [..., K, N] whose batch
 * dimensions broadcast numpy-style (a matrix against a stack included).
 */
export function matMul(a: Value, b: Value): Value {
  if (a.rank < 2 || b.rank < 2) {
    throw new ShapeError(
      `MatMul: expected two matrices or two batches of matrices (rank 2 or more), got ${formatShape(a.shape)} x ${formatShape(b.shape)}`,
    );
  }
  requireFloat('MatMul', a, b);
  const [m, k] = a.shape.slice(-2) as [Dim, Dim];
  const [k2, n] = b.shape.slice(-2) as [Dim, Dim];
  if (k !== k2)
    throw new ShapeError(`MatMul: inner dimensions differ: ${formatShape(a.shape)} x ${formatShape(b.shape)}`);
  const [batchA, batchB] = [a.shape.slice(0, -2), b.shape.slice(0, -2)];
  let batch: Shape;
  try {
    batch = broadcastShapes('MatMul', batchA, batchB);
  } catch {
    throw new ShapeError(
      `MatMul: batch sizes differ (${formatShape(batchA)} does not broadcast with ${formatShape(batchB)}): ${formatShape(a.shape)} x ${formatShape(b.shape)}`,
    );
  }
  return emit('MatMul', [a, b], {}, a.dtype, [...batch, m, n]);
}
