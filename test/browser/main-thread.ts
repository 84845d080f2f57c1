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

export interface MainThreadReport {
  tasks: number;
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
  // console.timeStamp marks the window on the page's own thread (the trace's clock)
  await page.evaluate((label) => console.timeStamp(label), START);
  return {
    async stop() {
      await page.evaluate((label) => console.timeStamp(label), END);
      const complete = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
      await cdp.send('Tracing.end');
      await complete;
      await cdp.detach();
      return mainThreadReport(events);
    },
  };
}

function mainThreadReport(events: TraceEvent[]): MainThreadReport {
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
    longestTaskCpu: (longest?.tdur ?? 0) / 1000,
    longestTaskWall: (longest?.dur ?? 0) / 1000,
    windowMs: (end.ts - start.ts) / 1000,
  };
}
