// The one-graph training step: only portable ops for every optimizer, a snapshot of its text
// form, and the ONNX project's own checker (Debian python3-onnx, full_check) accepts it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PRACTICAL_CNN } from '../../graphs/cnn-config.js';
import { exportModel, toModelProto } from '../../src/onnx/export.js';
import { bytesToText } from '../../src/onnx/text.js';
import { OPTIMIZER_NAMES } from '../../src/optim/index.js';
import { NON_PORTABLE_OPS, PORTABLE_OPS, portabilityProblem } from '../../src/train/portable-ops.js';
import { buildTrainStep } from '../../src/train/train-step.js';
import { checkOnnxModel } from '../helpers/onnx-checker.js';
import { assertSnapshot } from '../helpers/snapshot.js';

const BATCH = 8;

test('the portable op list and the forbidden list do not overlap', () => {
  for (const op of Object.keys(NON_PORTABLE_OPS)) assert.ok(!PORTABLE_OPS.has(op), `${op} is both portable and forbidden`);
  assert.match(portabilityProblem('MaxPool', 2) ?? '', /Indices/);
  assert.equal(portabilityProblem('MaxPool', 1), undefined);
  assert.match(portabilityProblem('Dropout', 1) ?? '', /Dropout/);
  assert.match(portabilityProblem('Sin', 1) ?? '', /not in the portable op list/);
});

for (const optimizer of OPTIMIZER_NAMES) {
  test(`${optimizer}: every op of the training graph is portable, and onnx.checker (full_check) accepts it`, () => {
    const { graph, manifest } = buildTrainStep(PRACTICAL_CNN, { optimizer, batchSize: BATCH });
    const model = toModelProto(graph, { parametersAs: 'inputs' });
    const nodes = model.graph?.node ?? [];
    assert.ok(nodes.length > 50, `only ${nodes.length} nodes`);
    const problems = [...new Set(nodes.map((n) => portabilityProblem(n.opType ?? '', (n.output ?? []).length)).filter((p) => p !== undefined))];
    assert.deepEqual(problems, []);

    // the graph's interface is what the manifest says
    const inputs = (model.graph?.input ?? []).map((i) => i.name);
    assert.deepEqual(inputs, manifest.inputs.map((i) => i.name));
    for (const name of ['image', 'labels', 'dropout1.noise', 'step', 'lr', 'fc1.weight']) assert.ok(inputs.includes(name), `no input ${name}`);
    const outputs = (model.graph?.output ?? []).map((o) => o.name);
    assert.deepEqual(outputs.slice(0, 2), ['loss', 'correct']);
    for (const p of manifest.parameters) assert.ok(outputs.includes(`next.${p.name}`), `no output next.${p.name}`);
    for (const s of manifest.state) assert.ok(outputs.includes(`next.${s.name}`), `no output next.${s.name}`);
    if (optimizer === 'adam') assert.ok(inputs.includes('adam.m.fc1.weight') && inputs.includes('adam.v.fc1.weight'));

    checkOnnxModel(exportModel(graph, { parametersAs: 'inputs' }), { fileName: `train-step-${optimizer}.onnx` });
  });
}

test('the adam training graph matches its snapshot (and builds the same bytes twice)', () => {
  const build = () => exportModel(buildTrainStep(PRACTICAL_CNN, { optimizer: 'adam', batchSize: BATCH }).graph, { parametersAs: 'inputs' });
  const bytes = build();
  assert.deepEqual(build(), bytes, 'two builds differ');
  assertSnapshot('train-step-adam', bytesToText(bytes));
});

test('the sgd training graph matches its snapshot', () => {
  const { graph } = buildTrainStep(PRACTICAL_CNN, { optimizer: 'sgd', batchSize: BATCH });
  assertSnapshot('train-step-sgd', bytesToText(exportModel(graph, { parametersAs: 'inputs' })));
});
