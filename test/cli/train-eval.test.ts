// The main job as a user runs it: build-graph, train, eval, in a temporary folder; Ctrl-C
// during training leaves a checkpoint that resumes; --ep cuda without the provider says how to get it.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { cudaProviderInstalled } from '../../src/runtime/node.js';
import { loadCheckpoint } from '../../src/train/checkpoint.js';
import { readMetrics } from '../../src/train/metrics.js';
import { readTrainStepManifest } from '../../src/train/graph-dir.js';

const MAIN = fileURLToPath(new URL('../../cli/main.js', import.meta.url));

/** Runs the real executable, as a user would; rejects with its stderr when it fails. */
function cli(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(stdout) : reject(new Error(stderr.trim()))));
  });
}

test('build-graph, train and eval: the loss falls and eval reads the trained model', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'onnxgrad-e2e-'));
  await cli(['build-graph', '--out', dir, '--model', 'narrow', '--batch-size', '32']);
  for (const file of ['model.onnx', 'train-step.onnx', 'train-step.json']) assert.ok(existsSync(join(dir, file)), file);
  const run = join(dir, 'run');
  await cli([
    'train',
    '--graph',
    dir,
    '--run-dir',
    run,
    '--steps',
    '60',
    '--eval-every',
    '20',
    '--limit',
    '640',
    '--lr',
    '1e-3',
    '--no-progress',
    '--threads',
    '1',
  ]);
  const metrics = readMetrics(join(run, 'metrics.jsonl'));
  assert.deepEqual(
    metrics.map((m) => m.step),
    [20, 40, 60],
  );
  const [first, last] = [metrics[0], metrics.at(-1)];
  assert.ok(
    first && last && last.trainLoss < first.trainLoss,
    `training loss should fall: ${first?.trainLoss} -> ${last?.trainLoss}`,
  );
  for (const file of ['model.onnx', 'checkpoint.safetensors', 'summary.json'])
    assert.ok(existsSync(join(run, file)), file);
  const summary = JSON.parse(readFileSync(join(run, 'summary.json'), 'utf8')) as { steps: number; completed: boolean };
  assert.equal(summary.steps, 60);
  const result = JSON.parse(await cli(['eval', '--model', join(run, 'model.onnx'), '--limit', '500', '--json'])) as {
    accuracy: number;
    count: number;
    confusion: number[][];
  };
  assert.equal(result.count, 500);
  assert.equal(
    result.confusion.flat().reduce((a, b) => a + b, 0),
    500,
  );
  assert.ok(result.accuracy > 0.5, `a model trained 60 steps should beat chance by far, got ${result.accuracy}`);
});

test('Ctrl-C during training saves a checkpoint that loads and resumes', async () => {
  const run = mkdtempSync(join(tmpdir(), 'onnxgrad-sigint-'));
  const args = [
    MAIN,
    'train',
    '--run-dir',
    run,
    '--model',
    'narrow',
    '--steps',
    '100000',
    '--eval-every',
    '5',
    '--limit',
    '320',
    '--no-progress',
    '--threads',
    '1',
  ];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const code = await new Promise<number | null>((resolve) => {
    const onData = (d: Buffer) => {
      output += d.toString();
      if (/step 5 /.test(output) && !child.killed) child.kill('SIGINT');
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (c) => resolve(c));
  });
  assert.equal(code, 130, output);
  assert.match(output, /stopped at step \d+; checkpoint saved/);
  const checkpoint = loadCheckpoint(join(run, 'checkpoint.safetensors'), readTrainStepManifest(run));
  assert.ok(checkpoint.state.step >= 5);
});

test(
  '--ep cuda without the CUDA provider fails with one line saying how to install it',
  { skip: cudaProviderInstalled() ? 'the CUDA provider is installed here' : false },
  async () => {
    const run = mkdtempSync(join(tmpdir(), 'onnxgrad-cuda-'));
    await assert.rejects(
      cli(['train', '--run-dir', run, '--ep', 'cuda', '--steps', '1', '--limit', '64', '--no-progress']),
      (error: Error) => {
        assert.match(
          error.message,
          /^onnxgrad: error: the CUDA execution provider is not installed.*ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules\/onnxruntime-node\/script\/install$/,
        );
        assert.equal(error.message.split('\n').length, 1, 'one line');
        return true;
      },
    );
  },
);
