// A burst of concurrent predictions against `onnxgrad serve` in its own process, on loopback only:
// `count` requests, each on its own connection, all sent at once, while /healthz is asked every
// 20 ms on a connection of its own and the server's resident memory is sampled. It stops by
// itself: every request has a timeout, and the whole burst a deadline. Used by the bounded test
// (burst.test.ts) and by `npm run bench:burst` (test/bench/serve-burst.mjs), which sends thousands.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

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
  healthz: { checks: number; maxMs: number; p99Ms: number; failures: number };
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

/** VmRSS of a process from /proc (Linux), in MiB. */
function rssOf(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

function once(
  url: URL,
  method: string,
  path: string,
  body: string | undefined,
  agent: Agent | false,
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
    const health = new Agent({ keepAlive: true, maxSockets: 1 });
    // one request first, so the model has run once (its first run allocates)
    await once(url, 'POST', '/v1/predict', options.body, false, 10_000);
    const rssBefore = rssOf(child.pid!);
    let peak = rssBefore;
    let done = false;
    const healthMs: number[] = [];
    let healthFailures = 0;
    const watch = (async () => {
      while (!done) {
        const r = await once(url, 'GET', '/healthz', undefined, health, 5000);
        if (r.status === 200) healthMs.push(r.ms);
        else healthFailures += 1;
        peak = Math.max(peak, rssOf(child.pid!));
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
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
    done = true;
    await watch;
    health.destroy();
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
    const sortedHealth = [...healthMs].sort((a, b) => a - b);
    return {
      count: options.count,
      statuses,
      seconds: round(seconds),
      healthz: {
        checks: healthMs.length,
        maxMs: round(sortedHealth.at(-1) ?? Number.NaN),
        p99Ms: round(quantile(sortedHealth, 0.99)),
        failures: healthFailures,
      },
      rssMiB: { before: round(rssBefore), peak: round(peak) },
      okMs: { p50: round(quantile(ok, 0.5)), p99: round(quantile(ok, 0.99)), max: round(ok.at(-1) ?? 0) },
      shedMs: { p50: round(quantile(shed, 0.5)), max: round(shed.at(-1) ?? 0) },
    };
  } finally {
    child.kill('SIGKILL');
  }
}
