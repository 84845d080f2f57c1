// How responsive a page is: a requestAnimationFrame loop in the page records when each frame came
// (the browser draws about 60 a second while its main thread is free); a gap between two frames
// is time the page could not draw or answer input. Also the page's long tasks (50 ms or more on
// the main thread, the Long Tasks API), to tell a busy page from a busy machine.
import type { Page } from 'playwright-core';

/** What the test needs of the page's globals (the test's tsconfig has no DOM types). */
interface FrameGlobals {
  requestAnimationFrame(callback: (time: number) => void): number;
  PerformanceObserver: new (callback: (list: { getEntries(): { startTime: number; duration: number }[] }) => void) => {
    observe(options: { type: string }): void;
  };
  onnxgradFrames?: { times: number[]; longTasks: { start: number; ms: number }[]; stop: boolean };
}

/** Starts recording frame times and long tasks in the page. */
export async function recordFrames(page: Page): Promise<void> {
  await page.evaluate(() => {
    const g = globalThis as unknown as FrameGlobals;
    const record = { times: [] as number[], longTasks: [] as { start: number; ms: number }[], stop: false };
    g.onnxgradFrames = record;
    new g.PerformanceObserver((list) => {
      for (const e of list.getEntries()) record.longTasks.push({ start: e.startTime, ms: e.duration });
    }).observe({ type: 'longtask' });
    const frame = (time: number) => {
      record.times.push(time);
      if (!record.stop) g.requestAnimationFrame(frame);
    };
    g.requestAnimationFrame(frame);
  });
}

export interface FrameReport {
  frames: number;
  /** the page's performance.now() of each frame in the window, and of the last one before it */
  times: number[];
  /** the longest time between two frames, ms */
  longestGap: number;
  /** the 99th percentile of those gaps (nearest rank), ms */
  p99Gap: number;
  longTasks: number;
  longestTask: number;
}

/** Frames and long tasks between two performance.now() times of the page. */
export async function frameReport(page: Page, from: number, to: number): Promise<FrameReport> {
  const record = await page.evaluate(() => (globalThis as unknown as FrameGlobals).onnxgradFrames);
  if (!record) throw new Error('recordFrames was not called on this page');
  // every gap that ends inside (from, to], and the one still open at `to`
  const all = record.times;
  const gaps = all.flatMap((t, i) => (i > 0 && t > from && t <= to ? [t - all[i - 1]!] : []));
  const last = all.filter((t) => t <= to).at(-1);
  if (last !== undefined) gaps.push(to - Math.max(last, from));
  const times = all.filter((t) => t > from && t <= to);
  const tasks = record.longTasks.filter((t) => t.start >= from && t.start <= to);
  const before = all.filter((t) => t <= from).at(-1);
  return {
    frames: times.length,
    times: before === undefined ? times : [before, ...times],
    longestGap: Math.max(0, ...gaps),
    p99Gap: percentile(gaps, 0.99),
    longTasks: tasks.length,
    longestTask: Math.max(0, ...tasks.map((t) => t.ms)),
  };
}

/** The nearest-rank percentile: the smallest value that at least `q` of them do not exceed. */
function percentile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? 0;
}

/** The page's performance.now(). */
export function pageNow(page: Page): Promise<number> {
  return page.evaluate(() => performance.now());
}
