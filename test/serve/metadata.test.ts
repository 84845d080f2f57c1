// A model that carries its training data's metadata (as the trainer writes it) is served with
// its own class names and normalisation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cnnConfig } from '../../graphs/cnn-config.js';
import { buildInferenceGraph } from '../../graphs/mnist-cnn.js';
import { CLASS_NAMES } from '../../src/data/sources.js';
import { exportModel } from '../../src/onnx/export.js';
import { startServer } from '../../src/serve/server.js';
import { assertClose, postJson, predictionsOf, rawRequest } from './client.js';
import { referenceProbabilities, syntheticDigit } from './fixtures.js';

const FASHION = CLASS_NAMES['fashion-mnist'];
const NORM = { mean: 0.286, std: 0.353 };

function fashionModel(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'onnxgrad-meta-')), 'fashion.onnx');
  const metadata = {
    dataset: 'fashion-mnist',
    classNames: JSON.stringify(FASHION),
    normalization: JSON.stringify(NORM),
  };
  writeFileSync(path, exportModel(buildInferenceGraph(cnnConfig()), { metadata }));
  return path;
}

test("the model's metadata gives the class names and the normalisation", async () => {
  const model = fashionModel();
  const server = await startServer({ modelPath: model, port: 0, webRoot: '/nonexistent' });
  try {
    const info = (await rawRequest(server.url, 'GET', '/v1/info')).json() as {
      dataset: string;
      classNames: string[];
      normalization: unknown;
      profileFrom: string;
    };
    assert.deepEqual(info.classNames, FASHION);
    assert.deepEqual(info.normalization, NORM);
    assert.equal(info.dataset, 'fashion-mnist');
    assert.equal(info.profileFrom, 'model metadata');
    const pixels = syntheticDigit(4);
    const [expected] = await referenceProbabilities(
      model,
      Float32Array.from(pixels, (v) => (v / 255 - NORM.mean) / NORM.std),
    );
    const [p] = predictionsOf(await postJson(server.url, { pixels }));
    assertClose(p!.probabilities, expected!, 1e-5, 'probabilities');
    assert.equal(p!.className, FASHION[p!.label]);
  } finally {
    await server.close();
  }
});

test('asking for another dataset than the model was trained on is refused', async () => {
  await assert.rejects(
    startServer({ modelPath: fashionModel(), port: 0, dataset: 'mnist' }),
    /trained on fashion-mnist, not mnist/,
  );
});
