// A build-graph folder, written and read here only:
//   model.onnx        the forward model with the initial weights as initializers (for the
//                     practical's CNN: the inference graph, image -> logits, probabilities)
//   train-step.onnx   forward, backward and optimizer update as one graph, parameters as inputs
//   train-step.json   its manifest (src/train/manifest.ts)
//   initial-weights.safetensors   the parameters (and buffers) a run starts from (any network's step)
// Loading a folder reads the initial weights, it does not rebuild the network: from
// initial-weights.safetensors, or from model.onnx's initializers in folders written before it.
// Files are written atomically (a server may be reading the old ones meanwhile).
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CnnConfig } from '../../graphs/cnn-config.js';
import { buildInferenceGraph } from '../../graphs/mnist-cnn.js';
import { writeFileAtomic } from '../atomic-file.js';
import type { Graph } from '../ir/graph.js';
import { float32, type TensorData } from '../ir/tensor.js';
import { exportModel } from '../onnx/export.js';
import { readInitializers } from '../onnx/import.js';
import type { TrainStep } from './compile-step.js';
import { sizeOf, type TrainStepManifest, upgradeManifest } from './manifest.js';
import { decodeSafetensors, encodeSafetensors } from './safetensors.js';
import { buildTrainStep, type TrainStepOptions } from './train-step.js';

export const INFERENCE_MODEL_FILE = 'model.onnx';
export const TRAIN_STEP_FILE = 'train-step.onnx';
export const TRAIN_STEP_MANIFEST_FILE = 'train-step.json';
export const INITIAL_WEIGHTS_FILE = 'initial-weights.safetensors';

export interface WrittenModel {
  /** Absolute path of the file written. */
  readonly path: string;
  readonly bytes: Uint8Array;
  readonly graph: Graph;
}

export interface WrittenTrainStep {
  readonly path: string;
  readonly manifestPath: string;
  readonly bytes: Uint8Array;
  readonly graph: Graph;
  readonly manifest: TrainStepManifest;
}

const target = (dir: string, file: string): string => {
  mkdirSync(dir, { recursive: true });
  return resolve(join(dir, file));
};

/** DIR/model.onnx: a forward graph with its parameters' values as initializers (the initial weights). */
export function writeModel(graph: Graph, dir: string): WrittenModel {
  const bytes = exportModel(graph);
  const path = target(dir, INFERENCE_MODEL_FILE);
  writeFileAtomic(path, bytes);
  return { path, bytes, graph };
}

/** DIR/model.onnx for the practical's CNN: the inference graph (image -> logits, probabilities). */
export function writeInferenceModel(config: CnnConfig, dir: string): WrittenModel {
  return writeModel(buildInferenceGraph(config), dir);
}

/** DIR/train-step.onnx, its manifest DIR/train-step.json and its initial weights, for any compiled step. */
export function writeCompiledStep(step: TrainStep, dir: string): WrittenTrainStep {
  const bytes = exportModel(step.graph, { parametersAs: 'inputs' });
  const path = target(dir, TRAIN_STEP_FILE);
  const manifestPath = target(dir, TRAIN_STEP_MANIFEST_FILE);
  const weights = new Map(step.manifest.parameters.map((p) => [p.name, step.graph.parameters.get(p.name)?.init]));
  for (const [name, t] of step.initialBuffers) weights.set(name, t);
  writeFileAtomic(target(dir, INITIAL_WEIGHTS_FILE), encodeSafetensors(weights as Map<string, TensorData>));
  writeFileAtomic(path, bytes);
  writeFileAtomic(manifestPath, `${JSON.stringify(step.manifest, null, 2)}\n`);
  return { path, manifestPath, bytes, graph: step.graph, manifest: step.manifest };
}

/** The practical CNN's step (forward, backward and optimizer update as one graph) and its manifest. */
export function writeTrainStep(config: CnnConfig, dir: string, options: TrainStepOptions): WrittenTrainStep {
  return writeCompiledStep(buildTrainStep(config, options), dir);
}

