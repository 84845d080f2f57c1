// Import of PyTorch-exported models into the graph builder: the imported graph, exported again,
// computes what ONNX Runtime computes from the original file and what PyTorch computed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exportModel } from '../../src/onnx/export.js';
import { importModel } from '../../src/onnx/import.js';
import { importGraph } from '../../src/onnx/to-graph.js';
import type { Value } from '../../src/ir/graph.js';
import { createSession, float32Tensor, type OrtTensor } from '../../src/runtime/node.js';
import {
  type ExportMode,
  FIXTURES,
  type FixtureName,
  fixtureBytes,
  fixtureReference,
} from '../helpers/onnx-fixtures.js';

const TOLERANCE = 1e-5;

async function runOnce(bytes: Uint8Array, input: string, data: Float32Array, dims: number[]): Promise<Float32Array> {
  const session = await createSession(bytes, { threads: 1 });
  try {
    const out = await session.run({ [input]: float32Tensor(data, dims) });
    const first = out[session.outputNames[0] as string];
    if (!first) throw new Error('no output');
    return first.data as Float32Array;
  } finally {
    await session.release();
  }
}

function assertClose(what: string, actual: Float32Array, expected: Float32Array): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i] as number;
    const error = Math.abs((actual[i] as number) - e) / Math.max(1, Math.abs(e));
    assert.ok(error <= TOLERANCE, `${what}[${i}]: ${actual[i]} vs ${e} (scaled error ${error.toExponential(2)})`);
  }
}

const SUPPORTED: readonly FixtureName[] = FIXTURES;

for (const name of SUPPORTED) {
  for (const mode of ['eval', 'train'] as ExportMode[]) {
    test(`${name} (${mode}-mode export): the imported graph computes what ONNX Runtime and PyTorch compute`, async () => {
      const bytes = fixtureBytes(name, mode);
      const ref = fixtureReference(name);
      const imported = importGraph(importModel(bytes), { batchSize: ref.input.dims[0] as number });
      for (const o of imported.outputs) imported.graph.output(o.value, o.name);
      const ours = await runOnce(exportModel(imported.graph), ref.input.name, ref.input.data, ref.input.dims);
      // the training export's Dropout and BatchNormalization run in ORT in their training form
      if (mode === 'eval')
        assertClose(
          'ONNX Runtime on the file',
          ours,
          await runOnce(bytes, ref.input.name, ref.input.data, ref.input.dims),
        );
      assertClose('PyTorch', ours, ref.eval);
    });
  }
}

test('the dynamic view flatten folds to a constant once the batch size is fixed', () => {
  const imported = importGraph(importModel(fixtureBytes('practical-cnn', 'eval')), { batchSize: 8 });
  // Shape, 4 Constants, Gather, 2 Unsqueeze, Concat
  assert.equal(imported.folded, 9);
  const ops = imported.graph.nodes.map((n) => n.opType);
  assert.deepEqual(ops, ['Conv', 'Relu', 'Conv', 'Relu', 'MaxPool', 'Reshape', 'Gemm', 'Relu', 'Gemm']);
  assert.deepEqual(
    imported.outputs.map((o) => `${o.name}${JSON.stringify(o.value.shape)}`),
    ['logits[8,10]'],
  );
  assert.deepEqual(
    imported.inputs.map((v) => v.toString()),
    ['image: float32[8, 1, 28, 28]'],
  );
  assert.deepEqual(
    [...imported.graph.parameters.keys()],
    ['conv1.weight', 'conv1.bias', 'conv2.weight', 'conv2.bias', 'fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias'],
  );
  assert.deepEqual(imported.shapes.get('/Concat_output_0')?.shape, [2]);
});

test('without a batch size the shape subgraph cannot fold, and the error says what to do', () => {
  assert.throws(
    () => importGraph(importModel(fixtureBytes('practical-cnn', 'eval'))),
    /node '\/Shape' \(Shape\): it reads the shape of .*\[batch, 32, 4, 4\], which is not static; fix the batch size/,
  );
});

