// Small random affine augmentation: a shift of up to ±maxShift pixels and a rotation of up to
// ±maxRotation degrees about the image centre, sampled bilinearly, and with `mirror` a left-right
// flip of half the images. Digits move and tilt a little between scans, so shifts and rotations
// keep the label; a mirrored shirt is a shirt, a mirrored 7 is not a digit (mirror: clothes only). Works on raw or normalised floats: pixels that come
// from outside the image take `fill`, which must be the background value in that scale
// (0 raw, -mean/std normalised). Randomness comes from the serialisable Mulberry32, so a
// checkpointed generator state reproduces the same augmentations on resume.
import type { Mulberry32 } from './random.js';

export interface AugmentOptions {
  /** largest shift in pixels, each axis; default 2 */
  maxShift?: number;
  /** largest rotation in degrees; default 10 */
  maxRotation?: number;
  /** also flip left-right with probability 1/2 (a fourth draw); default false */
  mirror?: boolean;
  /** round the shift to whole pixels, so a shifted image is not blurred by resampling; default false */
  wholePixels?: boolean;
}

export interface Affine {
  dx: number;
  dy: number;
  /** radians; the sign only picks the direction, and the range is symmetric */
  angle: number;
  /** flip left-right before the shift and rotation */
  mirror?: boolean;
}

/** Draws one transform: dx, dy and the angle each uniform in their ranges (three draws, in that order; a fourth for mirror). */
export function randomAffine(rng: Mulberry32, options: AugmentOptions = {}): Affine {
  const shift = options.maxShift ?? 2;
  const rotation = ((options.maxRotation ?? 10) * Math.PI) / 180;
  const whole = (v: number): number => (options.wholePixels ? Math.round(v) : v);
  const t = {
    dx: whole(rng.uniform(-shift, shift)),
    dy: whole(rng.uniform(-shift, shift)),
    angle: rng.uniform(-rotation, rotation),
  };
  return options.mirror ? { ...t, mirror: rng.next() < 0.5 } : t;
}

/**
 * Writes the transformed image src[srcOffset ..] into dst[dstOffset ..] (both height*width).
 * Each output pixel p samples the source at R(angle) (p - c - d) + c, with c the centre and d the
 * shift: mapping output to source (not the reverse) gives every output pixel exactly one bilinear
 * sample, so there are no holes.
 */
export function applyAffine(
  src: Float32Array,
  srcOffset: number,
  dst: Float32Array,
  dstOffset: number,
  height: number,
  width: number,
  t: Affine,
  fill: number,
): void {
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  const cos = Math.cos(t.angle);
  const sin = Math.sin(t.angle);
  const at = (x: number, y: number): number =>
    x < 0 || y < 0 || x >= width || y >= height ? fill : (src[srcOffset + y * width + x] as number);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const u = (t.mirror ? width - 1 - x : x) - cx - t.dx;
      const v = y - cy - t.dy;
      const sx = cos * u - sin * v + cx;
      const sy = sin * u + cos * v + cy;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      let v00: number, v01: number, v10: number, v11: number;
      if (x0 >= 0 && y0 >= 0 && x0 + 1 < width && y0 + 1 < height) {
        // inside: read the four neighbours directly (the common case, and the hot loop)
        const o = srcOffset + y0 * width + x0;
        v00 = src[o] as number;
        v01 = src[o + 1] as number;
        v10 = src[o + width] as number;
        v11 = src[o + width + 1] as number;
      } else {
        [v00, v01, v10, v11] = [at(x0, y0), at(x0 + 1, y0), at(x0, y0 + 1), at(x0 + 1, y0 + 1)];
      }
      dst[dstOffset + y * width + x] = (v00 * (1 - fx) + v01 * fx) * (1 - fy) + (v10 * (1 - fx) + v11 * fx) * fy;
    }
  }
}

/** Augments `count` images of height*width stored back to back in `images`, in place. */
export function augmentBatch(
  images: Float32Array,
  count: number,
  height: number,
  width: number,
  rng: Mulberry32,
  fill: number,
  options: AugmentOptions = {},
): void {
  const size = height * width;
  const scratch = new Float32Array(size);
  for (let i = 0; i < count; i++) {
    scratch.set(images.subarray(i * size, (i + 1) * size));
    applyAffine(scratch, 0, images, i * size, height, width, randomAffine(rng, options), fill);
  }
}

/**
 * Augmentation for clothes (datasets marked mirrorable): a left-right flip and a shift of up to
 * one whole pixel, no rotation. A garment is photographed upright, and sub-pixel resampling
 * blurs its texture. On Fashion-MNIST the batchnorm preset reached 93.44% test accuracy with
 * this, 93.33% with the flip alone and 92.89% with shifts of up to 2 px (README, the structure
 * extension); with the digits' shifts and rotations it underfit (91.97%).
 */
export const CLOTHES_AUGMENT: Readonly<AugmentOptions> = Object.freeze({
  mirror: true,
  maxShift: 1,
  maxRotation: 0,
  wholePixels: true,
});
