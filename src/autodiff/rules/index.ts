// The one table of gradient rules, keyed by ONNX op type.
import type { GradRule } from '../rule.js';
import { convRules } from './conv.js';
import { elementwiseRules } from './elementwise.js';
import { linearRules } from './linear.js';
import { reduceRules } from './reduce.js';
import { shapeRules } from './shape.js';

export const GRAD_RULES: Readonly<Record<string, GradRule>> = Object.freeze({
  ...elementwiseRules,
  ...reduceRules,
  ...shapeRules,
  ...linearRules,
  ...convRules,
});
