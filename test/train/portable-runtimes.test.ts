// Every gradient case of the portable form, forward and backward in one small graph, runs on
// onnxruntime-node and on onnxruntime-web's WASM EP and matches the float64 reference; and every
// node of it is in the portable op list. (WebGPU: test/browser/portable-webgpu.test.ts.)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSession, fromOrtTensor, toOrtTensor } from '../../src/runtime/node.js';
import { createWebSession, toWebTensor } from '../../src/runtime/web.js';
import { compareOutputs, type PortableCase, portableCases, RUNTIME_TOLERANCE } from '../helpers/portable-cases.js';

type Outputs = Record<string, ArrayLike<number>>;

async function runNode(c: PortableCase): Promise<Outputs> {
  const session = await createSession(c.bytes, { threads: 1 });
  try {
    const feeds = Object.fromEntries(Object.entries(c.feeds).map(([k, t]) => [k, toOrtTensor(t)]));
    const out = await session.run(feeds);
    return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, fromOrtTensor(t).data as Float32Array]));
  } finally {
    await session.release();
  }
}

async function runWasm(c: PortableCase): Promise<Outputs> {
  const session = await createWebSession(c.bytes, { threads: 1 });
  try {
    const feeds = Object.fromEntries(Object.entries(c.feeds).map(([k, t]) => [k, toWebTensor(t)]));
    const out = await session.run(feeds);
    // copied out of the WASM heap before the session is released
    return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, (t.data as Float32Array).slice()]));
  } finally {
    await session.release();
  }
}

for (const c of portableCases()) {
  test(`portable form of ${c.name}: only portable ops, same outputs on onnxruntime-node and WASM`, async (t) => {
    assert.deepEqual(c.problems, []);
    for (const [runtime, run] of [
      ['onnxruntime-node', runNode],
      ['onnxruntime-web WASM', runWasm],
    ] as const) {
      const { error, output } = compareOutputs(c, await run(c));
      t.diagnostic(`${runtime}: max relative error ${error.toExponential(2)}${output ? ` (${output})` : ''}`);
      assert.ok(error <= RUNTIME_TOLERANCE, `${runtime}: ${output} off by ${error} > ${RUNTIME_TOLERANCE}`);
    }
  });
}
