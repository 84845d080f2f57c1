// train's progress lines count epochs from 1, as the training page does: with 2 steps an epoch,
// steps 1 and 2 are in epoch 1 and step 3 in epoch 2 (metrics.jsonl keeps the cursor's count from 0).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { readMetrics } from '../../src/train/metrics.js';
import { writeDataDir } from '../data/fixtures.js';

const MAIN = fileURLToPath(new URL('../../cli/main.js', import.meta.url));

function train(args: readonly string[], run: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [MAIN, 'train', ...args, '--run-dir', run, '--no-progress', '--no-plot', '--threads', '1'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

test('train prints epochs counted from 1, like the training page', async () => {
  const run = mkdtempSync(join(tmpdir(), 'onnxgrad-epochs-'));
  const args = ['--model', 'narrow', '--steps', '3', '--batch-size', '32', '--limit', '64', '--eval-every', '1'];
  const { code, stderr } = await train(args, run);
  assert.equal(code, 0, stderr);
  assert.match(stderr, /2 steps per epoch/);
  const epochs = [...stderr.matchAll(/^step (\d+) {2}epoch (\d+) /gm)].map((m) => `${m[1]}:${m[2]}`);
  assert.deepEqual(epochs, ['1:1', '2:1', '3:2']);
  assert.deepEqual(
    readMetrics(join(run, 'metrics.jsonl')).map((r) => r.epoch),
    [0, 0, 1],
  );
});

test('--epochs counts the epochs of the data given: 240 images of --data-dir, 40 held out, 6 steps of 32 an epoch', async () => {
  const data = mkdtempSync(join(tmpdir(), 'onnxgrad-epochs-data-'));
  writeDataDir(data, 240, 20);
  const run = mkdtempSync(join(tmpdir(), 'onnxgrad-epochs-'));
  const args = ['--model', 'narrow', '--data-dir', data, '--epochs', '2', '--batch-size', '32', '--eval-every', '6'];
  const { code, stderr } = await train(args, run);
  assert.equal(code, 0, stderr);
  assert.match(stderr, /on 200 images/);
  const steps = [...stderr.matchAll(/^step (\d+) {2}epoch (\d+) /gm)].map((m) => `${m[1]}:${m[2]}`);
  assert.deepEqual(steps, ['6:1', '12:2']);
});
