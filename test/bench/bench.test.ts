// The benchmark's pieces that can be wrong without anyone noticing: the FLOP counter (the figure
// of merit divides by it), the parser of the peers' result lines, the ratios and their targets,
// and `bench --quick --no-peers` end to end with tiny counts, down to every field of its JSON.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { PRACTICAL_CNN } from '../../graphs/cnn-config.js';
import { countFlops } from '../../src/bench/flops.js';
import { gemmFlops, matMulGraph } from '../../src/bench/gemm.js';
import type { BenchResult } from '../../src/bench/harness.js';
import { stepFlops } from '../../src/bench/harness.js';
import { parsePeerOutput, peerContenders } from '../../src/bench/peers.js';
import { computeRatios, type RatioInput } from '../../src/bench/ratios.js';
import { median } from '../../src/bench/stats.js';
import { Graph } from '../../src/ir/graph.js';
import { float32 } from '../../src/ir/tensor.js';
import * as op from '../../src/ops/index.js';
import { runCli, tempDir } from '../helpers/cli.js';

const near = (actual: number, expected: number, rel: number, what: string) =>
  assert.ok(
    Math.abs(actual - expected) <= rel * expected,
    `${what}: ${actual} is not within ${rel * 100}% of ${expected}`,
  );

test("FLOP counter: the practical's training step is 1.725 GFLOP at batch 64, its forward pass 0.588", () => {
  const f = stepFlops(PRACTICAL_CNN, 'adam', 64);
  near(f.trainStep, 1.725e9, 0.01, 'training step');
  near(f.forward, 0.588e9, 0.01, 'forward');
  // per image: conv1 25x9x9 outputs of 12x12 products, conv2 64x9x9 of 25x5x5, fc1, fc2 (4,590,416 MACs)
  assert.equal(f.forward, 2 * 64 * (25 * 81 * 144 + 64 * 81 * 25 * 25 + 1024 * 1024 + 1024 * 10));
  assert.deepEqual(Object.keys(f.trainStepByOp).sort(), ['Conv', 'ConvTranspose', 'Gemm']);
});

test('FLOP counter: MatMul, Gemm with transA, ConvTranspose; dead nodes do not count', () => {
  assert.equal(countFlops(matMulGraph(8)).total, gemmFlops(8));
  const g = new Graph('t');
  const a = g.input('a', 'float32', [5, 3]); // transposed: [3, 5]
  const b = g.parameter('b', float32([5, 7], new Float32Array(35)));
  g.output(op.gemm(a, b, null, { transA: true }), 'y'); // 3 x 7 outputs, 5 products each
  const x = g.input('x', 'float32', [2, 4, 3, 3]);
  const w = g.parameter('w', float32([4, 6, 2, 2], new Float32Array(96)));
  g.output(op.convTranspose2d(x, w), 'z'); // each of 72 inputs scatters into 6 * 2 * 2 outputs
  op.matMul(g.input('unused', 'float32', [100, 100]), g.input('unused2', 'float32', [100, 100]));
  const f = countFlops(g);
  assert.deepEqual(f.byOp, { Gemm: 2 * 3 * 7 * 5, ConvTranspose: 2 * 72 * 24 });
});

test('peer output parser reads the PyTorch and TF.js result lines', () => {
  const torch = [
    '[torch-openblas] torch 1.13.0a0 python 3.11.2 threads=1',
    'torch-openblas bench: 100 steps after 20 warm-up: median 14.83 ms min 14.1 max 20.2 mean 15.0 ms/step (4266 img/s)',
    'torch-openblas infer b1: 500 calls median 0.392 ms min 0.350 max 1.203',
    'torch-openblas infer b1000: median 80.1 ms (min 78.0 max 90.2) -> 12484 images/s',
    'process wall 9.1 s',
    'torch-openblas train step b64: median 14.83 ms',
  ].join('\n');
  assert.deepEqual(parsePeerOutput(torch), {
    name: 'torch-openblas',
    trainStepMs: 14.83,
    inferB1Calls: 500,
    inferB1Ms: 0.392,
    inferB1000Ms: 80.1,
    inferB1000ImagesPerSec: 12484,
  });
  const tfjs =
    'tfjs-wasm-tuned infer b1: 500 calls median 0.261 ms min 0.2 max 3.1\r\ntfjs-wasm-tuned train step b64: median 73.02 ms\r\n';
  assert.deepEqual(parsePeerOutput(tfjs), {
    name: 'tfjs-wasm-tuned',
    trainStepMs: 73.02,
    inferB1Calls: 500,
    inferB1Ms: 0.261,
  });
  assert.deepEqual(parsePeerOutput('Traceback (most recent call last):\nModuleNotFoundError: torch'), {});
});

