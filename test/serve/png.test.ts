// PNGs of every size: decompression bombs are refused from the IHDR chunk before anything is
// inflated, interlaced data may not inflate past its image, a digit drawn at 280x280 is prepared
// as MNIST's digits were (and as the browser demo prepares drawings), ?raw=1 takes 28x28 only.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { crc32, deflateSync } from 'node:zlib';
import { preprocessDrawing } from '../../src/data/digit-box.js';
import { decodePng, readPngHeader } from '../../src/serve/decode.js';
import { HttpError } from '../../src/serve/http.js';
import { startServer, type ServeHandle } from '../../src/serve/server.js';
import { assertClose, predictionsOf, rawRequest } from './client.js';
import { normalise, pngOf, referenceProbabilities, syntheticDigit, testModelPath } from './fixtures.js';

/** A PNG chunk: length, type, data, CRC-32 of type and data. */
function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** An 8-bit grey PNG of width x height whose image data is `inflated` (zeros by default) deflated. */
function greyPng(width: number, height: number, interlace: 0 | 1, inflated: Uint8Array): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 0, 0, 0, interlace], 8);
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(inflated, { level: 9 })),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

const decodeOptions = { side: 28, maxImages: 1 };

test('an 8000x8000 bomb (about 60 kB) is refused with 413 from its header in well under 10 ms', () => {
  const bomb = greyPng(8000, 8000, 0, new Uint8Array(8001 * 8000));
  assert.ok(bomb.length < 100_000, `${bomb.length} bytes`);
  // the best of five, so that a pause of a loaded machine is not counted as the refusal's cost
  let ms = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    assert.throws(
      () => decodePng(bomb, decodeOptions),
      (e: unknown) =>
        e instanceof HttpError && e.status === 413 && /8000x8000 pixels; the limit is 2048x2048/.test(e.message),
    );
    ms = Math.min(ms, performance.now() - started);
  }
  assert.ok(ms < 10, `refused in ${ms.toFixed(2)} ms`);
});

test('an interlaced 28x28 PNG whose data inflates to 50 MB is refused with 413', () => {
  const header = readPngHeader(greyPng(28, 28, 1, new Uint8Array(1)));
  // Adam7's seven passes over 28x28: rows x (1 filter byte + pixels) of 4x4, 4x3, 3x7, 7x7, 7x14, 14x14, 14x28
  assert.equal(header.inflatedBytes, 4 * 5 + 4 * 4 + 3 * 8 + 7 * 8 + 7 * 15 + 14 * 15 + 14 * 29);
  const bomb = greyPng(28, 28, 1, new Uint8Array(50_000_000));
  assert.throws(
    () => decodePng(bomb, decodeOptions),
    (e: unknown) => e instanceof HttpError && e.status === 413 && /inflates past the 837 bytes/.test(e.message),
  );
});

test('headers that are not PNG, or impossible ones, are 400', () => {
  const png = greyPng(28, 28, 0, new Uint8Array(29 * 28));
  const badDepth = Buffer.from(png);
  badDepth[24] = 3; // grey at 3 bits per sample does not exist
  const zero = greyPng(0, 28, 0, new Uint8Array(1));
  for (const [body, message] of [
    [Buffer.from('GIF89a........................................'), /no PNG signature/],
    [badDepth, /colour type 0 with bit depth 3/],
    [zero, /0x28 pixels/],
  ] as const)
    assert.throws(
      () => decodePng(body, decodeOptions),
      (e: unknown) => e instanceof HttpError && e.status === 400 && message.test(e.message),
    );
});

describe('PNGs through POST /v1/predict', () => {
  let server: ServeHandle;
  before(async () => {
    server = await startServer({ modelPath: testModelPath(), port: 0 });
  });
  after(() => server.close());
  const post = (body: Uint8Array, path = '/v1/predict') =>
    rawRequest(server.url, 'POST', path, body, { 'Content-Type': 'image/png' });

  test('a 280x280 drawing is scaled into 20x20, centred by its mass: the same answer as the browser demo', async () => {
    // the synthetic digit drawn ten times larger, off centre
    const big = new Array<number>(280 * 280).fill(0);
    const small = syntheticDigit(5);
    for (let y = 0; y < 280; y++)
      for (let x = 0; x < 280; x++) big[y * 280 + x] = small[Math.floor(y / 10) * 28 + Math.floor(x / 10)]!;
    const prepared = preprocessDrawing(
      Float32Array.from(big, (v) => v / 255),
      280,
      280,
    )!;
    const [expected] = await referenceProbabilities(testModelPath(), normalise(prepared));
    const res = await post(pngOf(big, 280, 280));
    assert.equal(res.status, 200, res.body.toString());
    assertClose(predictionsOf(res)[0]!.probabilities, expected!, 1e-5, '280x280');
    // a large one goes through the decoding worker and gives the same
    const huge = new Array<number>(1120 * 1120).fill(0);
    for (let y = 0; y < 1120; y++)
      for (let x = 0; x < 1120; x++) huge[y * 1120 + x] = big[Math.floor(y / 4) * 280 + Math.floor(x / 4)]!;
    const large = await post(pngOf(huge, 1120, 1120));
    assert.equal(large.status, 200, large.body.toString());
    const [expectedLarge] = await referenceProbabilities(
      testModelPath(),
      normalise(
        preprocessDrawing(
          Float32Array.from(huge, (v) => v / 255),
          1120,
          1120,
        )!,
      ),
    );
    assertClose(predictionsOf(large)[0]!.probabilities, expectedLarge!, 1e-5, '1120x1120');
  });

  test('?raw=1 takes 28x28 only; too large is 413; nothing drawn is 400', async () => {
    const raw = await post(pngOf(syntheticDigit(1), 280, 280), '/v1/predict?raw=1');
    assert.equal(raw.status, 400);
    assert.match((raw.json() as { error: string }).error, /280x280 pixels; with \?raw=1 the model takes 28x28/);
    assert.equal((await post(pngOf(syntheticDigit(1)), '/v1/predict?raw=1')).status, 200);
    const wide = await post(greyPng(4096, 1, 0, new Uint8Array(4097)));
    assert.equal(wide.status, 413);
    assert.match((wide.json() as { error: string }).error, /4096x1 pixels; the limit is 2048x2048/);
    const blank = await post(pngOf(new Array<number>(100 * 100).fill(0), 100, 100));
    assert.equal(blank.status, 400);
    assert.match((blank.json() as { error: string }).error, /no ink/);
  });
});
