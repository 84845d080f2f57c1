// The exported inference model runs in onnxruntime-node and in onnxruntime-web (its WASM backend,
// inside Node), and both agree with an independent float64 forward pass of the same weights.
// Tolerance on logits and probabilities: |ort - reference| <= 1e-5 * max(1, |reference|), i.e.
// absolute 1e-5 for values up to 1 and relative 1e-5 above (float32 accumulation over up to 1024 terms).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ortWeb from 'onnxruntime-web';
import { type CnnConfig, cnnConfig } from '../../graphs/cnn-config.js';
import { buildInferenceGraph } from '../../graphs/mnist-cnn.js';
import { Mulberry32 } from '../../src/data/random.js';
import type { Graph } from '../../src/ir/graph.js';
import { float32, type TensorData } from '../../src/ir/tensor.js';
import { exportModel } from '../../src/onnx/export.js';
import { readInitializers } from '../../src/onnx/import.js';
import { createSession, float32Tensor } from '../../src/runtime/node.js';
import { referenceForward } from '../helpers/reference-forward.js';

const TOLERANCE = 1e-5;
const BATCH = 4;

/** A few random images, normalised like MNIST ((x - 0.1307) / 0.3081). */
function randomImages(config: CnnConfig, seed: number): Float32Array {
  const rng = new Mulberry32(seed);
  const n = BATCH * config.inputChannels * config.inputSize * config.inputSize;
  return Float32Array.from({ length: n }, () => (rng.next() - 0.1307) / 0.3081);
}

function assertClose(what: string, actual: ArrayLike<number>, expected: Float64Array): number {
  assert.equal(actual.length, expected.length, `${what}: length`);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i] as number;
    const error = Math.abs((actual[i] as number) - e) / Math.max(1, Math.abs(e));
    worst = Math.max(worst, error);
    assert.ok(
      error <= TOLERANCE,
      `${what}[${i}]: ${actual[i]} vs reference ${e} (scaled error ${error.toExponential(2)} > ${TOLERANCE})`,
    );
  }
  return worst;
}

const CASES: readonly [string, CnnConfig][] = [
  ['practical', cnnConfig('practical')],
  ['practical, pytorch init', cnnConfig('practical', { init: 'pytorch', seed: 7 })],
  ['three-conv', cnnConfig('three-conv', { init: 'pytorch' })],
  ['small-kernel, no hidden layer', cnnConfig('small-kernel', { hidden: [], init: 'pytorch' })],
  ['batchnorm', cnnConfig('batchnorm', { seed: 3 })],
];

/** Batch norm's weight, bias and running statistics drawn at random, so that none is the identity. */
function randomNorms(graph: Graph, seed: number): Map<string, TensorData> {
  const rng = new Mulberry32(seed);
  const norms = new Map<string, TensorData>();
  for (const [name, p] of graph.parameters) {
    const draw = name.endsWith('running_var')
      ? () => 0.5 + rng.next()
      : name.includes('bn')
        ? () => rng.next() - 0.5
        : null;
    if (draw) norms.set(name, float32(p.init.dims, Float32Array.from({ length: p.init.data.length }, draw)));
  }
  return norms;
}

ortWeb.env.wasm.numThreads = 1;

for (const [name, config] of CASES) {
  test(`${name}: onnxruntime-node and onnxruntime-web agree with the float64 reference`, async (t) => {
    const graph = buildInferenceGraph(config);
    const bytes = exportModel(graph, { weights: randomNorms(graph, 5) });
    const images = randomImages(config, 42);
    const dims = [BATCH, config.inputChannels, config.inputSize, config.inputSize];
    const reference = referenceForward(config, readInitializers(bytes), images, BATCH);

    const node = await createSession(bytes, { threads: 1 });
    const fromNode = await node.run({ image: float32Tensor(images, dims) });
    await node.release();
    const web = await ortWeb.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
    const fromWeb = await web.run({ image: new ortWeb.Tensor('float32', images, dims) });
    await web.release();

    for (const [runtime, out] of [
      ['onnxruntime-node', fromNode],
      ['onnxruntime-web', fromWeb],
    ] as const) {
      assert.deepEqual(out.logits?.dims, [BATCH, config.classes], `${runtime} logits dims`);
      const logits = assertClose(`${runtime} logits`, out.logits?.data as Float32Array, reference.logits);
      const probabilities = assertClose(
        `${runtime} probabilities`,
        out.probabilities?.data as Float32Array,
        reference.probabilities,
      );
      t.diagnostic(
        `${runtime}: worst scaled error ${logits.toExponential(1)} on logits, ${probabilities.toExponential(1)} on probabilities`,
      );
    }
  });
}
