import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { PNG } from 'pngjs';
import { runCli, tempDir } from '../helpers/cli.js';

/** The points of one series: the chart's point marks say their series in their aria-label. */
function points(svg: string, series: string): number {
  return [...svg.matchAll(/<path aria-label="([^"]*)" role="graphics-symbol" aria-roledescription="point"/g)].filter(
    (m) => m[1]?.includes(`series: ${series};`),
  ).length;
}

function png(path: string): PNG {
  return PNG.sync.read(readFileSync(path));
}

test('train draws the curves and the confusion matrix at its end; plot --split test redraws them', async () => {
  const run = join(tempDir(), 'run');
  const printed = await runCli([
    'train',
    '--steps',
    '20',
    '--limit',
    '640',
    '--eval-every',
    '5',
    '--run-dir',
    run,
    '--no-progress',
  ]);
  assert.match(
    printed,
    /wrote 6 files to .*: loss\.svg, loss\.png, accuracy\.svg, accuracy\.png, confusion\.svg, confusion\.png/,
  );
  assert.match(printed, /confusion matrix: val set, 640 images, accuracy \d+\.\d\d%/);

  for (const [name, yTitle] of [
    ['loss', 'cross-entropy loss'],
    ['accuracy', 'accuracy'],
  ] as const) {
    const svg = readFileSync(join(run, `${name}.svg`), 'utf8');
    assert.match(svg, /^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.ok(svg.trimEnd().endsWith('</svg>'));
    assert.match(svg, new RegExp(`Y-axis titled '${yTitle}'`));
    assert.match(svg, /X-axis titled 'training step'/);
    assert.match(svg, /Symbol legend .* with 2 values: training \(batches, dropout on\), validation/);
    assert.equal(points(svg, 'validation'), 4, `${name}: one validation point per 5 of 20 steps`);
    assert.equal(points(svg, 'training (batches, dropout on)'), 4);
    const image = png(join(run, `${name}.png`));
    assert.ok(
      image.width >= 1000 && image.width <= 2000 && image.height >= 500 && image.height <= 1400,
      `${name}.png is ${image.width}x${image.height}`,
    );
    // drawn, not blank: some pixels are dark (text, axes), most are white
    let dark = 0;
    for (let i = 0; i < image.data.length; i += 4) if ((image.data[i] as number) < 100) dark++;
    assert.ok(dark > 1000 && dark < image.width * image.height * 0.3, `${name}.png has ${dark} dark pixels`);
  }
  const confusion = readFileSync(join(run, 'confusion.svg'), 'utf8');
  assert.match(confusion, /validation set, 640 images/);
  assert.equal([...confusion.matchAll(/aria-roledescription="rect mark"/g)].length, 100, '10 x 10 cells');
  assert.ok(png(join(run, 'confusion.png')).width > 800);

  const json = JSON.parse(await runCli(['plot', run, '--split', 'test', '--json'])) as {
    files: string[];
    split: string;
    count: number;
  };
  assert.equal(json.files.length, 6);
  assert.equal(json.split, 'test');
  assert.equal(json.count, 640);
  assert.match(readFileSync(join(run, 'confusion.svg'), 'utf8'), /test set, 640 images/);
});

test('train --no-plot draws nothing; plot of a folder that is not a run says so', async () => {
  const run = join(tempDir(), 'run');
  const printed = await runCli([
    'train',
    '--steps',
    '2',
    '--limit',
    '128',
    '--eval-every',
    '1',
    '--run-dir',
    run,
    '--no-progress',
    '--no-plot',
    '--model',
    'narrow',
  ]);
  assert.doesNotMatch(printed, /wrote \d+ files/);
  assert.equal(existsSync(join(run, 'loss.svg')), false);
  await assert.rejects(runCli(['plot', tempDir()]), /no metrics\.jsonl here/);
});
