// float32 -> float16 bits, rounding to nearest even, against values worked out by hand.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { float16Bits, float16Value } from '../../src/quantize/stored-tensor.js';

test('float16Bits rounds to nearest even, with subnormals, infinities and NaN', () => {
  const cases: [number, number][] = [
    [0, 0x0000],
    [-0, 0x8000],
    [1, 0x3c00],
    [-2, 0xc000],
    [0.5, 0x3800],
    [65504, 0x7bff], // the largest float16
    [65519, 0x7bff], // just below the halfway point to 65536
    [65520, 0x7c00], // halfway: rounds to even, which is infinity
    [1 + 2 ** -11, 0x3c00], // a tie between 1 and 1 + 2^-10: to even (1)
    [1 + 3 * 2 ** -11, 0x3c02], // a tie between 1 + 2^-10 and 1 + 2^-9: to even
    [2 ** -14, 0x0400], // the smallest normal
    [2 ** -24, 0x0001], // the smallest subnormal
    [2 ** -25, 0x0000], // a tie between 0 and 2^-24: to even (0)
    [1.5 * 2 ** -25, 0x0001],
    [Infinity, 0x7c00],
    [-Infinity, 0xfc00],
  ];
  for (const [x, bits] of cases) assert.equal(float16Bits(x), bits, `${x}`);
  assert.ok(Number.isNaN(float16Value(float16Bits(Number.NaN))));
  for (const x of [0.1, -3.14159, 1e-5, 1234.5, 2 ** -20])
    assert.ok(Math.abs(float16Value(float16Bits(x)) - x) <= Math.abs(x) * 2 ** -11 + 2 ** -25, `${x}`);
});
