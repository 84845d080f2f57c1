// The practical's whole CNN (training graph, batch 4, a fixed dropout mask) with the portable
// softmax cross-entropy: the gradient of every parameter that ORT computes from our backward
// graph, against float64 central differences of the reference interpreter.
//  - 30 sampled elements of each weight and 12 of each bias (all 1.1M fc1 weights would take minutes);
//  - plus one directional derivative per parameter along a unit vector over ALL its elements,
//    which checks the full gradient tensor (every element contributes) with two probes;
//  - plus the backward graph itself evaluated by the float64 interpreter: it against the central
//    differences (the rules' exactness, <= 1e-6), and ORT against it on ALL elements, which shows
//    float32 rounding alone: there the floor is 1e-2 max|grad|, as elements near 1e-3 max|grad|
//    (sums that nearly cancel) carry absolute errors of a few float32 ulps of max|grad| (measured
//    up to 4.6e-7 max|grad|, i.e. up to 2.7e-4 against a 1e-3 floor); that absolute error must stay <= 1e-6 max|grad|.
// Error: |ort - ref| / max(|ref|, 1e-3 * max|ORT gradient of that parameter|); required <= 1e-4.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PRACTICAL_CNN } from '../../graphs/cnn-config.js';
import { buildCnn } from '../../graphs/mnist-cnn.js';
import { backward } from '../../src/autodiff/backward.js';
import { Mulberry32 } from '../../src/data/random.js';
import type { Value } from '../../src/ir/graph.js';
import { softmaxCrossEntropy } from '../../src/ops/loss.js';
import { float32Tensor, int64Tensor } from '../../src/runtime/node.js';
import {
  arrayRelativeError,
  finiteDifferences,
  maxAbs,
  parameterFeeds,
  relativeError,
  runWithOrt,
} from '../helpers/gradient-check.js';
import { evaluate, scalarOf } from '../helpers/reference-interpreter.js';
import { referenceForward } from '../helpers/reference-forward.js';
import { refTensor, type RefTensor } from '../helpers/reference-tensor.js';

const BATCH = 4;
const SAMPLES = { weight: 30, bias: 12 };
const TOLERANCE = 1e-4;
const EPS = 1e-6;

