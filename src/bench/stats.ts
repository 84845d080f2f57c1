// Small statistics for timings: medians, and a timer over repeated calls.

/** The median of the finite values, or null when there are none. */
export function median(values: readonly (number | null | undefined)[]): number | null {
  const xs = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v)).sort((a, b) => a - b);
  if (xs.length === 0) return null;
  const mid = xs.length >> 1;
  return xs.length % 2 === 1 ? (xs[mid] as number) : ((xs[mid - 1] as number) + (xs[mid] as number)) / 2;
}

/** Runs `fn` `warmup` times untimed, then `count` times timed; returns the median milliseconds. */
export async function medianMs(count: number, warmup: number, fn: (k: number) => Promise<unknown>): Promise<number> {
  for (let k = 0; k < warmup; k++) await fn(k);
  const times: number[] = [];
  for (let k = 0; k < count; k++) {
    const start = performance.now();
    await fn(k);
    times.push(performance.now() - start);
  }
  return median(times) ?? Number.NaN;
}
