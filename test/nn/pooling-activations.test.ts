// The pooling and activation layers (avgPool2d with and without count_include_pad,
// globalAvgPool2d, globalMaxPool2d, leakyRelu, sigmoid, tanh, gelu exact and tanh): their
// shapes, and (against Debian's python3-torch, given the same weights) PyTorch's outputs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Mulberry32 } from '../../src/data/random.js';
import * as nn from '../../src/nn/index.js';
import { exportModel } from '../../src/onnx/export.js';
import { createSession, float32Tensor } from '../../src/runtime/node.js';
import { torchSequential } from '../helpers/torch-reference.js';

/** Runs a built network in onnxruntime-node and returns its output. */
async function run(network: nn.Network, input: Float32Array): Promise<Float32Array> {
  network.graph.output(network.output, 'y');
  const session = await createSession(exportModel(network.graph), { threads: 1 });
  try {
    const out = await session.run({ image: float32Tensor(input, network.input.shape as number[]) });
    return out.y?.data as Float32Array;
  } finally {
    await session.release();
  }
}

test('avgPool2d: stride defaults to the kernel, padding and ceil mode size the output; global pools keep [N, C, 1, 1]', () => {
  const shape = (layer: nn.Layer) => nn.build(layer, { inputShape: [3, 9, 9], batch: 2 }).output.shape;
  assert.deepEqual(shape(nn.avgPool2d(2)), [2, 3, 4, 4]);
  assert.deepEqual(shape(nn.avgPool2d(2, { ceilMode: true })), [2, 3, 5, 5]);
  assert.deepEqual(shape(nn.avgPool2d(3, { stride: 2, padding: 1 })), [2, 3, 5, 5]);
  assert.deepEqual(shape(nn.globalAvgPool2d()), [2, 3, 1, 1]);
  assert.deepEqual(shape(nn.globalMaxPool2d()), [2, 3, 1, 1]);
  for (const layer of [nn.sigmoid(), nn.tanh(), nn.leakyRelu(0.1), nn.gelu()])
    assert.deepEqual(shape(layer), [2, 3, 9, 9]);
  const attrs = (countIncludePad?: boolean) =>
    nn.build(nn.avgPool2d(2, { padding: 1, ...(countIncludePad === undefined ? {} : { countIncludePad }) }), {
      inputShape: [1, 4, 4],
    }).graph.nodes[0]?.attributes['count_include_pad'];
  assert.ok(attrs() !== undefined && attrs(true) !== undefined, "count_include_pad is on by default, as PyTorch's");
  assert.equal(attrs(false), undefined, 'count_include_pad=false leaves ONNX default 0');
  assert.throws(() => nn.leakyRelu(Number.NaN), /negativeSlope must be finite/);
});

test('a padded average divides by the whole window or by the input elements in it; global pools take the mean and the max', async () => {
  // one 2x2 map [[1, 2], [3, 4]], 2x2 windows with padding 1: each window holds one input element
  const input = Float32Array.from([1, 2, 3, 4]);
  const build = (layer: nn.Layer) => nn.build(layer, { inputShape: [1, 2, 2], batch: 1 });
  assert.deepEqual([...(await run(build(nn.avgPool2d(2, { padding: 1 })), input))], [0.25, 0.5, 0.75, 1]);
  assert.deepEqual(
    [...(await run(build(nn.avgPool2d(2, { padding: 1, countIncludePad: false })), input))],
    [1, 2, 3, 4],
  );
  assert.deepEqual([...(await run(build(nn.globalAvgPool2d()), input))], [2.5]);
  assert.deepEqual([...(await run(build(nn.globalMaxPool2d()), input))], [4]);
});

const TORCH_LAYERS = `
    ('conv1', nn.Conv2d(1, 4, 3, padding='same')),
    ('act1', nn.LeakyReLU(0.2)),
    ('pool1', nn.AvgPool2d(3, stride=2, padding=1)),
    ('conv2', nn.Conv2d(4, 6, 3, padding=1)),
    ('act2', nn.GELU()),
    ('pool2', nn.AvgPool2d(2, padding=1, count_include_pad=False)),
    ('act3', nn.Tanh()),
    ('conv3', nn.Conv2d(6, 5, 1)),
    ('act4', nn.GELU(approximate='tanh')),
    ('gap', nn.AdaptiveAvgPool2d(1)),
    ('flatten', nn.Flatten()),
    ('fc', nn.Linear(5, 3)),
    ('out', nn.Sigmoid()),`;

test('the pooling and activation layers give PyTorch outputs, given the same weights', async () => {
  const network = nn.build(
    nn.sequential({
      conv1: nn.conv2d(4, 3, { padding: 'same' }),
      act1: nn.leakyRelu(0.2),
      pool1: nn.avgPool2d(3, { stride: 2, padding: 1 }),
      conv2: nn.conv2d(6, 3, { padding: 1 }),
      act2: nn.gelu(),
      pool2: nn.avgPool2d(2, { padding: 1, countIncludePad: false }),
      act3: nn.tanh(),
      conv3: nn.conv2d(5, 1),
      act4: nn.gelu({ approximate: 'tanh' }),
      gap: nn.globalAvgPool2d(),
      flatten: nn.flatten(),
      fc: nn.linear(3),
      out: nn.sigmoid(),
    }),
    { inputShape: [1, 9, 9], batch: 2, seed: 11 },
  );
  const rng = new Mulberry32(5);
  const input = Float32Array.from({ length: 2 * 81 }, () => rng.next() * 4 - 2);
  const weights = Object.fromEntries(
    [...network.graph.parameters].map(([name, p]) => [
      name,
      { shape: p.init.dims, data: [...(p.init.data as Float32Array)] },
    ]),
  );
  const names = [...network.graph.parameters].map(([name, p]) => `${name} [${p.init.dims.join(', ')}]`);
  const torch = torchSequential(TORCH_LAYERS, weights, input, [2, 1, 9, 9]);
  assert.deepEqual(names, torch.names);
  const y = await run(network, input);
  assert.equal(y.length, torch.output.length);
  torch.output.forEach((expected, i) =>
    assert.ok(Math.abs((y[i] as number) - expected) <= 1e-5, `output ${i}: ${y[i]} vs PyTorch ${expected}`),
  );
});
