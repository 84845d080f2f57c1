// The files that `onnxgrad build-graph` writes into an artifacts folder. Each writer builds its
// graph, exports it and writes it atomically (a server may be reading the old file meanwhile).
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CnnConfig } from '../graphs/cnn-config.js';
import { buildInferenceGraph } from '../graphs/mnist-cnn.js';
import type { Graph } from './ir/graph.js';
import { writeFileAtomic } from './atomic-file.js';
import { exportModel } from './onnx/export.js';
import { buildTrainStep, type TrainStepManifest, type TrainStepOptions } from './train/train-step.js';

export const INFERENCE_MODEL_FILE = 'model.onnx';

export interface WrittenModel {
  /** Absolute path of the file written. */
  readonly path: string;
  readonly bytes: Uint8Array;
  readonly graph: Graph;
}

/** DIR/model.onnx: the inference graph (image -> logits, probabilities) with the initial weights. */
export function writeInferenceModel(config: CnnConfig, dir: string): WrittenModel {
  const graph = buildInferenceGraph(config);
  const bytes = exportModel(graph);
  mkdirSync(dir, { recursive: true });
  const path = resolve(join(dir, INFERENCE_MODEL_FILE));
  writeFileAtomic(path, bytes);
  return { path, bytes, graph };
}

export const TRAIN_STEP_FILE = 'train-step.onnx';
export const TRAIN_STEP_MANIFEST_FILE = 'train-step.json';

export interface WrittenTrainStep {
  readonly path: string;
  readonly manifestPath: string;
  readonly bytes: Uint8Array;
  readonly graph: Graph;
  readonly manifest: TrainStepManifest;
}

/** DIR/train-step.onnx (forward, backward and optimizer update as one graph) and its manifest. */
export function writeTrainStep(config: CnnConfig, dir: string, options: TrainStepOptions): WrittenTrainStep {
  const { graph, manifest } = buildTrainStep(config, options);
  const bytes = exportModel(graph, { parametersAs: 'inputs' });
  mkdirSync(dir, { recursive: true });
  const path = resolve(join(dir, TRAIN_STEP_FILE));
  const manifestPath = resolve(join(dir, TRAIN_STEP_MANIFEST_FILE));
  writeFileAtomic(path, bytes);
  writeFileAtomic(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  return { path, manifestPath, bytes, graph, manifest };
}
