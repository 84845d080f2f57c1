// Training batches of an onnxgrad dataset split as a fit() batch source: the order, remainder and
// augmentation of src/data/batches.ts BatchCursor, and its position for checkpoints.
import { type AugmentOptions } from '../data/augment.js';
import { BatchCursor, type CursorState } from '../data/batches.js';
import type { Normalization } from '../data/normalize.js';
import type { Subset } from '../data/split.js';
import type { BatchSource, TrainBatch } from './fit.js';

export interface TrainBatchesOptions {
  readonly batchSize: number;
  /** Seeds the order of every epoch (and the augmentation). */
  readonly seed: number;
  /** The pixel normalisation, e.g. `normalizationFor(dataset, split.train)`. */
  readonly normalization: Normalization;
  /** Random shifts and rotations of each image (src/data/augment.ts); off when absent. */
  readonly augment?: AugmentOptions;
}

/** An endless source of shuffled minibatches of `subset`, one epoch after another; the last partial batch is dropped. */
export function trainBatches(subset: Subset, options: TrainBatchesOptions, from?: CursorState): BatchSource {
  const cursorOptions = {
    batchSize: options.batchSize,
    seed: options.seed,
    normalization: options.normalization,
    augment: options.augment ?? null,
  };
  let cursor = new BatchCursor(subset, cursorOptions, from);
  return {
    next(): TrainBatch {
      const batch = cursor.next();
      return { inputs: [batch.images], labels: batch.labels, size: batch.size };
    },
    get epoch() {
      return cursor.position.epoch;
    },
    save: () => cursor.position,
    load(state: CursorState) {
      cursor = new BatchCursor(subset, cursorOptions, state);
    },
  };
}
