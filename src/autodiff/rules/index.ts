// The tables of gradient rules, keyed by ONNX op type: the default one, and the im2col one that
// differs from it only in its Conv entry (large GEMMs, faster on onnxruntime-node and WASM).
import type { GradRules } from '../rule.js';
import { activationRules } from './activation.js';
import { convRules } from './conv.js';
import { im2colConvRule } from './conv-im2col.js';
import { elementwiseRules } from './elementwise.js';
import { linearRules } from './linear.js';
import { normalizationRules } from './normalization.js';
import { poolRules } from './pool.js';
import { reduceRules } from './reduce.js';
import { shapeRules } from './shape.js';

export const GRAD_RULES: GradRules = Object.freeze({
  ...elementwiseRules,
  ...activationRules,
  ...reduceRules,
  ...shapeRules,
  ...linearRules,
  ...convRules,
  ...poolRules,
  ...normalizationRules,
});

/** Conv gradients as large GEMMs over im2col patches (rules/conv-im2col.ts); the rest as GRAD_RULES. */
export const IM2COL_GRAD_RULES: GradRules = Object.freeze({ ...GRAD_RULES, Conv: im2colConvRule });