/** The manifest that build-graph wrote beside train-step.onnx. */
export function readTrainStepManifest(dir: string): TrainStepManifest {
  const path = join(dir, TRAIN_STEP_MANIFEST_FILE);
  if (!existsSync(path) || !existsSync(join(dir, TRAIN_STEP_FILE))) {
    throw new Error(
      `${dir}: no ${TRAIN_STEP_FILE} and ${TRAIN_STEP_MANIFEST_FILE} here; run 'onnxgrad build-graph --out ${dir}' first`,
    );
  }
  let manifest: TrainStepManifest;
  try {
    manifest = JSON.parse(readFileSync(path, 'utf8')) as TrainStepManifest;
  } catch {
    throw new Error(`${path}: not valid JSON`);
  }
  if (manifest.format !== 'onnxgrad.train-step') throw new Error(`${path}: not an onnxgrad training-step manifest`);
  return upgradeManifest(manifest);
}

export interface LoadedTrainGraph {
  readonly bytes: Uint8Array;
  readonly manifest: TrainStepManifest;
  /** The model's initial parameters and zero optimizer state. */
  readonly init: Map<string, TensorData>;
  /** DIR/model.onnx's bytes, where the step came from a folder (an imported model's forward graph). */
  readonly forward?: Uint8Array;
}

/** What a new run starts from: the given parameters (and running statistics), and zeros for the optimizer state. */
export function initialTensors(
  parameters: ReadonlyMap<string, TensorData>,
  manifest: TrainStepManifest,
): Map<string, TensorData> {
  const init = new Map<string, TensorData>();
  for (const p of manifest.parameters) {
    const t = parameters.get(p.name);
    if (!t) throw new Error(`no initial value for the parameter '${p.name}'`);
    init.set(p.name, t);
  }
  for (const s of manifest.state) init.set(s.name, float32(s.shape as number[], new Float32Array(sizeOf(s.shape))));
  for (const b of manifest.buffers ?? []) {
    const t = parameters.get(b.name);
    if (!t) throw new Error(`no initial value for the running statistic '${b.name}'`);
    init.set(b.name, t);
  }
  return init;
}

/** A compiled step's graph, manifest and starting tensors (its graph's parameter values). */
export function loadedStep(step: TrainStep): LoadedTrainGraph {
  const parameters = new Map([...step.graph.parameters].map(([name, p]) => [name, p.init]));
  for (const [name, t] of step.initialBuffers) parameters.set(name, t);
  return {
    bytes: exportModel(step.graph, { parametersAs: 'inputs' }),
    manifest: step.manifest,
    init: initialTensors(parameters, step.manifest),
  };
}

/** A build-graph folder's training step, with the tensors a new run starts from. */
export function loadGraphDir(dir: string): LoadedTrainGraph {
  const manifest = readTrainStepManifest(dir);
  const [stored, model] = [join(dir, INITIAL_WEIGHTS_FILE), join(dir, INFERENCE_MODEL_FILE)];
  const weights = existsSync(stored) ? stored : model;
  if (!existsSync(weights))
    throw new Error(
      `${dir}: no ${INITIAL_WEIGHTS_FILE} (the initial weights); run 'onnxgrad build-graph --out ${dir}' again`,
    );
  let parameters: Map<string, TensorData>;
  // an imported model's forward graph (the trainer validates and exports it) and its running statistics
  const forward = existsSync(model) ? readFileSync(model) : undefined;
  try {
    const bytes = readFileSync(weights);
    parameters = weights === stored ? decodeSafetensors(bytes, weights).tensors : readInitializers(bytes);
    if (manifest.buffers?.length && forward)
      for (const [name, t] of readInitializers(forward)) if (!parameters.has(name)) parameters.set(name, t);
  } catch (error) {
    throw new Error(`${weights}: unreadable (${error instanceof Error ? error.message : String(error)})`);
  }
  const missing = manifest.parameters.find((p) => !parameters.has(p.name));
  if (missing) throw new Error(`${weights}: has no initial value for '${missing.name}'; build this folder again`);
  return {
    bytes: readFileSync(join(dir, TRAIN_STEP_FILE)),
    manifest,
    init: initialTensors(parameters, manifest),
    forward,
  };
}
