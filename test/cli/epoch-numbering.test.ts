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

const MAIN = fileURLToPath(new URL('../../cli/main.js', import.meta.url));

test('train prints epochs counted from 1, like the training page', async () => {
  const run = mkdtempSync(join(tmpdir(), 'onnxgrad-epochs-'));
  const args = ['train', '--model', 'narrow', '--steps', '3', '--batch-size', '32', '--limit', '64'];
  const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const child = spawn(
      process.execPath,
      [MAIN, ...args, '--eval-every', '1', '--run-dir', run, '--no-progress', '--no-plot', '--threads', '1'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stderr }));
  });
  assert.equal(code, 0, stderr);
  assert.match(stderr, /2 steps per epoch/);
  const epochs = [...stderr.matchAll(/^step (\d+) {2}epoch (\d+) /gm)].map((m) => `${m[1]}:${m[2]}`);
  assert.deepEqual(epochs, ['1:1', '2:1', '3:2']);
  assert.deepEqual(
    readMetrics(join(run, 'metrics.jsonl')).map((r) => r.epoch),
    [0, 0, 1],
  );
});
