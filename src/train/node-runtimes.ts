// The runtimes a Trainer can use from Node, by name: onnxruntime-node's CPU (the node-cpu step
// form, with NCHWc laid out for this CPU) or CUDA provider, and onnxruntime-web's WASM (the wasm
// form: the kernels a browser page without WebGPU runs).
import { formForDevice, usesNchwc, stepForm } from '../passes/forms.js';
import { type Device, nchwcBlockSize, nodeTensorSession } from '../runtime/node.js';
import { webTensorSession } from '../runtime/web.js';
import { type TrainerOptions, Trainer, type TrainRuntime } from './model-trainer.js';

export type RuntimeName = 'cpu' | 'cuda' | 'wasm';
export const RUNTIME_NAMES: readonly RuntimeName[] = Object.freeze(['cpu', 'cuda', 'wasm']);

export interface RuntimeOptions {
  /** Threads for ONNX Runtime (0: all cores; WASM: 1 unless given). */
  readonly threads?: number;
  /** false: keep the image convolution a plain Conv on the CPU instead of ORT's NCHWc Conv. */
  readonly nchwc?: boolean;
}

/** A runtime by name, or a one-line error listing the known ones. */
export async function nodeRuntime(name: RuntimeName = 'cpu', o: RuntimeOptions = {}): Promise<TrainRuntime> {
  if (name === 'wasm') {
    const threads = o.threads || 1;
    return {
      name: 'onnxruntime-web wasm',
      form: 'wasm',
      nchwcBlock: null,
      session: (m) => webTensorSession(m, { threads }),
    };
  }
  if (name !== 'cpu' && name !== 'cuda')
    throw new Error(`unknown runtime '${String(name)}' (known: ${RUNTIME_NAMES.join(', ')})`);
  const device: Device = name;
  const form = stepForm(formForDevice(device, o.nchwc !== false));
  const nchwcBlock = usesNchwc(form) ? await nchwcBlockSize() : null;
  const threads = o.threads ?? 0;
  return {
    name: `onnxruntime-node ${device}`,
    form: form.name,
    nchwcBlock,
    session: (m) => nodeTensorSession(m, { device, threads }),
  };
}

/** `Trainer.create` on a runtime given by name (default: onnxruntime-node's CPU). */
export async function createTrainer(
  options: TrainerOptions & { readonly runtime?: RuntimeName } & RuntimeOptions,
): Promise<Trainer> {
  return Trainer.create(options, await nodeRuntime(options.runtime ?? 'cpu', options));
}
