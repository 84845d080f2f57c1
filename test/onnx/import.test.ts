import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PRACTICAL_CNN } from '../../graphs/cnn-config.js';
import { buildCnn, buildInferenceGraph } from '../../graphs/mnist-cnn.js';
import { float32 } from '../../src/ir/tensor.js';
import { exportModel } from '../../src/onnx/export.js';
import { encodeModel, importModel, readInitializers, valueTypeOf, withInitializers } from '../../src/onnx/import.js';

const bytes = exportModel(buildInferenceGraph(PRACTICAL_CNN));

test('export -> import -> export gives identical bytes', () => {
  assert.ok(Buffer.from(encodeModel(importModel(bytes))).equals(Buffer.from(bytes)));
});

test('the round trip also holds for a training graph with parameters as inputs', () => {
  const { graph, logits } = buildCnn(PRACTICAL_CNN, { training: true, batch: 8 });
  graph.output(logits, 'logits');
  const train = exportModel(graph, { parametersAs: 'inputs', docString: 'training' });
  const model = importModel(train);
  assert.ok(Buffer.from(encodeModel(model)).equals(Buffer.from(train)));
  assert.equal(model.docString, 'training');
  assert.deepEqual(model.inputs.map((v) => v.name).slice(0, 2), ['image', 'dropout1.noise']);
  assert.deepEqual(model.inputs[0]?.shape, [8, 1, 28, 28]);
});

test('import reads inputs, outputs, nodes, attributes and value shapes', () => {
  const m = importModel(bytes);
  assert.equal(m.graphName, 'mnist_cnn');
  assert.equal(m.irVersion, 8);
  assert.deepEqual(m.opsets, [{ domain: '', version: 17 }]);
  assert.equal(m.producerName, 'onnxgrad');
  assert.deepEqual(m.inputs, [{ name: 'image', dtype: 'float32', shape: ['N', 1, 28, 28] }]);
  assert.deepEqual(
    m.outputs.map((o) => `${o.name}${JSON.stringify(o.shape)}`),
    ['logits["N",10]', 'probabilities["N",10]'],
  );
  const conv = m.nodes[0];
  assert.equal(conv?.opType, 'Conv');
  assert.equal(conv?.name, 'Conv_0');
  assert.deepEqual(conv?.inputs, ['image', 'conv1.weight', 'conv1.bias']);
  assert.deepEqual(conv?.attributes.strides, { kind: 'ints', value: [2, 2] });
  assert.deepEqual(m.nodes.find((n) => n.opType === 'Flatten')?.attributes.axis, { kind: 'int', value: 1 });
  assert.deepEqual(m.valueInfo.get('Flatten_0_out')?.shape, ['N', 1024]);
  assert.deepEqual(valueTypeOf(m, 'fc1.weight')?.shape, [1024, 1024]);
  assert.deepEqual(valueTypeOf(m, 'probabilities')?.shape, ['N', 10]);
  assert.equal(valueTypeOf(m, 'nothing'), undefined);
});

test('readInitializers gives the weights back exactly', () => {
  const graph = buildInferenceGraph(PRACTICAL_CNN);
  const weights = readInitializers(exportModel(graph));
  for (const [name, { init }] of graph.parameters) {
    const read = weights.get(name);
    assert.ok(read, name);
    assert.deepEqual(read.dims, init.dims);
    assert.deepEqual(read.data, init.data);
  }
  assert.deepEqual([...weights.keys()].slice(0, 8), [
    'conv1.weight',
    'conv1.bias',
    'conv2.weight',
    'conv2.bias',
    'fc1.weight',
    'fc1.bias',
    'fc2.weight',
    'fc2.bias',
  ]);
});

test('withInitializers swaps in new weights and checks their dims', () => {
  const m = importModel(bytes);
  const bias = float32(
    [10],
    Array.from({ length: 10 }, (_, i) => i),
  );
  const edited = importModel(encodeModel(withInitializers(m, new Map([['fc2.bias', bias]]))));
  assert.deepEqual(
    Array.from(edited.initializers.get('fc2.bias')?.data as Float32Array),
    Array.from(bias.data as Float32Array),
  );
  assert.throws(
    () => withInitializers(m, new Map([['fc2.bias', float32([9], new Array<number>(9).fill(0))]])),
    /fc2.bias: float32\[9\] does not match float32\[10\]/,
  );
  assert.throws(() => withInitializers(m, new Map([['fc9.bias', bias]])), /no initializer 'fc9.bias'/);
});

test('bytes that are not a model give a clear error', () => {
  assert.throws(() => importModel(new TextEncoder().encode('hello, world')), /not an ONNX model|no graph/);
  assert.throws(() => importModel(new Uint8Array()), /no graph/);
});