test("a training-mode export's Dropout becomes seeded-noise dropout in a training graph, the identity otherwise", () => {
  const model = importModel(fixtureBytes('practical-cnn', 'train'));
  const trainGraph = importGraph(model, { batchSize: 8, training: true });
  assert.deepEqual(
    trainGraph.dropout.map((d) => `${d.noise.toString()} rate ${d.rate}`),
    ['dropout1.noise: float32[8, 256] rate 0.2'],
  );
  assert.ok(trainGraph.graph.nodes.some((n) => n.opType === 'Where'));
  const inference = importGraph(model, { batchSize: 8 });
  assert.equal(inference.dropout.length, 0);
  assert.ok(!inference.graph.nodes.some((n) => n.opType === 'Where' || n.opType === 'Dropout'));
  // an eval-mode export has no Dropout: it trains without
  assert.equal(
    importGraph(importModel(fixtureBytes('practical-cnn', 'eval')), { batchSize: 8, training: true }).dropout.length,
    0,
  );
});

test('an op onnxgrad cannot import is one error naming the op, the node and the supported ops', () => {
  const model = importModel(fixtureBytes('log-softmax', 'eval'));
  const edited = { ...model, nodes: model.nodes.map((n) => (n.name === '/Relu' ? { ...n, opType: 'Mish' } : n)) };
  assert.throws(
    () => importGraph(edited, { batchSize: 2 }),
    (error: unknown) => {
      assert.ok(error instanceof Error);
      assert.match(
        error.message,
        /^ONNX import: node '\/Relu' \(Mish\): onnxgrad cannot import Mish\. Supported ops: Add, .*Conv, /,
      );
      assert.ok(!error.message.includes('\n'));
      return true;
    },
  );
  const foreign = {
    ...model,
    nodes: model.nodes.map((n) => (n.name === '/Relu' ? { ...n, domain: 'com.microsoft' } : n)),
  };
  assert.throws(
    () => importGraph(foreign, { batchSize: 2 }),
    /node '\/Relu' \(Relu\): the operator set 'com.microsoft' is not supported/,
  );
});

test('opsets outside 13 to 18 are refused with a line that says how to re-export', () => {
  const model = importModel(fixtureBytes('avgpool', 'eval'));
  for (const version of [12, 19]) {
    assert.throws(
      () => importGraph({ ...model, opsets: [{ domain: '', version }] }, { batchSize: 2 }),
      new RegExp(`uses opset ${version}; onnxgrad reads opsets 13 to 18\\. Re-export it .*opset_version=17`),
    );
  }
});

test("a training-mode BatchNormalization trains by the batch's statistics and updates its running ones, as PyTorch does", async () => {
  const ref = fixtureReference('bn-residual');
  const model = importModel(fixtureBytes('bn-residual', 'train'));
  const imported = importGraph(model, { batchSize: 4, training: true });
  assert.deepEqual(
    imported.state.map((s) => s.name),
    ['bn0', 'bn1', 'bn2'].flatMap((b) => [`${b}.running_mean`, `${b}.running_var`]),
  );
  const { graph } = imported;
  graph.output(imported.outputs[0]?.value as Value, 'output');
  for (const s of imported.state) graph.output(s.next, `next.${s.name}`);
  const session = await createSession(exportModel(graph), { threads: 1 });
  const feeds: Record<string, OrtTensor> = { input: float32Tensor(ref.input.data, ref.input.dims) };
  for (const s of imported.state) feeds[s.name] = float32Tensor(s.init.data as Float32Array, s.init.dims);
  const out = await session.run(feeds);
  await session.release();
  assertClose('PyTorch in training mode', out['output']?.data as Float32Array, ref.train as Float32Array);
  // PyTorch updates the running variance with the unbiased batch variance, ONNX (and onnxgrad) with
  // the population variance: v_onnx = m v0 + (1 - m) (n - 1) / n var_unbiased, n values per channel
  const perChannel: Readonly<Record<string, number>> = { bn0: 4 * 28 * 28, bn1: 4 * 14 * 14, bn2: 4 * 14 * 14 };
  for (const s of imported.state) {
    const torch = ref.runningStats?.get(s.name)?.data as Float32Array;
    const old = s.init.data as Float32Array;
    const n = perChannel[s.name.split('.')[0] as string] as number;
    const expected = s.name.endsWith('var')
      ? torch.map((v, i) => 0.9 * (old[i] as number) + ((v - 0.9 * (old[i] as number)) * (n - 1)) / n)
      : torch;
    assertClose(`next ${s.name}`, out[`next.${s.name}`]?.data as Float32Array, expected);
  }
});
