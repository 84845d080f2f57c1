// Snapshots of the practical's inference graph in text form and of its summary table: a change to
// the graph builder, the ops or the exporter shows up here as a readable diff.
// Deliberate changes: npm run test:update-snapshots, then review `git diff test/snapshots`.
import { test } from 'node:test';
import { PRACTICAL_CNN } from '../../graphs/cnn-config.js';
import { buildInferenceGraph } from '../../graphs/mnist-cnn.js';
import { exportModel } from '../../src/onnx/export.js';
import { importModel } from '../../src/onnx/import.js';
import { formatSummary, summarizeModel } from '../../src/onnx/summary.js';
import { bytesToText } from '../../src/onnx/text.js';
import { assertSnapshot } from '../helpers/snapshot.js';

const bytes = exportModel(buildInferenceGraph(PRACTICAL_CNN));

test('the inference graph of the practical CNN (text form)', () => {
  assertSnapshot('mnist-cnn-inference', bytesToText(bytes));
});

test('the summary of the practical CNN', () => {
  assertSnapshot('mnist-cnn-summary', formatSummary(summarizeModel(importModel(bytes))));
});
