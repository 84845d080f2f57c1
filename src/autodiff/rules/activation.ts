// Activations, from the output where it is cheaper: sigmoid' = y (1 - y), tanh' = 1 - y^2.
import { floatAttr, intAttr } from '../../ir/attributes.js';
import * as op from '../../ops/index.js';
import { type GradRule, input, output, outputGrad } from '../rule.js';

/** 0/1 as float: g times a mask is faster in ORT than Where (see the Relu rule). */
const mask = (condition: Parameters<typeof op.cast>[0]) => op.cast(condition, 'float32');

export const activationRules: Record<string, GradRule> = {
  Sigmoid: (c) => [op.mul(outputGrad(c), op.mul(output(c), op.sub(1, output(c))))],
  Tanh: (c) => [op.mul(outputGrad(c), op.sub(1, op.mul(output(c), output(c))))],
  // erf'(x) = 2 / sqrt(pi) exp(-x^2)
  Erf: (c) => [op.mul(outputGrad(c), op.mul(op.exp(op.neg(op.mul(input(c, 0), input(c, 0)))), 2 / Math.sqrt(Math.PI)))],
  // slope 1 above zero, alpha below: mask (1 - alpha) + alpha
  LeakyRelu: (c) => {
    const alpha = floatAttr(c.node.attributes, 'alpha', 0.01);
    return [op.mul(outputGrad(c), op.add(op.mul(mask(op.greater(input(c, 0), 0)), 1 - alpha), alpha))];
  },
  // x passes where the clip left it unchanged (bounds included); a bound gets g where it cut x
  Clip: (c) => {
    const [x, y, g] = [input(c, 0), output(c), outputGrad(c)];
    return [
      op.mul(g, mask(op.equal(x, y))),
      ...(c.inputs.length > 1 ? [c.needs[1] ? op.mul(g, mask(op.less(x, input(c, 1)))) : null] : []),
      ...(c.inputs.length > 2 ? [c.needs[2] ? op.mul(g, mask(op.greater(x, input(c, 2)))) : null] : []),
    ];
  },
  // dx = y (g - sum(g y)) along the softmax axis
  Softmax: (c) => {
    const [y, g] = [output(c), outputGrad(c)];
    const axis = intAttr(c.node.attributes, 'axis', -1);
    return [op.mul(y, op.sub(g, op.reduceSum(op.mul(g, y), [axis], true)))];
  },
};
