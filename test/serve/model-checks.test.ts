// Real ONNX models that the server must refuse at load (wrong input, bad normalisation) and whose
// sessions it must release, one that fails at run time, and one exported with a fixed batch size of 1 (PyTorch's default).
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Graph } from '../../src/ir/graph.js';
import type { Shape } from '../../src/ir/shape.js';
import { tensor } from '../../src/ir/tensor.js';
import { exportModel } from '../../src/onnx/export.js';
import { gemm } from '../../src/ops/linear.js';
import { flatten } from '../../src/ops/shape.js';
import { int64s } from '../../src/ops/node.js';
import { loadModel } from '../../src/serve/model.js';
import { startServer } from '../../src/serve/server.js';
import { assertClose, postJson, predictionsOf, rawRequest } from './client.js';
import { normalise, syntheticDigit, testModelPath } from './fixtures.js';
import { createSession, float32Tensor } from '../../src/runtime/node.js';
import { softmaxRows } from '../../src/serve/softmax.js';

/** image -> flatten -> Gemm -> logits [N, 10], with input shape `shape`; written to a temporary file. */
function linearModel(shape: Shape, metadata: Record<string, string> = {}, runtimeFailure = false): string {
  const g = new Graph('linear');
  const x = g.input('image', 'float32', shape);
  const features = shape.slice(1).reduce<number>((a, d) => a * Number(d), 1);
  const w = g.parameter(
    'w',
    tensor(
      'float32',
      [features, 10],
      Float32Array.from({ length: features * 10 }, (_, i) => Math.sin(i) * 0.01),
    ),
  );
  let flat = flatten(x, 1);
  if (runtimeFailure) {
    // a Reshape to [-1, 785] of 784 values per image: ONNX Runtime loads it and fails when it runs
    flat = g.addNode('Reshape', [x, int64s(g, [-1, 785])], {}, [{ dtype: 'float32', shape: [shape[0]!, 785] }])[0]!;
  }
  const logits = runtimeFailure
    ? gemm(flat, g.parameter('w2', tensor('float32', [785, 10], new Float32Array(7850))), null)
    : gemm(flat, w, null);
  g.output(logits, 'logits');
  const file = join(mkdtempSync(join(tmpdir(), 'onnxgrad-models-')), 'model.onnx');
  writeFileSync(file, exportModel(g, { metadata }));
  return file;
}

test('a model whose input is not float32 [N, 1, 28, 28] is refused when it loads', async () => {
  for (const shape of [
    ['N', 3, 28, 28],
    ['N', 1, 32, 32],
    ['N', 784],
  ] as Shape[]) {
    await assert.rejects(
      startServer({ modelPath: linearModel(shape), port: 0 }),
      /the input 'image' is float32 \[N, .*\]; the server feeds float32 images \[N, 1, 28, 28\]/,
    );
  }
});

test('a model whose normalisation metadata has std 0 is refused when it loads', async () => {
  const path = linearModel(['N', 1, 28, 28], { normalization: JSON.stringify({ mean: 0.1, std: 0 }) });
  await assert.rejects(startServer({ modelPath: path, port: 0 }), /normalisation metadata .*std above 0/);
});

test('a model that fails at run time is answered 500 and the server keeps serving', async () => {
  const server = await startServer({ modelPath: linearModel(['N', 1, 28, 28], {}, true), port: 0 });
  try {
    const res = await postJson(server.url, { pixels: syntheticDigit(0) });
    assert.equal(res.status, 500, res.body.toString());
    assert.match((res.json() as { error: string }).error, /internal error: .*Reshape/i);
    const again = await postJson(server.url, { images: [syntheticDigit(1), syntheticDigit(2)] });
    assert.equal(again.status, 500);
    const health = await rawRequest(server.url, 'GET', '/healthz');
    assert.equal(health.status, 200);
    assert.equal((health.json() as { stats: { errors: number } }).stats.errors, 2);
  } finally {
    await server.close();
  }
});

test('a model with a fixed batch of 1 runs batched requests one image at a time', async () => {
  const path = linearModel([1, 1, 28, 28]);
  const images = [0, 1, 2].map(syntheticDigit);
  const expected: Float32Array[] = [];
  for (const image of images) expected.push(...(await referenceLogitsSoftmax(path, normalise(image))));
  const server = await startServer({ modelPath: path, port: 0 });
  try {
    const res = await postJson(server.url, { images });
    assert.equal(res.status, 200, res.body.toString());
    predictionsOf(res).forEach((p, i) => assertClose(p.probabilities, expected[i]!, 1e-6, `image ${i}`));
  } finally {
    await server.close();
  }
});

/** The model has logits only: the reference is their softmax, from onnxruntime-node directly. */
async function referenceLogitsSoftmax(path: string, input: Float32Array): Promise<Float32Array[]> {
  const session = await createSession(path);
  try {
    const out = await session.run({ image: float32Tensor(input, [1, 1, 28, 28]) });
    return [softmaxRows(out['logits']!.data as Float32Array, 1)];
  } finally {
    await session.release();
  }
}

test('a model refused at load releases its ONNX Runtime session: its thread pool is gone', async () => {
  // A session with 4 intra-op threads starts 3 threads of its own and joins them when released,
  // so the process's thread count (/proc/self/task, Linux) shows whether a refused model's session
  // was released: one that was not would leave 3 more threads after each refusal.
  const threads = () => readdirSync('/proc/self/task').length;
  const warm = await createSession(testModelPath(), { threads: 4 }); // ONNX Runtime's own first-use threads
  await warm.release();
  const refused = [
    linearModel(['N', 1, 32, 32]),
    linearModel(['N', 1, 28, 28], { normalization: JSON.stringify({ mean: 0.1, std: 0 }) }),
  ];
  const before = threads();
  const probe = await createSession(refused[0]!, { threads: 4 });
  assert.equal(threads(), before + 3, 'a session with 4 threads starts 3');
  await probe.release();
  assert.equal(threads(), before);
  // loadModel (model.ts) on this thread, as the server's model worker runs it
  for (let round = 0; round < 3; round++) {
    for (const path of refused) {
      await assert.rejects(loadModel(path, { side: 28, threads: 4 }), /the server feeds|std above 0/);
    }
  }
  assert.equal(threads(), before, `threads left behind by ${2 * 3} refused models`);
  // and through the server, whose model worker ends with its refused model
  for (const path of refused) {
    await assert.rejects(startServer({ modelPath: path, port: 0, threads: 4 }), /the server feeds|std above 0/);
  }
  assert.equal(threads(), before, 'threads left behind by the server');
});
