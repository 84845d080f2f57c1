// The training page on the user's own IDX files (gzipped, picked in the page and read by its
// worker) splits them as `onnxgrad train` does and numbers epochs as train prints them at the
// same step: of 154 training images a sixth (26) is held out for validation on both sides, the
// same 26 for the same seed, which leaves 128, two batches of 64 an epoch, so steps 1, 2, 3 are
// epochs 1, 1, 2 on both sides. (metrics.jsonl's `epoch` counts from 0: those steps record 0, 0, 1.)
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { tempDir } from '../helpers/cli.js';
import { writeDataDir } from '../data/fixtures.js';
import { loadDataset } from '../../src/data/datasets.js';
import { splitDataset } from '../../src/data/split.js';
import { readMetrics } from '../../src/train/metrics.js';
import type { ServeHandle } from '../../src/serve/server.js';
import { launch, ROOT } from './chromium.js';
import { openTrainingPage, startTrainingServer, trainState, waitForSteps } from './train-page.js';

const STEPS = 3;
const IMAGES = 154;

/** train with its default split: `step N  epoch E` from its progress lines (on stderr) as [N, E], and metrics.jsonl's epochs. */
async function cliEpochs(dataDir: string): Promise<{ printed: [number, number][]; recorded: number[]; out: string }> {
  const run = join(tempDir(), 'run');
  const { stderr: out } = await promisify(execFile)(process.execPath, [
    join(ROOT, 'dist', 'cli', 'main.js'),
    'train',
    ...['--data-dir', dataDir, '--batch-size', '64', '--model', 'narrow'],
    ...['--steps', String(STEPS), '--eval-every', '1', '--threads', '1', '--no-progress', '--no-plot'],
    ...['--run-dir', run],
  ]);
  return {
    printed: [...out.matchAll(/^step (\d+) {2}epoch (\d+) /gm)].map((m) => [Number(m[1]), Number(m[2])]),
    recorded: readMetrics(join(run, 'metrics.jsonl')).map((r) => r.epoch),
    out,
  };
}

describe('training page epochs in Chromium (WASM, own IDX files)', { timeout: 240_000 }, () => {
  let server: ServeHandle;
  before(async () => {
    server = await startTrainingServer();
  });
  after(() => server?.close());

  test('the page trains on picked .gz files and shows the epoch train prints at each step', async () => {
    const dir = tempDir('onnxgrad-epochs-');
    writeDataDir(dir, IMAGES, 100, true);
    const { printed: cli, recorded, out } = await cliEpochs(dir);
    assert.match(out, / on 128 images, .* 2 steps per epoch/, 'train held out a sixth: 26 of 154');
    assert.deepEqual(
      cli.map(([step]) => step),
      [1, 2, 3],
      'train printed a line a step',
    );
    assert.deepEqual(recorded, [0, 0, 1], "metrics.jsonl keeps the batch cursor's count from 0");
    const split = splitDataset(loadDataset({ dataDir: dir }), { seed: 1 });

    const browser = await launch({ webgpu: false });
    try {
      const { page } = browser;
      await openTrainingPage(page, server.url, { ep: 'wasm', threads: 1, seed: 1, stopAt: STEPS }, 120_000);
      await page.setInputFiles('#images-file', join(dir, 'train-images-idx3-ubyte.gz'));
      await page.setInputFiles('#labels-file', join(dir, 'train-labels-idx1-ubyte.gz'));
      await page.waitForSelector('#status:has-text("ready: 128 training images, 26 for validation")', {
        timeout: 120_000,
      });
      assert.deepEqual(
        (await trainState(page)).valHead,
        Array.from(split.val.indices.subarray(0, 16)),
        "the page's validation images are train's",
      );
      await page.click('#start');
      const state = await waitForSteps(page, STEPS, 120_000);
      assert.deepEqual(state.epochs, [1, 1, 2], 'two steps an epoch, counted from 1');
      assert.deepEqual(
        state.epochs.map((e, i) => [i + 1, e]),
        cli,
        'the page and train agree at every step',
      );
      assert.equal(await page.textContent('#stat-epoch'), 'epoch 2');
      assert.deepEqual(
        browser.errors.filter((e) => !e.includes('VerifyEachNodeIsAssignedToAnEp')),
        [],
      );
    } finally {
      await browser.close();
    }
  });
});
