// A model exported by PyTorch trains through the same compileTrainStep as onnxgrad's own build.
import { createNodeStepRunner } from '../../src/train/node-step-runner.js';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cnnConfig } from '../../graphs/cnn-config.js';
import { Mulberry32 } from '../../src/data/random.js';
import { readInitializers } from '../../src/onnx/import.js';
import { initialTensors } from '../../src/train/graph-dir.js';
import { compileImportedStep } from '../../src/train/import-step.js';
import { StepRunner } from '../../src/train/step-runner.js';
import { buildTrainStep } from '../../src/train/train-step.js';
import { exportModel } from '../../src/onnx/export.js';
import type { TrainStep } from '../../src/train/compile-step.js';
import { fixtureBytes } from '../helpers/onnx-fixtures.js';

const BATCH = 16;
const STEPS = 5;

/** Five steps on one seeded batch, with fresh seeded dropout noise each step; the losses. */
async function losses(
  step: TrainStep,
  weights: ReadonlyMap<string, import('../../src/ir/tensor.js').TensorData>,
): Promise<number[]> {
  const runner = await createNodeStepRunner(
    exportModel(step.graph, { parametersAs: 'inputs' }),
    step.manifest,
    initialTensors(weights, step.manifest),
    { threads: 1 },
  );
  const rng = new Mulberry32(5);
  const out: number[] = [];
  const images = Float32Array.from({ length: BATCH * 784 }, () => (rng.next() - 0.1307) / 0.3081);
  const labels = BigInt64Array.from({ length: BATCH }, () => BigInt(Math.floor(rng.next() * 10)));
  try {
    for (let s = 1; s <= STEPS; s++) {
      const noise = step.manifest.dropout.map((d) =>
        Float32Array.from({ length: d.shape.reduce((a, b) => a * b, 1) }, () => rng.next()),
      );
      out.push((await runner.run({ inputs: [images], labels, noise }, s, 1e-3)).loss);
    }
  } finally {
    await runner.release();
  }
  return out;
}

for (const form of ['portable', 'wasm']) {
  test(`the PyTorch-exported practical CNN trains step for step like onnxgrad's own build (${form} form, Adam, 5 steps)`, async () => {
    const bytes = fixtureBytes('practical-cnn', 'train');
    const weights = readInitializers(bytes);
    const imported = compileImportedStep(bytes, { optimizer: 'adam', batchSize: BATCH, form });
    const own = buildTrainStep(cnnConfig('narrow'), { optimizer: 'adam', batchSize: BATCH, form });
    assert.deepEqual(
      imported.step.manifest.dropout.map((d) => [d.name, d.rate, d.shape]),
      own.manifest.dropout.map((d) => [d.name, d.rate, d.shape]),
    );
    assert.deepEqual(
      imported.step.manifest.parameters.map((p) => p.name),
      own.manifest.parameters.map((p) => p.name),
    );
    const [a, b] = [await losses(imported.step, weights), await losses(own, weights)];
    a.forEach((loss, i) => assert.ok(Math.abs(loss - (b[i] as number)) <= 1e-5, `step ${i + 1}: ${loss} vs ${b[i]}`));
    assert.ok((a.at(-1) as number) < (a[0] as number), `the loss falls: ${a.join(', ')}`);
  });
}
