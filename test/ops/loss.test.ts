import assert from 'node:assert/strict';
import { test } from 'node:test';
import { softmaxCrossEntropy, oneHot, logSoftmax } from '../../src/ops/loss.js';
import { inputs, throwsShapeError } from './helpers.js';

test('softmaxCrossEntropy gives scalar loss and correct count', () => {
  const [logits, labels] = inputs([64, 10], ['int64', [64]]);
  const { loss, correct } = softmaxCrossEntropy(logits!, labels!);
  assert.deepEqual(loss.shape, []);
  assert.deepEqual(correct.shape, []);
  assert.equal(loss.dtype, 'float32');
  assert.deepEqual(oneHot(labels!, 10).shape, [64, 10]);
  assert.deepEqual(logSoftmax(logits!).shape, [64, 10]);
});

test('softmaxCrossEntropy: wrong ranks, label type or a symbolic batch name the op', () => {
  const [logits, labels, floatLabels, sym, symLabels] = inputs(
    [64, 10],
    ['int64', [64, 1]],
    [64],
    ['N', 10],
    ['int64', ['N']],
  );
  throwsShapeError(() => softmaxCrossEntropy(logits!, labels!), 'SoftmaxCrossEntropy');
  throwsShapeError(() => softmaxCrossEntropy(logits!, floatLabels!), 'SoftmaxCrossEntropy');
  throwsShapeError(() => softmaxCrossEntropy(sym!, symLabels!), 'SoftmaxCrossEntropy', /static/);
});
