// The demo page with exported models, in headless Chromium: the int8 file on WASM, and the fp16
// file with WebGPU on. fp16 runs on WebGPU only where the adapter has 'shader-f16'; SwiftShader's
// software adapter has not, and there the page must fall back to WASM and say why. Either way the
// page shows the file's size and predicts the gallery's test digits as onnxruntime-node does.
import type { DemoState } from '../../web-demo/src/page-state.js';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { loadDataset } from '../../src/data/datasets.js';
import { startServer } from '../../src/serve/server.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { normalise, referenceProbabilities } from '../serve/fixtures.js';
import { trainedModelPath } from '../serve/trained-model.js';
import { artifactPath, ensureWebDemoBuilt, launch } from './chromium.js';
import { argmaxWithMargin } from './strokes.js';

const CASES = [
  { precision: 'int8', webgpu: false },
  { precision: 'fp16', webgpu: true },
] as const;

describe('exported models in the web demo', { timeout: 240_000 }, () => {
  const files: Record<string, { path: string; bytes: number }> = {};
  let webRoot: string;
  before(async () => {
    webRoot = ensureWebDemoBuilt();
    const source = await trainedModelPath();
    const dir = tempDir('onnxgrad-export-page-');
    for (const { precision } of CASES) {
      const path = join(dir, `model.${precision}.onnx`);
      const out = JSON.parse(
        await runCli(['export', '--model', source, '--precision', precision, '--out', path, '--json']),
      ) as { bytes: number };
      files[precision] = { path, bytes: out.bytes };
    }
  });

  for (const { precision, webgpu } of CASES) {
    test(`${precision}${webgpu ? ' with WebGPU' : ''}: the size shown, the gallery as onnxruntime-node predicts it`, async () => {
      const file = files[precision]!;
      const server = await startServer({ modelPath: file.path, port: 0, webRoot });
      const browser = await launch({ webgpu });
      try {
        const { page } = browser;
        await page.goto(`${server.url}/`);
        await page.waitForFunction(
          () => (globalThis as unknown as { onnxgradDemo?: DemoState }).onnxgradDemo?.ready === true,
          undefined,
          { timeout: 90_000 },
        );
        const state = await page.evaluate(() => (globalThis as unknown as { onnxgradDemo: DemoState }).onnxgradDemo);
        assert.equal(state.error, '');
        const f16 = await page.evaluate(async () => {
          type Adapter = { features: { has(name: string): boolean } } | null;
          const { gpu } = (globalThis as unknown as { navigator: { gpu?: { requestAdapter(): Promise<Adapter> } } })
            .navigator;
          return (await gpu?.requestAdapter())?.features.has('shader-f16') ?? false;
        });
        const provider = webgpu && (precision !== 'fp16' || f16) ? 'WebGPU' : 'WASM';
        assert.equal(state.provider, provider, state.webgpuError);
        if (webgpu && provider === 'WASM')
          assert.match(state.webgpuError, /requires f16 but the device does not support it/);
        else assert.equal(state.webgpuError, '');
        assert.equal(state.model, `model.${precision}.onnx`);
        assert.equal(state.modelBytes, file.bytes);
        const kB = Math.round(file.bytes / 1e3);
        assert.equal(
          await page.textContent('#model-size'),
          file.bytes >= 1e6 ? `${(file.bytes / 1e6).toFixed(2)} MB` : `${kB} kB`,
        );

        const test_ = loadDataset({ dataset: 'mnist' }).test;
        const input = normalise(
          state.gallery.flatMap((g) => Array.from(test_.images.subarray(g.index * 784, (g.index + 1) * 784))),
        );
        const reference = await referenceProbabilities(file.path, input);
        state.gallery.forEach((g, i) => {
          const { label, margin } = argmaxWithMargin(reference[i]!);
          if (margin > 0.02) assert.equal(g.predicted, label, `gallery image ${g.index}`);
        });
        assert.ok(state.gallery.filter((g) => g.predicted !== g.label).length <= 3);
        await page.screenshot({
          path: artifactPath(`demo-${precision}-${provider.toLowerCase()}.png`),
          fullPage: true,
        });
        assert.deepEqual(browser.errors, [], 'no console errors');
      } finally {
        await browser.close();
        await server.close();
      }
    });
  }
});
