// Softmax cross-entropy from portable ops only (no OneHot, no SoftmaxCrossEntropyLoss, no
// LogSoftmax: WebGPU lacks or falls back on them), plus the count of correct predictions.
import type { Value } from '../ir/graph.js';
import { ShapeError } from '../ir/shape.js';
import { tensor } from '../ir/tensor.js';
import * as op from './index.js';

/** log softmax over the classes (axis 1), from portable ops (src/ops/activation.ts). */
export function logSoftmax(logits: Value): Value {
  return op.logSoftmax(logits, 1);
}

/** [B] int64 labels -> [B, C] float one-hot, by comparing with the row [0, 1, ..., C-1]. */
export function oneHot(labels: Value, classes: number): Value {
  const range = labels.graph.constant(
    tensor(
      'float32',
      [1, classes],
      Float32Array.from({ length: classes }, (_, i) => i),
    ),
  );
  return op.cast(op.equal(op.unsqueeze(op.cast(labels, 'float32'), [1]), range), 'float32');
}

export interface ClassificationLoss {
  /** Mean cross-entropy over the batch. */
  readonly loss: Value;
  /** Number of rows whose largest logit is the label's (a float scalar). */
  readonly correct: Value;
}

export function softmaxCrossEntropy(logits: Value, labels: Value): ClassificationLoss {
  if (logits.rank !== 2 || labels.rank !== 1 || labels.dtype !== 'int64') {
    throw new ShapeError(
      `SoftmaxCrossEntropy: expected logits [B, C] and int64 labels [B], got ${logits.toString()} and ${labels.toString()}`,
    );
  }
  const [batch, classes] = logits.shape;
  if (typeof batch !== 'number' || typeof classes !== 'number') {
    throw new ShapeError(`SoftmaxCrossEntropy: the training batch must be static, got ${logits.toString()}`);
  }
  const target = oneHot(labels, classes);
  const loss = op.mul(op.reduceSum(op.mul(target, logSoftmax(logits))), -1 / batch);
  const isMax = op.cast(op.equal(logits, op.reduceMax(logits, [1], true)), 'float32');
  const correct = op.reduceSum(op.mul(isMax, target));
  return { loss, correct };
}