test('the practical CNN: ORT gradients of every parameter match float64 central differences', async (t) => {
  const config = PRACTICAL_CNN;
  const { graph, logits, dropoutNoise } = buildCnn(config, { training: true, batch: BATCH });
  const labels = graph.input('labels', 'int64', [BATCH]);
  const { loss } = softmaxCrossEntropy(logits, labels);
  const noiseValue = dropoutNoise[0] as Value;

  const rng = new Mulberry32(42);
  const image = Float32Array.from({ length: BATCH * config.inputSize * config.inputSize }, () => rng.next());
  const labelValues = Array.from({ length: BATCH }, () => Math.floor(rng.next() * config.classes));
  const noise = Float32Array.from({ length: (noiseValue.shape as number[]).reduce((a, b) => a * b, 1) }, () =>
    rng.next(),
  );

  const feeds: Record<string, RefTensor> = {
    ...parameterFeeds(graph),
    image: refTensor(graph.inputs[0]?.shape as number[], image, 'float32'),
    labels: refTensor([BATCH], labelValues, 'int64'),
    [noiseValue.name]: refTensor(noiseValue.shape as number[], noise, 'float32'),
  };
  const started = performance.now();
  const base = evaluate(graph, [loss], feeds);
  t.diagnostic(`reference forward pass: ${(performance.now() - started).toFixed(0)} ms`);
  const referenceLoss = scalarOf(base, loss);

  const params = [...graph.parameters.values()].map((p) => p.value);
  const grads = backward(loss, params);
  graph.output(loss, 'loss');
  for (const p of params) graph.output(grads.get(p) as Value, `grad.${p.name}`);
  const results = await runWithOrt(graph, {
    image: float32Tensor(image, graph.inputs[0]?.shape as number[]),
    labels: int64Tensor(BigInt64Array.from(labelValues, BigInt), [BATCH]),
    [noiseValue.name]: float32Tensor(noise, noiseValue.shape as number[]),
  });

  // the forward pass agrees three ways: ORT, the interpreter and the hand-written reference
  const weights = new Map([...graph.parameters].map(([name, p]) => [name, p.init]));
  const handLogits = referenceForward(config, weights, image, BATCH, { dropoutNoise: [noise] }).logits;
  const handLoss =
    -labelValues.reduce((s, label, n) => {
      const row = handLogits.subarray(n * config.classes, (n + 1) * config.classes);
      const max = Math.max(...row);
      return s + (row[label] as number) - max - Math.log(row.reduce((e, v) => e + Math.exp(v - max), 0));
    }, 0) / BATCH;
  const ortLoss = (results['loss']?.data as Float32Array)[0] as number;
  t.diagnostic(`loss: interpreter ${referenceLoss}, hand-written reference ${handLoss}, ORT ${ortLoss}`);
  assert.ok(
    Math.abs(referenceLoss - handLoss) <= 1e-12 * Math.abs(handLoss),
    `interpreter loss ${referenceLoss} vs hand-written ${handLoss}`,
  );
  assert.ok(
    Math.abs(ortLoss - referenceLoss) <= 1e-5 * Math.abs(referenceLoss),
    `ORT loss ${ortLoss} vs ${referenceLoss}`,
  );

  const t1 = performance.now();
  const interpreted = evaluate(graph, graph.outputs, feeds);
  t.diagnostic(`the backward graph in float64: ${(performance.now() - t1).toFixed(0)} ms`);
  const failures: string[] = [];
  for (const p of params) {
    const float64 = (interpreted.get(grads.get(p) as Value) as RefTensor).data;
    const analytic = results[`grad.${p.name}`]?.data as Float32Array;
    const value = feeds[p.name] as RefTensor;
    assert.equal(analytic.length, value.data.length, `gradient size of ${p.name}`);
    const scale = maxAbs(analytic);
    const sampled = new Set<number>();
    const samples = p.name.endsWith('.bias') ? SAMPLES.bias : SAMPLES.weight;
    while (sampled.size < Math.min(samples, value.data.length)) sampled.add(Math.floor(rng.next() * value.data.length));
    const t0 = performance.now();
    const reference = finiteDifferences(graph, loss, p.name, value, sampled, base, EPS);
    const sampleError = relativeError(analytic, reference, scale);
    const float64SampleError = relativeError(float64, reference, scale);
    const fullError = arrayRelativeError(analytic, float64, scale, 1e-2);
    const fullError3 = arrayRelativeError(analytic, float64, scale, 1e-3);
    const absoluteError = arrayRelativeError(analytic, float64, scale, 1); // about max |a - b| / max|grad|

    // a unit direction d over every element, d_i = sign(g_i) u_i / |.|: dL/dd = sum g_i d_i
    const u = Float64Array.from(analytic, (g) => (g < 0 ? -1 : 1) * (0.5 + 0.5 * rng.next()));
    const norm = Math.sqrt(u.reduce((s, v) => s + v * v, 0));
    u.forEach((v, i) => (u[i] = v / norm));
    const probe = (sign: number) =>
      scalarOf(
        evaluate(
          graph,
          [loss],
          {
            [p.name]: refTensor(
              value.dims,
              value.data.map((v, i) => v + sign * EPS * (u[i] as number)),
              'float32',
            ),
          },
          base,
        ),
        loss,
      );
    const directional = (probe(1) - probe(-1)) / (2 * EPS);
    const analyticDirectional = analytic.reduce((s, g, i) => s + g * (u[i] as number), 0);
    const directionalError = Math.abs(analyticDirectional - directional) / Math.abs(directional);

    t.diagnostic(
      `${p.name} [${value.dims.join(', ')}]: max relative error ${sampleError.toExponential(2)} over ${sampled.size} elements, ` +
        `directional ${directionalError.toExponential(2)}, max |grad| ${scale.toExponential(2)}; ORT vs float64 backward on all ${float64.length} elements ` +
        `${fullError.toExponential(2)} (floor 1e-3 max: ${fullError3.toExponential(2)}, absolute ${absoluteError.toExponential(2)} max|grad|), float64 backward vs differences ${float64SampleError.toExponential(2)} (${(performance.now() - t0).toFixed(0)} ms)`,
    );
    if (!(sampleError <= TOLERANCE)) failures.push(`${p.name}: sampled error ${sampleError}`);
    if (!(fullError <= TOLERANCE)) failures.push(`${p.name}: error against the float64 backward graph ${fullError}`);
    if (!(absoluteError <= 1e-6))
      failures.push(`${p.name}: absolute error against the float64 backward graph ${absoluteError} max|grad|`);
    if (!(float64SampleError <= 1e-6))
      failures.push(`${p.name}: float64 backward graph vs differences ${float64SampleError}`);
    if (!(directionalError <= TOLERANCE)) failures.push(`${p.name}: directional error ${directionalError}`);
  }
  assert.deepEqual(failures, [], `gradient errors above ${TOLERANCE}`);
});
