// The batchnorm network (graphs/cnn-config.ts): its running statistics are step state that
// follows ONNX's momentum update from the batch's statistics, they are checkpointed and resumed
// with the weights, and the exported model normalises by them (it scores what training measured).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cnnConfig } from '../../graphs/cnn-config.js';
import { evaluate } from '../../src/train/evaluate.js';
import { exportModel } from '../../src/onnx/export.js';
import { createSession, float32Tensor, fromOrtTensor, toOrtTensor } from '../../src/runtime/node.js';
import { PRACTICAL_PRESET, type TrainOptions } from '../../src/train/options.js';
import { decodeSafetensors } from '../../src/train/safetensors.js';
import { buildTrainStep, nextName } from '../../src/train/train-step.js';
import { train } from '../../src/train/trainer.js';
import { loadDataset } from '../../src/data/datasets.js';
import { normalizationFor, splitDataset } from '../../src/data/split.js';
import { tempDir } from '../helpers/cli.js';
import { conv2d } from '../helpers/reference-forward.js';
import { firstStepFeeds } from '../helpers/train-step-feeds.js';

const CONFIG = cnnConfig('batchnorm', {
  convs: cnnConfig('batchnorm').convs.map((c) => ({ ...c, filters: 4 })),
  hidden: [16],
});
const BATCH = 8;

test('the running statistics are step state, updated from the batch with momentum 0.9', async () => {
  const step = buildTrainStep(CONFIG, { optimizer: 'adam', batchSize: BATCH });
  const buffers = (step.manifest.buffers ?? []).map((b) => b.name);
  assert.deepEqual(buffers, [
    'bn1.running_mean',
    'bn1.running_var',
    'bn2.running_mean',
    'bn2.running_var',
    'fc1.bn.running_mean',
    'fc1.bn.running_var',
  ]);
  assert.ok(!step.manifest.parameters.some((p) => p.name.includes('running')), 'running statistics are not trained');
  assert.ok(!step.manifest.parameters.some((p) => p.name === 'conv1.bias'), 'a normalised layer has no bias');

  const feeds = firstStepFeeds(step, { seed: 5, lr: 1e-3 });
  assert.deepEqual([...(feeds['bn1.running_var']?.data ?? [])], [1, 1, 1, 1], 'the variance starts at one');
  const session = await createSession(exportModel(step.graph, { parametersAs: 'inputs' }), { threads: 1 });
  const out = await session.run(Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, toOrtTensor(t)])));
  await session.release();
  const next = (name: string) => fromOrtTensor(out[nextName(name)] as never).data as Float32Array;

  // conv1's output for the batch, in float64, then its per-channel mean and population variance
  const image = feeds['image']?.data as Float32Array;
  const weight = Float64Array.from(feeds['conv1.weight']?.data as Float32Array);
  const layer = CONFIG.convs[0] as (typeof CONFIG.convs)[number];
  const pads = [2, 2, 2, 2];
  const sums = new Float64Array(4);
  const squares = new Float64Array(4);
  const pixels = 28 * 28;
  for (let n = 0; n < BATCH; n++) {
    const x = { c: 1, h: 28, w: 28, data: Float64Array.from(image.subarray(n * pixels, (n + 1) * pixels)) };
    const y = conv2d(x, weight, new Float64Array(4), 4, layer.kernel, 1, pads);
    y.data.forEach((v, i) => {
      const c = Math.floor(i / pixels);
      sums[c] = (sums[c] as number) + v;
      squares[c] = (squares[c] as number) + v * v;
    });
  }
  const count = BATCH * pixels;
  for (let c = 0; c < 4; c++) {
    const mean = (sums[c] as number) / count;
    const variance = (squares[c] as number) / count - mean * mean;
    const [m, v] = [next('bn1.running_mean')[c] as number, next('bn1.running_var')[c] as number];
    assert.ok(
      Math.abs(m - 0.1 * mean) < 1e-5 * Math.max(1, Math.abs(mean)),
      `channel ${c}: mean ${m} vs ${0.1 * mean}`,
    );
    assert.ok(Math.abs(v - (0.9 + 0.1 * variance)) < 1e-5 * Math.max(1, variance), `channel ${c}: var ${v}`);
  }
});

const run = (runDir: string, overrides: Partial<TrainOptions> = {}): TrainOptions => ({
  ...PRACTICAL_PRESET,
  model: CONFIG,
  runDir,
  batchSize: 16,
  steps: 16,
  evalEvery: 8,
  checkpointEvery: 1000,
  seed: 2,
  augment: false,
  threads: 1,
  device: 'cpu',
  data: {},
  limit: 400,
  validationSize: 200,
  lr: 3e-3,
  ...overrides,
});

test('a batch-norm run resumes bit-identically and its exported model scores what training measured', async () => {
  const root = tempDir('onnxgrad-batchnorm-');
  const [straight, interrupted] = [join(root, 'straight'), join(root, 'interrupted')];
  const done = await train(run(straight));
  let steps = 0;
  await train(run(interrupted), { onStep: () => void steps++, shouldStop: () => steps >= 5 });
  await train(run(interrupted), {}, 'resume');

  const tensors = (dir: string) => decodeSafetensors(readFileSync(join(dir, 'checkpoint.safetensors'))).tensors;
  const [a, b] = [tensors(straight), tensors(interrupted)];
  const mean = a.get('bn2.running_mean')?.data as Float32Array;
  assert.ok(
    mean.some((v) => v !== 0),
    'the running mean moved',
  );
  for (const [name, t] of a) assert.deepEqual(b.get(name)?.data, t.data, `${name} differs after the resume`);

  // the exported model normalises by the running statistics: the same validation accuracy
  assert.ok(done.completed && done.final);
  const session = await createSession(readFileSync(join(straight, 'model.onnx')), { threads: 1 });
  const dataset = loadDataset({});
  const splits = splitDataset(dataset, { seed: 2, validationSize: 200, limit: 400 });
  const normalization = normalizationFor(dataset, splits.train);
  const scored = await evaluate(splits.val, normalization, 10, async (images, n) => {
    const out = await session.run({ image: float32Tensor(images, [n, 1, 28, 28]) });
    return out.logits?.data as Float32Array;
  });
  await session.release();
  assert.equal(scored.accuracy, done.final.valAccuracy);
});
