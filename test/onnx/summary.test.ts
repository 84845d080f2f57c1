import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cnnConfig, PRACTICAL_CNN } from '../../graphs/cnn-config.js';
import { buildCnn, buildInferenceGraph } from '../../graphs/mnist-cnn.js';
import { exportModel } from '../../src/onnx/export.js';
import { importModel } from '../../src/onnx/import.js';
import { formatSummary, summarizeModel, summaryToJson } from '../../src/onnx/summary.js';

const summaryOf = (config = PRACTICAL_CNN, batch?: number) =>
  summarizeModel(importModel(exportModel(buildInferenceGraph(config))), batch === undefined ? {} : { batch });

test("the practical's network: 1,103,539 parameters and a flatten size of 1024", () => {
  const s = summaryOf();
  assert.equal(s.parameters, 1_103_539);
  assert.equal(s.parameterBytes, 1_103_539 * 4);
  assert.deepEqual(s.rows.find((r) => r.type === 'Flatten')?.outputShape, ['N', 1024]);
  assert.equal(s.parameters, buildInferenceGraph(PRACTICAL_CNN).parameterCount());
});

test("batchnorm: batch norm's running statistics count as non-trainable; normalised layers have no bias", () => {
  const s = summaryOf(cnnConfig('batchnorm'));
  const row = (name: string) => s.rows.find((r) => r.name === name);
  assert.equal(row('bn1')?.parameters, 4 * 32);
  assert.equal(row('conv1')?.parameters, 32 * 25);
  assert.equal(row('fc1.bn')?.parameters, 4 * 512);
  assert.equal(s.nonTrainable, 2 * (32 + 64 + 512));
  assert.match(formatSummary(s), /trainable 1,631,210, non-trainable 1,216 \(batch norm's running statistics\)/);
});

test('one row per layer with output shape, parameters and MACs per image', () => {
  const rows = summaryOf().rows.map((r) => [r.name, r.type, r.outputShape.join('x'), r.parameters, r.macsPerImage]);
  assert.deepEqual(rows, [
    ['conv1', 'Conv', 'Nx25x9x9', 3625, 25 * 9 * 9 * 144],
    ['Relu_0', 'Relu', 'Nx25x9x9', 0, 0],
    ['conv2', 'Conv', 'Nx64x9x9', 40064, 64 * 9 * 9 * 25 * 25],
    ['Relu_1', 'Relu', 'Nx64x9x9', 0, 0],
    ['MaxPool_0', 'MaxPool', 'Nx64x4x4', 0, 0],
    ['Flatten_0', 'Flatten', 'Nx1024', 0, 0],
    ['fc1', 'Gemm', 'Nx1024', 1_049_600, 1024 * 1024],
    ['Relu_2', 'Relu', 'Nx1024', 0, 0],
    ['fc2', 'Gemm', 'Nx10', 10_250, 10_240],
    ['Softmax_0', 'Softmax', 'Nx10', 0, 0],
  ]);
});

test('totals: MACs per image and the training-step FLOP estimate 3 x 2 x MACs x batch', () => {
  const s = summaryOf(PRACTICAL_CNN, 64);
  assert.equal(s.macsPerImage, 4_590_416);
  assert.equal(s.forwardFlopsPerImage, 2 * 4_590_416);
  assert.equal(s.trainingStep.flopsEstimate, 6 * 4_590_416 * 64);
  assert.equal(summaryOf(PRACTICAL_CNN, 1).trainingStep.flopsEstimate, 6 * 4_590_416);
});

test('the text table is aligned and shows the totals', () => {
  const text = formatSummary(summaryOf());
  const lines = text.trimEnd().split('\n');
  assert.match(text, /Total params: 1,103,539/);
  assert.match(text, /MACs per image: 4,590,416/);
  assert.match(text, /about 1\.76 GFLOP \(estimate: 3 x 2 x MACs x batch\)/);
  assert.match(text, /Flatten_0 \(Flatten\) +\[N, 1024\]/);
  const table = lines.filter((l) => /^(conv|fc|Relu|MaxPool|Flatten|Softmax)/.test(l));
  assert.equal(table.length, 10);
  // numbers are right-aligned in their columns, so every row of the table has the same length,
  // and each row's shape starts where the header's 'Output shape' does
  const header = lines.find((l) => l.startsWith('Layer (type)')) ?? '';
  assert.equal(new Set([header, ...table].map((l) => l.length)).size, 1, `misaligned:\n${table.join('\n')}`);
  for (const row of table) assert.equal(row.indexOf('['), header.indexOf('Output shape'), row);
});

test('the JSON form holds the same numbers', () => {
  const json = JSON.parse(JSON.stringify(summaryToJson(summaryOf()))) as {
    layers: { name: string; parameters: number }[];
    totals: {
      parameters: number;
      macsPerImage: number;
      trainingStepFlopsEstimate: { batch: number; flops: number; rule: string };
    };
  };
  assert.equal(json.totals.parameters, 1_103_539);
  assert.equal(json.totals.macsPerImage, 4_590_416);
  assert.deepEqual(json.totals.trainingStepFlopsEstimate, {
    batch: 64,
    flops: 6 * 4_590_416 * 64,
    rule: '3 x 2 x MACs x batch',
  });
  assert.equal(json.layers.length, 10);
});

test('variants: no hidden layer, three convolutions', () => {
  const none = summaryOf(cnnConfig('practical', { hidden: [] }));
  assert.deepEqual(
    none.rows.filter((r) => r.type === 'Gemm').map((r) => [r.name, r.parameters]),
    [['fc1', 10_250]],
  );
  const three = summaryOf(cnnConfig('three-conv'));
  assert.deepEqual(
    three.rows.filter((r) => r.type === 'Conv').map((r) => r.name),
    ['conv1', 'conv2', 'conv3'],
  );
  assert.equal(three.parameters, 3625 + 40064 + (64 * 64 * 9 + 64) + 1_049_600 + 10_250);
});

test('a graph that takes its parameters as inputs (a training step) still counts them', () => {
  const { graph, logits } = buildCnn(PRACTICAL_CNN, { training: true, batch: 64 });
  graph.output(logits, 'logits');
  const s = summarizeModel(importModel(exportModel(graph, { parametersAs: 'inputs' })));
  assert.equal(s.parameters, 1_103_539);
  assert.deepEqual(s.rows.find((r) => r.type.startsWith('Dropout'))?.outputShape, [64, 1024]);
  assert.equal(s.macsPerImage, 4_590_416);
});
