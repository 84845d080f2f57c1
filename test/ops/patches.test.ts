// im2col patches (one Gather), checked with the float64 reference interpreter against plain loops.
// (The zero Pad moved past the NHWC transpose: test/passes/pad-past-transpose.test.ts.)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Graph } from '../../src/ir/graph.js';
import * as op from '../../src/ops/index.js';
import { evaluate } from '../helpers/reference-interpreter.js';
import { refTensor } from '../helpers/reference-tensor.js';

const [N, C, H, W] = [2, 3, 5, 6];
const pixel = (n: number, c: number, h: number, w: number) => 1000 * n + 100 * c + 10 * h + w + 1;
const image = refTensor(
  [N, C, H, W],
  Array.from({ length: N * C * H * W }, (_, k) =>
    pixel(Math.floor(k / (C * H * W)), Math.floor(k / (H * W)) % C, Math.floor(k / W) % H, k % W),
  ),
  'float32',
);

test('patches: row (n, p, q) holds the window under output (p, q), columns (i, j, c); strides, pads and dilations', () => {
  const g = new Graph('patches');
  const x = g.input('x', 'float32', [N, C, H, W]);
  const geometry = op.patchGeometry([2, 3], { strides: [2, 1], pads: [1, 0, 0, 2], dilations: [1, 2] });
  const rows = op.patches(x, geometry);
  assert.equal(op.patches(x, geometry), rows, 'made once per input and geometry');
  const [ho, wo] = [Math.floor((H + 1 - 2) / 2) + 1, W + 2 - 2 * (3 - 1) - 1 + 1];
  assert.deepEqual(rows.shape, [N * ho * wo, 2 * 3 * C]);
  const got = evaluate(g, [rows], { x: image }).get(rows)?.data as Float64Array;
  let k = 0;
  for (let n = 0; n < N; n++)
    for (let p = 0; p < ho; p++)
      for (let q = 0; q < wo; q++) {
        for (let i = 0; i < 2; i++)
          for (let j = 0; j < 3; j++)
            for (let c = 0; c < C; c++) {
              const [h, w] = [p * 2 + i - 1, q + 2 * j];
              const expected = h >= 0 && h < H && w >= 0 && w < W ? pixel(n, c, h, w) : 0;
              assert.equal(got[k++], expected, `row (${n}, ${p}, ${q}) column (${i}, ${j}, ${c})`);
            }
      }
});
