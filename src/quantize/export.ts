// `onnxgrad export`'s library side: a trained float32 model.onnx -> the same network in fp32,
// fp16 or int8 (static QDQ, calibrated on images of the training split), metadata kept.
import { type Dataset, loadDataset, type SourceOptions } from '../data/datasets.js';
import type { Normalization } from '../data/normalize.js';
import { normalizationFor, type Splits, splitDataset } from '../data/split.js';
import { readModelInfo } from '../onnx/metadata.js';
import { calibrate, calibrationImages, DEFAULT_CALIBRATION_IMAGES } from './calibrate.js';
import { toFp16 } from './fp16.js';
import { type ActivationType, planInt8, toInt8 } from './int8.js';
import { type FloatNetwork, readFloatNetwork } from './network.js';

export type Precision = 'fp32' | 'fp16' | 'int8';
export const PRECISIONS: readonly Precision[] = ['fp32', 'fp16', 'int8'];

export function checkPrecision(value: string): Precision {
  if (!(PRECISIONS as readonly string[]).includes(value))
    throw new Error(`unknown precision '${value}' (known: ${PRECISIONS.join(', ')})`);
  return value as Precision;
}

/** The data a model was trained on: its dataset (from the metadata unless given), splits and normalisation. */
export interface ModelData {
  readonly dataset: Dataset;
  readonly splits: Splits;
  readonly normalization: Normalization;
}

export function modelData(bytes: Uint8Array, data: SourceOptions = {}, seed = 1): ModelData {
  const info = readModelInfo(bytes);
  const source = data.dataset || data.dataDir ? data : info.dataset ? { dataset: info.dataset } : {};
  const dataset = loadDataset(source);
  const splits = splitDataset(dataset, { seed });
  return { dataset, splits, normalization: info.normalization ?? normalizationFor(dataset, splits.train) };
}

export interface ConvertOptions {
  /** training images for int8 calibration (default 500) */
  readonly calibrationImages?: number;
  readonly activations?: ActivationType;
}

export interface Converted {
  readonly precision: Precision;
  readonly bytes: Uint8Array;
  /** int8 only: how many training images calibrated it */
  readonly calibrationImages?: number;
}

/** Checks the source network; every error comes before anything is converted. */
export function readNetwork(bytes: Uint8Array, name: string): FloatNetwork {
  return readFloatNetwork(bytes, name);
}

export async function convert(
  network: FloatNetwork,
  sourceBytes: Uint8Array,
  precision: Precision,
  data: () => ModelData,
  options: ConvertOptions = {},
): Promise<Converted> {
  switch (precision) {
    case 'fp32':
      return { precision, bytes: sourceBytes };
    case 'fp16':
      return { precision, bytes: toFp16(network) };
    case 'int8': {
      const { dataset, splits, normalization } = data();
      const count = options.calibrationImages ?? DEFAULT_CALIBRATION_IMAGES;
      const images = calibrationImages(network, dataset, splits.train, count);
      const plan = planInt8(network);
      if (plan.nodes.length === 0)
        throw new Error('int8: the network has no Conv or Gemm with float32 weights to quantize');
      const ranges = await calibrate(network, plan.tensors, images, normalization);
      const activations = options.activations ?? 'uint8';
      return { precision, bytes: toInt8(network, plan, ranges, { activations }), calibrationImages: images.count };
    }
  }
}
