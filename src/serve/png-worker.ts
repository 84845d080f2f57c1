// Worker-thread entry of png-pool.ts: decodes (and prepares) one PNG at a time off the server's
// event loop, where a 2048x2048 image would block every other request for half a second.
import { parentPort } from 'node:worker_threads';
import { decodePng } from './decode.js';
import { HttpError } from './http.js';
import type { DecodeReply, DecodeRequest } from './png-pool.js';

const port = parentPort;
if (!port) throw new Error('png-worker.ts must run in a worker thread');
port.on('message', ({ id, body, options }: DecodeRequest) => {
  let reply: DecodeReply;
  try {
    const { count, pixels } = decodePng(body, options);
    reply = { id, count, pixels };
  } catch (error) {
    const status = error instanceof HttpError ? error.status : 500;
    reply = { id, error: { status, message: error instanceof Error ? error.message : String(error) } };
  }
  port.postMessage(reply, 'pixels' in reply ? [reply.pixels.buffer as ArrayBuffer] : []);
});
