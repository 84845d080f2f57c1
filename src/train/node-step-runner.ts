// A training-step runner on onnxruntime-node: step-runner.ts is runtime-free (the browser entry
// takes it), this is its Node constructor.
import type { TensorData } from '../ir/tensor.js';
import { nodeTensorSession, type OrtTensor, type SessionOptions } from '../runtime/node.js';
import type { TrainStepManifest } from './manifest.js';
import { StepRunner } from './step-runner.js';

/** A runner of the step graph `graph` on onnxruntime-node, starting from `initial`. */
export async function createNodeStepRunner(
  graph: Uint8Array,
  manifest: TrainStepManifest,
  initial: ReadonlyMap<string, TensorData>,
  options: SessionOptions,
): Promise<StepRunner<OrtTensor>> {
  return StepRunner.on(await nodeTensorSession(graph, options), manifest, initial);
}
