// `train --from` as a user runs it on a model PyTorch exported: a few hundred steps reach a sane
// accuracy, `eval` scores the exported model.onnx the same, `serve` loads it, and the file is the
// user's graph (names, opset) with trained weights. build-graph --from writes a folder that
// `train --graph` takes; --freeze keeps the frozen weights as they were.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { importModel, readInitializers } from '../../src/onnx/import.js';
import { readModelInfo } from '../../src/onnx/metadata.js';
import { loadModel } from '../../src/serve/model.js';
import { readTrainStepManifest } from '../../src/train/graph-dir.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { fixturePath } from '../helpers/onnx-fixtures.js';

const QUICK = ['--no-progress', '--no-plot', '--threads', '1', '--limit', '3000'];

test('train --from: a PyTorch export trains to a sane accuracy, and eval scores its model.onnx the same', async () => {
  const run = join(tempDir(), 'run');
  const file = fixturePath('practical-cnn', 'train');
  const json = await runCli([
    'train',
    '--from',
    file,
    '--run-dir',
    run,
    '--steps',
    '300',
    '--lr',
    '1e-3',
    '--json',
    ...QUICK,
  ]);
  const summary = JSON.parse(json) as { final: { valAccuracy: number } };
  assert.ok(summary.final.valAccuracy > 0.9, `validation accuracy ${summary.final.valAccuracy}`);
  const model = join(run, 'model.onnx');
  const evaluation = JSON.parse(
    await runCli(['eval', '--model', model, '--split', 'val', '--limit', '3000', '--json']),
  ) as {
    accuracy: number;
  };
  assert.equal(evaluation.accuracy, summary.final.valAccuracy);
  const [original, trained] = [importModel(readFileSync(file)), importModel(readFileSync(model))];
  assert.deepEqual(trained.opsets, original.opsets);
  assert.deepEqual(trained.nodes.map((n) => n.name).slice(0, 3), original.nodes.map((n) => n.name).slice(0, 3));
  assert.deepEqual(
    trained.outputs.map((o) => o.name),
    ['logits', 'probabilities'],
  );
  assert.notDeepEqual(trained.initializers.get('fc2.bias')?.data, original.initializers.get('fc2.bias')?.data);
  assert.equal(readModelInfo(readFileSync(model)).dataset, 'mnist');
  const served = await loadModel(model, { side: 28, threads: 1 });
  try {
    const out = await served.run(new Float32Array(2 * 784), 2);
    assert.equal(out.probabilities?.length, 20);
  } finally {
    await served.release();
  }
});

test('build-graph --from, then train --graph; --freeze leaves the frozen weights as they were', async () => {
  const dir = tempDir();
  const file = fixturePath('log-softmax', 'train');
  const printed = await runCli([
    'build-graph',
    '--from',
    file,
    '--out',
    dir,
    '--freeze',
    'conv.*',
    '--batch-size',
    '32',
  ]);
  assert.match(
    printed,
    /note: the output 'log_probs' comes from LogSoftmax: training with the negative log-likelihood/,
  );
  assert.match(printed, /frozen: conv\.weight, conv\.bias/);
  const manifest = readTrainStepManifest(dir);
  assert.equal(manifest.loss.name, 'nll');
  assert.deepEqual(
    manifest.parameters.map((p) => p.name),
    ['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias'],
  );
  assert.deepEqual(
    manifest.dropout.map((d) => d.rate),
    [0.5],
  );
  const run = join(dir, 'run');
  await runCli(['train', '--graph', dir, '--run-dir', run, '--steps', '20', '--lr', '1e-3', ...QUICK]);
  const [before, after] = [
    readInitializers(readFileSync(file)),
    readInitializers(readFileSync(join(run, 'model.onnx'))),
  ];
  assert.deepEqual(after.get('conv.weight')?.data, before.get('conv.weight')?.data);
  assert.notDeepEqual(after.get('fc1.weight')?.data, before.get('fc1.weight')?.data);
});

test('train --from errors: model options with it, an unknown output, import options without it', async () => {
  const file = fixturePath('practical-cnn', 'eval');
  await assert.rejects(
    runCli(['train', '--from', file, '--filters', '3,4']),
    /--from: cannot be combined with the model options/,
  );
  await assert.rejects(
    runCli(['build-graph', '--from', file, '--out', tempDir(), '--output', 'nope']),
    /--output 'nope': the model has no such output \(it has: logits\)/,
  );
  await assert.rejects(
    runCli(['build-graph', '--out', tempDir(), '--freeze', 'conv*']),
    /--freeze applies to a model given with --from/,
  );
  await assert.rejects(runCli(['train', '--from', 'missing.onnx']), /--from: cannot read missing\.onnx/);
  const notOnnx = join(tempDir(), 'notes.onnx');
  writeFileSync(notOnnx, 'hello, world\n');
  await assert.rejects(
    runCli(['train', '--from', notOnnx, '--steps', '1']),
    /--from: .*notes\.onnx: not an ONNX model/,
  );
  await assert.rejects(runCli(['eval', '--model', notOnnx]), /notes\.onnx: not an ONNX model/);
});
