// Input normalisation: x -> (x/255 - mean) / std, as torchvision's ToTensor + Normalize.
// MNIST uses the practical's constants (0.1307, 0.3081: mean and std of the 60k training
// images in [0, 1]); other datasets get theirs from their training split, never from the
// validation or test images, so nothing about held-out data leaks into training.

export interface Normalization {
  mean: number;
  std: number;
}

export const MNIST_NORMALIZATION: Readonly<Normalization> = Object.freeze({ mean: 0.1307, std: 0.3081 });

/** Mean and (population) std of x/255 over the given images (all, or those at `indices`). */
export function computeNormalization(images: Uint8Array, pixelsPerImage: number, indices?: Int32Array): Normalization {
  // A 256-bin histogram makes this exact and fast: the sums are over small integers.
  const histogram = new Float64Array(256);
  if (indices) {
    for (const index of indices) {
      const start = index * pixelsPerImage;
      for (let p = start; p < start + pixelsPerImage; p++) histogram[images[p] as number]! += 1;
    }
  } else {
    for (const v of images) histogram[v]! += 1;
  }
  let n = 0;
  let sum = 0;
  for (let v = 0; v < 256; v++) {
    const c = histogram[v] as number;
    n += c;
    sum += c * (v / 255);
  }
  if (n === 0) throw new RangeError('computeNormalization: no pixels');
  const mean = sum / n;
  let squares = 0;
  for (let v = 0; v < 256; v++) squares += (histogram[v] as number) * (v / 255 - mean) ** 2;
  const std = Math.sqrt(squares / n);
  if (std === 0) throw new RangeError('computeNormalization: every pixel has the same value');
  return { mean, std };
}

/** The 256 normalised values, so normalising a pixel is one table lookup. */
export function normalizationTable(norm: Normalization): Float32Array {
  const table = new Float32Array(256);
  for (let v = 0; v < 256; v++) table[v] = (v / 255 - norm.mean) / norm.std;
  return table;
}

/** Normalises raw bytes into a new Float32Array of the same length. */
export function normalize(pixels: Uint8Array, norm: Normalization): Float32Array {
  const table = normalizationTable(norm);
  const out = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) out[i] = table[pixels[i] as number] as number;
  return out;
}
