// compare-steps: two build-graph folders timed in turn on the same batches; graphs of the same
// step give the same losses, and graphs of different networks are refused.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { cnnConfig } from '../../graphs/cnn-config.js';
import { writeTrainStep } from '../../src/train/graph-dir.js';
import { compareSteps } from '../../src/bench/compare-steps.js';

test('two forms of one step: timed in turn, same losses; another network is refused', async () => {
  const root = mkdtempSync(join(tmpdir(), 'onnxgrad-compare-'));
  const [conv, im2col, wide] = ['conv', 'im2col', 'wide'].map((name) => join(root, name)) as [string, string, string];
  writeTrainStep(cnnConfig('narrow'), conv, { optimizer: 'adam', batchSize: 8, convGradients: 'conv' });
  writeTrainStep(cnnConfig('narrow'), im2col, { optimizer: 'adam', batchSize: 8, convGradients: 'im2col' });
  const timings = await compareSteps([conv, im2col], { threads: 1, steps: 4, warmup: 1 });
  assert.deepEqual(
    timings.map((t) => t.dir),
    [conv, im2col],
  );
  for (const t of timings)
    assert.ok(t.medianMs > 0 && t.p25Ms <= t.medianMs, `${t.dir}: ${t.p25Ms} / ${t.medianMs} ms`);
  const [a, b] = timings.map((t) => t.lastLoss) as [number, number];
  assert.ok(Number.isFinite(a) && Math.abs(a - b) < 1e-4 * Math.max(1, Math.abs(a)), `losses ${a} and ${b}`);

  writeTrainStep(cnnConfig('wide'), wide, { optimizer: 'adam', batchSize: 8 });
  await assert.rejects(
    compareSteps([conv, wide], { threads: 1, steps: 1, warmup: 0 }),
    /not the same network and batch/,
  );
  await assert.rejects(compareSteps([conv], { threads: 1, steps: 1, warmup: 0 }), /at least two graph folders/);
});
