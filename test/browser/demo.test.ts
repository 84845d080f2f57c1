// The web demo in headless Chromium, served by the real server with a small trained model: real
// MNIST test digits are drawn on the pad with the mouse (stroke by stroke); the page must
// recognise them, and its probabilities must be what onnxruntime-node gives for the very 28x28
// input the page produced; the gallery's predictions too. Once on WebGPU (SwiftShader's software
// adapter) and once on WASM.
import type { DemoState } from '../../web-demo/src/page-state.js';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDataset } from '../../src/data/datasets.js';
import { startServer, type ServeHandle } from '../../src/serve/server.js';
import { normalise, referenceProbabilities, testModelPath } from '../serve/fixtures.js';
import { trainedModelPath } from '../serve/trained-model.js';
import { artifactPath, ensureWebDemoBuilt, launch } from './chromium.js';
import { argmaxWithMargin, centreOfMass, inkBox, strokesOf } from './strokes.js';

const TEST_DIGITS = [0, 2, 3]; // a 7, a 1 and a 0 from the MNIST test set

describe('web demo in Chromium', { timeout: 120_000 }, () => {
  let server: ServeHandle;
  let model: string;
  const test_ = loadDataset({ dataset: 'mnist' }).test;
  before(async () => {
    const webRoot = ensureWebDemoBuilt();
    model = await trainedModelPath();
    server = await startServer({ modelPath: model, port: 0, webRoot });
  });
  after(() => server?.close());

  for (const provider of ['WebGPU', 'WASM'] as const) {
    test(`drawn digits and the gallery on ${provider}`, async () => {
      const browser = await launch({ webgpu: provider === 'WebGPU' });
      try {
        const { page } = browser;
        await page.goto(`${server.url}/`);
        await page.waitForFunction(
          () => (globalThis as unknown as { onnxgradDemo?: DemoState }).onnxgradDemo?.ready === true,
          undefined,
          { timeout: 60_000 },
        );
        const state = (): Promise<DemoState> =>
          page.evaluate(() => (globalThis as unknown as { onnxgradDemo: DemoState }).onnxgradDemo);
        assert.equal(
          await page.evaluate(() => (globalThis as unknown as { crossOriginIsolated: boolean }).crossOriginIsolated),
          true,
          'COOP/COEP make the page cross-origin isolated',
        );
        assert.equal(await page.textContent('#provider'), provider);
        assert.equal((await state()).provider, provider);

        // the gallery: 24 test digits, predicted as onnxruntime-node predicts them
        const gallery = (await state()).gallery;
        assert.equal(gallery.length, 24);
        const galleryInput = normalise(
          gallery.flatMap((g) => Array.from(test_.images.subarray(g.index * 784, (g.index + 1) * 784))),
        );
        const galleryRef = await referenceProbabilities(model, galleryInput);
        gallery.forEach((g, i) => {
          assert.equal(g.label, test_.labels[g.index]);
          const { label, margin } = argmaxWithMargin(galleryRef[i]!);
          if (margin > 1e-3) assert.equal(g.predicted, label, `gallery image ${g.index}`);
        });
        assert.equal(await page.locator('#gallery .sample').count(), 24);
        const wrong = gallery.filter((g) => g.predicted !== g.label).length;
        assert.equal(await page.locator('#gallery .sample.wrong').count(), wrong);
        assert.ok(wrong <= 3, `${wrong} of 24 test digits wrong`);

        const pad = await page.locator('#pad').boundingBox();
        assert.ok(pad, 'the drawing pad is visible');
        for (const index of TEST_DIGITS) {
          await page.click('#clear');
          const digit = test_.images.subarray(index * 784, (index + 1) * 784);
          // the 28x28 digit spread over the pad, one mouse stroke per run of ink in a row
          for (const s of strokesOf(digit)) {
            const at = (x: number, y: number): [number, number] => [
              pad.x + ((x + 0.5) / 28) * pad.width,
              pad.y + ((y + 0.5) / 28) * pad.height,
            ];
            await page.mouse.move(...at(s.x0, s.y));
            await page.mouse.down();
            await page.mouse.move(...at(s.x1, s.y), { steps: 2 });
            await page.mouse.up();
          }
          await page.waitForFunction(
            () => {
              const s = (globalThis as unknown as { onnxgradDemo: DemoState }).onnxgradDemo;
              return s.inferredVersion === s.drawVersion && s.input.length === 784;
            },
            undefined,
            { timeout: 30_000 },
          );
          const s = await state();

          // MNIST's preprocessing: fits a 20x20 box, centre of mass at the centre
          const box = inkBox(s.pixels);
          assert.ok(
            Math.max(box.width, box.height) >= 19 && Math.max(box.width, box.height) <= 20,
            `ink box ${box.width}x${box.height}`,
          );
          const com = centreOfMass(s.pixels);
          assert.ok(Math.abs(com.x - 14) <= 1 && Math.abs(com.y - 14) <= 1, `centre of mass (${com.x}, ${com.y})`);

          const [expected] = await referenceProbabilities(model, Float32Array.from(s.input));
          s.probabilities.forEach((p, i) =>
            assert.ok(Math.abs(p - expected![i]!) < 2e-3, `class ${i}: page ${p}, onnxruntime-node ${expected![i]}`),
          );
          const { label, margin } = argmaxWithMargin(expected!);
          const shown = await page.textContent('#top-class');
          if (margin > 1e-3)
            assert.equal(shown, String(label), `test digit ${index}: page and onnxruntime-node differ`);
          assert.equal(shown, String(test_.labels[index]), `test digit ${index}, drawn, is recognised`);
          assert.ok(s.latencyMs > 0);
          await page.screenshot({
            path: artifactPath(`demo-${provider.toLowerCase()}-digit${index}.png`),
            fullPage: true,
          });
        }
        assert.equal((await state()).error, '');

        if (provider === 'WASM') {
          // a model chosen from a file replaces the server's: the untrained one here
          const other = join(mkdtempSync(join(tmpdir(), 'onnxgrad-drop-')), 'untrained.onnx');
          copyFileSync(testModelPath(), other);
          await page.setInputFiles('#model-file', other);
          await page.waitForFunction(
            () => {
              const s = (globalThis as unknown as { onnxgradDemo: DemoState }).onnxgradDemo;
              return s.ready && s.model === 'untrained.onnx';
            },
            undefined,
            { timeout: 30_000 },
          );
          assert.equal(await page.textContent('#model-name'), 'untrained.onnx');
          const swapped = (await state()).gallery;
          const ref = await referenceProbabilities(other, galleryInput);
          swapped.forEach((g, i) => {
            const { label, margin } = argmaxWithMargin(ref[i]!);
            if (margin > 1e-3) assert.equal(g.predicted, label, `gallery image ${g.index} with the dropped model`);
          });
        }
        assert.deepEqual(browser.errors, [], 'no console errors');
      } finally {
        await browser.close();
      }
    });
  }
});
