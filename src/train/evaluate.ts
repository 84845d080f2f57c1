// Accuracy, mean cross-entropy and the confusion matrix of a classifier over a whole split.
import { chunks } from '../data/batches.js';
import type { Normalization } from '../data/normalize.js';
import type { Subset } from '../data/split.js';

/** Runs the model on `count` images (NCHW, normalised) and returns [count, classes] logits. */
export type Predict = (images: Float32Array, count: number) => Promise<Float32Array>;

export interface Evaluation {
  readonly count: number;
  readonly correct: number;
  readonly accuracy: number;
  readonly loss: number;
  /** confusion[label][predicted] */
  readonly confusion: number[][];
  /** The predicted class of each image, in the subset's order. */
  readonly predictions: Int32Array;
}

export async function evaluate(
  subset: Subset,
  normalization: Normalization,
  classes: number,
  predict: Predict,
  chunkSize = 1000,
): Promise<Evaluation> {
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  const predictions = new Int32Array(subset.count);
  let correct = 0;
  let lossSum = 0;
  let seen = 0;
  for (const batch of chunks(subset, chunkSize, normalization)) {
    const logits = await predict(batch.images, batch.size);
    for (let i = 0; i < batch.size; i++) {
      const row = logits.subarray(i * classes, (i + 1) * classes);
      const label = Number(batch.labels[i]);
      let best = 0;
      let max = -Infinity;
      for (let c = 0; c < classes; c++) {
        if ((row[c] as number) > max) {
          max = row[c] as number;
          best = c;
        }
      }
      let sumExp = 0;
      for (let c = 0; c < classes; c++) sumExp += Math.exp((row[c] as number) - max);
      lossSum += Math.log(sumExp) - ((row[label] as number) - max);
      (confusion[label] as number[])[best] = ((confusion[label] as number[])[best] as number) + 1;
      predictions[seen + i] = best;
      if (best === label) correct++;
    }
    seen += batch.size;
  }
  return {
    count: seen,
    correct,
    accuracy: seen > 0 ? correct / seen : 0,
    loss: seen > 0 ? lossSum / seen : 0,
    confusion,
    predictions,
  };
}
