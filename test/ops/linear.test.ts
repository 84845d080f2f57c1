import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gemm, gemmOptions, matMul } from '../../src/ops/linear.js';
import { inputs, node, throwsShapeError } from './helpers.js';

test('gemm: [N, 1024] x [10, 1024]^T + [10] -> [N, 10]', () => {
  const [x, w, b] = inputs(['N', 1024], [10, 1024], [10]);
  const y = gemm(x!, w!, b!, { transB: true });
  assert.deepEqual(y.shape, ['N', 10]);
  assert.deepEqual(node(y).attributes, { transB: { kind: 'int', value: 1 } });
});

test('gemm: transA, alpha and beta are exported and read back', () => {
  const [a, b] = inputs([5, 3], [5, 4]);
  const y = gemm(a!, b!, null, { transA: true, alpha: 0.5, beta: 2 });
  assert.deepEqual(y.shape, [3, 4]);
  assert.deepEqual(gemmOptions(node(y).attributes), { transA: true, transB: false, alpha: 0.5, beta: 2 });
  assert.deepEqual(gemmOptions({}), { transA: false, transB: false, alpha: 1, beta: 1 });
});

test('gemm: errors name the op', () => {
  const [x, w, wRank] = inputs(['N', 1024], [10, 1000], [10, 1024, 1]);
  throwsShapeError(() => gemm(x!, w!, null, { transB: true }), 'Gemm', /inner dimensions/);
  throwsShapeError(() => gemm(x!, wRank!, null), 'Gemm', /rank 2/);
  const [w2] = inputs([1024, 10]);
  throwsShapeError(() => gemm(w2!, w2!, null), 'Gemm', /inner dimensions/);
});

test('gemm: the bias must broadcast, and operands must be float', () => {
  const [x, w, bBad] = inputs([4, 8], [8, 10], [3]);
  throwsShapeError(() => gemm(x!, w!, bBad!), 'Gemm', /broadcast/);
  const [xi, wi] = inputs(['int64', [4, 8]], ['int64', [8, 10]]);
  throwsShapeError(() => gemm(xi!, wi!, null), 'Gemm', /float/);
});

test('matMul: 2-D shapes and errors', () => {
  const [a, b, c] = inputs(['N', 3], [3, 7], [4, 7]);
  assert.deepEqual(matMul(a!, b!).shape, ['N', 7]);
  throwsShapeError(() => matMul(a!, c!), 'MatMul', /inner dimensions/);
  const [v] = inputs([3]);
  throwsShapeError(() => matMul(v!, b!), 'MatMul', /two matrices or two batches of matrices/);
});

test('matMul: batches of matrices multiply pairwise', () => {
  const [a, b, c] = inputs([5, 3, 4], [5, 4, 2], [6, 4, 2]);
  assert.deepEqual(matMul(a!, b!).shape, [5, 3, 2]);
  throwsShapeError(() => matMul(a!, c!), 'MatMul', /batch sizes differ/);
});

test('matMul: batch dimensions broadcast, a matrix against a stack included', () => {
  const [a, b, c, d] = inputs([2, 1, 3, 4], [5, 4, 2], [4, 2], ['N', 3, 4]);
  assert.deepEqual(matMul(a!, b!).shape, [2, 5, 3, 2]);
  assert.deepEqual(matMul(a!, c!).shape, [2, 1, 3, 2]);
  assert.deepEqual(matMul(d!, c!).shape, ['N', 3, 2]);
});
