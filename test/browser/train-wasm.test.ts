// The training page in headless Chromium on WASM: 100 steps of the practical's CNN with the
// train-step.onnx the server serves. The page must use the trainer's split and batch order, the
// loss must fall, and the model.onnx it downloads must evaluate in Node (onnxruntime-node, the
// same 10k validation images) to the accuracy the page showed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchCursor } from '../../src/data/batches.js';
import { loadDataset } from '../../src/data/datasets.js';
import { MNIST_NORMALIZATION } from '../../src/data/normalize.js';
import { splitDataset } from '../../src/data/split.js';
import type { ServeHandle } from '../../src/serve/server.js';
import { evaluateModelFile } from '../../src/train/eval-model.js';
import { artifactPath, launch } from './chromium.js';
import { openTrainingPage, startTrainingServer, trainState, waitForSteps } from './train-page.js';

const STEPS = 100;
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('training page in Chromium (WASM)', { timeout: 180_000 }, () => {
  let server: ServeHandle;
  const dir = mkdtempSync(join(tmpdir(), 'onnxgrad-train-page-'));
  before(async () => {
    server = await startTrainingServer();
  });
  after(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test(`${STEPS} steps: the loss falls, and the downloaded model.onnx scores in Node what the page showed`, async (t) => {
    const browser = await launch({ webgpu: false });
    try {
      const { page } = browser;
      const ready = await openTrainingPage(page, server.url, {
        ep: 'wasm',
        threads: 2,
        seed: 1,
        stopAt: STEPS,
        autostart: 1,
      });
      assert.equal(ready.crossOriginIsolated, true, 'COOP/COEP make the page cross-origin isolated (WASM threads)');
      assert.equal(await page.textContent('#provider'), 'WASM');

      const state = await waitForSteps(page, STEPS, 120_000);
      assert.equal(state.step, STEPS);
      assert.equal(state.losses.length, STEPS);

      // the trainer's split and batch order (src/data/split.ts, batches.ts) for seed 1
      const splits = splitDataset(loadDataset({ dataset: 'mnist' }), { seed: 1 });
      const first = new BatchCursor(splits.train, {
        batchSize: 64,
        seed: 1,
        normalization: MNIST_NORMALIZATION,
      }).next();
      assert.deepEqual(state.firstBatch, Array.from(first.indices), "the first batch is the trainer's");
      assert.deepEqual(
        state.valHead,
        Array.from(splits.val.indices.subarray(0, 16)),
        "the validation split is the trainer's",
      );

      const [head, tail] = [mean(state.losses.slice(0, 10)), mean(state.losses.slice(-10))];
      assert.ok(
        tail < head - 0.5,
        `the loss falls: mean of the first 10 steps ${head.toFixed(4)}, of the last 10 ${tail.toFixed(4)}`,
      );

      await page.click('#validate');
      await page.waitForFunction(
        () => (globalThis as unknown as { onnxgradTrain: { val: unknown[] } }).onnxgradTrain.val.length > 0,
        undefined,
        { timeout: 60_000 },
      );
      const val = (await trainState(page)).val[0]!;
      assert.equal(val.count, 10_000);
      assert.equal(val.step, STEPS);
      assert.match((await page.textContent('#stat-val')) ?? '', /%$/);
      await page.screenshot({ path: artifactPath('train-page-wasm.png'), fullPage: true });

      const [download] = await Promise.all([
        page.waitForEvent('download', { timeout: 30_000 }),
        page.click('#download'),
      ]);
      assert.equal(download.suggestedFilename(), 'model.onnx');
      const file = join(dir, 'model.onnx');
      await download.saveAs(file);
      const evaluation = await evaluateModelFile(file, { split: 'val', seed: 1 });
      assert.equal(evaluation.count, 10_000);
      assert.ok(
        Math.abs(evaluation.accuracy - val.accuracy) <= 0.001,
        `Node: ${evaluation.accuracy}, page: ${val.accuracy}`,
      );
      t.diagnostic(
        `loss ${head.toFixed(4)} -> ${tail.toFixed(4)}; validation accuracy: page ${val.accuracy}, Node ${evaluation.accuracy}; ${state.stepsPerSecond.toFixed(2)} steps/s`,
      );
      assert.ok(val.accuracy > 0.5, `after ${STEPS} steps the validation accuracy is ${val.accuracy}`);
      assert.deepEqual(
        browser.errors.filter((e) => !e.includes('VerifyEachNodeIsAssignedToAnEp')),
        [],
      );
    } finally {
      await browser.close();
    }
  });
});
