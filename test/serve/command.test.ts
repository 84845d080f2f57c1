// `onnxgrad serve` as a user runs it: a child process that prints its address, answers, and on
// SIGTERM finishes the request in flight before it exits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { rawRequest } from './client.js';
import { syntheticDigit, testModelPath } from './fixtures.js';

const MAIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'cli', 'main.js');

test('onnxgrad serve: prints its URL, serves, and stops gracefully on SIGTERM', async () => {
  const child = spawn(process.execPath, [MAIN, 'serve', '--model', testModelPath(), '--port', '0', '--json'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', () => reject(new Error(`serve exited early: ${stderr}`)));
  });
  const { url, model } = JSON.parse(line) as { url: string; model: { name: string } };
  assert.equal(model.name, 'model.onnx');
  assert.equal((await rawRequest(url, 'GET', '/healthz')).status, 200);

  // a request whose body is only half sent when SIGTERM arrives must still be answered
  const body = JSON.stringify({ pixels: syntheticDigit(2) });
  const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
    const u = new URL(url);
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        method: 'POST',
        path: '/v1/predict',
        headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.write(body.slice(0, 100));
    setTimeout(() => {
      child.kill('SIGTERM');
      setTimeout(() => req.end(body.slice(100)), 200);
    }, 100);
  });
  const res = await answer;
  assert.equal(res.status, 200, res.text);
  assert.equal((JSON.parse(res.text) as { predictions: unknown[] }).predictions.length, 1);
  assert.equal(await exited, 0);
});

test('onnxgrad serve: a missing model is a one-line error', async () => {
  const child = spawn(process.execPath, [MAIN, 'serve', '--model', '/nonexistent/model.onnx', '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  assert.equal(code, 1);
  assert.match(stderr, /^onnxgrad: error: cannot read the model \/nonexistent\/model.onnx/);
});
