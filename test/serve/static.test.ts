// Static files, /healthz, /model.onnx, /v1/test-samples, traversal, and graceful shutdown.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ORT_WEB_FILES } from '../../src/runtime/web-files.js';
import { startServer, type ServeHandle } from '../../src/serve/server.js';
import { postJson, rawRequest } from './client.js';
import { syntheticDigit, testModelPath } from './fixtures.js';

function webRoot(): string {
  const dir = mkdtempSync(join(tmpdir(), 'onnxgrad-web-'));
  writeFileSync(join(dir, 'secret.txt'), 'outside the root');
  const root = join(dir, 'dist');
  mkdirSync(join(root, 'assets'), { recursive: true });
  const files: Record<string, string> = {
    'index.html': '<!doctype html><title>demo</title>',
    'assets/main-abc123.js': 'export {};',
    'ort/ort-wasm-simd-threaded.asyncify.mjs': 'export {};',
    'ort/ort-wasm-simd-threaded.asyncify.wasm': '\0asm',
    'style.css': 'body {}',
    'icon.png': 'png',
    'data.json': '{}',
  };
  mkdirSync(join(root, 'ort'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(root, name), text);
  return root;
}

describe('static files and small endpoints', () => {
  let server: ServeHandle;
  before(async () => {
    server = await startServer({ modelPath: testModelPath(), port: 0, webRoot: webRoot() });
  });
  after(() => server.close());

  const types: [string, RegExp][] = [
    ['/', /^text\/html/],
    ['/index.html', /^text\/html/],
    ['/assets/main-abc123.js', /^text\/javascript/],
    ['/ort/ort-wasm-simd-threaded.asyncify.mjs', /^text\/javascript/],
    ['/ort/ort-wasm-simd-threaded.asyncify.wasm', /^application\/wasm$/],
    ['/style.css', /^text\/css/],
    ['/icon.png', /^image\/png$/],
    ['/data.json', /^application\/json/],
    ['/model.onnx', /^application\/octet-stream$/],
  ];
  for (const [path, type] of types) {
    test(`GET ${path}: its type, and COOP/COEP for WASM threads`, async () => {
      const res = await rawRequest(server.url, 'GET', path);
      assert.equal(res.status, 200);
      assert.match(res.headers['content-type'] as string, type);
      assert.equal(res.headers['cross-origin-opener-policy'], 'same-origin');
      assert.equal(res.headers['cross-origin-embedder-policy'], 'require-corp');
      assert.equal(Number(res.headers['content-length']), res.body.length);
    });
  }

  test('/model.onnx is the model file; hashed assets are cached, the page is not', async () => {
    const model = await rawRequest(server.url, 'GET', '/model.onnx');
    assert.deepEqual(model.body, readFileSync(testModelPath()));
    assert.match(
      (await rawRequest(server.url, 'GET', '/assets/main-abc123.js')).headers['cache-control'] as string,
      /immutable/,
    );
    assert.equal((await rawRequest(server.url, 'GET', '/')).headers['cache-control'], 'no-cache');
    const head = await rawRequest(server.url, 'HEAD', '/style.css');
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
  });

  for (const path of [
    '/../secret.txt',
    '/%2e%2e/secret.txt',
    '/assets/%2E%2E/%2e%2e/secret.txt',
    '/..%2fsecret.txt',
    '/%5c..%5csecret.txt',
    '/a%00b',
  ]) {
    test(`traversal ${path} is refused`, async () => {
      const res = await rawRequest(server.url, 'GET', path);
      assert.equal(res.status, 403);
      assert.doesNotMatch(res.body.toString(), /outside the root/);
    });
  }

  test('missing file -> 404, bad escape -> 400, POST on a static path -> 405', async () => {
    assert.equal((await rawRequest(server.url, 'GET', '/nothing.js')).status, 404);
    assert.equal((await rawRequest(server.url, 'GET', '/%E0%A4%A')).status, 400);
    const post = await rawRequest(server.url, 'POST', '/index.html', 'x', { 'Content-Type': 'text/plain' });
    assert.equal(post.status, 405);
    assert.equal(post.headers['allow'], 'GET, HEAD');
  });

  test('/healthz and /v1/info', async () => {
    const health = (await rawRequest(server.url, 'GET', '/healthz')).json() as { status: string };
    assert.equal(health.status, 'ok');
    const info = (await rawRequest(server.url, 'GET', '/v1/info')).json() as {
      classNames: string[];
      normalization: { mean: number };
    };
    assert.equal(info.classNames.length, 10);
    assert.equal(info.normalization.mean, 0.1307);
  });

  test('/v1/test-samples gives raw test images with labels', async () => {
    const res = await rawRequest(server.url, 'GET', '/v1/test-samples?count=3&offset=1');
    assert.equal(res.status, 200);
    const body = res.json() as { total: number; samples: { index: number; label: number; pixels: number[] }[] };
    assert.equal(body.total, 10000);
    assert.deepEqual(
      body.samples.map((s) => s.index),
      [1, 2, 3],
    );
    assert.deepEqual(
      body.samples.map((s) => s.label),
      [2, 1, 0],
    ); // the first test labels: 7 2 1 0
    assert.equal(body.samples[0]!.pixels.length, 784);
    assert.ok(body.samples[0]!.pixels.every((v) => Number.isInteger(v) && v >= 0 && v <= 255));
    assert.equal((await rawRequest(server.url, 'GET', '/v1/test-samples?count=0')).status, 400);
    assert.equal((await rawRequest(server.url, 'GET', '/v1/test-samples?dataset=cifar')).status, 400);
  });
});

test("a demo build without ort/ (the published package's) gets onnxruntime-web's own runtime files", async () => {
  const root = webRoot();
  rmSync(join(root, 'ort'), { recursive: true });
  const server = await startServer({ modelPath: testModelPath(), port: 0, webRoot: root });
  try {
    for (const name of ORT_WEB_FILES) {
      const res = await rawRequest(server.url, 'GET', `/ort/${name}`);
      assert.equal(res.status, 200, name);
      assert.match(
        res.headers['content-type'] as string,
        name.endsWith('.wasm') ? /^application\/wasm$/ : /^text\/javascript/,
      );
      assert.deepEqual(res.body, readFileSync(createRequire(import.meta.url).resolve(`onnxruntime-web/${name}`)));
    }
    assert.equal((await rawRequest(server.url, 'GET', '/ort/ort-wasm-simd-threaded.jsep.wasm')).status, 404);
    assert.equal((await rawRequest(server.url, 'GET', '/ort/../secret.txt')).status, 403);
  } finally {
    await server.close();
  }
});

describe('graceful shutdown', () => {
  test('close() finishes the request in flight, then refuses new connections', async () => {
    // a long batch wait keeps the request in the queue while close() starts
    const server = await startServer({
      modelPath: testModelPath(),
      port: 0,
      batchWaitMs: 300,
      webRoot: '/nonexistent',
    });
    const inFlight = postJson(server.url, { pixels: syntheticDigit(0) });
    await new Promise((r) => setTimeout(r, 50));
    const closed = server.close();
    const res = await inFlight;
    assert.equal(res.status, 200);
    assert.equal((res.json() as { predictions: unknown[] }).predictions.length, 1);
    await closed;
    await assert.rejects(rawRequest(server.url, 'GET', '/healthz'), /ECONNREFUSED/);
  });

  test('without a built demo, / says how to build it', async () => {
    const server = await startServer({ modelPath: testModelPath(), port: 0, webRoot: '/nonexistent' });
    try {
      const res = await rawRequest(server.url, 'GET', '/');
      assert.equal(res.status, 404);
      assert.match((res.json() as { error: string }).error, /npm run build:web/);
    } finally {
      await server.close();
    }
  });
});
