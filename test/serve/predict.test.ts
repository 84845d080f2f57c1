// POST /v1/predict: PNG and JSON inputs, batches, micro-batching, and every kind of bad input.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent } from 'node:http';
import { startServer, type ServeHandle } from '../../src/serve/server.js';
import { assertClose, postJson, predictionsOf, rawRequest } from './client.js';
import { normalise, pngOf, referenceProbabilities, syntheticDigit, testModelPath } from './fixtures.js';

describe('POST /v1/predict', () => {
  let server: ServeHandle;
  before(async () => {
    server = await startServer({ modelPath: testModelPath(), port: 0, batchWaitMs: 10, maxBodyBytes: 64 * 1024 });
  });
  after(() => server.close());

  test('a PNG gives the same probabilities as onnxruntime-node on the normalised pixels', async () => {
    const pixels = syntheticDigit(1);
    const [expected] = await referenceProbabilities(testModelPath(), normalise(pixels));
    for (const colorType of [0, 2, 6] as const) {
      const res = await rawRequest(server.url, 'POST', '/v1/predict', pngOf(pixels, 28, 28, colorType), {
        'Content-Type': 'image/png',
      });
      assert.equal(res.status, 200, res.body.toString());
      const [p] = predictionsOf(res);
      assertClose(p!.probabilities, expected!, 1e-5, `colour type ${colorType}`);
      assert.equal(p!.className, String(p!.label));
      assert.equal(p!.probabilities.indexOf(Math.max(...p!.probabilities)), p!.label);
    }
  });

  test('JSON pixels, unit scale, inversion and a batch of images', async () => {
    const images = [0, 1, 2, 3, 4].map(syntheticDigit);
    const expected = await referenceProbabilities(testModelPath(), normalise(images.flat()));
    const one = predictionsOf(await postJson(server.url, { pixels: images[0] }));
    assertClose(one[0]!.probabilities, expected[0]!, 1e-5, 'pixels');
    const unit = predictionsOf(await postJson(server.url, { pixels: images[0]!.map((v) => v / 255), scale: 'unit' }));
    assertClose(unit[0]!.probabilities, expected[0]!, 1e-5, 'unit scale');
    const inverted = predictionsOf(
      await postJson(server.url, { pixels: images[0]!.map((v) => 255 - v), invert: true }),
    );
    assertClose(inverted[0]!.probabilities, expected[0]!, 1e-5, 'inverted');
    const batch = predictionsOf(await postJson(server.url, { images }));
    assert.equal(batch.length, 5);
    batch.forEach((p, i) => assertClose(p.probabilities, expected[i]!, 1e-5, `image ${i}`));
  });

  test('32 concurrent requests share model runs and each gets its own answer', async () => {
    const images = Array.from({ length: 32 }, (_, i) => syntheticDigit(i));
    const expected = await referenceProbabilities(testModelPath(), normalise(images.flat()));
    // 32 open keep-alive connections, so the requests reach the server together, as from 32 clients
    const agent = new Agent({ keepAlive: true, maxSockets: 32 });
    await Promise.all(images.map(() => rawRequest(server.url, 'GET', '/healthz', undefined, {}, agent)));
    const before = server.stats();
    const runsBefore = before.runs;
    const answers = await Promise.all(images.map((pixels) => postJson(server.url, { pixels }, agent)));
    agent.destroy();
    answers.forEach((res, i) => {
      assert.equal(res.status, 200);
      assertClose(predictionsOf(res)[0]!.probabilities, expected[i]!, 1e-5, `request ${i}`);
    });
    // what batching promises: the 32 requests, announced together, share a few runs (a run takes
    // what has arrived; the rest run together right after it), not one run each
    const after = server.stats();
    const runs = after.runs - runsBefore;
    assert.ok(runs <= 4, `32 requests took ${runs} model runs`);
    assert.equal(after.requests - before.requests, 32);
    assert.equal(after.images - before.images, 32);
    assert.ok(after.largestBatch >= 8, `largest batch ${after.largestBatch}`);
  });

  const bad: [string, () => [Uint8Array | string, Record<string, string>, string?], number, RegExp][] = [
    [
      'a PNG of another size with ?raw=1',
      () => [pngOf(syntheticDigit(0), 27, 28), { 'Content-Type': 'image/png' }, '/v1/predict?raw=1'],
      400,
      /27x28 pixels; with \?raw=1 the model takes 28x28/,
    ],
    ['not a PNG', () => ['hello', { 'Content-Type': 'image/png' }], 400, /not a valid PNG/],
    ['malformed JSON', () => ['{"pixels": [1, 2', { 'Content-Type': 'application/json' }], 400, /malformed JSON/],
    ['JSON that is not an object', () => ['[1, 2]', { 'Content-Type': 'application/json' }], 400, /JSON object/],
    [
      'too few pixels',
      () => [JSON.stringify({ pixels: [1, 2, 3] }), { 'Content-Type': 'application/json' }],
      400,
      /3 values/,
    ],
    [
      'a value over 255',
      () => [JSON.stringify({ pixels: new Array(784).fill(256) }), { 'Content-Type': 'application/json' }],
      400,
      /from 0 to 255/,
    ],
    [
      'a negative value',
      () => [JSON.stringify({ pixels: new Array(784).fill(-1) }), { 'Content-Type': 'application/json' }],
      400,
      /from 0 to 255/,
    ],
    [
      'NaN (as a string)',
      () => [JSON.stringify({ pixels: new Array(784).fill('NaN') }), { 'Content-Type': 'application/json' }],
      400,
      /must be a number/,
    ],
    [
      'null values',
      () => [JSON.stringify({ pixels: new Array(784).fill(null) }), { 'Content-Type': 'application/json' }],
      400,
      /must be a number/,
    ],
    [
      'unit scale over 1',
      () => [JSON.stringify({ pixels: new Array(784).fill(2), scale: 'unit' }), { 'Content-Type': 'application/json' }],
      400,
      /from 0 to 1/,
    ],
    [
      'unknown scale',
      () => [JSON.stringify({ pixels: new Array(784).fill(0), scale: 'big' }), { 'Content-Type': 'application/json' }],
      400,
      /scale/,
    ],
    ['no images', () => [JSON.stringify({ images: [] }), { 'Content-Type': 'application/json' }], 400, /empty/],
    ['wrong content type', () => ['x', { 'Content-Type': 'text/plain' }], 415, /Content-Type/],
    ['no content type', () => ['x', {}], 415, /Content-Type/],
    [
      'a body over the limit',
      () => [JSON.stringify({ pixels: new Array(30000).fill(255) }), { 'Content-Type': 'application/json' }],
      413,
      /limit/,
    ],
  ];
  for (const [what, make, status, message] of bad) {
    test(`${what} -> ${status}, and the server keeps serving`, async () => {
      const [body, headers, path = '/v1/predict'] = make();
      const res = await rawRequest(server.url, 'POST', path, body, headers);
      assert.equal(res.status, status, res.body.toString());
      assert.match(res.headers['content-type'] as string, /application\/json/);
      assert.match((res.json() as { error: string }).error, message);
      const ok = await postJson(server.url, { pixels: syntheticDigit(0) });
      assert.equal(ok.status, 200);
    });
  }

  test('a chunked body over the limit -> 413', async () => {
    const res = await rawRequest(server.url, 'POST', '/v1/predict', Buffer.alloc(100 * 1024, 32), {
      'Content-Type': 'application/json',
      'Transfer-Encoding': 'chunked',
    });
    assert.equal(res.status, 413);
  });

  test('GET on /v1/predict -> 405 with Allow; unknown endpoint -> 404', async () => {
    const res = await rawRequest(server.url, 'GET', '/v1/predict');
    assert.equal(res.status, 405);
    assert.equal(res.headers['allow'], 'POST');
    const missing = await rawRequest(server.url, 'GET', '/v1/nothing');
    assert.equal(missing.status, 404);
    assert.match((missing.json() as { error: string }).error, /no such endpoint/);
    assert.ok(server.stats().errors >= 2);
  });
});
