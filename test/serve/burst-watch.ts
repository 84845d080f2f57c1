// Worker-thread entry of burst.ts: asks /healthz every `intervalMs` on one keep-alive connection
// and samples the server's resident memory, until told to stop. It has an event loop of its own,
// so the times it measures are the server's, not the wait behind the thousands of answers that
// the burst's own thread is busy reading.
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';

export interface WatchOptions {
  url: string;
  pid: number;
  intervalMs: number;
  /** a /healthz not answered within this counts as a failure */
  timeoutMs: number;
}

export interface WatchReport {
  /** milliseconds of each /healthz answered 200, in the order asked */
  healthMs: number[];
  /** what went wrong with the others: a status or an error code */
  failures: string[];
  /** the server's resident memory at each sample, MiB */
  rssMiB: number[];
}

/** VmRSS of a process from /proc (Linux), in MiB. */
export function rssOf(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

function health(url: URL, agent: Agent, timeoutMs: number): Promise<{ status: number | string; ms: number }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = request({ host: url.hostname, port: url.port, path: '/healthz', agent, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'timeout' })));
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ status: e.code ?? 'error', ms: 0 }));
    req.end();
  });
}

const port = parentPort;
if (port) {
  const options = workerData as WatchOptions;
  const url = new URL(options.url);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const report: WatchReport = { healthMs: [], failures: [], rssMiB: [] };
  let stop = false;
  port.once('message', () => (stop = true));
  void (async () => {
    while (!stop) {
      const r = await health(url, agent, options.timeoutMs);
      if (r.status === 200) report.healthMs.push(r.ms);
      else report.failures.push(String(r.status));
      report.rssMiB.push(rssOf(options.pid));
      await new Promise((resolve) => setTimeout(resolve, options.intervalMs));
    }
    agent.destroy();
    port.postMessage(report);
  })();
}
