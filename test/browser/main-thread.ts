// How long the page's main thread is busy at a stretch, from a Chromium trace: every task the
// renderer's main thread (CrRendererMain) runs is a `toplevel` trace event with its wall time
// (dur) and its thread CPU time (tdur). A task is the unit the page cannot interrupt: while one
// runs, no frame is drawn and no input is handled, so the longest task bounds the page's
// response time (the Long Tasks API calls 50 ms or more "long"). CPU time, unlike a wall-clock
// gap between frames, does not grow when a busy machine leaves the thread waiting for a core.
import type { BrowserContext, Page } from 'playwright-core';

interface TraceEvent {
  ph: string;
  name: string;
  cat: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string; data?: { message?: string } };
}

/** One task of the main thread: when it ran in the page's performance.now() time, its wall and CPU ms. */
export interface MainThreadTask {
  start: number;
  wall: number;
  cpu: number;
}

export interface MainThreadReport {
  tasks: number;
  /** every task wholly between the marks */
  list: MainThreadTask[];
  /** the most thread CPU time one task took, ms */
  longestTaskCpu: number;
  /** that task's wall time, ms */
  longestTaskWall: number;
  /** the wall time between the marks, ms */
  windowMs: number;
}

const START = 'onnxgrad-trace-start';
const END = 'onnxgrad-trace-end';

/** Traces the page from now until `stop()`, which reports the main thread's tasks in between. */
export async function traceMainThread(
  context: BrowserContext,
  page: Page,
): Promise<{ stop(): Promise<MainThreadReport> }> {
  const cdp = await context.newCDPSession(page);
  const events: TraceEvent[] = [];
  cdp.on('Tracing.dataCollected', (e) => events.push(...(e.value as unknown as TraceEvent[])));
  await cdp.send('Tracing.start', {
    traceConfig: { includedCategories: ['toplevel', 'devtools.timeline', '__metadata'] },
    transferMode: 'ReportEvents',
  });
  // console.timeStamp marks the window on the page's own thread (the trace's clock); the page's
  // performance.now() at the mark puts the trace's tasks on the page's clock (the frames' clock)
  const pageStart = await page.evaluate((label) => {
    console.timeStamp(label);
    return performance.now();
  }, START);
  return {
    async stop() {
      await page.evaluate((label) => console.timeStamp(label), END);
      const complete = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
      await cdp.send('Tracing.end');
      await complete;
      await cdp.detach();
      return mainThreadReport(events, pageStart);
    },
  };
}

function mainThreadReport(events: TraceEvent[], pageStart: number): MainThreadReport {
  const mark = (label: string) => events.find((e) => e.name === 'TimeStamp' && e.args?.data?.message === label);
  const [start, end] = [mark(START), mark(END)];
  if (!start || !end) throw new Error('the trace lacks the console.timeStamp marks');
  const thread = (e: TraceEvent) => e.pid === start.pid && e.tid === start.tid;
  const name = events.find((e) => e.ph === 'M' && e.name === 'thread_name' && thread(e))?.args?.name;
  if (name !== 'CrRendererMain') throw new Error(`the marks are on thread ${name}, not the page's main thread`);
  // the page's tasks wholly between the marks (the tasks that set the marks are left out)
  const tasks = events.filter(
    (e) => e.ph === 'X' && e.cat === 'toplevel' && thread(e) && e.ts > start.ts && e.ts + (e.dur ?? 0) < end.ts,
  );
  if (tasks.some((t) => t.tdur === undefined)) throw new Error('this trace has no thread CPU times (tdur)');
  const longest = tasks.reduce<TraceEvent | undefined>((a, t) => (!a || t.tdur! > a.tdur! ? t : a), undefined);
  return {
    tasks: tasks.length,
    list: tasks.map((t) => ({
      start: pageStart + (t.ts - start.ts) / 1000,
      wall: (t.dur ?? 0) / 1000,
      cpu: t.tdur! / 1000,
    })),
    longestTaskCpu: (longest?.tdur ?? 0) / 1000,
    longestTaskWall: (longest?.dur ?? 0) / 1000,
    windowMs: (end.ts - start.ts) / 1000,
  };
}

/**
 * The most main-thread CPU time that fell between two consecutive animation frames: a task's CPU
 * counts in proportion to the part of its wall time inside the gap. Unlike the gap's wall time it
 * does not grow while a busy machine keeps the page waiting for a core, and unlike the longest
 * task it also catches many short tasks that together keep the page from drawing.
 */
export function busiestFrameGap(frames: number[], tasks: MainThreadTask[]): { from: number; to: number; cpu: number } {
  let busiest = { from: 0, to: 0, cpu: 0 };
  for (let i = 1; i < frames.length; i++) {
    const [a, b] = [frames[i - 1]!, frames[i]!];
    let cpu = 0;
    for (const t of tasks) {
      const overlap = Math.min(b, t.start + t.wall) - Math.max(a, t.start);
      if (overlap > 0) cpu += t.wall > 0 ? (t.cpu * overlap) / t.wall : 0;
    }
    if (cpu > busiest.cpu) busiest = { from: a, to: b, cpu };
  }
  return busiest;
}
