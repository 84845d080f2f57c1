// Elementwise ops: y = f(a, b) gives da = g * df/da, db = g * df/db (the driver un-broadcasts).
import * as op from '../../ops/index.js';
import { type GradRule, input, output, outputGrad } from '../rule.js';

export const elementwiseRules: Record<string, GradRule> = {
  Add: (c) => [outputGrad(c), outputGrad(c)],
  Sub: (c) => [outputGrad(c), op.neg(outputGrad(c))],
  Mul: (c) => [op.mul(outputGrad(c), input(c, 1)), op.mul(outputGrad(c), input(c, 0))],
  // y = a / b: da = g / b, db = -g * y / b
  Div: (c) => [op.div(outputGrad(c), input(c, 1)), op.neg(op.div(op.mul(outputGrad(c), output(c)), input(c, 1)))],
  Neg: (c) => [op.neg(outputGrad(c))],
  Exp: (c) => [op.mul(outputGrad(c), output(c))],
  Log: (c) => [op.div(outputGrad(c), input(c, 0))],
  // y = sqrt(a): da = g / (2 y)
  Sqrt: (c) => [op.div(outputGrad(c), op.mul(output(c), 2))],
  // y = a^b: da = g * b * a^(b-1); db = g * y * ln(a) (defined for a > 0), only when b needs one
  Pow: (c) => [
    op.mul(outputGrad(c), op.mul(input(c, 1), op.pow(input(c, 0), op.sub(input(c, 1), 1)))),
    c.needs[1] ? op.mul(outputGrad(c), op.mul(output(c), op.log(input(c, 0)))) : null,
  ],
  // g times the mask as 0/1: faster in ORT than Where(mask, g, 0) (see the MaxPool rule)
  Relu: (c) => [op.mul(op.cast(op.greater(output(c), 0), 'float32'), outputGrad(c))],
  Where: (c) => [null, op.where(input(c, 0), outputGrad(c), 0), op.where(input(c, 0), 0, outputGrad(c))],
  Identity: (c) => [outputGrad(c)],
};
