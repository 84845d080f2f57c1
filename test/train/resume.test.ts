// Checkpoints: an interrupted and resumed run ends bit-identical to an uninterrupted one; bad
// checkpoints are refused and left as they were.
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { cnnConfig } from '../../graphs/cnn-config.js';
import { decodeSafetensors } from '../../src/train/safetensors.js';
import { PRACTICAL_PRESET, type TrainOptions } from '../../src/train/options.js';
import { train } from '../../src/train/trainer.js';

const small = (runDir: string, overrides: Partial<TrainOptions> = {}): TrainOptions => ({
  ...PRACTICAL_PRESET,
  model: cnnConfig('narrow'),
  runDir,
  batchSize: 16,
  steps: 12,
  evalEvery: 4,
  checkpointEvery: 1000,
  seed: 3,
  augment: true,
  threads: 1,
  device: 'cpu',
  data: {},
  limit: 320,
  lr: 1e-3,
  ...overrides,
});

const checkpointTensors = (dir: string) => decodeSafetensors(readFileSync(join(dir, 'checkpoint.safetensors'))).tensors;

test('a run stopped and resumed ends with bit-identical weights and optimizer state', async () => {
  const root = mkdtempSync(join(tmpdir(), 'onnxgrad-resume-'));
  const straight = join(root, 'straight');
  const interrupted = join(root, 'interrupted');
  await train(small(straight));

  let steps = 0;
  const first = await train(small(interrupted), { onStep: () => void steps++, shouldStop: () => steps >= 5 });
  assert.equal(first.completed, false);
  assert.equal(first.steps, 5);
  // a record torn by a kill during its append, after the checkpoint (step 5) and one before it
  appendFileSync(join(interrupted, 'metrics.jsonl'), '{"step": 8, "epoch": 0, "secon');
  const inode = (file: string) => statSync(join(interrupted, file)).ino;
  const before = ['train-step.onnx', 'train-step.json', 'config.json'].map(inode);
  const notices: string[] = [];
  const second = await train(small(interrupted), { onNotice: (m) => notices.push(m) }, 'resume');
  assert.deepEqual(notices, [
    `${join(interrupted, 'metrics.jsonl')}: dropped a torn record at line 2 (left by a run that was killed while writing it)`,
  ]);
  // unchanged files are not rewritten on resume
  assert.deepEqual(['train-step.onnx', 'train-step.json', 'config.json'].map(inode), before);
  assert.equal(second.completed, true);
  assert.equal(second.steps, 12);

  const a = checkpointTensors(straight);
  const b = checkpointTensors(interrupted);
  assert.deepEqual([...a.keys()], [...b.keys()]);
  for (const [name, t] of a)
    assert.deepEqual(Buffer.from(t.data.buffer), Buffer.from((b.get(name) as typeof t).data.buffer), `${name} differs`);
  assert.deepEqual(readFileSync(join(straight, 'model.onnx')), readFileSync(join(interrupted, 'model.onnx')));
  // metrics.jsonl has each record once, in order
  const steps12 = readFileSync(join(interrupted, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { step: number }).step);
  assert.deepEqual(steps12, [4, 8, 12]);
});

test('a new run refuses a folder that holds a checkpoint', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'onnxgrad-refuse-'));
  await train(small(dir, { steps: 2, evalEvery: 2 }));
  await assert.rejects(train(small(dir, { steps: 2, evalEvery: 2 })), /already holds a checkpoint; pass --resume/);
});

test('truncated, corrupt and mismatched checkpoints are refused and left untouched', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'onnxgrad-corrupt-'));
  await train(small(dir, { steps: 2, evalEvery: 2 }));
  const path = join(dir, 'checkpoint.safetensors');
  const good = readFileSync(path);

  await assert.rejects(
    train(small(dir, { steps: 2, evalEvery: 2, model: cnnConfig('practical') }), {}, 'resume'),
    /does not match this model: 'conv1.weight' is \[12, 1, 12, 12\]/,
  );
  await assert.rejects(
    train(small(dir, { steps: 2, evalEvery: 2, lr: 2e-3 }), {}, 'resume'),
    /different settings \(lr\)/,
  );
  assert.deepEqual(readFileSync(path), good);

  truncateSync(path, good.length - 100);
  const truncated = readFileSync(path);
  await assert.rejects(train(small(dir, { steps: 2, evalEvery: 2 }), {}, 'resume'), /truncated/);
  assert.deepEqual(readFileSync(path), truncated);

  const corrupt = Buffer.from(good);
  corrupt.write('{"nonsense', 8);
  writeFileSync(path, corrupt);
  await assert.rejects(train(small(dir, { steps: 2, evalEvery: 2 }), {}, 'resume'), /corrupt/);

  writeFileSync(path, Buffer.alloc(3));
  await assert.rejects(train(small(dir, { steps: 2, evalEvery: 2 }), {}, 'resume'), /truncated/);
});

const sameWeights = (a: string, b: string) => {
  const [x, y] = [checkpointTensors(a), checkpointTensors(b)];
  for (const [name, t] of x)
    assert.deepEqual(Buffer.from(t.data.buffer), Buffer.from((y.get(name) as typeof t).data.buffer), `${name} differs`);
};

test('--resume with more --steps trains longer: constant schedule, bit-identical to the longer run', async () => {
  const root = mkdtempSync(join(tmpdir(), 'onnxgrad-longer-'));
  await train(small(join(root, 'straight'), { steps: 12 }));
  const done = await train(small(join(root, 'extended'), { steps: 8 }));
  assert.equal(done.completed, true);
  const longer = await train(small(join(root, 'extended'), { steps: 12 }), {}, 'resume');
  assert.equal(longer.steps, 12);
  sameWeights(join(root, 'straight'), join(root, 'extended'));
  await assert.rejects(
    train(small(join(root, 'extended'), { steps: 10 }), {}, 'resume'),
    /the checkpoint is at step 12, past --steps 10/,
  );
});

test('--resume with more --steps is refused for schedules laid out over the total', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'onnxgrad-cosine-'));
  await train(small(dir, { steps: 4, schedule: 'cosine' }));
  await assert.rejects(
    train(small(dir, { steps: 8, schedule: 'cosine' }), {}, 'resume'),
    /cosine schedule is laid out over 4 steps, so --steps 8 cannot change it \(constant and step schedules can train longer\)/,
  );
  // a step schedule keeps its total: the extra steps run at its last rate
  const step = mkdtempSync(join(tmpdir(), 'onnxgrad-step-'));
  await train(small(step, { steps: 4, schedule: 'step' }));
  const lrs: number[] = [];
  await train(small(step, { steps: 6, schedule: 'step' }), { onStep: (i) => void lrs.push(i.lr) }, 'resume');
  assert.deepEqual(lrs, [1e-3 * 0.01, 1e-3 * 0.01]);
});

test('a resume with other threads, NCHWc setting or training graph names the setting', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'onnxgrad-runtime-'));
  await train(small(dir, { steps: 2, evalEvery: 2 }));
  await assert.rejects(
    train(small(dir, { steps: 2, evalEvery: 2, threads: 2 }), {}, 'resume'),
    /different settings \(threads \(1 then 2\)\)/,
  );
  await assert.rejects(
    train(small(dir, { steps: 2, evalEvery: 2, nchwc: false }), {}, 'resume'),
    /different settings \(nchwc \(true then false\)/,
  );
});
