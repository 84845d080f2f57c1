// Activation ranges for static quantization: the float model runs on a few hundred images of
// the training split it was trained on (never the test set), with every tensor to quantize added
// as an output, and each tensor's range is recorded.
import { chunks } from '../data/batches.js';
import type { Dataset } from '../data/datasets.js';
import type { Normalization } from '../data/normalize.js';
import type { Subset } from '../data/split.js';
import { decodeModelProto, encodeModel } from '../onnx/import.js';
import { onnx } from '../onnx/proto.js';
import { createSession, float32Tensor } from '../runtime/node.js';
import type { FloatNetwork } from './network.js';
import { ELEMENT_TYPE } from './stored-tensor.js';

export interface Range {
  min: number;
  max: number;
}

export const DEFAULT_CALIBRATION_IMAGES = 500;

/**
 * The first `count` images of the training split (the split is already shuffled by its seed),
 * after checking that they fit the model's input [N, C, H, W].
 */
export function calibrationImages(network: FloatNetwork, dataset: Dataset, train: Subset, count: number): Subset {
  const [, c, h, w] = network.input.shape;
  const fits = (d: number | string | undefined, size: number) => typeof d !== 'number' || d === size;
  if (!fits(c, 1) || !fits(h, dataset.height) || !fits(w, dataset.width))
    throw new Error(
      `calibration data does not fit the model's input: ${network.input.name} takes [${network.input.shape.join(', ')}], ` +
        `${dataset.name}'s images are [N, 1, ${dataset.height}, ${dataset.width}]`,
    );
  if (!Number.isInteger(count) || count < 1 || count > train.count)
    throw new Error(`calibration takes 1 to ${train.count} images of ${dataset.name}'s training split, not ${count}`);
  return { ...train, indices: train.indices.subarray(0, count), count };
}

/** The [min, max] each of `tensors` takes over the calibration images. */
export async function calibrate(
  network: FloatNetwork,
  tensors: readonly string[],
  images: Subset,
  normalization: Normalization,
): Promise<Map<string, Range>> {
  const proto = decodeModelProto(encodeModel(network.model));
  const graphOutputs = new Set((proto.graph?.output ?? []).map((o) => o.name));
  for (const name of tensors)
    if (!graphOutputs.has(name))
      proto.graph?.output?.push({ name, type: { tensorType: { elemType: ELEMENT_TYPE.float32 } } });
  const session = await createSession(onnx.ModelProto.encode(proto).finish(), { threads: 0 });
  const ranges = new Map<string, Range>(tensors.map((t) => [t, { min: Infinity, max: -Infinity }]));
  const batchDim = network.input.shape[0];
  const batchSize = typeof batchDim === 'number' ? batchDim : 100;
  try {
    for (const batch of chunks(images, batchSize, normalization)) {
      if (batch.size !== batchSize && typeof batchDim === 'number') break;
      const out = await session.run(
        { [network.input.name]: float32Tensor(batch.images, [batch.size, 1, images.height, images.width]) },
        [...tensors],
      );
      for (const name of tensors) {
        const data = out[name]?.data as Float32Array;
        const range = ranges.get(name)!;
        for (let i = 0; i < data.length; i++) {
          const v = data[i] as number;
          if (v < range.min) range.min = v;
          if (v > range.max) range.max = v;
        }
      }
    }
  } finally {
    await session.release();
  }
  return ranges;
}
