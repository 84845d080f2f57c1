// Training-step graphs timed side by side: each a build-graph folder, run step by step in turn
// on the same MNIST batches and dropout noise, so that load from elsewhere hits them alike, in
// an order that turns each step.
// This is how a change to the graph is measured: build-graph before it and after it, then
// compare the two folders; the losses show that both compute the same thing.
import { Mulberry32 } from '../data/random.js';
import { createNodeStepRunner } from '../train/node-step-runner.js';
import type { StepRunner } from '../train/step-runner.js';
import type { TrainStepManifest } from '../train/train-step.js';
import { loadGraphDir } from '../train/graph-dir.js';
import { batchAt, fillNoise, imagePool } from './feeds.js';

export interface CompareOptions {
  readonly threads: number;
  /** Timed steps per graph, after `warmup` untimed ones. */
  readonly steps: number;
  readonly warmup: number;
}

export interface StepTiming {
  readonly dir: string;
  readonly medianMs: number;
  /** The 25th percentile: the step time with the least interference. */
  readonly p25Ms: number;
  readonly lastLoss: number;
}

async function runnerFor(dir: string, threads: number): Promise<{ runner: StepRunner; manifest: TrainStepManifest }> {
  const { bytes, manifest, init } = loadGraphDir(dir);
  return { runner: await createNodeStepRunner(bytes, manifest, init, { threads }), manifest };
}

const quantile = (sorted: readonly number[], q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;

export async function compareSteps(dirs: readonly string[], o: CompareOptions): Promise<StepTiming[]> {
  if (dirs.length < 2) throw new Error(`compare needs at least two graph folders, got ${dirs.length}`);
  const loaded = await Promise.all(dirs.map((d) => runnerFor(d, o.threads)));
  const first = (loaded[0] as (typeof loaded)[number]).manifest;
  const shape = (m: TrainStepManifest) =>
    JSON.stringify({ batch: m.batchSize, model: m.model, dropout: m.dropout.map((d) => d.shape) });
  loaded.forEach(({ manifest }, i) => {
    if (shape(manifest) !== shape(first))
      throw new Error(
        `${dirs[i]}: not the same network and batch as ${dirs[0]}; only graphs of one training step can be compared`,
      );
  });
  const pool = imagePool(first.batchSize * 32, 'mnist');
  const rng = new Mulberry32(1);
  const noise = first.dropout.map((d) => new Float32Array(d.shape.reduce((a, b) => a * b, 1)));
  const times = dirs.map((): number[] => []);
  const losses = dirs.map(() => Number.NaN);
  try {
    for (let step = 1; step <= o.warmup + o.steps; step++) {
      const { images, labels } = batchAt(pool, first.batchSize, step);
      const batch = { inputs: [images], labels, noise };
      fillNoise(noise, rng);
      // the order turns every step: whichever runs first in a step measured up to 5% slower
      for (let k = 0; k < loaded.length; k++) {
        const i = (k + step) % loaded.length;
        const { runner } = loaded[i] as (typeof loaded)[number];
        const started = performance.now();
        losses[i] = (await runner.run(batch, step, 1e-4)).loss;
        if (step > o.warmup) times[i]?.push(performance.now() - started);
      }
    }
  } finally {
    await Promise.all(loaded.map(({ runner }) => runner.release()));
  }
  return dirs.map((dir, i) => {
    const sorted = [...(times[i] ?? [])].sort((a, b) => a - b);
    return { dir, medianMs: quantile(sorted, 0.5), p25Ms: quantile(sorted, 0.25), lastLoss: losses[i] as number };
  });
}
