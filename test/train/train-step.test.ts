// The one-graph training step: only portable ops for every optimizer, a snapshot of its text
// form, and the ONNX project's own checker (Debian python3-onnx, full_check) accepts it.
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PRACTICAL_CNN } from '../../graphs/cnn-config.js';
import { exportModel, toModelProto } from '../../src/onnx/export.js';
import { bytesToText } from '../../src/onnx/text.js';
import { OPTIMIZER_NAMES } from '../../src/optim/index.js';
import { NON_PORTABLE_OPS, PORTABLE_OPS, portabilityProblem } from '../../src/train/portable-ops.js';
import type { TensorData } from '../../src/ir/tensor.js';
import { NCHWC_DOMAIN } from '../../src/runtime/nchwc-domain.js';
import { createSession, fromOrtTensor, nchwcBlockSize, type OrtTensor, toOrtTensor } from '../../src/runtime/node.js';
import { buildTrainStep, nextName, type TrainStep } from '../../src/train/train-step.js';
import { firstStepFeeds, type TensorFeeds } from '../helpers/train-step-feeds.js';
import { checkOnnxModel } from '../helpers/onnx-checker.js';
import { assertSnapshot } from '../helpers/snapshot.js';

const BATCH = 8;

test('the portable op list and the forbidden list do not overlap', () => {
  for (const op of Object.keys(NON_PORTABLE_OPS))
    assert.ok(!PORTABLE_OPS.has(op), `${op} is both portable and forbidden`);
  assert.match(portabilityProblem('MaxPool', 2) ?? '', /Indices/);
  assert.equal(portabilityProblem('MaxPool', 1), undefined);
  assert.match(portabilityProblem('Dropout', 1) ?? '', /Dropout/);
  assert.match(portabilityProblem('Sin', 1) ?? '', /not in the portable op list/);
});

for (const optimizer of OPTIMIZER_NAMES) {
  test(`${optimizer}: every op of the training graph is portable, and onnx.checker (full_check) accepts it`, () => {
    const { graph, manifest } = buildTrainStep(PRACTICAL_CNN, { optimizer, batchSize: BATCH });
    const model = toModelProto(graph, { parametersAs: 'inputs' });
    const nodes = model.graph?.node ?? [];
    assert.ok(nodes.length > 50, `only ${nodes.length} nodes`);
    const problems = [
      ...new Set(
        nodes.map((n) => portabilityProblem(n.opType ?? '', (n.output ?? []).length)).filter((p) => p !== undefined),
      ),
    ];
    assert.deepEqual(problems, []);

    // the graph's interface is what the manifest says
    const inputs = (model.graph?.input ?? []).map((i) => i.name);
    assert.deepEqual(
      inputs,
      manifest.inputs.map((i) => i.name),
    );
    for (const name of ['image', 'labels', 'dropout1.noise', 'step', 'lr', 'fc1.weight'])
      assert.ok(inputs.includes(name), `no input ${name}`);
    const outputs = (model.graph?.output ?? []).map((o) => o.name);
    assert.deepEqual(outputs.slice(0, 2), ['loss', 'correct']);
    for (const p of manifest.parameters) assert.ok(outputs.includes(`next.${p.name}`), `no output next.${p.name}`);
    for (const s of manifest.state) assert.ok(outputs.includes(`next.${s.name}`), `no output next.${s.name}`);
    if (optimizer === 'adam') assert.ok(inputs.includes('adam.m.fc1.weight') && inputs.includes('adam.v.fc1.weight'));

    checkOnnxModel(exportModel(graph, { parametersAs: 'inputs' }), { fileName: `train-step-${optimizer}.onnx` });
  });
}

test('the adam training graph matches its snapshot (and builds the same bytes twice)', () => {
  const build = () =>
    exportModel(buildTrainStep(PRACTICAL_CNN, { optimizer: 'adam', batchSize: BATCH }).graph, {
      parametersAs: 'inputs',
    });
  const bytes = build();
  assert.deepEqual(build(), bytes, 'two builds differ');
  assertSnapshot('train-step-adam', bytesToText(bytes));
});

test('the sgd training graph matches its snapshot', () => {
  const { graph } = buildTrainStep(PRACTICAL_CNN, { optimizer: 'sgd', batchSize: BATCH });
  assertSnapshot('train-step-sgd', bytesToText(exportModel(graph, { parametersAs: 'inputs' })));
});

