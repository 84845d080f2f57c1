import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CommanderError } from 'commander';
import { importModel } from '../../src/onnx/import.js';
import { runCli, tempDir } from '../helpers/cli.js';

test('build-graph --out DIR writes DIR/model.onnx and says what it wrote', async () => {
  const dir = join(tempDir(), 'artifacts');
  const printed = await runCli(['build-graph', '--out', dir]);
  const path = join(dir, 'model.onnx');
  assert.ok(existsSync(path));
  const model = importModel(readFileSync(path));
  assert.deepEqual(
    model.outputs.map((o) => o.name),
    ['logits', 'probabilities'],
  );
  assert.match(
    printed,
    /^wrote .*model\.onnx \(4\.42 MB\): inference graph 'mnist_cnn', \d+ nodes, 1,103,539 parameters\n/,
  );
  assert.match(printed, /input {3}image: float32\[N, 1, 28, 28\]/);
});

test('build-graph --print adds the text form; --json reports the files', async () => {
  const dir = tempDir();
  const printed = await runCli(['build-graph', '--out', dir, '--print', '--model', 'narrow']);
  assert.match(printed, /^graph mnist_cnn \(ir 8, opset ai\.onnx 17\)\n/);
  assert.match(printed, /conv2\.weight: float32\[32, 12, 5, 5\]/);
  const json = JSON.parse(await runCli(['build-graph', '--out', dir, '--json', '--hidden', '', '--seed', '3'])) as {
    files: { path: string; bytes: number }[];
    parameters: number;
    config: { hidden: number[]; seed: number };
  };
  assert.equal(json.files[0]?.path, join(dir, 'model.onnx'));
  assert.deepEqual(json.config.hidden, []);
  assert.equal(json.config.seed, 3);
  assert.equal(json.parameters, 3625 + 40064 + 10250);
});

test('model options change the network', async () => {
  const dir = tempDir();
  await runCli([
    'build-graph',
    '--out',
    dir,
    '--filters',
    '8,16,16',
    '--kernels',
    '5,3,3',
    '--strides',
    '2,1,1',
    '--hidden',
    '64,32',
    '--classes',
    '4',
  ]);
  const model = importModel(readFileSync(join(dir, 'model.onnx')));
  assert.deepEqual(model.initializers.get('conv3.weight')?.dims, [16, 16, 3, 3]);
  assert.deepEqual(model.initializers.get('fc3.weight')?.dims, [4, 32]);
  assert.deepEqual(model.outputs[0]?.shape, ['N', 4]);
});

test('bad model options give one-line errors that name the option', async () => {
  const dir = tempDir();
  const rejects = (args: string[], expected: RegExp | string | { name: string; message: string }) =>
    assert.rejects(
      runCli(['build-graph', '--out', dir, ...args]),
      typeof expected === 'string' ? { message: expected } : expected,
    );
  await rejects(['--filters', '25,x'], "--filters: expected positive integers separated by commas, got '25,x'");
  await rejects(['--kernels', '12,0'], /--kernels: expected positive integers/);
  await rejects(['--strides', ''], /--strides: expected positive integers/);
  await rejects(
    ['--hidden', '1024,-1'],
    "--hidden: expected positive integers separated by commas (or '' for none), got '1024,-1'",
  );
  await rejects(
    ['--filters', '25,64', '--kernels', '12'],
    '--filters, --kernels: expected one value per conv layer, got lists of lengths 2, 1',
  );
  await rejects(['--filters', '25,64,64'], /--kernels and --strides: needed for 3 conv layers \(the model has 2\)/);
  await rejects(['--dropout', '1'], /--dropout: expected a number from 0 up to \(not including\) 1, got '1'/);
  await rejects(['--dropout', 'x'], /--dropout: expected a number/);
  await rejects(['--seed', '-1'], /--seed: expected an integer from 0 to 4294967295, got '-1'/);
  await rejects(['--classes', '1'], /--classes: expected an integer from 2/);
  await rejects(['--out', ''], /--out: expected a folder/);
  // shapes that do not fit: the op builder's ShapeError names the op and the shapes
  await rejects(['--kernels', '30,5'], {
    name: 'ShapeError',
    message: 'Conv: kernel [25, 1, 30, 30] does not fit input [N, 1, 28, 28] (output 0x0)',
  });
  await rejects(
    ['--filters', '8', '--kernels', '28', '--strides', '1'],
    /MaxPool: kernel 2x2 does not fit input \[N, 8, 1, 1\]/,
  );
  assert.ok(!existsSync(join(dir, 'model.onnx')), 'nothing is written when an option is bad');
});

test("commander's own errors (unknown model, unknown option) throw a CommanderError", async () => {
  await assert.rejects(
    runCli(['build-graph', '--model', 'huge']),
    (e: unknown) => e instanceof CommanderError && /Allowed choices are practical, narrow/.test(e.message),
  );
  await assert.rejects(
    runCli(['build-graph', '--init', 'xavier']),
    (e: unknown) => e instanceof CommanderError && /Allowed choices are practical, pytorch/.test(e.message),
  );
  await assert.rejects(
    runCli(['build-graph', '--filter', '3']),
    (e: unknown) => e instanceof CommanderError && e.code === 'commander.unknownOption',
  );
});
