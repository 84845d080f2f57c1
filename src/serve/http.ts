// Small HTTP helpers on node:http: an error type that carries its status, a body reader with a
// size limit, and JSON answers. Every error a client can cause becomes a 4xx JSON answer.
import type { IncomingMessage, ServerResponse } from 'node:http';

/** An error the client caused (or a route it cannot use): answered as `{ error }` with `status`. */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

/**
 * Bytes that the request bodies being read may hold together: beyond it a request is answered
 * 503 (the server sheds load) rather than buffered, so memory stays bounded under a burst.
 */
export class ByteBudget {
  used = 0;
  constructor(readonly limit: number) {}
}

/** 503 with Retry-After: the server is too busy for this request now; the connection is closed. */
export const overloaded = (why: string): HttpError =>
  new HttpError(503, `the server is overloaded (${why}); try again shortly`, {
    'Retry-After': '1',
    Connection: 'close',
  });

/**
 * Reads the whole body; more than `limit` bytes is a 413 (from Content-Length when given, else
 * while reading). Its bytes count against `budget` until `release` (returned with the body).
 */
export async function readBody(
  req: IncomingMessage,
  limit: number,
  budget: ByteBudget = new ByteBudget(Number.POSITIVE_INFINITY),
): Promise<{ body: Buffer; release: () => void }> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) {
    req.resume(); // drain, so the connection can answer
    throw new HttpError(413, `request body of ${declared} bytes is over the limit of ${limit} bytes`);
  }
  let held = 0;
  const hold = (bytes: number): void => {
    if (budget.used + bytes > budget.limit) {
      req.resume();
      throw overloaded(`${budget.used} bytes of request bodies in memory`);
    }
    budget.used += bytes;
    held += bytes;
  };
  const release = (): void => {
    budget.used -= held;
    held = 0;
  };
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    const reserved = declared !== undefined && Number.isSafeInteger(Number(declared)) ? Number(declared) : 0;
    hold(reserved);
    for await (const chunk of req) {
      const buffer = chunk as Buffer;
      size += buffer.length;
      if (size > limit) {
        req.resume();
        throw new HttpError(413, `request body is over the limit of ${limit} bytes`);
      }
      if (size > reserved) hold(Math.min(buffer.length, size - reserved));
      chunks.push(buffer);
    }
  } catch (error) {
    release();
    throw error;
  }
  return { body: Buffer.concat(chunks, size), release };
}

/** The media type of a request without parameters, lower case ('' when absent). */
export function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(text);
}

export function sendError(res: ServerResponse, error: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (error instanceof HttpError) sendJson(res, error.status, { error: error.message }, error.headers);
  else sendJson(res, 500, { error: `internal error: ${error instanceof Error ? error.message : String(error)}` });
}
