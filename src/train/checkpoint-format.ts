// The checkpoint format: parameters, optimizer state and everything needed to resume exactly,
// as the bytes of one safetensors file. Pure (the library's Trainer and the page use it); the
// files are checkpoint.ts's.
import type { TensorData } from '../ir/tensor.js';
import type { CursorState } from '../data/batches.js';
import type { RunningSums } from './metrics.js';
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
  /** How it ran (options.ts runtimeFingerprint); absent in checkpoints of older versions. */
  readonly runtime?: string;
  /** The total the learning-rate schedule is laid out over: the first --steps of a run that was extended. */
  readonly scheduleSteps?: number;
  /** The training loss and accuracy sums since the last metrics record (absent in older checkpoints). */
  readonly running?: RunningSums;
}

export interface Checkpoint {
  readonly tensors: Map<string, TensorData>;
  readonly state: ResumeState;
}

/** The scale of a state tensor `<optimizer>.<slot>.<parameter>` in a stateScale record. */
const scaleOf = (scales: Readonly<Record<string, number>> | undefined, stateName: string): number =>
  scales?.[stateName.split('.')[1] ?? ''] ?? 1;

/**
 * The tensors as the graph holds them, with the optimizer's state scales (Adam keeps
 * m / (1 - beta1)) in the metadata, so that a resume is bit-identical and a reader can recover
 * PyTorch's m and v.
 */
export function encodeCheckpoint(checkpoint: Checkpoint, manifest: TrainStepManifest): Uint8Array {
  const metadata = {
    format: 'onnxgrad.checkpoint',
    resume: JSON.stringify(checkpoint.state),
    stateScale: JSON.stringify(manifest.optimizer.stateScale ?? {}),
  };
  return encodeSafetensors(checkpoint.tensors, metadata);
}

/** Reads checkpoint bytes and checks them against the training graph they must feed; `path` names them in errors. */
export function decodeCheckpoint(bytes: Uint8Array, manifest: TrainStepManifest, path: string): Checkpoint {
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
      throw new SafetensorsError(
        `${path}: does not match this model: '${spec.name}' is [${t.dims.join(', ')}], expected [${spec.shape.join(', ')}]`,
      );
    }
  }
  // a checkpoint written with other state scales (older versions stored PyTorch's m and v)
  let stored: Record<string, number> = {};
  try {
    stored = JSON.parse(metadata.stateScale ?? '{}') as Record<string, number>;
  } catch {
    throw new SafetensorsError(`${path}: corrupt stateScale metadata`);
  }
  for (const spec of manifest.state) {
    const ratio = scaleOf(manifest.optimizer.stateScale, spec.name) / scaleOf(stored, spec.name);
    const t = tensors.get(spec.name) as TensorData;
    if (ratio !== 1)
      tensors.set(spec.name, { ...t, data: Float32Array.from(t.data as Float32Array, (v) => v * ratio) });
  }
  return { tensors, state };
}
