// The portable form's gradient cases on WebGPU (SwiftShader's software adapter in headless
// Chromium), in one page load: the page runs each small forward + backward graph with the
// onnxruntime-web WebGPU bundle and hands the outputs back, which must match the float64
// reference. ORT's verbose log says where the nodes ran: every node must be on the WebGPU EP (a
// CPU fallback would cost a copy each way on a real GPU). SwiftShader takes seconds a graph, so a
// case whose every node is of a kind (op, inputs, scalar attributes) that the practical's training
// step already runs on WebGPU (the training-page tests) is left to those tests.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { PRACTICAL_CNN } from '../../graphs/cnn-config.js';
import { buildTrainStep } from '../../src/train/train-step.js';
import { liveNodes } from '../../src/ir/graph.js';
import {
  compareOutputs,
  nodeKind,
  portableCase,
  PORTABLE_GRAD_CASES,
  RUNTIME_TOLERANCE,
} from '../helpers/portable-cases.js';
import { launch, ROOT } from './chromium.js';

const ORT_DIST = join(ROOT, 'node_modules', 'onnxruntime-web', 'dist');
const ORT_FILES = ['ort.webgpu.min.mjs', 'ort-wasm-simd-threaded.asyncify.mjs', 'ort-wasm-simd-threaded.asyncify.wasm'];

const PAGE = `<!doctype html><meta charset="utf-8"><title>portable ops</title><script type="module">
import * as ort from '/ort/ort.webgpu.min.mjs';
ort.env.wasm.wasmPaths = '/ort/';
ort.env.wasm.numThreads = 1;
const cases = await (await fetch('/cases.json')).json();
const results = [];
for (const [i, c] of cases.entries()) {
  try {
    console.log('portable case ' + i + ' start');
    const bytes = new Uint8Array(await (await fetch('/case/' + i + '.onnx')).arrayBuffer());
    const session = await ort.InferenceSession.create(bytes, { executionProviders: ['webgpu'], logSeverityLevel: 0 });
    const feeds = {};
    for (const [k, t] of Object.entries(c)) feeds[k] = new ort.Tensor('float32', Float32Array.from(t.data), t.dims);
    const out = await session.run(feeds);
    const outputs = {};
    for (const [k, t] of Object.entries(out)) outputs[k] = Array.from(await t.getData());
    await session.release();
    results.push({ outputs });
  } catch (e) {
    results.push({ error: String(e && e.message ? e.message : e) });
  }
}
globalThis.portableResults = results;
</script>`;

interface PageResult {
  readonly outputs?: Record<string, number[]>;
  readonly error?: string;
}

test(
  'on WebGPU, the portable form of the op variants the practical does not use gives the float64 reference outputs',
  { timeout: 600_000 },
  async (t) => {
    const practical = new Set(
      liveNodes(buildTrainStep(PRACTICAL_CNN, { optimizer: 'adam', batchSize: 8 }).graph).map(nodeKind),
    );
    const cases = PORTABLE_GRAD_CASES.map((gc, i) => portableCase(gc, i)).filter((c) =>
      [...c.kinds].some((k) => !practical.has(k)),
    );
    const feeds = cases.map((c) =>
      Object.fromEntries(
        Object.entries(c.feeds).map(([k, f]) => [k, { dims: f.dims, data: Array.from(f.data as Float32Array) }]),
      ),
    );
    const server: Server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const caseMatch = /^\/case\/(\d+)\.onnx$/.exec(path);
      const ortName = path.startsWith('/ort/') ? path.slice(5) : '';
      if (path === '/') res.writeHead(200, { 'Content-Type': 'text/html' }).end(PAGE);
      else if (path === '/cases.json')
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(feeds));
      else if (caseMatch && cases[Number(caseMatch[1])])
        res.writeHead(200, { 'Content-Type': 'application/octet-stream' }).end(cases[Number(caseMatch[1])]?.bytes);
      else if (ORT_FILES.includes(ortName))
        res
          .writeHead(200, { 'Content-Type': ortName.endsWith('.wasm') ? 'application/wasm' : 'text/javascript' })
          .end(readFileSync(join(ORT_DIST, ortName)));
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const browser = await launch({ webgpu: true });
    const log: string[] = [];
    browser.page.on('console', (m) => log.push(m.text()));
    try {
      const started = performance.now();
      await browser.page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      await browser.page.waitForFunction(() => 'portableResults' in globalThis, undefined, {
        timeout: 540_000,
        polling: 500,
      });
      const results = await browser.page.evaluate(
        () => (globalThis as unknown as { portableResults: PageResult[] }).portableResults,
      );
      t.diagnostic(`${cases.length} graphs in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      const failures: string[] = [];
      cases.forEach((c, i) => {
        const r = results[i];
        const from = log.indexOf(`portable case ${i} start`);
        const to = log.indexOf(`portable case ${i + 1} start`);
        const placement = (from < 0 ? [] : log.slice(from, to < 0 ? undefined : to)).filter((l) =>
          / placed on \[/.test(l),
        );
        if (!placement.some((l) => l.includes('All nodes placed on [WebGpuExecutionProvider]')))
          failures.push(`${c.name}: not all nodes on WebGPU: ${placement.join(' | ') || 'no placement in the log'}`);
        if (!r?.outputs) return failures.push(`${c.name}: ${r?.error ?? 'no result'}`);
        const { error, output } = compareOutputs(c, r.outputs);
        if (error > RUNTIME_TOLERANCE) failures.push(`${c.name}: ${output} off by ${error.toExponential(2)}`);
      });
      assert.deepEqual(failures, []);
    } finally {
      await browser.close();
      server.close();
    }
  },
);
