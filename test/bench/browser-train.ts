// `npm run bench:browser`: training steps per second of the practical's CNN (batch 64, Adam) on
// the web demo's training page in headless Chromium: WASM with 1 and 2 threads (the page is
// cross-origin isolated, so threads work) and WebGPU (SwiftShader's software adapter here: a CPU
// emulation, so slow; on a real GPU it is another story). The page's own speed is read: the mean
// over the last `--steps` steps after `--warmup` steps.
//   node dist/test/bench/browser-train.js [--steps 50] [--warmup 10] [--webgpu-steps 5] [--only wasm1,wasm2,webgpu] [--json]
import { parseArgs } from 'node:util';
import { launch } from '../browser/chromium.js';
import { openTrainingPage, startTrainingServer, waitForSteps } from '../browser/train-page.js';

const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '50' },
    warmup: { type: 'string', default: '10' },
    'webgpu-steps': { type: 'string', default: '5' },
    only: { type: 'string', default: 'wasm1,wasm2,webgpu' },
    json: { type: 'boolean', default: false },
  },
});
const steps = Number(values.steps);
const warmup = Number(values.warmup);
const gpuSteps = Number(values['webgpu-steps']);

interface Row {
  backend: string;
  threads: number | null;
  steps: number;
  stepsPerSecond: number;
  msPerStep: number;
}

const server = await startTrainingServer();
const rows: Row[] = [];
try {
  const configs = [
    { key: 'wasm1', backend: 'WASM', ep: 'wasm', threads: 1, measured: steps },
    { key: 'wasm2', backend: 'WASM', ep: 'wasm', threads: 2, measured: steps },
    { key: 'webgpu', backend: 'WebGPU (SwiftShader)', ep: 'webgpu', threads: 1, measured: gpuSteps },
  ].filter((c) => values.only.split(',').includes(c.key));
  for (const c of configs) {
    const browser = await launch({ webgpu: c.ep === 'webgpu' });
    try {
      // the page's steps/s is the mean over its last 50 steps: measure no more than that
      const measured = Math.min(c.measured, 50);
      const stopAt = (c.ep === 'webgpu' ? 1 : warmup) + measured;
      await openTrainingPage(
        browser.page,
        server.url,
        { ep: c.ep, threads: c.threads, seed: 1, stopAt, autostart: 1 },
        120_000,
      );
      const state = await waitForSteps(browser.page, stopAt, 600_000);
      rows.push({
        backend: c.backend,
        threads: c.ep === 'wasm' ? c.threads : null,
        steps: measured,
        stepsPerSecond: state.stepsPerSecond,
        msPerStep: 1000 / state.stepsPerSecond,
      });
      if (!values.json)
        process.stdout.write(
          `${c.backend}${c.ep === 'wasm' ? `, ${c.threads} thread(s)` : ''}: ${state.stepsPerSecond.toFixed(2)} steps/s\n`,
        );
    } finally {
      await browser.close();
    }
  }
} finally {
  await server.close();
}
if (values.json)
  process.stdout.write(
    `${JSON.stringify({ network: 'practical CNN, batch 64, Adam', browser: 'Chromium (headless)', rows }, null, 2)}\n`,
  );
else {
  process.stdout.write(
    '\n| backend | threads | steps measured | steps/s | ms/step |\n| --- | --- | --- | --- | --- |\n',
  );
  for (const r of rows)
    process.stdout.write(
      `| ${r.backend} | ${r.threads ?? '-'} | ${r.steps} | ${r.stepsPerSecond.toFixed(2)} | ${r.msPerStep.toFixed(0)} |\n`,
    );
}
