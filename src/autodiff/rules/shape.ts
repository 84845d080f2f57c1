// Data-movement ops: the gradient moves back the same way.
import { intsAttr } from '../../ir/attributes.js';
import * as op from '../../ops/index.js';
import { type GradRule, input, outputGrad } from '../rule.js';

export const shapeRules: Record<string, GradRule> = {
  Reshape: (c) => [op.reshapeLike(outputGrad(c), input(c, 0)), null],
  Flatten: (c) => [op.reshapeLike(outputGrad(c), input(c, 0))],
  Transpose: (c) => {
    const perm = intsAttr(c.node.attributes, 'perm', []);
    const inverse = perm.map((_, i) => perm.indexOf(i));
    return [op.transpose(outputGrad(c), inverse)];
  },
  Unsqueeze: (c) => [op.reshapeLike(outputGrad(c), input(c, 0)), null],
};
