// A graceful close of the HTTP server: it stops accepting, lets the requests in flight finish
// (keep-alive connections are closed as soon as they go idle) and, after `graceMs`, cuts
// whatever is still open.
import type { Server } from 'node:http';

export async function closeGracefully(server: Server, graceMs: number): Promise<void> {
  const done = new Promise<void>((resolve) => server.close(() => resolve()));
  // keep-alive connections that go idle once their request is answered are closed too
  const sweep = setInterval(() => server.closeIdleConnections(), 20);
  const force = setTimeout(() => server.closeAllConnections(), graceMs);
  server.closeIdleConnections();
  await done;
  clearInterval(sweep);
  clearTimeout(force);
}
