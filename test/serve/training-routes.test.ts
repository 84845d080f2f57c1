// The training page's routes (src/serve/training.ts): what they serve and how they refuse.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { bytesToText } from '../../src/onnx/text.js';
import { buildCnn } from '../../graphs/mnist-cnn.js';
import { readModelInfo } from '../../src/onnx/metadata.js';
import { startServer, type ServeHandle } from '../../src/serve/server.js';
import type { TrainStepManifest } from '../../src/train/train-step.js';
import { cnnOf } from '../../src/train/trainer.js';
import { testModelPath } from './fixtures.js';

describe('training routes', { timeout: 60_000 }, () => {
  let server: ServeHandle;
  before(async () => {
    server = await startServer({ modelPath: testModelPath(), port: 0 });
  });
  after(() => server?.close());

  test('manifest, graphs, the seeded initial weights, MNIST files', async () => {
    const manifest = (await (await fetch(`${server.url}/v1/train-step.json`)).json()) as TrainStepManifest;
    assert.equal(manifest.format, 'onnxgrad.train-step');
    assert.equal(manifest.batchSize, 64);
    assert.equal(manifest.optimizer.name, 'adam');
    assert.deepEqual(
      manifest.dropout.map((d) => d.name),
      ['dropout1.noise'],
    );
    const graphs: Record<string, string> = {};
    for (const path of ['/v1/train-step.onnx', '/v1/train-step-wasm.onnx', '/v1/forward.onnx']) {
      const res = await fetch(`${server.url}${path}`);
      assert.equal(res.status, 200, path);
      graphs[path] = bytesToText(new Uint8Array(await res.arrayBuffer()));
    }
    // the WASM graph is the same step with im2col-form conv gradients (a Gather), WebGPU's the conv form
    assert.match(graphs['/v1/train-step-wasm.onnx'] ?? '', /= Gather\(/);
    assert.doesNotMatch(graphs['/v1/train-step.onnx'] ?? '', /= Gather\(/);
    const weights = new Float32Array(await (await fetch(`${server.url}/v1/initial-weights.bin`)).arrayBuffer());
    // the MNIST files before the long computation below: a keep-alive connection left idle
    // through it (over 5 s on a loaded machine) is closed by the server as it is reused
    const labels = new Uint8Array(await (await fetch(`${server.url}/v1/mnist/train-labels-idx1-ubyte`)).arrayBuffer());
    assert.equal(labels.length, 8 + 60_000);
    assert.equal((await fetch(`${server.url}/v1/mnist/passwd`)).status, 404);
    const { graph } = buildCnn(cnnOf(manifest, 'the served step'), { training: false });
    const expected = manifest.parameters.flatMap((p) =>
      Array.from(graph.parameters.get(p.name)!.init.data as Float32Array),
    );
    assert.equal(weights.length, expected.length);
    assert.deepEqual(Array.from(weights.subarray(0, 50)), expected.slice(0, 50));
  });

  test('POST /v1/export-model: an inference model with metadata; wrong sizes and methods refused', async () => {
    const weights = await (await fetch(`${server.url}/v1/initial-weights.bin`)).arrayBuffer();
    const res = await fetch(`${server.url}/v1/export-model`, {
      method: 'POST',
      body: weights,
      headers: { 'Content-Type': 'application/octet-stream' },
    });
    assert.equal(res.status, 200);
    const info = readModelInfo(new Uint8Array(await res.arrayBuffer()));
    assert.equal(info.dataset, 'mnist');
    assert.deepEqual(info.normalization, { mean: 0.1307, std: 0.3081 });
    const post = (body: Uint8Array | ArrayBuffer, type = 'application/octet-stream') =>
      fetch(`${server.url}/v1/export-model`, { method: 'POST', body, headers: { 'Content-Type': type } });
    const short = await post(new Uint8Array(12));
    assert.equal(short.status, 400);
    assert.match(((await short.json()) as { error: string }).error, /expected \d+ bytes/);
    const json = await post(weights, 'application/json');
    assert.equal(json.status, 415);
    assert.match(((await json.json()) as { error: string }).error, /Content-Type must be application\/octet-stream/);
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY]) {
      const poisoned = new Float32Array(weights.slice(0));
      poisoned[7] = bad;
      const res = await post(poisoned.buffer);
      assert.equal(res.status, 400);
      assert.match(
        ((await res.json()) as { error: string }).error,
        new RegExp(`conv1.weight\\[7\\] is ${bad}: every parameter must be finite`),
      );
    }
    assert.equal((await fetch(`${server.url}/v1/export-model`)).status, 405);
    assert.equal((await fetch(`${server.url}/v1/train-step.onnx`, { method: 'POST' })).status, 405);
  });

  test('the first request builds the graphs off the event loop: /healthz answers meanwhile', async () => {
    const fresh = await startServer({ modelPath: testModelPath(), port: 0 });
    try {
      const started = performance.now();
      let built = false;
      const graph = fetch(`${fresh.url}/v1/train-step.onnx`).then(async (res) => {
        assert.equal(res.status, 200);
        await res.arrayBuffer();
        built = true;
      });
      const latencies: number[] = [];
      while (!built) {
        const t = performance.now();
        const res = await fetch(`${fresh.url}/healthz`);
        assert.equal(res.status, 200);
        await res.arrayBuffer();
        latencies.push(performance.now() - t);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await graph;
      const buildMs = performance.now() - started;
      assert.ok(latencies.length >= 3, `the build took ${buildMs.toFixed(0)} ms: too short to watch`);
      // on a quiet machine the worst is a few ms; on a loaded one the bound grows with the build,
      // which a synchronous build (the whole build time) cannot meet
      const worst = Math.max(...latencies);
      const bound = Math.max(100, buildMs / 5);
      assert.ok(
        worst < bound,
        `/healthz took up to ${worst.toFixed(0)} ms while the graphs were built (${buildMs.toFixed(0)} ms); bound ${bound.toFixed(0)} ms`,
      );
    } finally {
      await fresh.close();
    }
  });
});
