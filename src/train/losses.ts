// The losses a training step can minimise besides cross-entropy on logits, for classification
// data (int64 class labels [N]) and a network output [N, classes]. Each is built from portable
// ops, and each reports `correct` (rows whose largest output is the label's) beside the loss.
// They follow PyTorch's definitions with reduction 'mean':
//   nll              -mean_n out[n, label_n]                     (out: log-probabilities, NLLLoss)
//   mse              mean over all elements of (out - onehot)^2   (MSELoss against the one-hot label)
//   l1               mean of |out - onehot|                       (L1Loss)
//   bce-with-logits  mean of max(x, 0) - x t + log(1 + exp(-|x|)) (BCEWithLogitsLoss, t the one-hot label)
import type { Value } from '../ir/graph.js';
import { ShapeError } from '../ir/shape.js';
import * as op from '../ops/index.js';
import { oneHot } from '../ops/loss.js';

export interface LossParts {
  readonly loss: Value;
  readonly metrics: Readonly<Record<string, Value>>;
}

export interface ClassLoss {
  /** What the loss reads the output as, for help texts. */
  readonly describe: string;
  readonly labels: (output: Value) => { readonly dtype: 'int64'; readonly shape: readonly number[] };
  readonly build: (output: Value, labels: Value) => LossParts;
}

function classification(name: string, output: Value, labels: Value): { batch: number; classes: number; target: Value } {
  const [batch, classes] = output.shape;
  if (output.rank !== 2 || typeof batch !== 'number' || typeof classes !== 'number')
    throw new ShapeError(`${name}: expects a static output [batch, classes], got ${output.toString()}`);
  if (labels.dtype !== 'int64' || labels.rank !== 1 || labels.shape[0] !== batch)
    throw new ShapeError(`${name}: expects int64 labels [${batch}], got ${labels.toString()}`);
  return { batch, classes, target: oneHot(labels, classes) };
}

/** Rows whose largest output is the label's, as a float scalar (ties count for each). */
function correct(output: Value, target: Value): Value {
  const isMax = op.cast(op.equal(output, op.reduceMax(output, [1], true)), 'float32');
  return op.reduceSum(op.mul(isMax, target));
}

/** |x| = relu(x) + relu(-x): portable, and its gradient is sign(x) (0 at 0). */
const abs = (x: Value): Value => op.add(op.relu(x), op.relu(op.neg(x)));

const classLabels = (output: Value) => ({ dtype: 'int64' as const, shape: [output.shape[0] as number] });

function elementwiseLoss(name: string, describe: string, perElement: (out: Value, target: Value) => Value): ClassLoss {
  return {
    describe,
    labels: classLabels,
    build: (output, labels) => {
      const { batch, classes, target } = classification(name, output, labels);
      const loss = op.mul(op.reduceSum(perElement(output, target)), 1 / (batch * classes));
      return { loss, metrics: { correct: correct(output, target) } };
    },
  };
}

export const CLASS_LOSSES: Readonly<Record<string, ClassLoss>> = Object.freeze({
  nll: {
    describe: 'negative log-likelihood of log-probabilities (a model that ends in LogSoftmax)',
    labels: classLabels,
    build: (output, labels) => {
      const { batch, target } = classification('nll', output, labels);
      const loss = op.mul(op.reduceSum(op.mul(target, output)), -1 / batch);
      return { loss, metrics: { correct: correct(output, target) } };
    },
  },
  mse: elementwiseLoss('mse', 'mean squared error against the one-hot label', (out, target) => {
    const d = op.sub(out, target);
    return op.mul(d, d);
  }),
  l1: elementwiseLoss('l1', 'mean absolute error against the one-hot label', (out, target) => abs(op.sub(out, target))),
  'bce-with-logits': elementwiseLoss(
    'bce-with-logits',
    'binary cross-entropy of each output as a logit against the one-hot label',
    // max(x, 0) - x t + log(1 + exp(-|x|)): no overflow for large |x|
    (x, target) => op.add(op.sub(op.relu(x), op.mul(x, target)), op.log(op.add(op.exp(op.neg(abs(x))), 1))),
  ),
});
