// Checkpoints: parameters, optimizer state and everything needed to resume exactly, in one
// safetensors file written atomically, so a crash leaves the old checkpoint or the new one.
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../atomic-file.js';
import type { TensorData } from '../ir/tensor.js';
import type { CursorState } from '../data/batches.js';
import { decodeSafetensors, encodeSafetensors, SafetensorsError } from './safetensors.js';
import type { TrainStepManifest } from './train-step.js';

/** What a resumed run needs besides the tensors, stored as JSON in the header metadata. */
export interface ResumeState {
  readonly step: number;
  readonly cursor: CursorState;
  readonly dropoutRng: number;
  readonly elapsedSeconds: number;
  /** The run's settings; a resume with different ones is refused. */
  readonly fingerprint: string;
}

export interface Checkpoint {
  readonly tensors: Map<string, TensorData>;
  readonly state: ResumeState;
}

export function saveCheckpoint(path: string, checkpoint: Checkpoint): void {
  const metadata = { format: 'onnxgrad.checkpoint', resume: JSON.stringify(checkpoint.state) };
  writeFileAtomic(path, encodeSafetensors(checkpoint.tensors, metadata));
}

/** Loads and checks a checkpoint against the training graph it must feed. */
export function loadCheckpoint(path: string, manifest: TrainStepManifest): Checkpoint {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch {
    throw new SafetensorsError(`${path}: cannot read the checkpoint`);
  }
  const { tensors, metadata } = decodeSafetensors(bytes, path);
  if (metadata.format !== 'onnxgrad.checkpoint' || typeof metadata.resume !== 'string') {
    throw new SafetensorsError(`${path}: not an onnxgrad checkpoint (no resume metadata)`);
  }
  let state: ResumeState;
  try {
    state = JSON.parse(metadata.resume) as ResumeState;
  } catch {
    throw new SafetensorsError(`${path}: corrupt resume metadata`);
  }
  for (const spec of [...manifest.parameters, ...manifest.state]) {
    const t = tensors.get(spec.name);
    if (!t) throw new SafetensorsError(`${path}: does not match this model: '${spec.name}' is missing`);
    if (t.dims.join() !== spec.shape.join()) {
      throw new SafetensorsError(`${path}: does not match this model: '${spec.name}' is [${t.dims.join(', ')}], expected [${spec.shape.join(', ')}]`);
    }
  }
  return { tensors, state };
}
