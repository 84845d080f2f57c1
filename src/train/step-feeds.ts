// The one routine that feeds a training step, from its manifest alone: the StepRunner
// (onnxruntime-node), the bench's WASM contender and the page's trainer (onnxruntime-web) all
// call it, each turning the plain tensors into its runtime's own. Carried tensors (parameters
// and state) are the runner's to keep: `carried` in manifest.ts says which output replaces which.
import { inputsOf, sizeOf, type TrainStepManifest } from './manifest.js';

export interface StepBatch {
  /** The data of each 'batch' input, in manifest order (the practical's CNN has one: the images). */
  readonly inputs: readonly Float32Array[];
  readonly labels: BigInt64Array;
  /** Uniform [0, 1) noise for each dropout layer, in manifest order. */
  readonly noise: readonly Float32Array[];
}

export interface FeedTensor {
  readonly name: string;
  readonly dtype: 'float32' | 'int64';
  readonly dims: readonly number[];
  readonly data: Float32Array | BigInt64Array;
}

const dimsOf = (shape: readonly (number | string)[]): number[] => shape.map((d) => sizeOf([d]));

function checked(name: string, data: Float32Array | BigInt64Array | undefined, dims: number[], what: string) {
  if (!data) throw new Error(`no ${what} for the training step's input '${name}'`);
  if (data.length !== sizeOf(dims))
    throw new Error(`'${name}' needs ${sizeOf(dims)} values [${dims.join(', ')}], got ${data.length}`);
  return data;
}

/** Every input of one step except the carried ones: batch, labels, noise, step and lr. */
export function stepFeeds(manifest: TrainStepManifest, batch: StepBatch, step: number, lr: number): FeedTensor[] {
  const feeds: FeedTensor[] = [];
  const noise = inputsOf(manifest, 'noise');
  const data = inputsOf(manifest, 'batch');
  for (const spec of manifest.inputs) {
    const dims = dimsOf(spec.shape);
    const f32 = (values: Float32Array | undefined, what: string): FeedTensor => ({
      name: spec.name,
      dtype: 'float32',
      dims,
      data: checked(spec.name, values, dims, what),
    });
    if (spec.role === 'batch') feeds.push(f32(batch.inputs[data.indexOf(spec)], 'batch data'));
    else if (spec.role === 'noise') feeds.push(f32(batch.noise[noise.indexOf(spec)], 'noise'));
    else if (spec.role === 'step') feeds.push(f32(Float32Array.of(step), 'step'));
    else if (spec.role === 'lr') feeds.push(f32(Float32Array.of(lr), 'lr'));
    else if (spec.role === 'labels')
      feeds.push({ name: spec.name, dtype: 'int64', dims, data: checked(spec.name, batch.labels, dims, 'labels') });
  }
  return feeds;
}
