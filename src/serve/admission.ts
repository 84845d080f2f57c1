// Admission: the server accepts connections as they come but reads only a bounded number of new
// ones at a time, in the order they arrived. Node reads every readable socket in one turn of the
// event loop; when thousands of connections land at once (a burst), their requests were all
// parsed and handled in one turn, and the loop was held for over a second (/healthz waited
// behind it). A new connection holds one of `maxNew` places until its first request has
// arrived (or it closes, or `idleMs` pass first, so silent clients cannot keep the door shut);
// after that it is read as it comes, so a keep-alive connection already in (a load balancer's,
// a monitor's) is answered between two small turns while new ones wait.
import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';

export interface AdmissionLimits {
  /** new connections being read at once */
  maxNew: number;
  /** a new connection whose request has not arrived within this gives its place up (it stays open) */
  idleMs: number;
}

export class Admission {
  readonly #limits: AdmissionLimits;
  /** sockets not yet read, oldest first; `#head` is the next one */
  #waiting: (Socket | undefined)[] = [];
  #head = 0;
  /** admitted sockets still holding a place, each with what gives it up */
  readonly #holding = new Map<Socket, () => void>();
  /** at shutdown: every connection is let in at once */
  #draining = false;

  /** Takes over `server`'s new connections. */
  constructor(server: Server, limits: AdmissionLimits) {
    for (const [name, v] of Object.entries(limits))
      if (!Number.isInteger(v) || v < 1) throw new Error(`admission: ${name} must be a positive integer, got ${v}`);
    this.#limits = limits;
    // net.Server's pauseOnConnect, which http.createServer does not pass down: a connection's
    // socket is created without reading, and its request waits in the kernel until resume()
    (server as Server & { pauseOnConnect: boolean }).pauseOnConnect = true;
    server.on('connection', (socket: Socket) => {
      this.#waiting.push(socket);
      this.#admit();
    });
    server.on('request', (req: IncomingMessage) => this.#holding.get(req.socket)?.());
  }

  /** Connections accepted and not yet read. */
  get waiting(): number {
    return this.#waiting.length - this.#head;
  }

  /** New connections being read now. */
  get reading(): number {
    return this.#holding.size;
  }

  /**
   * Lets every waiting connection in at once, and resolves when none is waiting or being read, or
   * after `ms`. For shutdown: http's close() cuts connections with no request in progress, which
   * would cut those accepted but not read yet instead of answering them.
   */
  drain(ms: number): Promise<void> {
    this.#draining = true;
    this.#admit();
    const until = performance.now() + ms;
    return new Promise((resolve) => {
      const check = () => {
        if ((this.waiting === 0 && this.reading === 0) || performance.now() >= until) resolve();
        else setTimeout(check, 5);
      };
      check();
    });
  }

  #admit(): void {
    while ((this.#draining || this.#holding.size < this.#limits.maxNew) && this.#head < this.#waiting.length) {
      const socket = this.#waiting[this.#head];
      this.#waiting[this.#head++] = undefined;
      if (socket !== undefined && !socket.destroyed) this.#letIn(socket);
    }
    if (this.#head === this.#waiting.length) {
      this.#waiting = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#waiting.length) {
      // drop the slots already let in once they are most of the array
      this.#waiting = this.#waiting.slice(this.#head);
      this.#head = 0;
    }
  }

  #letIn(socket: Socket): void {
    const idle = setTimeout(() => release(), this.#limits.idleMs);
    const release = () => {
      if (!this.#holding.delete(socket)) return;
      clearTimeout(idle);
      socket.off('close', release);
      // the next ones are read in a later turn, not in this one
      setImmediate(() => this.#admit());
    };
    this.#holding.set(socket, release);
    socket.once('close', release);
    socket.resume();
  }
}
