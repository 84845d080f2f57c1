#!/usr/bin/env node
// @ts-check
// `npm run bench:burst`: a burst of thousands of concurrent predictions on loopback against
// `onnxgrad serve` in its own process (test/serve/burst.ts): every answer must be 200 or 503, the
// server's memory bounded and /healthz (asked every 20 ms from a thread of its own) answered
// within 100 ms throughout. It stops by itself (a timeout per request and a deadline for the
// burst). Prints the figures (status counts, latencies, /healthz max and p99, the server's own
// longest event-loop delay, memory), says of each promise whether it holds, writes JSON (default
// artifacts/bench/serve-burst.json), and exits 1 when one is broken.
//   node test/bench/serve-burst.mjs [--count 5000] [--deadline-ms 60000] [--out FILE] [-- serve flags]
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..', '..');
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    count: { type: 'string', default: '5000' },
    'deadline-ms': { type: 'string', default: '60000' },
    out: { type: 'string', default: join(root, 'artifacts', 'bench', 'serve-burst.json') },
  },
});
const count = Number(values.count);
/** the server's resident memory may grow by less than this during the burst */
const MEMORY_BOUND_MIB = 300;
if (!Number.isInteger(count) || count < 1 || count > 20000) throw new Error('--count must be from 1 to 20000');

const { burst } = await import(join(root, 'dist/test/serve/burst.js'));
const { buildInferenceGraph } = await import(join(root, 'dist/graphs/mnist-cnn.js'));
const { cnnConfig } = await import(join(root, 'dist/graphs/cnn-config.js'));
const { exportModel } = await import(join(root, 'dist/src/onnx/export.js'));
const { loadDataset } = await import(join(root, 'dist/src/data/datasets.js'));
const model = join(mkdtempSync(join(tmpdir(), 'onnxgrad-burst-')), 'model.onnx');
writeFileSync(model, exportModel(buildInferenceGraph(cnnConfig())));
const body = JSON.stringify({ pixels: Array.from(loadDataset({ dataset: 'mnist' }).test.images.subarray(0, 784)) });

const load = loadavg()[0];
const result = await burst({ model, count, body, serveArgs: positionals, deadlineMs: Number(values['deadline-ms']) });
const other = Object.entries(result.statuses).filter(([s]) => s !== '200' && s !== '503');
console.log(
  `${count} concurrent predictions in ${result.seconds} s (load average ${load.toFixed(1)} before, ${loadavg()[0].toFixed(1)} after, ${cpus().length} CPUs):`,
);
console.log(`  answers: ${JSON.stringify(result.statuses)}`);
console.log(
  `  200s: p50 ${result.okMs.p50} ms, p99 ${result.okMs.p99} ms, max ${result.okMs.max} ms; 503s: p50 ${result.shedMs.p50} ms, max ${result.shedMs.max} ms`,
);
console.log(
  `  /healthz: ${result.healthz.checks} checks, max ${result.healthz.maxMs} ms, p99 ${result.healthz.p99Ms} ms, p50 ${result.healthz.p50Ms} ms, ${result.healthz.failures} failed`,
);
console.log(
  `  server event loop held at most ${result.server.eventLoopDelayMs.max} ms (p99 ${result.server.eventLoopDelayMs.p99} ms)`,
);
console.log(`  server memory (RSS): ${result.rssMiB.before} MiB before, ${result.rssMiB.peak} MiB at most`);
mkdirSync(dirname(values.out), { recursive: true });
const machine = { cpus: cpus().length, cpu: cpus()[0]?.model ?? '', node: process.version, loadAverage: load };
writeFileSync(
  values.out,
  `${JSON.stringify({ date: new Date().toISOString(), machine, serveArgs: positionals, ...result }, null, 2)}\n`,
);
console.log(`wrote ${values.out}`);
// the promises, each printed as holds or BROKEN
const grown = result.rssMiB.peak - result.rssMiB.before;
const criteria = [
  [`every answer 200 or 503`, other.length === 0, `others: ${JSON.stringify(Object.fromEntries(other))}`],
  [`memory bounded (grew ${grown.toFixed(1)} MiB; bound ${MEMORY_BOUND_MIB} MiB)`, grown < MEMORY_BOUND_MIB, ''],
  [
    `/healthz within 100 ms throughout (max ${result.healthz.maxMs} ms, ${result.healthz.failures} failed)`,
    result.healthz.failures === 0 && result.healthz.maxMs < 100,
    '',
  ],
];
for (const [what, holds, why] of criteria)
  console.log(`${holds ? 'holds ' : 'BROKEN'}  ${what}${holds || !why ? '' : `: ${why}`}`);
process.exitCode = criteria.every(([, holds]) => holds) ? 0 : 1;
