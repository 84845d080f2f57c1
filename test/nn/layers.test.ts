// nn layers: parameters named and shaped as PyTorch's state_dict names them, and (against
// Debian's python3-torch, given the same weights) the same outputs, which checks the padding,
// pooling and flatten conventions as well as the names.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Mulberry32 } from '../../src/data/random.js';
import { float32 } from '../../src/ir/tensor.js';
import * as nn from '../../src/nn/index.js';
import { exportModel } from '../../src/onnx/export.js';
import { createSession, float32Tensor } from '../../src/runtime/node.js';
import { torchSequential } from '../helpers/torch-reference.js';

const names = (network: nn.Network) =>
  [...network.graph.parameters.entries()].map(([name, p]) => `${name} [${p.init.dims.join(', ')}]`);

test('sequential names parameters by position for a list and by key for an object, dotted when nested', () => {
  const list = nn.build(nn.sequential([nn.conv2d(4, 3), nn.relu(), nn.flatten(), nn.linear(5)]), {
    inputShape: [2, 6, 6],
  });
  assert.deepEqual(names(list), ['0.weight [4, 2, 3, 3]', '0.bias [4]', '3.weight [5, 64]', '3.bias [5]']);

  const nested = nn.build(
    nn.sequential({
      features: nn.sequential({ conv1: nn.conv2d(4, 3, { bias: false }), act: nn.relu() }),
      flatten: nn.flatten(),
      classifier: nn.sequential([nn.linear(5)]),
    }),
    { inputShape: [2, 6, 6] },
  );
  assert.deepEqual(names(nested), [
    'features.conv1.weight [4, 2, 3, 3]',
    'classifier.0.weight [5, 64]',
    'classifier.0.bias [5]',
  ]);
});

test("padding 'same' keeps the size for odd and even kernels; shapes follow the layers", () => {
  for (const kernel of [1, 2, 3, 4, 5]) {
    const { output } = nn.build(nn.conv2d(3, kernel, { padding: 'same' }), { inputShape: [1, 7, 7], batch: 2 });
    assert.deepEqual(output.shape, [2, 3, 7, 7], `kernel ${kernel}`);
  }
  const { output } = nn.build(
    nn.sequential([nn.conv2d(8, 5, { stride: 2 }), nn.maxPool2d(2), nn.flatten(), nn.linear(10)]),
    { inputShape: [1, 28, 28] },
  );
  assert.deepEqual(output.shape, ['N', 10]);
  assert.throws(() => nn.build(nn.linear(3), { inputShape: [1, 4, 4] }), /linear: input image \[N, 1, 4, 4\] must be/);
});

test('dropout makes a noise input named after the layer in a training graph, and nothing in an inference graph', () => {
  const net = nn.sequential({ fc1: nn.linear(8), drop1: nn.dropout(0.25), fc2: nn.linear(2) });
  const training = nn.build(net, { inputShape: [4], batch: 16, training: true });
  assert.deepEqual(
    training.noise.map((n) => [n.input.name, n.rate, n.input.shape]),
    [['drop1.noise', 0.25, [16, 8]]],
  );
  assert.deepEqual(
    training.graph.inputs.map((v) => v.name),
    ['image', 'drop1.noise'],
  );
  const inference = nn.build(net, { inputShape: [4] });
  assert.equal(inference.noise.length, 0);
  assert.equal(inference.graph.nodes.filter((n) => n.opType === 'Where').length, 0);
  // the same seed draws the same weights in both builds, so trained weights transfer by name
  assert.deepEqual(
    [...training.graph.parameters.values()].map((p) => [...(p.init.data as Float32Array)]),
    [...inference.graph.parameters.values()].map((p) => [...(p.init.data as Float32Array)]),
  );
  assert.throws(() => nn.dropout(1), /rate must be in \[0, 1\)/);
});

const TORCH_LAYERS = `
    ('conv1', nn.Conv2d(1, 4, 3, padding='same')),
    ('bn1', nn.BatchNorm2d(4)),
    ('relu1', nn.ReLU()),
    ('conv2', nn.Conv2d(4, 5, 4, padding='same')),
    ('relu2', nn.ReLU()),
    ('pool', nn.MaxPool2d(2)),
    ('conv3', nn.Conv2d(5, 6, 2, stride=2, padding=1, bias=False)),
    ('flatten', nn.Flatten()),
    ('fc1', nn.Linear(54, 10)),
    ('relu3', nn.ReLU()),
    ('drop', nn.Dropout(0.5)),
    ('fc2', nn.Linear(10, 3)),`;

test('the same network in PyTorch has the same state_dict names and shapes and, given the weights, the same outputs', async () => {
  const net = nn.sequential({
    conv1: nn.conv2d(4, 3, { padding: 'same' }),
    bn1: nn.batchNorm(),
    relu1: nn.relu(),
    conv2: nn.conv2d(5, 4, { padding: 'same' }),
    relu2: nn.relu(),
    pool: nn.maxPool2d(2),
    conv3: nn.conv2d(6, 2, { stride: 2, padding: 1, bias: false }),
    flatten: nn.flatten(),
    fc1: nn.linear(10),
    relu3: nn.relu(),
    drop: nn.dropout(0.5),
    fc2: nn.linear(3),
  });
  const network = nn.build(net, { inputShape: [1, 8, 8], batch: 2, seed: 7 });
  network.graph.output(network.output, 'logits');
  const rng = new Mulberry32(3);
  const input = Float32Array.from({ length: 2 * 64 }, () => rng.next() * 2 - 1);
  // batch norm's weight, bias and running statistics drawn too: the inference graph normalises by them
  const values = new Map(
    [...network.graph.parameters].map(([name, p]) => {
      const data = name.startsWith('bn1.')
        ? Float32Array.from(p.init.data as Float32Array, () => (name.endsWith('var') ? 0.5 : -0.5) + rng.next())
        : (p.init.data as Float32Array);
      return [name, float32(p.init.dims, data)];
    }),
  );
  const weights = Object.fromEntries(
    [...values].map(([name, t]) => [name, { shape: t.dims, data: [...(t.data as Float32Array)] }]),
  );

  const torch = torchSequential(TORCH_LAYERS, weights, input, [2, 1, 8, 8]);
  assert.deepEqual(names(network), torch.names);

  const session = await createSession(exportModel(network.graph, { weights: values }), { threads: 1 });
  const out = await session.run({ image: float32Tensor(input, [2, 1, 8, 8]) });
  const logits = out.logits?.data as Float32Array;
  assert.equal(logits.length, torch.output.length);
  torch.output.forEach((expected, i) =>
    assert.ok(
      Math.abs((logits[i] as number) - expected) <= 1e-5 * Math.max(1, Math.abs(expected)),
      `logit ${i}: ${logits[i]} vs PyTorch ${expected}`,
    ),
  );
  await session.release();
});
