// Every fixture's training step, as train --from compiles it in the portable form: valid ONNX
// (onnx.checker), only portable ops, and the same losses on onnxruntime-node and on
// onnxruntime-web's WASM over three steps.
import { createNodeStepRunner } from '../../src/train/node-step-runner.js';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Mulberry32 } from '../../src/data/random.js';
import type { TensorData } from '../../src/ir/tensor.js';
import { exportModel } from '../../src/onnx/export.js';
import { readInitializers } from '../../src/onnx/import.js';
import { webTensorSession } from '../../src/runtime/web.js';
import { initialTensors } from '../../src/train/graph-dir.js';
import { compileImportedStep } from '../../src/train/import-step.js';
import { portabilityProblem } from '../../src/train/portable-ops.js';
import { type StepBatch, StepRunner } from '../../src/train/step-runner.js';
import { checkOnnxModel } from '../helpers/onnx-checker.js';
import { type ExportMode, FIXTURES, fixtureBytes } from '../helpers/onnx-fixtures.js';

const BATCH = 8;
const STEPS = 3;

function batches(noise: readonly { shape: readonly number[] }[]): StepBatch[] {
  const rng = new Mulberry32(3);
  return Array.from({ length: STEPS }, () => ({
    inputs: [Float32Array.from({ length: BATCH * 784 }, () => rng.next())],
    labels: BigInt64Array.from({ length: BATCH }, () => BigInt(Math.floor(rng.next() * 10))),
    noise: noise.map((d) => Float32Array.from({ length: d.shape.reduce((a, b) => a * b, 1) }, () => rng.next())),
  }));
}

async function losses<T>(runner: StepRunner<T>, steps: readonly StepBatch[]): Promise<number[]> {
  const out: number[] = [];
  for (const [i, b] of steps.entries()) out.push((await runner.run(b, i + 1, 1e-3)).loss);
  return out;
}

for (const name of FIXTURES) {
  for (const mode of ['eval', 'train'] as ExportMode[]) {
    test(`${name} (${mode}-mode export): its step is valid, portable, and trains alike on onnxruntime-node and WASM`, async () => {
      const bytes = fixtureBytes(name, mode);
      const { step } = compileImportedStep(bytes, { optimizer: 'adam', batchSize: BATCH, form: 'portable' });
      const graph = exportModel(step.graph, { parametersAs: 'inputs' });
      checkOnnxModel(graph, { fileName: `${name}.${mode}.train-step.onnx` });
      const problems = step.graph.nodes.flatMap((n) => portabilityProblem(n.opType, n.outputs.length) ?? []);
      assert.deepEqual([...new Set(problems)], []);
      const init: Map<string, TensorData> = initialTensors(readInitializers(bytes), step.manifest);
      const steps = batches(step.manifest.dropout);
      const node = await createNodeStepRunner(graph, step.manifest, init, { threads: 1 });
      const web = StepRunner.on(await webTensorSession(graph, { threads: 1 }), step.manifest, init);
      try {
        const [a, b] = [await losses(node, steps), await losses(web, steps)];
        a.forEach((loss, i) =>
          assert.ok(
            Math.abs(loss - (b[i] as number)) <= 1e-5 * Math.max(1, Math.abs(loss)),
            `step ${i + 1}: ${loss} vs ${b[i]}`,
          ),
        );
        assert.ok(a.every(Number.isFinite), a.join(', '));
      } finally {
        await node.release();
        await web.release();
      }
    });
  }
}
