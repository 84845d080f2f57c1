// A training-step runner on onnxruntime-node: step-runner.ts is runtime-free (the browser entry
// takes it), this is its Node constructor.
import type { TensorData } from '../ir/tensor.js';
import { keepsOutputsOnDevice, nodeTensorSession, type OrtTensor, type SessionOptions } from '../runtime/node.js';
import { carried, type TrainStepManifest } from './manifest.js';
import { StepRunner } from './step-runner.js';

/** A runner of the step graph `graph` on onnxruntime-node, starting from `initial`. */
export async function createNodeStepRunner(
  graph: Uint8Array,
  manifest: TrainStepManifest,
  initial: ReadonlyMap<string, TensorData>,
  options: SessionOptions,
): Promise<StepRunner<OrtTensor>> {
  // on a GPU (WebGPU) the carried outputs stay in its memory, to be the next step's inputs
  const deviceOutputs = keepsOutputsOnDevice(options.device) ? carried(manifest).map((c) => c.next) : [];
  return StepRunner.on(await nodeTensorSession(graph, { ...options, deviceOutputs }), manifest, initial);
}
