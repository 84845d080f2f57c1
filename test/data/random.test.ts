import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Mulberry32, shuffled } from '../../src/data/random.js';

// The peers' generator, verbatim, as the reference.
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return function () {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('shuffled(60000, 1) starts like the peers: [24196, 28437, 47001, 44700, 693]', () => {
  assert.deepEqual(Array.from(shuffled(60000, 1).subarray(0, 5)), [24196, 28437, 47001, 44700, 693]);
});

test("Mulberry32 gives the peers' sequence for several seeds", () => {
  for (const seed of [0, 1, 42, 0xffffffff, 1001]) {
    const reference = mulberry32(seed);
    const rng = new Mulberry32(seed);
    for (let i = 0; i < 1000; i++) assert.equal(rng.next(), reference());
  }
});

test('a generator rebuilt from its state continues identically', () => {
  const rng = new Mulberry32(7);
  for (let i = 0; i < 123; i++) rng.next();
  const state = rng.state;
  assert.ok(Number.isInteger(state) && state >= 0 && state <= 0xffffffff);
  const resumed = new Mulberry32(JSON.parse(JSON.stringify(state)) as number);
  for (let i = 0; i < 100; i++) assert.equal(resumed.next(), rng.next());
});

test('shuffled is a permutation', () => {
  const p = shuffled(1000, 3);
  assert.deepEqual(
    Array.from(p).sort((a, b) => a - b),
    Array.from({ length: 1000 }, (_, i) => i),
  );
});