test('the im2col form of the training graph is portable, passes onnx.checker, and updates the weights as the conv form does', async () => {
  const forms = (['conv', 'im2col'] as const).map((convGradients) =>
    buildTrainStep(PRACTICAL_CNN, { optimizer: 'sgd', batchSize: BATCH, convGradients }),
  );
  const [conv, im2col] = forms as [TrainStep, TrainStep];
  assert.equal(im2col.manifest.convGradients, 'im2col');
  const model = toModelProto(im2col.graph, { parametersAs: 'inputs' });
  const nodes = (model.graph?.node ?? []).map((n) => n.opType ?? '');
  const ops = new Set(nodes);
  assert.ok(ops.has('Gather') && !ops.has('ConvTranspose'), 'conv2 gradients in the im2col form');
  // conv1 (one channel) keeps Conv forward and for its weight gradient; conv2's forward is a Gemm
  assert.equal(nodes.filter((o) => o === 'Conv').length, 2);
  assert.deepEqual(
    [...ops].map((o) => portabilityProblem(o, 1)).filter((p) => p !== undefined),
    [],
  );
  checkOnnxModel(exportModel(im2col.graph, { parametersAs: 'inputs' }), { fileName: 'train-step-im2col.onnx' });

  await assertSameUpdate(conv, im2col);
});

/** ORT's NCHWc kernels exist on every x64 CPU with AVX2 (blocks of 8; 16 with AVX-512). */
const hasAvx2 = (): boolean =>
  process.arch === 'x64' && existsSync('/proc/cpuinfo') && /\bavx2\b/.test(readFileSync('/proc/cpuinfo', 'utf8'));

test("with this CPU's NCHWc block size the image conv runs as ORT's NCHWc Conv, and the step updates the weights as before", async () => {
  const block = await nchwcBlockSize();
  if (block === null) {
    // then the trainer keeps the plain Conv; that is only right on a CPU without the kernels
    assert.ok(!hasAvx2(), 'this CPU has AVX2, so ONNX Runtime has NCHWc kernels, but the probe found none');
    return;
  }
  assert.ok(block === 8 || block === 16, `NCHWc block size ${block}`);
  const [plain, blocked] = [null, block].map((nchwcBlock) =>
    buildTrainStep(PRACTICAL_CNN, { optimizer: 'sgd', batchSize: BATCH, convGradients: 'im2col', nchwcBlock }),
  ) as [TrainStep, TrainStep];
  assert.equal(blocked.manifest.nchwcBlock, block);
  const nodes = toModelProto(blocked.graph, { parametersAs: 'inputs' }).graph?.node ?? [];
  assert.deepEqual(
    nodes.filter((n) => n.domain === NCHWC_DOMAIN).map((n) => n.opType),
    ['Conv', 'ReorderOutput'],
  );
  await assertSameUpdate(plain, blocked);
});

/** One SGD step from the same inputs: the updated parameters agree to float32 rounding. */
async function assertSameUpdate(a: TrainStep, b: TrainStep): Promise<void> {
  const feeds = firstStepFeeds(a, { seed: 5, lr: 0.1 });
  const [x, y] = await Promise.all(
    [a, b].map(async (ts) => runTensors(exportModel(ts.graph, { parametersAs: 'inputs' }), feeds)),
  );
  for (const p of a.manifest.parameters) {
    const [u, v] = [x?.[nextName(p.name)]?.data as Float32Array, y?.[nextName(p.name)]?.data as Float32Array];
    let worst = 0;
    for (let i = 0; i < u.length; i++) worst = Math.max(worst, Math.abs((u[i] as number) - (v[i] as number)));
    assert.ok(worst < 1e-6, `${p.name}: the two forms differ by ${worst}`);
  }
}

async function runTensors(bytes: Uint8Array, feeds: TensorFeeds): Promise<Record<string, TensorData>> {
  const session = await createSession(bytes, { threads: 1 });
  const inputs: Record<string, OrtTensor> = {};
  for (const [name, t] of Object.entries(feeds)) inputs[name] = toOrtTensor(t);
  const out = await session.run(inputs);
  await session.release();
  return Object.fromEntries(Object.entries(out).map(([name, t]) => [name, fromOrtTensor(t)]));
}
