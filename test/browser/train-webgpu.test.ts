// The training page on WebGPU (SwiftShader's software adapter in headless Chromium) against the
// same page on WASM and against onnxruntime-node: 3 steps from the same initial weights, batches
// and dropout noise must give the same losses (1e-4). The Node reference feeds the trainer's own
// batch cursor and noise generator, so this also checks the page's seeded data pipeline.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cnnConfig } from '../../graphs/cnn-config.js';
import { BatchCursor } from '../../src/data/batches.js';
import { loadDataset } from '../../src/data/datasets.js';
import { MNIST_NORMALIZATION } from '../../src/data/normalize.js';
import { dropoutSeed, Mulberry32 } from '../../src/data/random.js';
import { splitDataset } from '../../src/data/split.js';
import { float32, type TensorData } from '../../src/ir/tensor.js';
import { exportModel } from '../../src/onnx/export.js';
import type { ServeHandle } from '../../src/serve/server.js';
import { createNodeStepRunner } from '../../src/train/node-step-runner.js';
import { buildTrainStep } from '../../src/train/train-step.js';
import { artifactPath, launch } from './chromium.js';
import { openTrainingPage, startTrainingServer, waitForSteps } from './train-page.js';

const STEPS = 3;
const LR = 1e-4;

/** The first steps' losses as `onnxgrad train` computes them (seed 1, Adam, batch 64). */
async function nodeLosses(steps: number): Promise<number[]> {
  const { graph, manifest } = buildTrainStep(cnnConfig('practical'), { optimizer: 'adam', batchSize: 64 });
  const init = new Map<string, TensorData>();
  for (const [name, p] of graph.parameters) init.set(name, p.init);
  for (const s of manifest.state)
    init.set(s.name, float32(s.shape as number[], new Float32Array((s.shape as number[]).reduce((a, b) => a * b, 1))));
  const runner = await createNodeStepRunner(exportModel(graph, { parametersAs: 'inputs' }), manifest, init, {
    threads: 1,
  });
  const splits = splitDataset(loadDataset({ dataset: 'mnist' }), { seed: 1 });
  const cursor = new BatchCursor(splits.train, { batchSize: 64, seed: 1, normalization: MNIST_NORMALIZATION });
  const rng = new Mulberry32(dropoutSeed(1));
  const losses: number[] = [];
  try {
    for (let step = 1; step <= steps; step++) {
      const batch = cursor.next();
      const noise = manifest.dropout.map((d) =>
        Float32Array.from({ length: d.shape.reduce((a, b) => a * b, 1) }, () => rng.next()),
      );
      losses.push((await runner.run({ inputs: [batch.images], labels: batch.labels, noise }, step, LR)).loss);
    }
  } finally {
    await runner.release();
  }
  return losses;
}

describe('training page in Chromium (WebGPU)', { timeout: 180_000 }, () => {
  let server: ServeHandle;
  before(async () => {
    server = await startTrainingServer();
  });
  after(() => server?.close());

  test(`${STEPS} steps on WebGPU give the losses of WASM and of onnxruntime-node`, async (t) => {
    const reference = await nodeLosses(STEPS);
    const browser = await launch({ webgpu: true });
    try {
      const { page } = browser;
      const params = { seed: 1, lr: LR, stopAt: STEPS, autostart: 1 };
      await openTrainingPage(page, server.url, { ...params, ep: 'webgpu' }, 90_000);
      assert.equal(await page.textContent('#provider'), 'WebGPU');
      const gpu = await waitForSteps(page, STEPS, 150_000);
      await page.screenshot({ path: artifactPath('train-page-webgpu.png'), fullPage: true });
      assert.equal(gpu.provider, 'WebGPU');

      await openTrainingPage(page, server.url, { ...params, ep: 'wasm' });
      const wasm = await waitForSteps(page, STEPS, 60_000);
      assert.equal(wasm.provider, 'WASM');

      for (let i = 0; i < STEPS; i++) {
        const [g, w, r] = [gpu.losses[i]!, wasm.losses[i]!, reference[i]!];
        assert.ok(Math.abs(g - w) <= 1e-4, `step ${i + 1}: WebGPU ${g} vs WASM ${w}`);
        assert.ok(Math.abs(w - r) <= 1e-4, `step ${i + 1}: WASM ${w} vs onnxruntime-node ${r}`);
      }
      const most = (a: number[], b: number[]) => Math.max(...a.map((x, i) => Math.abs(x - b[i]!))).toExponential(2);
      t.diagnostic(
        `largest loss difference: WebGPU vs WASM ${most(gpu.losses, wasm.losses)}, WASM vs onnxruntime-node ${most(wasm.losses, reference)}`,
      );
      assert.notEqual(gpu.losses[0], gpu.losses[STEPS - 1], 'the parameters change between steps');
    } finally {
      await browser.close();
    }
  });
});
