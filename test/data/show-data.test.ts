import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { createProgram } from '../../cli/index.js';
import { renderImageGrid } from '../../src/data/image-grid.js';
import { idxBytes, tempDir, writeDataDir } from './fixtures.js';

// Commands print; keep the test output readable.
async function run(args: string[]): Promise<string> {
  const chunks: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array): boolean => (
    chunks.push(String(chunk)),
    true
  )) as typeof process.stdout.write;
  try {
    const program = createProgram();
    for (const command of program.commands) command.exitOverride().configureOutput({ writeErr: () => undefined });
    await program.exitOverride().parseAsync(['node', 'onnxgrad', ...args]);
  } finally {
    process.stdout.write = write;
  }
  return chunks.join('');
}

test('show-data writes a 4x4 PNG grid of the first 16 training images and prints their labels', async () => {
  const out = join(tempDir(), 'digits.png');
  const printed = await run(['show-data', '--out', out]);
  const png = PNG.sync.read(readFileSync(out));
  // 4 cells of 84 px + 5 gaps of 6 px wide; each row adds a 22 px caption
  assert.deepEqual([png.width, png.height], [4 * 84 + 5 * 6, 4 * (84 + 22) + 5 * 6]);
  assert.match(
    printed,
    /^wrote .*digits\.png: the first 16 images of the train split of mnist \(seed 1\)\nlabels: 3 7 4 0 2 6 6 8 4 6 2 7 3 1 3 4\n$/,
  );
});

test('show-data --json reports the indices and labels', async () => {
  const out = join(tempDir(), 'test.png');
  const result = JSON.parse(await run(['show-data', '--split', 'test', '--count', '3', '--json', '--out', out])) as {
    indices: number[];
    labels: string[];
  };
  assert.deepEqual(result.indices, [0, 1, 2]);
  assert.deepEqual(result.labels, ['7', '2', '1']);
});

test('show-data rejects bad options and bad data with one-line messages', async () => {
  await assert.rejects(run(['show-data', '--count', '0']), /expected an integer from 1 to 400/);
  await assert.rejects(run(['show-data', '--count', 'many']), /expected an integer from 1 to 400/);
  await assert.rejects(run(['show-data', '--dataset', 'cifar']), /Allowed choices are mnist, fashion-mnist/);
  const dir = tempDir();
  writeDataDir(dir, 30, 5);
  const labels = join(dir, 'train-labels-idx1-ubyte');
  writeFileSync(labels, idxBytes([30], new Uint8Array(30)).subarray(0, 30));
  await assert.rejects(run(['show-data', '--data-dir', dir, '--out', join(dir, 'x.png')]), {
    message: `${labels}: truncated: header says 30 items, file has 22 bytes of data`,
  });
  writeDataDir(dir, 30, 5);
  await assert.rejects(
    run(['show-data', '--data-dir', dir, '--split', 'val', '--count', '20']),
    /--count 20: the val split has only 5 images/,
  );
});

test('a grid with predictions marks the wrong ones in red', () => {
  const images = new Uint8Array(2 * 28 * 28);
  const png = PNG.sync.read(
    renderImageGrid({ images, height: 28, width: 28, labels: ['1', '2'], predicted: ['1', '7'] }),
  );
  const red = (x: number, y: number): boolean => png.data[(y * png.width + x) * 4] === 235;
  assert.ok(!red(6 - 1, 6 - 1), 'no frame around the right one');
  assert.ok(red(6 + 84 + 6 - 1, 6 - 1), 'a frame around the wrong one');
});
