// Checkpoints: parameters, optimizer state and everything needed to resume exactly, in one
// safetensors file written atomically, so a crash leaves the old checkpoint or the new one.
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../atomic-file.js';
import { type Checkpoint, decodeCheckpoint, encodeCheckpoint } from './checkpoint-format.js';
import { SafetensorsError } from './safetensors.js';
import type { TrainStepManifest } from './train-step.js';

export { type Checkpoint, decodeCheckpoint, encodeCheckpoint, type ResumeState } from './checkpoint-format.js';

/** Writes a checkpoint atomically (checkpoint-format.ts encodeCheckpoint). */
export function saveCheckpoint(path: string, checkpoint: Checkpoint, manifest: TrainStepManifest): void {
  writeFileAtomic(path, encodeCheckpoint(checkpoint, manifest));
}

/** Loads and checks a checkpoint against the training graph it must feed. */
export function loadCheckpoint(path: string, manifest: TrainStepManifest): Checkpoint {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch {
    throw new SafetensorsError(`${path}: cannot read the checkpoint`);
  }
  return decodeCheckpoint(bytes, manifest, path);
}
