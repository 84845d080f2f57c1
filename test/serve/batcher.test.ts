// MicroBatcher with a fake model: how requests are grouped into runs and split back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type BatchOutputs, MicroBatcher } from '../../src/serve/batcher.js';

/** A fake model over rows of 2 values: output `sum` is each row's sum; records each run's size. */
function fake(maxBatch: number, waitMs = 5): { batcher: MicroBatcher; sizes: number[] } {
  const sizes: number[] = [];
  const run = async (rows: Float32Array, count: number): Promise<BatchOutputs> => {
    sizes.push(count);
    return { sum: Float32Array.from({ length: count }, (_, i) => rows[2 * i]! + rows[2 * i + 1]!) };
  };
  return { batcher: new MicroBatcher({ rowSize: 2, maxBatch, waitMs, run }), sizes };
}

test('requests queued together run as one batch, and each gets its own rows back', async () => {
  const { batcher, sizes } = fake(64);
  const answers = await Promise.all(Array.from({ length: 32 }, (_, i) => batcher.submit(Float32Array.of(i, 1000), 1)));
  assert.deepEqual(sizes, [32]);
  answers.forEach((a, i) => assert.deepEqual(Array.from(a['sum']!), [i + 1000]));
  assert.deepEqual(batcher.stats(), { runs: 1, requests: 32, images: 32, largestBatch: 32 });
});

test('batches are cut at maxBatch whole requests; a request over maxBatch runs alone', async () => {
  const { batcher, sizes } = fake(8);
  const small = Array.from({ length: 10 }, (_, i) => batcher.submit(Float32Array.of(i, 0, i, 1), 2));
  const big = batcher.submit(new Float32Array(2 * 12), 12);
  const answers = await Promise.all(small);
  await big;
  assert.deepEqual(sizes, [8, 8, 4, 12]);
  answers.forEach((a, i) => assert.deepEqual(Array.from(a['sum']!), [i, i + 1]));
});

test('a lone request runs at once; an announced one is waited for', async () => {
  const { batcher, sizes } = fake(64, 1000);
  const started = performance.now();
  await batcher.submit(Float32Array.of(1, 2), 1);
  assert.ok(performance.now() - started < 100, 'no waiting when no one else is coming');
  const arrived = batcher.announce();
  const first = batcher.submit(Float32Array.of(1, 2), 1);
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(sizes, [1], 'the first waits for the announced request');
  const second = batcher.submit(Float32Array.of(3, 4), 1, arrived);
  await Promise.all([first, second]);
  assert.deepEqual(sizes, [1, 2]);
  assert.ok(performance.now() - started < 500, 'it ran as soon as the announced request came, not after waitMs');
});

test('an announced request that never comes delays the batch by at most waitMs', async () => {
  const { batcher, sizes } = fake(64, 30);
  const withdrawn = batcher.announce();
  const started = performance.now();
  await batcher.submit(Float32Array.of(1, 2), 1);
  assert.ok(performance.now() - started >= 25);
  assert.deepEqual(sizes, [1]);
  withdrawn();
});

test('a failing run rejects every request of its batch, and the next batch still runs', async () => {
  let fail = true;
  const batcher = new MicroBatcher({
    rowSize: 1,
    maxBatch: 4,
    waitMs: 1,
    run: async (rows) => {
      if (fail) throw new Error('boom');
      return { y: rows };
    },
  });
  const results = await Promise.allSettled([
    batcher.submit(Float32Array.of(1), 1),
    batcher.submit(Float32Array.of(2), 1),
  ]);
  assert.deepEqual(
    results.map((r) => r.status),
    ['rejected', 'rejected'],
  );
  fail = false;
  assert.deepEqual(Array.from((await batcher.submit(Float32Array.of(3), 1))['y']!), [3]);
  await assert.rejects(batcher.submit(Float32Array.of(1, 2), 1), RangeError);
});
