import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IM2COL_GRAD_RULES } from '../../src/autodiff/rules/index.js';
import { sharePatches } from '../../src/passes/share-patches.js';
import { assertSameStep, sgdStep } from './equivalence.js';
import { tinyCnn } from './tiny-cnn.js';

test('share patches: the forward conv reads its weight gradient patches, with the same loss and updates', async () => {
  const rules = IM2COL_GRAD_RULES;
  // conv2 (8 input channels) has patches; conv1 (1 channel) takes the conv-form weight gradient
  await assertSameStep(tinyCnn, { rules }, { rules, step: sharePatches }, 1);
});

test('share patches finds nothing without the im2col rules', () => {
  assert.equal(sgdStep(tinyCnn, { step: sharePatches }).changed, 0);
});
