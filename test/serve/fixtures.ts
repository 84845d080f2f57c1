// Shared by the server and browser tests: a model file, a running server, and helpers.
// The model is the practical's CNN with its initial (untrained) weights: predictions are then
// checked against onnxruntime-node on the same input, which tests the whole pipeline but not
// accuracy. TODO(trainer): once `onnxgrad train` exists, train a small model once here (cached
// in a temporary folder) so the browser test can also check that drawn digits are recognised.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { buildInferenceGraph } from '../../graphs/mnist-cnn.js';
import { cnnConfig } from '../../graphs/cnn-config.js';
import { exportModel } from '../../src/onnx/export.js';
import { createSession, float32Tensor } from '../../src/runtime/node.js';
import { MNIST_NORMALIZATION } from '../../src/data/normalize.js';

let modelPath: string | undefined;

/** Writes the inference model once per process and returns its path. */
export function testModelPath(): string {
  if (!modelPath) {
    const dir = mkdtempSync(join(tmpdir(), 'onnxgrad-serve-'));
    modelPath = join(dir, 'model.onnx');
    writeFileSync(modelPath, exportModel(buildInferenceGraph(cnnConfig())));
  }
  return modelPath;
}

/** Normalises raw 0..255 intensities as MNIST was normalised for training. */
export function normalise(pixels: ArrayLike<number>): Float32Array {
  const { mean, std } = MNIST_NORMALIZATION;
  return Float32Array.from(pixels, (v) => (v / 255 - mean) / std);
}

/** The probabilities that onnxruntime-node gives for normalised images (count * 784 values). */
export async function referenceProbabilities(model: string, input: Float32Array): Promise<Float32Array[]> {
  const session = await createSession(model);
  try {
    const count = input.length / 784;
    const out = await session.run({ image: float32Tensor(input, [count, 1, 28, 28]) });
    const probs = out['probabilities']!.data as Float32Array;
    return Array.from({ length: count }, (_, n) => probs.slice(n * 10, (n + 1) * 10));
  } finally {
    await session.release();
  }
}

/** A deterministic 28x28 test image: a thick stroke whose position depends on `seed`. */
export function syntheticDigit(seed: number): number[] {
  const pixels = new Array<number>(784).fill(0);
  for (let y = 4; y < 24; y++) {
    for (let x = 0; x < 28; x++) {
      const centre = 8 + ((seed * 5) % 12) + ((y - 14) * ((seed % 3) - 1)) / 3;
      const d = Math.abs(x - centre);
      pixels[y * 28 + x] = d < 1.5 ? 255 : d < 2.5 ? 128 : 0;
    }
  }
  return pixels;
}

export function pngOf(pixels: readonly number[], width = 28, height = 28, colorType: 0 | 2 | 6 = 0): Buffer {
  const png = new PNG({ width, height, colorType, inputColorType: 0, bitDepth: 8 });
  const grey = Buffer.alloc(width * height);
  for (let i = 0; i < width * height; i++) grey[i] = pixels[i] ?? 0;
  png.data = grey;
  return PNG.sync.write(png, { colorType, inputColorType: 0 });
}
