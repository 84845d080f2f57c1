// A small trained model for the tests that need real predictions (the browser test's drawn
// digits): the practical's network made narrow, trained briefly with the real trainer. It is
// trained once per machine and kept in the temporary folder, keyed by its settings and by the
// compiled code that trains and exports it (so a change to the trainer trains it again).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cnnConfig } from '../../graphs/cnn-config.js';
import { PRACTICAL_PRESET, type TrainOptions } from '../../src/train/options.js';
import { train } from '../../src/train/trainer.js';

const SETTINGS = { variant: 'narrow', steps: 400, batchSize: 64, lr: 2e-3, seed: 7, limit: 20_000 } as const;

/** dist/, where this file is dist/test/serve/trained-model.js */
const DIST = fileURLToPath(new URL('../../', import.meta.url));

/** The cache key: the settings and every .js file under root's src/ and graphs/ (names and bytes). */
export function trainedModelKey(root = DIST): string {
  const hash = createHash('sha256').update(JSON.stringify(SETTINGS));
  const walk = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.js')) hash.update(relative(root, path)).update('\0').update(readFileSync(path));
    }
  };
  walk(join(root, 'src'));
  walk(join(root, 'graphs'));
  return hash.digest('hex').slice(0, 12);
}

/** The path of the trained model, training it first when it is not cached yet (some seconds). */
export async function trainedModelPath(): Promise<string> {
  const key = trainedModelKey();
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
