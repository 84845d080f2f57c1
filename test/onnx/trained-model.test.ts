// The user's file given back trained: same graph, names and opset, new initializers, inference
// form (training-mode Dropout and BatchNormalization become their inference selves), metadata,
// and a `probabilities` output for serve and the demo.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { float32 } from '../../src/ir/tensor.js';
import { importModel } from '../../src/onnx/import.js';
import { readModelInfo } from '../../src/onnx/metadata.js';
import { trainedModel } from '../../src/onnx/trained-model.js';
import { createSession, float32Tensor, type OrtTensor } from '../../src/runtime/node.js';
import { fixtureBytes, fixtureReference } from '../helpers/onnx-fixtures.js';
import { checkOnnxModel } from '../helpers/onnx-checker.js';

async function run(bytes: Uint8Array, feeds: Record<string, OrtTensor>): Promise<Record<string, Float32Array>> {
  const session = await createSession(bytes, { threads: 1 });
  try {
    const out = await session.run(feeds);
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.data as Float32Array]));
  } finally {
    await session.release();
  }
}

function close(a: Float32Array | undefined, b: Float32Array | undefined, tolerance = 1e-5): void {
  assert.ok(a && b && a.length === b.length, 'lengths');
  a.forEach((v, i) => assert.ok(Math.abs(v - (b[i] as number)) <= tolerance, `[${i}]: ${v} vs ${b[i]}`));
}

test('a training-mode export comes back in inference form with new weights, metadata and probabilities', async () => {
  const original = fixtureBytes('practical-cnn', 'train');
  const bias = float32([10], [0.5, -0.5, 0, 0, 0, 0, 0, 0, 0, 1]);
  const bytes = trainedModel(original, {
    weights: new Map([['fc2.bias', bias]]),
    metadata: { dataset: 'mnist', classNames: JSON.stringify(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']) },
    probabilities: { from: 'logits', of: 'logits' },
  });
  checkOnnxModel(bytes);
  const before = importModel(original);
  const after = importModel(bytes);
  assert.deepEqual(after.opsets, before.opsets);
  assert.equal(after.producerName, 'pytorch');
  // the same nodes, less the Constant that fed Dropout's training_mode, plus the Softmax
  const kept = new Set(after.nodes.map((n) => n.name));
  assert.deepEqual(
    before.nodes.filter((n) => !kept.has(n.name)).map((n) => n.opType),
    ['Constant'],
  );
  assert.deepEqual(
    after.nodes.map((n) => n.name).slice(0, -1),
    before.nodes.filter((n) => kept.has(n.name)).map((n) => n.name),
  );
  assert.deepEqual(after.nodes.at(-1)?.opType, 'Softmax');
  assert.deepEqual(
    after.outputs.map((o) => o.name),
    ['logits', 'probabilities'],
  );
  assert.deepEqual(after.nodes.find((n) => n.opType === 'Dropout')?.inputs.length, 2);
  assert.deepEqual(
    Array.from(after.initializers.get('fc2.bias')?.data as Float32Array),
    Array.from(bias.data as Float32Array),
  );
  assert.equal(readModelInfo(bytes).dataset, 'mnist');

  const ref = fixtureReference('practical-cnn');
  const feeds = { image: float32Tensor(ref.input.data, ref.input.dims) };
  const eval_ = await run(
    trainedModel(fixtureBytes('practical-cnn', 'eval'), { weights: new Map([['fc2.bias', bias]]) }),
    feeds,
  );
  const out = await run(bytes, feeds);
  // dropout off: the same logits as the eval-mode export with the same weights
  close(out['logits'], eval_['logits']);
  const logits = out['logits'] as Float32Array;
  for (let n = 0; n < 4; n++) {
    const row = Array.from(logits.slice(n * 10, n * 10 + 10));
    const max = Math.max(...row);
    const sum = row.reduce((s, v) => s + Math.exp(v - max), 0);
    row.forEach((v, c) =>
      assert.ok(Math.abs(Math.exp(v - max) / sum - (out['probabilities']?.[n * 10 + c] as number)) < 1e-6),
    );
  }
});

test('training-mode BatchNormalization comes back using its running statistics, as PyTorch eval mode does', async () => {
  const bytes = trainedModel(fixtureBytes('bn-residual', 'train'), { probabilities: { from: 'output', of: 'logits' } });
  checkOnnxModel(bytes);
  const bn = importModel(bytes).nodes.filter((n) => n.opType === 'BatchNormalization');
  assert.equal(bn.length, 3);
  for (const n of bn) {
    assert.equal(n.outputs.length, 1);
    assert.equal(n.attributes['training_mode'], undefined);
  }
  const ref = fixtureReference('bn-residual');
  const out = await run(bytes, { input: float32Tensor(ref.input.data, ref.input.dims) });
  close(out['output'], ref.eval, 2e-5);
});

test('weights that do not fit are refused', () => {
  const original = fixtureBytes('log-softmax', 'eval');
  assert.throws(
    () => trainedModel(original, { weights: new Map([['fc9.bias', float32([1], [0])]]) }),
    /no initializer 'fc9.bias'/,
  );
  assert.throws(
    () => trainedModel(original, { weights: new Map([['fc2.bias', float32([3], [0, 0, 0])]]) }),
    /fc2.bias: float32\[3\] does not match float32\[10\]/,
  );
});
