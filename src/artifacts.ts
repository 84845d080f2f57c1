// The files that `onnxgrad build-graph` writes into an artifacts folder. Each writer builds its
// graph, exports it and writes it atomically (a server may be reading the old file meanwhile).
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CnnConfig } from '../graphs/cnn-config.js';
import { buildInferenceGraph } from '../graphs/mnist-cnn.js';
import type { Graph } from './ir/graph.js';
import { exportModel } from './onnx/export.js';

export const INFERENCE_MODEL_FILE = 'model.onnx';

export interface WrittenModel {
  /** Absolute path of the file written. */
  readonly path: string;
  readonly bytes: Uint8Array;
  readonly graph: Graph;
}

/** Writes `bytes` to `path` through a temporary file and a rename. */
export function writeFileAtomic(path: string, bytes: Uint8Array): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, bytes);
  renameSync(temporary, path);
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
