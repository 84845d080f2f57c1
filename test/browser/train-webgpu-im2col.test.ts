// The im2col form of the training graph (what build-graph writes on a multi-core machine:
// grouped Conv, batched MatMul, Slice with step -1) served to the training page with
// --train-graph: 3 steps on WebGPU give the losses of WASM (1e-4).
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { cnnConfig } from '../../graphs/cnn-config.js';
import { writeTrainStep } from '../../src/train/graph-dir.js';
import { startServer } from '../../src/serve/server.js';
import { testModelPath } from '../serve/fixtures.js';
import { ensureWebDemoBuilt, launch } from './chromium.js';
import { openTrainingPage, waitForSteps } from './train-page.js';

const STEPS = 3;

test('the im2col training graph trains on WebGPU as on WASM', { timeout: 300_000 }, async (t) => {
  const graphDir = mkdtempSync(join(tmpdir(), 'onnxgrad-im2col-'));
  writeTrainStep(cnnConfig('practical'), graphDir, { optimizer: 'adam', batchSize: 64, convGradients: 'im2col' });
  const server = await startServer({
    modelPath: testModelPath(),
    port: 0,
    webRoot: ensureWebDemoBuilt(),
    trainGraphDir: graphDir,
  });
  const browser = await launch({ webgpu: true });
  try {
    const params = { seed: 1, lr: 1e-4, stopAt: STEPS, autostart: 1 };
    await openTrainingPage(browser.page, server.url, { ...params, ep: 'webgpu' }, 90_000);
    const gpu = await waitForSteps(browser.page, STEPS, 200_000);
    assert.equal(gpu.provider, 'WebGPU');
    await openTrainingPage(browser.page, server.url, { ...params, ep: 'wasm' });
    const wasm = await waitForSteps(browser.page, STEPS, 60_000);
    assert.equal(wasm.provider, 'WASM');
    const worst = Math.max(...gpu.losses.slice(0, STEPS).map((g, i) => Math.abs(g - (wasm.losses[i] as number))));
    t.diagnostic(`largest loss difference WebGPU vs WASM: ${worst.toExponential(2)}`);
    assert.ok(worst <= 1e-4, `WebGPU ${gpu.losses.join(', ')} vs WASM ${wasm.losses.join(', ')}`);
  } finally {
    await browser.close();
    await server.close();
  }
});
