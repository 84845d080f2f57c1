// Matrix products. For Y = alpha * A' B' + beta * C with A' = op(A), B' = op(B):
//   dA' = alpha * G B'^T,  dB' = alpha * A'^T G,  dC = beta * G (un-broadcast by the driver),
// and a transposed operand gets the transpose of that, all expressed as Gemm flags.
import type { Value } from '../../ir/graph.js';
import * as op from '../../ops/index.js';
import { gemmOptions } from '../../ops/linear.js';
import { type GradRule, input, outputGrad } from '../rule.js';

/** [..., M, K] -> [..., K, M] */
const lastTwoSwapped = (v: Value): Value =>
  op.transpose(v, [...v.shape.slice(0, -2).map((_, i) => i), v.rank - 1, v.rank - 2]);

const gemmRule: GradRule = (c) => {
  const { transA, transB, alpha, beta } = gemmOptions(c.node.attributes);
  const [a, b, g] = [input(c, 0), input(c, 1), outputGrad(c)];
  const dA = !c.needs[0]
    ? null
    : transA
      ? op.gemm(b, g, null, { transA: transB, transB: true, alpha })
      : op.gemm(g, b, null, { transB: !transB, alpha });
  const dB = !c.needs[1]
    ? null
    : transB
      ? op.gemm(g, a, null, { transA: true, transB: transA, alpha })
      : op.gemm(a, g, null, { transA: !transA, alpha });
  const dC = c.inputs[2] ? (beta === 1 ? g : op.mul(g, beta)) : null;
  return c.inputs.length > 2 ? [dA, dB, dC] : [dA, dB];
};

export const linearRules: Record<string, GradRule> = {
  Gemm: gemmRule,
  MatMul: (c) => {
    const [a, b, g] = [input(c, 0), input(c, 1), outputGrad(c)];
    if (a.rank === 2 && b.rank === 2)
      return [op.gemm(g, b, null, { transB: true }), op.gemm(a, g, null, { transA: true })];
    // stacks: dA = G B^T, dB = A^T G per matrix; the driver sums over broadcast batch dims
    return [c.needs[0] ? op.matMul(g, lastTwoSwapped(b)) : null, c.needs[1] ? op.matMul(lastTwoSwapped(a), g) : null];
  },
};
