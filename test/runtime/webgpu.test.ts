// onnxruntime-node's WebGPU provider (Dawn over Vulkan): the training step that `train --ep webgpu`
// runs gives the CPU's losses, with the weights kept in GPU memory between steps; without an
// adapter the CLI fails with one line that says what to install.
//
// CI has no GPU: the adapter is SwiftShader, the Vulkan driver on the CPU that Debian's chromium
// package ships (correct, and slow: a few seconds a step at batch 8), unless VK_ICD_FILENAMES or
// VK_DRIVER_FILES already names a driver. It is set here, before the first WebGPU session loads
// Vulkan; node --test runs every test file in a process of its own.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { PRACTICAL_CNN } from '../../graphs/cnn-config.js';
import { exportModel } from '../../src/onnx/export.js';
import { formForDevice } from '../../src/passes/forms.js';
import { type Device, onDevice, SWIFTSHADER_ICD, vulkanLoaderFound } from '../../src/runtime/node.js';
import { createNodeStepRunner } from '../../src/train/node-step-runner.js';
import { buildTrainStep } from '../../src/train/train-step.js';
import { firstStepFeeds } from '../helpers/train-step-feeds.js';

const MAIN = fileURLToPath(new URL('../../cli/main.js', import.meta.url));
const BATCH = 8;
const STEPS = 3;
const LR = 1e-4;
const LOSS_TOLERANCE = 1e-4;

const driverChosen = process.env['VK_ICD_FILENAMES'] !== undefined || process.env['VK_DRIVER_FILES'] !== undefined;

test('the WebGPU provider trains the conv-form step with the CPU losses, weights kept in GPU memory', async (t) => {
  assert.ok(vulkanLoaderFound(), 'no Vulkan loader (libvulkan.so.1): apt-get install -y libvulkan1');
  if (!driverChosen) {
    assert.ok(existsSync(SWIFTSHADER_ICD), `no SwiftShader Vulkan driver: apt-get install -y chromium`);
    process.env['VK_ICD_FILENAMES'] = SWIFTSHADER_ICD;
  }
  const form = formForDevice('webgpu', true);
  const ts = buildTrainStep(PRACTICAL_CNN, { optimizer: 'adam', batchSize: BATCH, form });
  const bytes = exportModel(ts.graph, { parametersAs: 'inputs' });
  const feeds = firstStepFeeds(ts, { seed: 5, lr: LR });
  const initial = new Map([...ts.manifest.parameters, ...ts.manifest.state].map((s) => [s.name, feeds[s.name]!]));
  const batch = {
    inputs: [feeds['image']?.data as Float32Array],
    labels: feeds['labels']?.data as BigInt64Array,
    noise: ts.manifest.dropout.map((d) => feeds[d.name]?.data as Float32Array),
  };

  const run = async (device: Device) => {
    const runner = await createNodeStepRunner(bytes, ts.manifest, initial, { device, threads: 1 });
    try {
      const losses: number[] = [];
      const started = performance.now();
      for (let k = 1; k <= STEPS; k++) losses.push((await runner.run(batch, k, LR)).loss);
      const ms = (performance.now() - started) / STEPS;
      const resident = Object.values(runner.parameterFeeds()).every(onDevice);
      return { losses, ms, resident, tensors: await runner.hostTensors() };
    } finally {
      await runner.release();
    }
  };
  const cpu = await run('cpu');
  const gpu = await run('webgpu');
  const show = (ls: number[]) => ls.map((l) => l.toFixed(6)).join(', ');
  t.diagnostic(`losses cpu ${show(cpu.losses)}; webgpu ${show(gpu.losses)}`);
  t.diagnostic(`ms per step (batch ${BATCH}, first included): cpu ${cpu.ms.toFixed(0)}, webgpu ${gpu.ms.toFixed(0)}`);
  cpu.losses.forEach((l, k) => {
    const g = gpu.losses[k] as number;
    assert.ok(Math.abs(l - g) <= LOSS_TOLERANCE, `step ${k + 1}: loss ${l} (cpu) vs ${g} (webgpu)`);
  });
  assert.ok((cpu.losses.at(-1) as number) < (cpu.losses[0] as number), 'the loss did not go down on the same batch');
  assert.equal(cpu.resident, false);
  assert.ok(gpu.resident, 'the parameters did not stay in GPU memory');

  // the host copies of the GPU's weights (HostCopier): the same update as the CPU's, by RMS
  for (const p of ts.manifest.parameters) {
    const start = initial.get(p.name)?.data as Float32Array;
    const a = cpu.tensors.get(p.name)?.data as Float32Array;
    const b = gpu.tensors.get(p.name)?.data as Float32Array;
    let update = 0;
    let differ = 0;
    for (let i = 0; i < a.length; i++) {
      update += ((a[i] as number) - (start[i] as number)) ** 2;
      differ += ((a[i] as number) - (b[i] as number)) ** 2;
    }
    assert.ok(update > 0, `${p.name} did not change`);
    assert.ok(
      Math.sqrt(differ / update) < 1e-2,
      `${p.name}: the WebGPU update differs by ${Math.sqrt(differ / update)} RMS`,
    );
  }
});

test('train --ep webgpu without an adapter fails with one line that says what to install', async () => {
  const run = mkdtempSync(join(tmpdir(), 'onnxgrad-webgpu-'));
  const missing = join(run, 'no-such-icd.json');
  const args = ['train', '--ep', 'webgpu', '--steps', '1', '--limit', '64', '--batch-size', '8', '--run-dir', run];
  const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const env: NodeJS.ProcessEnv = { ...process.env, VK_ICD_FILENAMES: missing };
    delete env['VK_DRIVER_FILES'];
    const child = spawn(process.execPath, [MAIN, ...args, '--no-progress'], {
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stderr }));
  });
  assert.equal(code, 1, stderr);
  // Dawn and the Vulkan loader print their own warnings first; ours is the one error line, last
  const errors = stderr.split('\n').filter((l) => l.startsWith('onnxgrad: error:'));
  assert.equal(errors.length, 1, stderr);
  const line = errors[0] as string;
  assert.equal(stderr.trim().split('\n').at(-1), line);
  assert.match(line, /^onnxgrad: error: no WebGPU adapter/);
  assert.ok(line.includes(`VK_ICD_FILENAMES names ${missing}, which does not exist`), line);
  assert.ok(line.includes('apt-get install -y libvulkan1'), line);
  assert.ok(line.includes(`VK_ICD_FILENAMES=${SWIFTSHADER_ICD}`), line);
});
