// Admission of new connections, so that a storm of them cannot hold the event loop. Left alone,
// libuv accepts the whole listen backlog in one go and Node then reads and parses every request
// that is ready, up to 48 x 1024 of them, before the loop moves on: a /healthz on a connection
// already open waited behind all of them (1.1 s for 5000 connections at once, and even a
// server that only answers 503 held its loop 1.5 s). Here new connections are accepted paused
// (nothing is read from them) and handed to the HTTP server at most `perTurn` per turn of the
// event loop; the connections already open are served in between, so one turn stays short. The
// ones not yet admitted wait as paused sockets, their bytes in the kernel; Node's connection cap
// (server.maxConnections) bounds how many.
import type { Server } from 'node:http';
import type { Socket } from 'node:net';

export interface Admission {
  /** connections accepted but not yet handed to the HTTP server */
  readonly waiting: number;
  /** Destroys the connections still waiting (the end of a shutdown's grace). */
  destroyWaiting(): void;
}

export function admitGradually(server: Server, perTurn: number): Admission {
  if (!Number.isInteger(perTurn) || perTurn < 1)
    throw new RangeError(`perTurn must be a positive integer, got ${perTurn}`);
  // node:http's own 'connection' listener sets up the parser; it is called when a socket is admitted
  const httpListeners = server.listeners('connection') as ((socket: Socket) => void)[];
  for (const listener of httpListeners) server.removeListener('connection', listener);
  // net.Server reads this property for every connection it accepts (node:http offers no option for it)
  (server as Server & { pauseOnConnect: boolean }).pauseOnConnect = true;
  const queue: (Socket | undefined)[] = [];
  let head = 0;
  let scheduled = false;
  const ignore = (): void => undefined;

  const pump = (): void => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      for (let admitted = 0; admitted < perTurn && head < queue.length;) {
        const socket = queue[head];
        queue[head++] = undefined; // the queue lets go of it once admitted
        if (!socket) continue;
        socket.removeListener('error', ignore);
        if (socket.destroyed) continue;
        for (const listener of httpListeners) listener.call(server, socket);
        socket.resume();
        admitted += 1;
      }
      if (head === queue.length) {
        queue.length = 0;
        head = 0;
      } else pump();
    });
  };

  server.on('connection', (socket: Socket) => {
    socket.on('error', ignore); // a client that gives up while waiting: it is skipped when its turn comes
    queue.push(socket);
    pump();
  });

  return {
    get waiting() {
      return queue.length - head;
    },
    destroyWaiting() {
      for (let i = head; i < queue.length; i++) queue[i]?.destroy();
    },
  };
}
