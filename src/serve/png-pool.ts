// PNG decoding off the event loop: one worker thread (started on first use) decodes the large
// images in turn; at most `maxPending` wait, beyond that a request is refused with 503. Small
// images are cheaper to decode inline than to send (server.ts decides).
import { Worker } from 'node:worker_threads';
import type { DecodedImages, DecodeOptions } from './decode.js';
import { HttpError, overloaded } from './http.js';

export interface DecodeRequest {
  id: number;
  body: Uint8Array;
  options: DecodeOptions;
}

export type DecodeReply =
  { id: number; count: number; pixels: Float32Array } | { id: number; error: { status: number; message: string } };

export class PngPool {
  private worker: Worker | undefined;
  private readonly waiting = new Map<number, { resolve: (d: DecodedImages) => void; reject: (e: unknown) => void }>();
  private nextId = 0;

  constructor(private readonly maxPending: number) {}

  decode(body: Uint8Array, options: DecodeOptions): Promise<DecodedImages> {
    if (this.waiting.size >= this.maxPending)
      return Promise.reject(overloaded(`${this.waiting.size} large images waiting to be decoded`));
    const worker = (this.worker ??= this.start());
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.postMessage({ id, body, options } satisfies DecodeRequest);
    });
  }

  private start(): Worker {
    const worker = new Worker(new URL('./png-worker.js', import.meta.url));
    worker.on('message', (reply: DecodeReply) => {
      const waiter = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      if (!waiter) return;
      if ('error' in reply) waiter.reject(new HttpError(reply.error.status, reply.error.message));
      else waiter.resolve({ count: reply.count, pixels: reply.pixels });
    });
    const fail = (error: unknown) => {
      this.worker = undefined;
      for (const waiter of this.waiting.values()) waiter.reject(error);
      this.waiting.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the PNG decoder exited with code ${code}`)));
    worker.unref(); // an idle decoder does not keep the process alive
    return worker;
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }
}
