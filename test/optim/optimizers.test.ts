// Each optimizer's emitted update, run in ONNX Runtime (float32) for three steps, against a
// float64 TypeScript transcription of PyTorch's update (torch.optim, single-tensor path).
// lr and step are graph inputs: the third step changes lr on the same session, no rebuild.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Mulberry32 } from '../../src/data/random.js';
import { Graph } from '../../src/ir/graph.js';
import { exportModel } from '../../src/onnx/export.js';
import { createOptimizer, OPTIMIZER_NAMES, type Optimizer } from '../../src/optim/index.js';
import { createSession, float32Tensor } from '../../src/runtime/node.js';

const DIMS = [2, 3];
const LRS = [0.1, 0.1, 0.03];
/** float32 keeps about 7 digits; parameters are O(1) and updates O(lr). */
const TOLERANCE = { abs: 1e-6, rel: 1e-5 };

type State = Float64Array[];

/** One update of PyTorch's optimizer `name` with our hyper-parameters, in float64. */
function torchStep(
  name: string,
  hyper: Readonly<Record<string, number>>,
  p: Float64Array,
  g: Float64Array,
  state: State,
  lr: number,
  t: number,
): void {
  const h = (k: string) => {
    const v = hyper[k];
    if (v === undefined) throw new Error(`${name}: no hyper-parameter ${k}`);
    return v;
  };
  for (let i = 0; i < p.length; i++) {
    const gi = g[i] as number;
    let pi = p[i] as number;
    switch (name) {
      case 'sgd':
        pi -= lr * gi;
        break;
      case 'momentum':
      case 'nesterov': {
        // torch: buf = g on the first step, then buf = mu buf + (1 - dampening) g, dampening 0
        const mu = h('momentum');
        const buf = t === 1 ? gi : mu * (state[0]![i] as number) + gi;
        state[0]![i] = buf;
        pi -= lr * (name === 'nesterov' ? gi + mu * buf : buf);
        break;
      }
      case 'rmsprop': {
        const sq = h('alpha') * (state[0]![i] as number) + (1 - h('alpha')) * gi * gi;
        state[0]![i] = sq;
        pi -= (lr * gi) / (Math.sqrt(sq) + h('eps'));
        break;
      }
      case 'adam':
      case 'adamw': {
        if (name === 'adamw') pi *= 1 - lr * h('weightDecay');
        const m = h('beta1') * (state[0]![i] as number) + (1 - h('beta1')) * gi;
        const v = h('beta2') * (state[1]![i] as number) + (1 - h('beta2')) * gi * gi;
        state[0]![i] = m;
        state[1]![i] = v;
        const stepSize = lr / (1 - h('beta1') ** t);
        const denom = Math.sqrt(v) / Math.sqrt(1 - h('beta2') ** t) + h('eps');
        pi -= (stepSize * m) / denom;
        break;
      }
      default:
        throw new Error(`no reference for optimizer ${name}`);
    }
    p[i] = pi;
  }
}

function buildUpdate(optimizer: Optimizer): Uint8Array {
  const g = new Graph(`update_${optimizer.name}`);
  const lr = g.input('lr', 'float32', []);
  const step = g.input('step', 'float32', []);
  const param = g.input('param', 'float32', DIMS);
  const grad = g.input('grad', 'float32', DIMS);
  const state = optimizer.slots.map((slot) => g.input(`state.${slot}`, 'float32', DIMS));
  const next = optimizer.prepare({ lr, step })({ param, grad, state });
  g.output(next.param, 'next.param');
  next.state.forEach((s, i) => g.output(s, `next.state.${optimizer.slots[i] as string}`));
  return exportModel(g);
}

function assertClose(actual: Float32Array, expected: Float64Array, what: string): number {
  let worst = 0;
  expected.forEach((e, i) => {
    const a = actual[i] as number;
    const err = Math.abs(a - e);
    worst = Math.max(worst, err / (TOLERANCE.abs + TOLERANCE.rel * Math.abs(e)));
    assert.ok(err <= TOLERANCE.abs + TOLERANCE.rel * Math.abs(e), `${what}[${i}]: ORT ${a}, reference ${e}`);
  });
  return worst;
}

test('the optimizers keep PyTorch defaults', () => {
  assert.deepEqual(createOptimizer('adam').hyper, { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 });
  assert.deepEqual(createOptimizer('adamw').hyper, { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 });
  assert.deepEqual(createOptimizer('rmsprop').hyper, { alpha: 0.99, eps: 1e-8 });
});

for (const name of OPTIMIZER_NAMES) {
  test(`${name}: three updates in ORT match PyTorch's formulas in float64, and a new lr takes effect`, async (t) => {
    const optimizer = createOptimizer(name);
    const session = await createSession(buildUpdate(optimizer), { threads: 1 });
    const rng = new Mulberry32(7);
    const n = DIMS[0]! * DIMS[1]!;
    const signed = (lo: number, hi: number) => (rng.next() < 0.5 ? -1 : 1) * (lo + (hi - lo) * rng.next());
    const start = Float32Array.from({ length: n }, () => signed(0.2, 1));
    const grads = LRS.map(() => Float32Array.from({ length: n }, () => signed(0.1, 2)));

    let param: Float32Array = start;
    let state: Float32Array[] = optimizer.slots.map(() => new Float32Array(n));
    const ref = Float64Array.from(start);
    const refState: State = optimizer.slots.map(() => new Float64Array(n));
    const constantLr = Float64Array.from(start); // the reference had lr never changed
    const constantLrState: State = optimizer.slots.map(() => new Float64Array(n));
    let worst = 0;
    for (let k = 0; k < LRS.length; k++) {
      const lr = LRS[k] as number;
      const grad = grads[k] as Float32Array;
      const feeds = {
        lr: float32Tensor(Float32Array.of(lr), []),
        step: float32Tensor(Float32Array.of(k + 1), []),
        param: float32Tensor(param, DIMS),
        grad: float32Tensor(grad, DIMS),
        ...Object.fromEntries(
          optimizer.slots.map((slot, i) => [`state.${slot}`, float32Tensor(state[i] as Float32Array, DIMS)]),
        ),
      };
      const out = await session.run(feeds);
      param = out['next.param']?.data as Float32Array;
      state = optimizer.slots.map((slot) => out[`next.state.${slot}`]?.data as Float32Array);
      torchStep(name, optimizer.hyper, ref, Float64Array.from(grad), refState, lr, k + 1);
      torchStep(name, optimizer.hyper, constantLr, Float64Array.from(grad), constantLrState, LRS[0] as number, k + 1);
      worst = Math.max(worst, assertClose(param, ref, `step ${k + 1} param`));
      state.forEach((s, i) => {
        const stored = (refState[i] as Float64Array).map((v) => v * (optimizer.stateScale?.[i] ?? 1));
        worst = Math.max(worst, assertClose(s, stored, `step ${k + 1} ${optimizer.slots[i] as string}`));
      });
    }
    await session.release();
    t.diagnostic(`worst error / tolerance: ${worst.toFixed(3)} (tolerance ${TOLERANCE.abs} + ${TOLERANCE.rel}·|ref|)`);
    const lrEffect = Math.max(...ref.map((v, i) => Math.abs(v - (constantLr[i] as number))));
    assert.ok(lrEffect > 100 * TOLERANCE.abs, `changing lr on step 3 moved the parameters by only ${lrEffect}`);
    assert.ok(
      start.some((v, i) => v !== param[i]),
      'the parameters did not change',
    );
  });
}
