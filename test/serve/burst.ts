// A burst of concurrent predictions against `onnxgrad serve` in its own process, on loopback only:
// `count` requests, each on its own connection, all sent at once, while a worker thread
// (burst-watch.ts) asks /healthz every 20 ms on a connection of its own and samples the server's
// resident memory. It stops by itself: every request has a timeout, and the whole burst a
// deadline. Used by the bounded test (burst.test.ts) and by `npm run bench:burst`
// (test/bench/serve-burst.mjs), which sends thousands.
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { rssOf, type WatchOptions, type WatchReport } from './burst-watch.js';

const MAIN = fileURLToPath(new URL('../../cli/main.js', import.meta.url));

export interface BurstOptions {
  model: string;
  /** predictions sent at once */
  count: number;
  /** the JSON body of each */
  body: string;
  /** extra `onnxgrad serve` flags */
  serveArgs?: readonly string[];
  /** the whole burst must end within this */
  deadlineMs?: number;
}

export interface BurstResult {
  count: number;
  /** answers by HTTP status, and failures by error code ('timeout', 'ECONNRESET', ...) */
  statuses: Record<string, number>;
  seconds: number;
  /** /healthz asked every 20 ms throughout the burst; failures are non-200 answers and timeouts (5 s) */
  healthz: { checks: number; maxMs: number; p99Ms: number; p50Ms: number; failures: number };
  /** the server's own view after the burst (its /healthz): the longest its event loop was held */
  server: { eventLoopDelayMs: { p99: number; max: number } };
  /** the server's resident memory: before the burst and the most seen during it, in MiB */
  rssMiB: { before: number; peak: number };
  /** the latency of the 200 answers */
  okMs: { p50: number; p99: number; max: number };
  /** how long the 503 answers took to come back */
  shedMs: { p50: number; max: number };
}

const quantile = (sorted: number[], q: number): number =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
const round = (v: number): number => Math.round(v * 10) / 10;

function once(
  url: URL,
  method: string,
  path: string,
  body: string | undefined,
  agent: false,
  timeoutMs: number,
): Promise<{ status: number | string; ms: number }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method,
        path,
        agent,
        timeout: timeoutMs,
        headers:
          body === undefined ? {} : { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }));
        res.on('error', (e: NodeJS.ErrnoException) => resolve({ status: e.code ?? 'error', ms: 0 }));
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'timeout' })));
    req.on('error', (e: NodeJS.ErrnoException) =>
      resolve({ status: e.code ?? 'error', ms: performance.now() - started }),
    );
    req.end(body);
  });
}

export async function burst(options: BurstOptions): Promise<BurstResult> {
  const deadlineMs = options.deadlineMs ?? 60_000;
  const child = spawn(
    process.execPath,
    [
      MAIN,
      'serve',
      '--model',
      options.model,
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--json',
      ...(options.serveArgs ?? []),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  try {
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout }).once('line', resolve);
      child.once('exit', (code) => reject(new Error(`onnxgrad serve exited with ${code}`)));
    });
    const url = new URL((JSON.parse(line) as { url: string }).url);
    // one request first, so the model has run once (its first run allocates)
    await once(url, 'POST', '/v1/predict', options.body, false, 10_000);
    const rssBefore = rssOf(child.pid!);
    const watcher = new Worker(new URL('./burst-watch.js', import.meta.url), {
      workerData: { url: url.href, pid: child.pid!, intervalMs: 20, timeoutMs: 5000 } satisfies WatchOptions,
    });
    const watched = new Promise<WatchReport>((resolve, reject) => {
      watcher.once('message', resolve);
      watcher.once('error', reject);
    });
    await new Promise((resolve) => watcher.once('online', resolve));
    const started = performance.now();
    const answers = await Promise.race([
      Promise.all(
        Array.from({ length: options.count }, () => once(url, 'POST', '/v1/predict', options.body, false, deadlineMs)),
      ),
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error(`the burst did not end within ${deadlineMs} ms`)), deadlineMs + 5000).unref(),
      ),
    ]);
    const seconds = (performance.now() - started) / 1000;
    watcher.postMessage('stop');
    const report = await watched;
    await watcher.terminate();
    const serverStats = await serverView(url);
    const statuses: Record<string, number> = {};
    for (const a of answers) statuses[String(a.status)] = (statuses[String(a.status)] ?? 0) + 1;
    const ok = answers
      .filter((a) => a.status === 200)
      .map((a) => a.ms)
      .sort((a, b) => a - b);
    const shed = answers
      .filter((a) => a.status === 503)
      .map((a) => a.ms)
      .sort((a, b) => a - b);
    const sortedHealth = [...report.healthMs].sort((a, b) => a - b);
    return {
      count: options.count,
      statuses,
      seconds: round(seconds),
      healthz: {
        checks: report.healthMs.length,
        maxMs: round(sortedHealth.at(-1) ?? Number.NaN),
        p99Ms: round(quantile(sortedHealth, 0.99)),
        p50Ms: round(quantile(sortedHealth, 0.5)),
        failures: report.failures.length,
      },
      server: serverStats,
      rssMiB: { before: round(rssBefore), peak: round(Math.max(rssBefore, ...report.rssMiB)) },
      okMs: { p50: round(quantile(ok, 0.5)), p99: round(quantile(ok, 0.99)), max: round(ok.at(-1) ?? 0) },
      shedMs: { p50: round(quantile(shed, 0.5)), max: round(shed.at(-1) ?? 0) },
    };
  } finally {
    child.kill('SIGKILL');
  }
}

/** The event-loop delay the server reports in /healthz's stats. */
async function serverView(url: URL): Promise<BurstResult['server']> {
  const res = await fetch(new URL('/healthz', url));
  const body = (await res.json()) as { stats: { eventLoopDelayMs?: { p99: number; max: number } } };
  return { eventLoopDelayMs: body.stats.eventLoopDelayMs ?? { p99: Number.NaN, max: Number.NaN } };
}
