// Optimizer state in checkpoints: stored as the graph holds it (Adam keeps m / (1 - beta1) and
// v / (1 - beta2)), with the scales in the metadata; a checkpoint with other scales is converted.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { cnnConfig } from '../../graphs/cnn-config.js';
import type { TensorData } from '../../src/ir/tensor.js';
import { loadCheckpoint, saveCheckpoint } from '../../src/train/checkpoint.js';
import { encodeSafetensors } from '../../src/train/safetensors.js';
import { buildTrainStep } from '../../src/train/train-step.js';

const { manifest } = buildTrainStep(cnnConfig('narrow'), { optimizer: 'adam', batchSize: 4 });
const resume = { step: 7, cursor: { epoch: 0, batch: 0 }, dropoutRng: 1, elapsedSeconds: 1, fingerprint: 'f' };
const ones = (): Map<string, TensorData> => {
  const tensors = new Map<string, TensorData>();
  for (const spec of [...manifest.parameters, ...manifest.state]) {
    const dims = spec.shape as number[];
    tensors.set(spec.name, { dtype: 'float32', dims, data: new Float32Array(dims.reduce((a, b) => a * b, 1)).fill(1) });
  }
  return tensors;
};
const first = (t: TensorData | undefined): number => t?.data[0] as number;

test('adam stores m and v scaled by 1/(1 - beta): the manifest says so', () => {
  assert.deepEqual(manifest.optimizer.stateScale, { m: 1 / (1 - 0.9), v: 1 / (1 - 0.999) });
});

test('a checkpoint saved and loaded keeps the state bit for bit', () => {
  const path = join(mkdtempSync(join(tmpdir(), 'onnxgrad-ckpt-')), 'c.safetensors');
  saveCheckpoint(path, { tensors: ones(), state: resume }, manifest);
  const { tensors, state } = loadCheckpoint(path, manifest);
  assert.equal(state.step, 7);
  assert.equal(first(tensors.get('adam.m.fc1.weight')), 1);
  assert.equal(first(tensors.get('adam.v.fc1.weight')), 1);
});

test("a checkpoint with PyTorch's m and v (no scales, as older versions wrote) is scaled on load", () => {
  const path = join(mkdtempSync(join(tmpdir(), 'onnxgrad-ckpt-')), 'c.safetensors');
  writeFileSync(path, encodeSafetensors(ones(), { format: 'onnxgrad.checkpoint', resume: JSON.stringify(resume) }));
  const { tensors } = loadCheckpoint(path, manifest);
  assert.ok(Math.abs(first(tensors.get('adam.m.conv1.weight')) - 10) < 1e-5);
  assert.ok(Math.abs(first(tensors.get('adam.v.conv1.weight')) - 1000) < 1e-3);
  assert.equal(first(tensors.get('conv1.weight')), 1); // parameters are never scaled
});
