import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyAffine, augmentBatch, CLOTHES_AUGMENT, randomAffine } from '../../src/data/augment.js';
import { Mulberry32 } from '../../src/data/random.js';

const H = 8;
const W = 6;
const image = Float32Array.from({ length: H * W }, (_, i) => i + 1);

test('the identity transform returns the image', () => {
  const out = new Float32Array(H * W);
  applyAffine(image, 0, out, 0, H, W, { dx: 0, dy: 0, angle: 0 }, -1);
  assert.deepEqual(out, image);
});

test('a whole-pixel shift moves the image and fills the gap with the background', () => {
  const out = new Float32Array(H * W);
  applyAffine(image, 0, out, 0, H, W, { dx: 1, dy: 2, angle: 0 }, -1);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const expected = x >= 1 && y >= 2 ? image[(y - 2) * W + (x - 1)] : -1;
      assert.ok(Math.abs((out[y * W + x] as number) - (expected as number)) < 1e-5, `at ${x},${y}`);
    }
  }
});

test('a half-turn about the centre reverses the image (bilinear sampling lands on pixel centres)', () => {
  const out = new Float32Array(H * W);
  applyAffine(image, 0, out, 0, H, W, { dx: 0, dy: 0, angle: Math.PI }, -1);
  for (let i = 0; i < H * W; i++) assert.ok(Math.abs((out[i] as number) - (image[H * W - 1 - i] as number)) < 1e-4);
});

test('random transforms stay in range and are reproducible from the generator state', () => {
  const rng = new Mulberry32(9);
  for (let i = 0; i < 200; i++) {
    const t = randomAffine(rng);
    assert.ok(Math.abs(t.dx) <= 2 && Math.abs(t.dy) <= 2 && Math.abs(t.angle) <= (10 * Math.PI) / 180);
  }
  const state = rng.state;
  const a = Float32Array.from({ length: 3 * H * W }, (_, i) => (i * 7) % 13);
  const b = a.slice();
  augmentBatch(a, 3, H, W, rng, 0);
  augmentBatch(b, 3, H, W, new Mulberry32(state), 0);
  assert.deepEqual(a, b);
  assert.notDeepEqual(
    a,
    Float32Array.from({ length: 3 * H * W }, (_, i) => (i * 7) % 13),
  );
});

test('mirror flips left-right before the shift; randomAffine mirrors about half when asked, never otherwise', () => {
  const out = new Float32Array(H * W);
  applyAffine(image, 0, out, 0, H, W, { dx: 0, dy: 0, angle: 0, mirror: true }, -1);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) assert.equal(out[y * W + x], image[y * W + (W - 1 - x)], `at ${x},${y}`);
  const mirrored = (options: { mirror?: boolean }) => {
    const rng = new Mulberry32(9);
    return Array.from({ length: 1000 }, () => randomAffine(rng, options).mirror === true).filter(Boolean).length;
  };
  const count = mirrored({ mirror: true });
  assert.ok(count > 440 && count < 560, `${count} of 1000 mirrored`);
  assert.equal(mirrored({}), 0);
  // without mirror the draws stay the three of before, so runs without it are unchanged
  const [a, b] = [new Mulberry32(4), new Mulberry32(4)];
  randomAffine(a);
  for (let i = 0; i < 3; i++) b.next();
  assert.equal(a.next(), b.next());
});

test('clothes augmentation: whole-pixel shifts and flips, no rotation, so every pixel is a source pixel or background', () => {
  const rng = new Mulberry32(7);
  for (let i = 0; i < 200; i++) {
    const t = randomAffine(rng, CLOTHES_AUGMENT);
    assert.ok(Number.isInteger(t.dx) && Number.isInteger(t.dy) && Math.abs(t.dx) <= 1 && Math.abs(t.dy) <= 1);
    assert.ok(t.angle === 0, `rotated by ${t.angle}`);
    assert.equal(typeof t.mirror, 'boolean');
  }
  const image = Float32Array.from({ length: 28 * 28 }, (_, i) => (i * 37) % 101);
  const values = new Set([...image, -1]);
  const batch = new Float32Array(image.length * 8);
  for (let k = 0; k < 8; k++) batch.set(image, k * image.length);
  augmentBatch(batch, 8, 28, 28, new Mulberry32(3), -1, CLOTHES_AUGMENT);
  for (const v of batch) assert.ok(values.has(v), `${v} is a blend of pixels: the image was resampled`);
});
