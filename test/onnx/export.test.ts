import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { cnnConfig, MODEL_VARIANTS } from '../../graphs/cnn-config.js';
import { buildInferenceGraph } from '../../graphs/mnist-cnn.js';
import { exportModel } from '../../src/onnx/export.js';

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

for (const variant of Object.keys(MODEL_VARIANTS)) {
  test(`building the '${variant}' inference graph twice exports identical bytes`, () => {
    const a = exportModel(buildInferenceGraph(cnnConfig(variant)));
    const b = exportModel(buildInferenceGraph(cnnConfig(variant)));
    assert.equal(sha(a), sha(b));
  });
}

test('a different seed changes the weights, not the structure', () => {
  const a = buildInferenceGraph(cnnConfig('practical', { seed: 1 }));
  const b = buildInferenceGraph(cnnConfig('practical', { seed: 2 }));
  assert.notEqual(sha(exportModel(a)), sha(exportModel(b)));
  assert.deepEqual(
    a.nodes.map((n) => n.name),
    b.nodes.map((n) => n.name),
  );
});
