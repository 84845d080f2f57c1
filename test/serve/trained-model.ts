// A small trained model for the tests that need real predictions (the browser test's drawn
// digits): the practical's network made narrow, trained briefly with the real trainer. It is
// trained once per machine and kept in the temporary folder, keyed by its settings.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cnnConfig } from '../../graphs/cnn-config.js';
import { PRACTICAL_PRESET, type TrainOptions } from '../../src/train/options.js';
import { train } from '../../src/train/trainer.js';

const SETTINGS = { variant: 'narrow', steps: 400, batchSize: 64, lr: 2e-3, seed: 7, limit: 20_000 } as const;

/** The path of the trained model, training it first when it is not cached yet (some seconds). */
export async function trainedModelPath(): Promise<string> {
  const key = createHash('sha256').update(JSON.stringify(SETTINGS)).digest('hex').slice(0, 12);
  const cacheDir = join(tmpdir(), `onnxgrad-test-trained-${key}`);
  const model = join(cacheDir, 'model.onnx');
  if (existsSync(model)) return model;
  const runDir = mkdtempSync(join(tmpdir(), 'onnxgrad-train-'));
  const options: TrainOptions = {
    ...PRACTICAL_PRESET,
    model: cnnConfig(SETTINGS.variant),
    runDir,
    batchSize: SETTINGS.batchSize,
    steps: SETTINGS.steps,
    evalEvery: SETTINGS.steps,
    checkpointEvery: 1_000_000,
    lr: SETTINGS.lr,
    schedule: 'constant',
    seed: SETTINGS.seed,
    augment: false,
    threads: 1,
    device: 'cpu',
    data: { dataset: 'mnist' },
    limit: SETTINGS.limit,
    validationSize: 1000,
  };
  const summary = await train(options);
  mkdirSync(cacheDir, { recursive: true });
  // rename is atomic: a concurrent test process sees the whole file or none
  renameSync(summary.files.model ?? join(runDir, 'model.onnx'), model);
  rmSync(runDir, { recursive: true, force: true });
  return model;
}
