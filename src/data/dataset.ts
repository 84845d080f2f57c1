// What a dataset is: its two parts' bytes and labels, image size, class names. Pure types, shared
// by Node (datasets.ts reads the files) and the training page (which fetches them).
import type { Normalization } from './normalize.js';

export interface LabelledImages {
  /** count * height * width bytes, 0 = background, 255 = ink */
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
}

export interface Dataset {
  name: string;
  classNames: readonly string[];
  train: LabelledImages;
  test: LabelledImages;
  height: number;
  width: number;
  /** Its classes survive a left-right flip (clothes do, digits do not): --augment then mirrors too. */
  mirrorable?: boolean;
  /** fixed normalisation constants (MNIST: the practical's); absent: compute from the training split */
  normalization?: Normalization;
}
