// What the pages expose as window.onnxgradDemo / window.onnxgradTrain: read by the browser
// tests and handy in the console. Types only, no DOM, so the Node tests import them too.
/** What the page did last, for the browser test (and for curious users in the console). */
export interface DemoState {
  ready: boolean;
  provider: string;
  model: string;
  /** the model file's size in bytes */
  modelBytes: number;
  /** why WebGPU did not take the model although the browser has an adapter (e.g. no shader-f16 for an fp16 model) */
  webgpuError: string;
  drawVersion: number;
  inferredVersion: number;
  /** the 28x28 image the page made from the drawing, 0..255 */
  pixels: number[];
  /** what went into the model: the normalised pixels */
  input: number[];
  probabilities: number[];
  label: number;
  latencyMs: number;
  gallery: { index: number; label: number; predicted: number }[];
  error: string;
}

/** What the page did, for the browser test (and for curious users in the console). */
export interface TrainState {
  ready: boolean;
  running: boolean;
  provider: string;
  threads: number;
  crossOriginIsolated: boolean;
  seed: number;
  step: number;
  losses: number[];
  accuracies: number[];
  /** the epoch shown at each step, counted from 1 as `onnxgrad train` prints it at the same step */
  epochs: number[];
  stepsPerSecond: number;
  val: { step: number; accuracy: number; correct: number; count: number }[];
  /** the training-set indices of the first batch and the validation images' first indices */
  firstBatch: number[];
  valHead: number[];
  downloads: number;
  error: string;
}
