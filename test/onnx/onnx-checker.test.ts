// The exported graphs pass the ONNX project's own checker (Debian's python3-onnx, full_check).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cnnConfig, MODEL_VARIANTS } from '../../graphs/cnn-config.js';
import { buildInferenceGraph } from '../../graphs/mnist-cnn.js';
import { Graph } from '../../src/ir/graph.js';
import { exportModel } from '../../src/onnx/export.js';
import * as op from '../../src/ops/index.js';
import { checkOnnxModel, MISSING_ONNX } from '../helpers/onnx-checker.js';

for (const variant of Object.keys(MODEL_VARIANTS)) {
  test(`onnx.checker (full_check) accepts the '${variant}' inference model`, () => {
    checkOnnxModel(exportModel(buildInferenceGraph(cnnConfig(variant))));
  });
}

test('the checker helper reports an invalid model', () => {
  const g = new Graph('bad');
  const x = g.input('x', 'float32', [2, 3]);
  // a Gemm whose declared output shape contradicts the spec's shape inference
  const [y] = g.addNode('Gemm', [x, x], {}, [{ dtype: 'float32', shape: [2, 2] }]);
  g.output(op.identity(y!), 'y');
  assert.throws(() => checkOnnxModel(exportModel(g)), /onnx\.checker rejected model\.onnx/);
});

test('without python3-onnx the check fails (never skips) and says how to install it', () => {
  const bytes = exportModel(buildInferenceGraph(cnnConfig('one-conv')));
  assert.throws(
    () => checkOnnxModel(bytes, { python: '/nonexistent/python3' }),
    (e: unknown) => e instanceof Error && e.message.startsWith(MISSING_ONNX),
  );
});
