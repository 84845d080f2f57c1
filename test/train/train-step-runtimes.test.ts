// The same training-step graph on onnxruntime-node (CPU EP) and on onnxruntime-web (WASM EP,
// inside Node), three steps from the same inputs, each runtime feeding its own outputs back:
// the losses and the parameters after three steps agree.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ortWeb from 'onnxruntime-web';
import { PRACTICAL_CNN } from '../../graphs/cnn-config.js';
import type { TensorArray, TensorData } from '../../src/ir/tensor.js';
import { exportModel } from '../../src/onnx/export.js';
import { createSession, fromOrtTensor, toOrtTensor } from '../../src/runtime/node.js';
import { buildTrainStep, nextName } from '../../src/train/train-step.js';
import { firstStepFeeds, nextStepFeeds, type TensorFeeds } from '../helpers/train-step-feeds.js';

const BATCH = 8;
const STEPS = 3;
/** Loss: relative. Parameters: |a - b| <= 1e-5 max(1, |b|) after three updates of at most lr each. */
const LOSS_TOLERANCE = 1e-4;
const PARAM_TOLERANCE = 1e-5;

ortWeb.env.wasm.numThreads = 1;

type Runner = (feeds: TensorFeeds) => Promise<Record<string, TensorData>>;

async function nodeRunner(bytes: Uint8Array): Promise<[Runner, () => Promise<void>]> {
  const session = await createSession(bytes, { threads: 1 });
  const run: Runner = async (feeds) => {
    const out = await session.run(Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, toOrtTensor(t)])));
    return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, fromOrtTensor(t)]));
  };
  return [run, () => session.release()];
}

async function webRunner(bytes: Uint8Array): Promise<[Runner, () => Promise<void>]> {
  const session = await ortWeb.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  const run: Runner = async (feeds) => {
    const inputs = Object.fromEntries(
      Object.entries(feeds).map(([k, t]) => {
        const tensor =
          t.dtype === 'int64'
            ? new ortWeb.Tensor('int64', t.data as BigInt64Array, [...t.dims])
            : new ortWeb.Tensor('float32', t.data as Float32Array, [...t.dims]);
        return [k, tensor];
      }),
    );
    const out = await session.run(inputs);
    // copy out of the WASM heap before the next run reuses it
    return Object.fromEntries(
      Object.entries(out).map(([k, t]) => [
        k,
        { dtype: 'float32', dims: [...t.dims], data: (t.data as Float32Array).slice() as TensorArray },
      ]),
    );
  };
  return [run, () => session.release()];
}

// adam only: the default optimizer, and the one whose update (m / sqrt(v)) amplifies small
// differences between the runtimes' gradients the most; the optimizers themselves are checked in test/optim.
for (const optimizer of ['adam']) {
  test(`${optimizer}: ${STEPS} training steps agree on onnxruntime-node and onnxruntime-web (WASM)`, async (t) => {
    const ts = buildTrainStep(PRACTICAL_CNN, { optimizer, batchSize: BATCH });
    const bytes = exportModel(ts.graph, { parametersAs: 'inputs' });
    const first = firstStepFeeds(ts, { seed: 3, lr: 1e-3 });
    const params = ts.manifest.parameters.map((p) => p.name);

    const results: { losses: number[]; params: TensorFeeds; ms: number }[] = [];
    for (const make of [nodeRunner, webRunner]) {
      const [run, release] = await make(bytes);
      let feeds = first;
      const losses: number[] = [];
      const started = performance.now();
      for (let k = 0; k < STEPS; k++) {
        const out = await run(feeds);
        losses.push(out['loss']?.data[0] as number);
        feeds = nextStepFeeds(feeds, out);
        for (const p of params) assert.ok(out[nextName(p)], `no ${nextName(p)}`);
      }
      results.push({ losses, params: feeds, ms: (performance.now() - started) / STEPS });
      await release();
    }
    const [node, web] = results as [(typeof results)[0], (typeof results)[0]];
    t.diagnostic(
      `losses node ${node.losses.map((l) => l.toFixed(6)).join(', ')}; web ${web.losses.map((l) => l.toFixed(6)).join(', ')}`,
    );
    t.diagnostic(`ms per step (batch ${BATCH}, 1 thread): node ${node.ms.toFixed(1)}, web ${web.ms.toFixed(1)}`);
    node.losses.forEach((l, k) => {
      const w = web.losses[k] as number;
      assert.ok(Math.abs(l - w) <= LOSS_TOLERANCE * Math.abs(l), `step ${k + 1}: loss ${l} (node) vs ${w} (web)`);
    });
    assert.ok(
      (node.losses[STEPS - 1] as number) < (node.losses[0] as number),
      'the loss did not go down on the same batch',
    );

    let worst = 0;
    for (const p of params) {
      const a = node.params[p]?.data as Float32Array;
      const b = web.params[p]?.data as Float32Array;
      const start = first[p]?.data as Float32Array;
      assert.ok(
        a.some((v, i) => v !== start[i]),
        `${p} did not change`,
      );
      for (let i = 0; i < a.length; i++) {
        const error = Math.abs((a[i] as number) - (b[i] as number)) / Math.max(1, Math.abs(b[i] as number));
        worst = Math.max(worst, error);
        assert.ok(error <= PARAM_TOLERANCE, `${p}[${i}]: ${a[i]} (node) vs ${b[i]} (web)`);
      }
    }
    t.diagnostic(`max parameter difference after ${STEPS} steps: ${worst.toExponential(2)}`);
  });
}
