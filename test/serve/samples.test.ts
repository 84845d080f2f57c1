// The gallery's test images are read off the event loop, from start-up: while the test-images
// file cannot be read yet (a named pipe whose writer comes 3 s later), /healthz still answers at
// once, and /v1/test-samples answers as soon as the file has arrived. Reading it synchronously
// would hold the whole server until then.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { cnnConfig } from '../../graphs/cnn-config.js';
import { buildInferenceGraph } from '../../graphs/mnist-cnn.js';
import { CLASS_NAMES } from '../../src/data/sources.js';
import { MNIST_NORMALIZATION } from '../../src/data/normalize.js';
import { exportModel } from '../../src/onnx/export.js';
import { startServer } from '../../src/serve/server.js';
import { rawRequest } from './client.js';

/** An IDX file of unsigned bytes with the given dimensions (big-endian sizes). */
function idx(dims: number[], data: Uint8Array): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt8(0x08, 2);
  header.writeUInt8(dims.length, 3);
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, data]);
}

test('test samples load off the event loop: /healthz answers while the file is not readable yet', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'onnxgrad-samples-'));
  const count = 100;
  const images = Uint8Array.from({ length: count * 784 }, (_, i) => (i * 31) % 256);
  const labels = Uint8Array.from({ length: count }, (_, i) => i % 10);
  writeFileSync(join(dir, 'train-images-idx3-ubyte'), idx([count, 28, 28], images));
  writeFileSync(join(dir, 'train-labels-idx1-ubyte'), idx([count], labels));
  writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), idx([count], labels));
  const payload = join(dir, 'payload');
  writeFileSync(payload, idx([count, 28, 28], images));
  const pipe = join(dir, 't10k-images-idx3-ubyte');
  const made = spawnSync('mkfifo', [pipe]);
  assert.equal(made.status, 0, `mkfifo: ${made.stderr?.toString() ?? made.error?.message}`);
  // the model carries its normalisation, so nothing needs the dataset at start-up
  const model = join(dir, 'model.onnx');
  const metadata = {
    dataset: 'mnist',
    classNames: JSON.stringify(CLASS_NAMES.mnist),
    normalization: JSON.stringify(MNIST_NORMALIZATION),
  };
  writeFileSync(model, exportModel(buildInferenceGraph(cnnConfig()), { metadata }));

  const server = await startServer({
    modelPath: model,
    port: 0,
    webRoot: '/nonexistent',
    dataSource: { dataDir: dir },
  });
  const writer = spawn('sh', ['-c', 'sleep 3; cat "$0" > "$1"', payload, pipe], { stdio: 'ignore' });
  try {
    const started = performance.now();
    const samples = rawRequest(server.url, 'GET', '/v1/test-samples?count=3&offset=98');
    const health = await rawRequest(server.url, 'GET', '/healthz');
    const healthMs = performance.now() - started;
    assert.equal(health.status, 200);
    assert.ok(healthMs < 1500, `/healthz took ${healthMs.toFixed(0)} ms while the test images were unreadable`);
    const res = await samples;
    assert.ok(performance.now() - started >= 2000, 'the samples came before their file was written');
    assert.equal(res.status, 200, res.body.toString());
    const body = res.json() as { total: number; samples: { index: number; label: number; pixels: number[] }[] };
    assert.equal(body.total, count);
    assert.deepEqual(
      body.samples.map((s) => [s.index, s.label]),
      [
        [98, 8],
        [99, 9],
        [0, 0],
      ],
    );
    assert.deepEqual(body.samples[2]!.pixels, Array.from(images.subarray(0, 784)));
  } finally {
    writer.kill();
    await server.close();
  }
});
