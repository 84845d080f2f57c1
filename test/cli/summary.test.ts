import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { runCli, tempDir } from '../helpers/cli.js';

test('summary prints the practical network: 1,103,539 parameters, flatten 1024', async () => {
  const printed = await runCli(['summary']);
  assert.match(printed, /^Model: mnist_cnn\n/);
  assert.match(printed, /Flatten_0 \(Flatten\) +\[N, 1024\]/);
  assert.match(printed, /Total params: 1,103,539 /);
  assert.match(printed, /MACs per image: 4,590,416 /);
  assert.match(printed, /FLOPs per training step, batch 64: about 1\.76 GFLOP \(estimate: 3 x 2 x MACs x batch\)/);
});

test('summary --model-file reads an exported model; --json and --batch', async () => {
  const dir = tempDir();
  await runCli(['build-graph', '--out', dir]);
  const fromFile = await runCli(['summary', '--model-file', join(dir, 'model.onnx')]);
  assert.equal(fromFile, await runCli(['summary']));
  const json = JSON.parse(
    await runCli(['summary', '--model-file', join(dir, 'model.onnx'), '--json', '--batch', '32']),
  ) as {
    totals: { parameters: number; trainingStepFlopsEstimate: { batch: number; flops: number } };
  };
  assert.equal(json.totals.parameters, 1_103_539);
  assert.deepEqual(json.totals.trainingStepFlopsEstimate.batch, 32);
  assert.equal(json.totals.trainingStepFlopsEstimate.flops, 6 * 4_590_416 * 32);
});

test('summary follows the model options', async () => {
  assert.match(await runCli(['summary', '--hidden', '']), /Total params: 53,939 /);
  assert.match(await runCli(['summary', '--model', 'three-conv']), /conv3 \(Conv\) +\[N, 64, 9, 9\]/);
});

test('summary errors: model options with --model-file, a missing or invalid file', async () => {
  const dir = tempDir();
  await assert.rejects(
    runCli(['summary', '--model-file', 'x.onnx', '--filters', '3,4']),
    /--model-file: cannot be combined with the model options/,
  );
  await assert.rejects(
    runCli(['summary', '--model-file', join(dir, 'missing.onnx')]),
    /--model-file: cannot read .*missing\.onnx \(ENOENT/,
  );
  const bad = join(dir, 'bad.onnx');
  writeFileSync(bad, 'not a model at all');
  await assert.rejects(runCli(['summary', '--model-file', bad]), /bad\.onnx: not an ONNX model|bad\.onnx: ONNX import/);
  await assert.rejects(runCli(['summary', '--batch', '0']), /expected an integer from 1/);
});

test('summary --model-file of a PyTorch export (no value_info) gives real shapes and multiply-adds', async () => {
  const file = fileURLToPath(new URL('../../../test/fixtures/onnx/practical-cnn.train.onnx', import.meta.url));
  const printed = await runCli(['summary', '--model-file', file]);
  assert.match(printed, /conv1 \(Conv\) +\[batch, 12, 9, 9\] +1,740 +139,968\n/);
  assert.match(printed, /\/Reshape \(Reshape\) +\[batch, 512\] /);
  assert.match(printed, /fc2 \(Gemm\) +\[batch, 10\] +2,570 +2,560\n/);
  assert.match(printed, /MACs per image: 1,051,200 /);
  assert.doesNotMatch(printed, /\?/);
});