test('ratios against PyTorch at the same thread count, targets met or not; missing peer gives null', () => {
  const row = (
    name: string,
    kind: string,
    threads: number,
    step: number,
    b1: number,
    ips: number,
    share: number | null,
  ): RatioInput => ({
    name,
    kind,
    threads,
    trainStepMs: step,
    inferB1Ms: b1,
    inferB1000ImagesPerSec: ips,
    shareOfLimit: share,
  });
  const ratios = computeRatios([
    row('onnxgrad-node-1t', 'onnxgrad-node', 1, 10, 0.1, 15000, 0.9),
    row('torch-1t', 'torch', 1, 15, 0.4, 12000, null),
    row('onnxgrad-node-2t', 'onnxgrad-node', 2, 8, 0.1, 20000, 0.5),
  ]);
  const one = ratios.filter((r) => r.threads === 1).map((r) => [r.metric, r.value, r.met]);
  assert.deepEqual(one, [
    ['train step time', 10 / 15, true],
    ['batch-1 latency', 0.25, true],
    ['batch-1000 throughput', 1.25, true],
    ['share of GEMM limit', 0.9, true],
  ]);
  const two = ratios.filter((r) => r.threads === 2).map((r) => [r.metric, r.value, r.met]);
  assert.deepEqual(two, [
    ['train step time', null, null],
    ['batch-1 latency', null, null],
    ['batch-1000 throughput', null, null],
    ['share of GEMM limit', 0.5, false],
  ]);
  assert.equal(median([3, null, 1, 2, Number.NaN, 10]), 2.5);
});

test('peers: a folder without the scripts is skipped with a reason', () => {
  const { contenders, skipped } = peerContenders(
    { dir: tempDir(), threads: [1], torchSteps: 1, tfjsSteps: 1 },
    () => undefined,
  );
  assert.equal(contenders.length, 0);
  assert.match(skipped[0]?.reason ?? '', /has no peer scripts/);
});

test('bench --quick --no-peers runs end to end with tiny counts and writes every field', async () => {
  const file = join(tempDir(), 'bench.json');
  const printed = await runCli([
    'bench',
    '--quick',
    '--no-peers',
    '--quiet',
    '--rounds',
    '1',
    '--warmup',
    '1',
    '--train-steps',
    '1',
    '--infer-calls',
    '2',
    '--big-batch',
    '4',
    '--big-calls',
    '1',
    '--gemm-size',
    '32',
    '--gemm-calls',
    '1',
    '--batch',
    '4',
    '--data',
    'synthetic',
    '--json',
    file,
  ]);
  assert.match(printed, /onnxgrad-node-1t +1 +\d+\.\d\d +\d+\.\d{3} +\d+/);
  assert.match(printed, /share of GEMM limit/);
  const r = JSON.parse(readFileSync(file, 'utf8')) as BenchResult;
  assert.deepEqual(
    r.contenders.map((c) => c.name),
    ['onnxgrad-node-1t', 'onnxgrad-node-2t', 'onnxgrad-web-1t', 'gemm-1t', 'gemm-2t'],
  );
  for (const c of r.contenders.filter((x) => x.kind !== 'gemm-probe')) {
    for (const k of ['trainStepMs', 'inferB1Ms', 'inferB1000ImagesPerSec', 'shareOfLimit'] as const) {
      assert.ok(typeof c[k] === 'number' && c[k] > 0, `${c.name}.${k} = ${c[k]}`);
    }
    assert.equal(c.rounds.length, 1);
  }
  assert.ok(r.gemm.every((g) => g.size === 32 && (g.gflops ?? 0) > 0 && (g.floorMs ?? 0) > 0));
  assert.equal(r.ratios.length, 3 * 4);
  assert.ok(
    r.ratios.every((x) =>
      x.metric === 'share of GEMM limit' ? typeof x.value === 'number' : x.value === null && x.met === null,
    ),
  );
  assert.equal(r.options.peers, null);
  assert.equal(r.flops.trainStep, stepFlops(PRACTICAL_CNN, 'adam', 4).trainStep);
  for (const k of ['startedAt', 'seconds', 'machine', 'data', 'skipped', 'loadavgByRound'] as const)
    assert.ok(k in r, `no ${k}`);
});
