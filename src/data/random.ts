// Seeded randomness shared with the peers (../shared/peers): the same mulberry32 generator and
// Fisher-Yates shuffle, so a seed gives the same split and batch order in every implementation.
// The whole generator state is one uint32, so a trainer can checkpoint it and resume exactly.

const GOLDEN_GAMMA = 0x6d2b79f5;

/** mulberry32: a 32-bit generator; `state` is its complete state. */
export class Mulberry32 {
  #a: number;

  /** A fresh generator for `seed`, or a resumed one for a saved `state` (they are the same thing). */
  constructor(seedOrState: number) {
    if (!Number.isInteger(seedOrState)) throw new RangeError(`Mulberry32: seed must be an integer, got ${seedOrState}`);
    this.#a = seedOrState >>> 0;
  }

  /** The generator's complete state as a uint32: `new Mulberry32(rng.state)` continues identically. */
  get state(): number {
    return this.#a >>> 0;
  }

  /** A uniform number in [0, 1), exactly as the peers' `mulberry32(seed)()`. */
  next(): number {
    let a = this.#a | 0;
    a = (a + GOLDEN_GAMMA) | 0;
    this.#a = a;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A uniform number in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }
}

/** A permutation of 0..n-1: Fisher-Yates driven by mulberry32(seed), identical to the peers' `shuffled`. */
export function shuffled(n: number, seed: number): Int32Array {
  const rng = new Mulberry32(seed);
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    const t = p[i] as number;
    p[i] = p[j] as number;
    p[j] = t;
  }
  return p;
}

/** The seed of a run's dropout-noise generator (the trainer's and the training page's alike). */
export const dropoutSeed = (seed: number): number => (seed * 1000 + 0xd7) >>> 0;
