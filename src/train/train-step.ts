// The practical CNN's training step: its forward graph (graphs/mnist-cnn.ts) through the same
// compileTrainStep that every network goes through (src/train/compile-step.ts), its configuration kept in the
// manifest as description.
import { buildCnn } from '../../graphs/mnist-cnn.js';
import type { CnnConfig } from '../../graphs/cnn-config.js';
import { formForFlags } from '../passes/forms.js';
import { compileTrainStep, type TrainStep } from './compile-step.js';

export type { TrainStep } from './compile-step.js';
export { nextName, type TensorSpec, type TrainStepManifest } from './manifest.js';

export interface TrainStepOptions {
  readonly optimizer: string;
  readonly batchSize: number;
  /** A step form's name (src/passes/forms.ts); default from convGradients and nchwcBlock. */
  readonly form?: string;
  /** Without a form: 'conv' (the portable form, the default) or 'im2col' (node-cpu with nchwcBlock, else wasm). */
  readonly convGradients?: 'conv' | 'im2col';
  /** This CPU's NCHWc block size, for a form with the NCHWc pass (src/passes/nchwc.ts). */
  readonly nchwcBlock?: number | null;
}

export function buildTrainStep(config: CnnConfig, options: TrainStepOptions): TrainStep {
  if (!Number.isInteger(options.batchSize) || options.batchSize < 1)
    throw new Error(`batch size must be a positive integer, got ${options.batchSize}`);
  const { graph, logits, dropoutNoise, buffers } = buildCnn(config, { training: true, batch: options.batchSize });
  const form =
    options.form ??
    formForFlags({ convGradients: options.convGradients ?? 'conv', nchwc: (options.nchwcBlock ?? null) !== null });
  return compileTrainStep({
    graph,
    output: logits,
    optimizer: options.optimizer,
    batchSize: options.batchSize,
    form,
    nchwcBlock: options.nchwcBlock ?? null,
    noise: dropoutNoise.map((input) => ({ input, rate: config.dropout })),
    buffers,
    describe: { model: config },
  });
}
