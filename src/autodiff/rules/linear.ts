// Matrix products. For Y = alpha * A' B' + beta * C with A' = op(A), B' = op(B):
//   dA' = alpha * G B'^T,  dB' = alpha * A'^T G,  dC = beta * G (un-broadcast by the driver),
// and a transposed operand gets the transpose of that, all expressed as Gemm flags.
import * as op from '../../ops/index.js';
import { gemmOptions } from '../../ops/linear.js';
import { type GradRule, input, outputGrad } from '../rule.js';

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
    return [op.gemm(g, b, null, { transB: true }), op.gemm(a, g, null, { transA: true })];
  },
};
