// A graceful close of the HTTP server: it stops accepting, lets the requests in flight finish
// (keep-alive connections are closed as soon as they go idle) and, after `graceMs`, cuts
// whatever is still open, connections still waiting for admission included.
import type { Server } from 'node:http';
import type { Admission } from './admission.js';

export async function closeGracefully(server: Server, admission: Admission, graceMs: number): Promise<void> {
  const done = new Promise<void>((resolve) => server.close(() => resolve()));
  // keep-alive connections that go idle once their request is answered are closed too
  const sweep = setInterval(() => server.closeIdleConnections(), 20);
  const force = setTimeout(() => {
    admission.destroyWaiting();
    server.closeAllConnections();
  }, graceMs);
  server.closeIdleConnections();
  await done;
  clearInterval(sweep);
  clearTimeout(force);
}
