#!/usr/bin/env node
// @ts-check
// `npm run bench:serve`: load on POST /v1/predict from autocannon, at 1, 16 and 64 connections,
// against `onnxgrad serve` in its own process (so the load generator does not share its event
// loop), once with micro-batching (--max-batch 64) and once without (--max-batch 1).
// Prints a table and writes JSON (default artifacts/bench/serve.json).
//   node test/bench/serve-load.mjs [--model FILE] [--duration 5] [--threads N] [--out FILE]
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..', '..');
const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    threads: { type: 'string' },
    duration: { type: 'string', default: '5' },
    out: { type: 'string', default: join(root, 'artifacts', 'bench', 'serve.json') },
  },
});
const duration = Number(values.duration);
const CONNECTIONS = [1, 16, 64];
const CONFIGS = [
  { name: 'micro-batching', maxBatch: 64 },
  { name: 'no batching', maxBatch: 1 },
];

/** The practical's CNN as an inference model (untrained weights time the same as trained ones). */
async function modelPath() {
  if (values.model) return resolve(values.model);
  const { buildInferenceGraph } = await import(join(root, 'dist/graphs/mnist-cnn.js'));
  const { cnnConfig } = await import(join(root, 'dist/graphs/cnn-config.js'));
  const { exportModel } = await import(join(root, 'dist/src/onnx/export.js'));
  const file = join(mkdtempSync(join(tmpdir(), 'onnxgrad-bench-')), 'model.onnx');
  writeFileSync(file, exportModel(buildInferenceGraph(cnnConfig())));
  return file;
}

/** @returns {Promise<string>} a real test digit as the JSON body */
async function body() {
  const { loadDataset } = await import(join(root, 'dist/src/data/datasets.js'));
  const test = loadDataset({ dataset: 'mnist' }).test;
  return JSON.stringify({ pixels: Array.from(test.images.subarray(0, 784)) });
}

/** @param {string} model @param {number} maxBatch */
async function startServer(model, maxBatch) {
  const child = spawn(
    process.execPath,
    [
      join(root, 'dist/cli/main.js'),
      'serve',
      '--model',
      model,
      '--port',
      '0',
      '--max-batch',
      String(maxBatch),
      ...(values.threads ? ['--threads', values.threads] : []),
      '--json',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const line = await new Promise((ok, fail) => {
    createInterface({ input: /** @type {import('node:stream').Readable} */ (child.stdout) }).once('line', ok);
    child.once('exit', (code) => fail(new Error(`onnxgrad serve exited with ${code}`)));
  });
  const { url } = JSON.parse(/** @type {string} */ (line));
  return {
    url: /** @type {string} */ (url),
    stop: () =>
      new Promise((ok) => {
        child.once('exit', ok);
        child.kill('SIGTERM');
      }),
  };
}

/** @param {string} url */
async function stats(url) {
  return /** @type {{ stats: { runs: number; images: number } }} */ (await (await fetch(`${url}/healthz`)).json())
    .stats;
}

const model = await modelPath();
const payload = await body();
const rows = [];
for (const config of CONFIGS) {
  const server = await startServer(model, config.maxBatch);
  try {
    for (const connections of CONNECTIONS) {
      const before = await stats(server.url);
      const result = await autocannon({
        url: `${server.url}/v1/predict`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: payload,
        connections,
        duration,
      });
      const after = await stats(server.url);
      const runs = after.runs - before.runs;
      rows.push({
        config: config.name,
        maxBatch: config.maxBatch,
        connections,
        requestsPerSecond: Math.round(result.requests.average),
        p50Ms: result.latency.p50,
        p99Ms: result.latency.p99,
        meanBatch: runs ? Math.round(((after.images - before.images) / runs) * 10) / 10 : 0,
        errors: result.errors + result.non2xx,
      });
    }
  } finally {
    await server.stop();
  }
}

const header = ['config', 'connections', 'req/s', 'p50 ms', 'p99 ms', 'mean batch', 'errors'];
const table = [
  header,
  ...rows.map((r) =>
    [r.config, r.connections, r.requestsPerSecond, r.p50Ms, r.p99Ms, r.meanBatch, r.errors].map(String),
  ),
];
const widths = header.map((_, c) => Math.max(...table.map((r) => r[c]?.length ?? 0)));
for (const [i, r] of table.entries()) {
  console.log(r.map((v, c) => (c === 0 ? v.padEnd(widths[c] ?? 0) : v.padStart(widths[c] ?? 0))).join('  '));
  if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
}
mkdirSync(dirname(values.out), { recursive: true });
const machine = { cpus: cpus().length, cpu: cpus()[0]?.model ?? '', node: process.version };
writeFileSync(
  values.out,
  `${JSON.stringify({ date: new Date().toISOString(), machine, durationSeconds: duration, threads: values.threads ?? 'default', model, rows }, null, 2)}\n`,
);
console.log(`\nwrote ${values.out} (${machine.cpus} CPUs, ${machine.cpu})`);
