// The HTML reports open from disk in headless Chromium without console errors and without
// fetching anything: every picture is embedded.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { chromium } from 'playwright-core';
import { cnnConfig } from '../../graphs/cnn-config.js';
import { PRACTICAL_PRESET, type TrainOptions } from '../../src/train/options.js';
import { runSweep, sweepConfigs } from '../../src/report/sweep.js';
import { writeReport } from '../../src/report/sweep-report.js';
import { tempDir } from '../helpers/cli.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

interface PageCheck {
  title: string;
  images: { alt: string; width: number }[];
  tableRows: number;
  links: string[];
  errors: string[];
  requests: string[];
}

async function openInChromium(files: readonly string[]): Promise<PageCheck[]> {
  if (!existsSync(CHROMIUM)) throw new Error('Chromium is missing: apt-get install -y chromium');
  const profile = mkdtempSync(join(tmpdir(), 'onnxgrad-report-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1280, height: 900 },
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const checks: PageCheck[] = [];
    for (const file of files) {
      const errors: string[] = [];
      const requests: string[] = [];
      page.removeAllListeners();
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('request', (r) => requests.push(r.url().slice(0, 40)));
      await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
      // a string, so that this Node-typed file needs no DOM types
      const found = await page.evaluate<Omit<PageCheck, 'errors' | 'requests'>>(`({
        title: document.title,
        images: [...document.images].map((img) => ({ alt: img.alt, width: img.complete ? img.naturalWidth : 0 })),
        tableRows: document.querySelectorAll('table.numeric tbody tr').length,
        links: [...document.querySelectorAll('a')].map((a) => a.getAttribute('href') ?? ''),
      })`);
      checks.push({
        ...found,
        errors,
        requests: requests.filter((u) => !u.startsWith('file:') && !u.startsWith('data:')),
      });
    }
    return checks;
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

test('the reports of a sweep and of its run open in headless Chromium, self-contained, without errors', async () => {
  const outDir = join(tempDir(), 'sweep');
  const base: TrainOptions = {
    ...PRACTICAL_PRESET,
    runDir: outDir,
    model: cnnConfig('narrow'),
    steps: 10,
    evalEvery: 5,
    checkpointEvery: 500,
    seed: 1,
    threads: 1,
    device: 'cpu',
    data: {},
    limit: 640,
  };
  const configs = sweepConfigs({ optimizers: ['adam'], lrs: [1e-3], dropouts: [0.2], models: ['narrow'] });
  await runSweep({ outDir, base, configs });
  const written = await writeReport(outDir);
  assert.equal(written.kind, 'sweep');
  assert.equal(written.runs.length, 1);
  const runReport = join(outDir, 'adam-lr1e-3-drop0.2-narrow', 'report.html');
  assert.equal(written.runs[0], runReport);
  const single = await writeReport(join(outDir, 'adam-lr1e-3-drop0.2-narrow'), { split: 'val' });
  assert.equal(single.kind, 'run');

  for (const file of [written.file, runReport]) {
    const html = readFileSync(file, 'utf8');
    assert.doesNotMatch(
      html.replace(/xmlns(:xlink)?="http:\/\/www\.w3\.org\/[^"]*"/g, ''),
      /(src|href)="https?:/,
      `${file}: no external URLs`,
    );
    assert.doesNotMatch(html, /<script/);
  }
  const [sweepPage, runPage] = await openInChromium([written.file, runReport]);
  assert.ok(sweepPage && runPage);
  assert.deepEqual(sweepPage.errors, []);
  assert.deepEqual(sweepPage.requests, [], 'nothing fetched from outside the file');
  assert.equal(sweepPage.title, 'onnxgrad sweep: sweep');
  assert.equal(sweepPage.tableRows, 1);
  assert.ok(sweepPage.links.includes('adam-lr1e-3-drop0.2-narrow/report.html'));
  assert.deepEqual(
    sweepPage.images.map((i) => i.alt),
    ['validation accuracy of every run'],
  );
  assert.ok(
    sweepPage.images.every((i) => i.width > 300),
    'the embedded chart decodes',
  );

  assert.deepEqual(runPage.errors, []);
  assert.deepEqual(runPage.requests, []);
  assert.equal(runPage.title, 'onnxgrad run: adam-lr1e-3-drop0.2-narrow');
  assert.ok(runPage.links.includes('../report.html'), 'a link back to the sweep');
  assert.deepEqual(runPage.images.map((i) => i.alt).slice(0, 4), [
    'loss curves',
    'accuracy curves',
    'confusion matrix',
    'the first 40 validation images',
  ]);
  assert.ok(
    runPage.images.every((i) => i.width > 200),
    `every picture decodes: ${JSON.stringify(runPage.images)}`,
  );
  assert.equal(runPage.tableRows, 10, 'per-class accuracy of 10 classes');
});
