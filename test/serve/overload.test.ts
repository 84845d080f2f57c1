// Load shedding: a full queue, too many predictions in flight, a deadline, slow headers, and a
// graceful SIGTERM of `onnxgrad serve`. Every refusal is a 503 with Retry-After, never a hang.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { connect } from 'node:net';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startServer } from '../../src/serve/server.js';
import { postJson, rawRequest } from './client.js';
import { syntheticDigit, testModelPath } from './fixtures.js';

const MAIN = fileURLToPath(new URL('../../cli/main.js', import.meta.url));
const digitJson = JSON.stringify({ pixels: syntheticDigit(0) });

/** A POST whose headers and first half go out now; `finish()` sends the rest; resolves with status and body. */
function halfSent(url: string, body = digitJson) {
  const { hostname, port } = new URL(url);
  const bytes = Buffer.from(body);
  let finish = (): void => undefined;
  const answer = new Promise<{ status: number; body: string; headers: Record<string, unknown> }>((resolve, reject) => {
    const req = request(
      {
        host: hostname,
        port,
        method: 'POST',
        path: '/v1/predict',
        agent: false,
        headers: { 'Content-Type': 'application/json', 'Content-Length': bytes.length },
      },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.write(bytes.subarray(0, bytes.length >> 1));
    finish = () => void req.end(bytes.subarray(bytes.length >> 1));
  });
  return { answer, finish: () => finish() };
}

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('a request that would overfill the queue is answered 503 with Retry-After', async () => {
  const server = await startServer({ modelPath: testModelPath(), port: 0, maxQueue: 4 });
  try {
    const images = [0, 1, 2, 3, 4].map(syntheticDigit);
    const res = await postJson(server.url, { images });
    assert.equal(res.status, 503, res.body.toString());
    assert.equal(res.headers['retry-after'], '1');
    assert.match((res.json() as { error: string }).error, /overloaded \(0 images waiting for the model\)/);
    assert.equal((await postJson(server.url, { images: images.slice(0, 4) })).status, 200);
    assert.equal(server.stats().shed, 1);
  } finally {
    await server.close();
  }
});

test('beyond maxPending predictions in flight, the next is answered 503 at once; the others finish', async () => {
  const server = await startServer({ modelPath: testModelPath(), port: 0, maxPending: 2 });
  try {
    const slow = [halfSent(server.url), halfSent(server.url)];
    while (server.stats().pending < 2) await settle(5);
    const res = await postJson(server.url, { pixels: syntheticDigit(1) });
    assert.equal(res.status, 503);
    assert.equal(res.headers['retry-after'], '1');
    assert.match((res.json() as { error: string }).error, /2 predictions in flight/);
    for (const s of slow) s.finish();
    for (const s of slow) assert.equal((await s.answer).status, 200);
    assert.equal((await postJson(server.url, { pixels: syntheticDigit(1) })).status, 200);
  } finally {
    await server.close();
  }
});

test('request bodies beyond the memory budget are answered 503', async () => {
  // room for one body of this size, not two
  const server = await startServer({ modelPath: testModelPath(), port: 0, maxBodyMemory: digitJson.length + 100 });
  try {
    const slow = halfSent(server.url); // its declared length is held while it arrives
    while (server.stats().pending < 1) await settle(5);
    const res = await postJson(server.url, { pixels: syntheticDigit(2) });
    assert.equal(res.status, 503);
    assert.match((res.json() as { error: string }).error, /bytes of request bodies in memory/);
    slow.finish();
    assert.equal((await slow.answer).status, 200);
  } finally {
    await server.close();
  }
});

test('a prediction not answered by its deadline is answered 503', async () => {
  const server = await startServer({ modelPath: testModelPath(), port: 0, deadlineMs: 150 });
  try {
    const late = halfSent(server.url);
    await settle(400);
    late.finish();
    const res = await late.answer;
    assert.equal(res.status, 503, res.body);
    assert.equal(res.headers['retry-after'], '1');
    assert.match(res.body, /not answered within the 150 ms deadline/);
    assert.equal((await postJson(server.url, { pixels: syntheticDigit(3) })).status, 200);
  } finally {
    await server.close();
  }
});

test('headers that do not arrive in time: 408 and the connection is closed', async () => {
  const server = await startServer({
    modelPath: testModelPath(),
    port: 0,
    headersTimeoutMs: 300,
    requestTimeoutMs: 600,
  });
  try {
    const { hostname, port } = new URL(server.url);
    const socket = connect(Number(port), hostname);
    socket.write('POST /v1/predict HTTP/1.1\r\nHost: x\r\n'); // and never the blank line
    const started = performance.now();
    const reply = await new Promise<string>((resolve) => {
      let text = '';
      socket.on('data', (d: Buffer) => (text += d.toString()));
      socket.on('close', () => resolve(text));
    });
    const waited = performance.now() - started;
    assert.match(reply, /^HTTP\/1\.1 408/);
    assert.ok(waited < 5000, `the slow client was cut after ${waited.toFixed(0)} ms`);
  } finally {
    await server.close();
  }
});

test('SIGTERM: in-flight requests are answered, new connections refused, exit status 0', async () => {
  const child = spawn(process.execPath, [MAIN, 'serve', '--model', testModelPath(), '--port', '0', '--json'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
  });
  const { url } = JSON.parse(line) as { url: string };
  assert.equal((await postJson(url, { pixels: syntheticDigit(4) })).status, 200);
  const inFlight = halfSent(url);
  await settle(200);
  child.kill('SIGTERM');
  await settle(300);
  await assert.rejects(rawRequest(url, 'GET', '/healthz'), /ECONNREFUSED/);
  inFlight.finish();
  const res = await inFlight.answer;
  assert.equal(res.status, 200, res.body);
  assert.equal(await exited, 0, stderr);
});
