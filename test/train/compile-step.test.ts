// compileTrainStep on a network that is not the CNN: an MLP of two Gemm layers written with the op
// builders, trained by the StepRunner that `train` uses, on onnxruntime-node and on
// onnxruntime-web's WASM, fed from its manifest alone.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Mulberry32 } from '../../src/data/random.js';
import { Graph } from '../../src/ir/graph.js';
import { float32, type TensorData } from '../../src/ir/tensor.js';
import { exportModel } from '../../src/onnx/export.js';
import * as op from '../../src/ops/index.js';
import { FORM_NAMES } from '../../src/passes/forms.js';
import { webTensorSession } from '../../src/runtime/web.js';
import { compileTrainStep, type TrainStep } from '../../src/train/compile-step.js';
import { createNodeStepRunner } from '../../src/train/node-step-runner.js';
import { StepRunner } from '../../src/train/step-runner.js';

const [BATCH, FEATURES, HIDDEN, CLASSES] = [32, 6, 16, 3];

function mlp(): { graph: Graph; logits: ReturnType<typeof op.gemm> } {
  const graph = new Graph('mlp');
  const rng = new Mulberry32(4);
  const init = (dims: number[], scale: number) =>
    float32(
      dims,
      Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => (rng.next() - 0.5) * scale),
    );
  const x = graph.input('features', 'float32', [BATCH, FEATURES]);
  const w1 = graph.parameter('fc1.weight', init([HIDDEN, FEATURES], 0.8));
  const b1 = graph.parameter('fc1.bias', init([HIDDEN], 0.1));
  const w2 = graph.parameter('fc2.weight', init([CLASSES, HIDDEN], 0.5));
  const b2 = graph.parameter('fc2.bias', init([CLASSES], 0.1));
  const hidden = op.relu(op.gemm(x, w1, b1, { transB: true }));
  return { graph, logits: op.gemm(hidden, w2, b2, { transB: true }) };
}

/** Points whose class is the largest of their first three coordinates: learnable by the MLP. */
function batch(seed: number): { inputs: Float32Array[]; labels: BigInt64Array; noise: Float32Array[] } {
  const rng = new Mulberry32(seed);
  const x = Float32Array.from({ length: BATCH * FEATURES }, () => rng.next() * 2 - 1);
  const labels = BigInt64Array.from({ length: BATCH }, (_, n) => {
    const row = [0, 1, 2].map((c) => x[n * FEATURES + c] as number);
    return BigInt(row.indexOf(Math.max(...row)));
  });
  return { inputs: [x], labels, noise: [] };
}

function compile(form: string): TrainStep {
  const { graph, logits } = mlp();
  return compileTrainStep({ graph, output: logits, optimizer: 'adam', batchSize: BATCH, form });
}

function initial(step: TrainStep): Map<string, TensorData> {
  const init = new Map<string, TensorData>();
  for (const [name, p] of step.graph.parameters) init.set(name, p.init);
  for (const s of step.manifest.state) {
    const dims = s.shape as number[];
    init.set(s.name, float32(dims, new Float32Array(dims.reduce((a, b) => a * b, 1))));
  }
  return init;
}

/** Mean losses of the first and the last 10 of 60 Adam steps at lr 0.02 over 4 fixed batches. */
async function losses(runner: StepRunner<unknown>): Promise<[number, number]> {
  const all: number[] = [];
  for (let step = 1; step <= 60; step++) all.push((await runner.run(batch(step % 4), step, 0.02)).loss);
  await runner.release();
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return [mean(all.slice(0, 10)), mean(all.slice(-10))];
}

test('compileTrainStep: a manifest that describes every input and output by itself, no CNN config', () => {
  const { manifest, passes } = compile('node-cpu');
  assert.equal(manifest.form, 'node-cpu');
  assert.equal(manifest.model, undefined);
  assert.deepEqual(manifest.loss, { name: 'cross-entropy', output: 'Gemm_1_out' });
  const roles = Object.fromEntries(manifest.inputs.map((s) => [s.name, s.role]));
  assert.equal(roles['features'], 'batch');
  assert.equal(roles['labels'], 'labels');
  assert.equal(roles['fc1.weight'], 'parameter');
  assert.equal(roles['adam.m.fc1.weight'], 'state');
  assert.deepEqual(
    manifest.outputs.filter((o) => o.role !== 'next').map((o) => [o.name, o.role]),
    [
      ['loss', 'loss'],
      ['correct', 'metric'],
    ],
  );
  assert.equal(manifest.outputs.find((o) => o.name === 'next.fc2.bias')?.of, 'fc2.bias');
  // no convolution, no pool: every pass finds nothing to do
  assert.deepEqual(passes, { 'pool-before-relu': 0, 'pad-past-transpose': 0, 'share-patches': 0, nchwc: 0 });
});

test('compileTrainStep leaves the caller graph as it was', () => {
  const { graph, logits } = mlp();
  const before = graph.nodes.length;
  compileTrainStep({ graph, output: logits, optimizer: 'sgd', batchSize: BATCH, form: 'portable' });
  assert.equal(graph.nodes.length, before);
  assert.equal(graph.inputs.length, 1);
});

test('an unknown form or loss is a one-line error that lists the known ones', () => {
  const { graph, logits } = mlp();
  const o = { graph, output: logits, optimizer: 'adam', batchSize: BATCH };
  assert.throws(() => compileTrainStep({ ...o, form: 'tpu' }), {
    message: `unknown step form 'tpu' (known: ${FORM_NAMES.join(', ')})`,
  });
  assert.throws(
    () => compileTrainStep({ ...o, form: 'wasm', loss: 'hinge' }),
    /unknown loss 'hinge' \(known: cross-entropy, nll, mse, l1, bce-with-logits\)/,
  );
});

test('an MLP trains through compileTrainStep and StepRunner on onnxruntime-node: the loss falls', async () => {
  const step = compile('node-cpu');
  const runner = await createNodeStepRunner(
    exportModel(step.graph, { parametersAs: 'inputs' }),
    step.manifest,
    initial(step),
    {
      threads: 1,
    },
  );
  const [first, last] = await losses(runner);
  assert.ok(last < 0.5 * first, `loss ${first.toFixed(4)} -> ${last.toFixed(4)}`);
});

test("an MLP trains through compileTrainStep and StepRunner on onnxruntime-web's WASM: the loss falls", async () => {
  const step = compile('wasm');
  const session = await webTensorSession(exportModel(step.graph, { parametersAs: 'inputs' }), { threads: 1 });
  const [first, last] = await losses(StepRunner.on(session, step.manifest, initial(step)));
  assert.ok(last < 0.5 * first, `loss ${first.toFixed(4)} -> ${last.toFixed(4)}`);
});
