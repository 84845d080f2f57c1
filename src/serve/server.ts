// The inference server on node:http: POST /v1/predict (PNG or JSON, micro-batched into one model
// run), GET /v1/info, GET /v1/test-samples, GET /healthz, GET /model.onnx and the web demo's
// static files. Every response carries COOP/COEP so the demo's WASM threads work. Library code:
// it returns a handle and prints nothing; the CLI command wires signals and output.
// Under load it sheds rather than queues without end: a prediction is answered 503 with
// Retry-After when too many are in flight, when their bodies would hold too much memory, when the
// model's queue is full, or when it is not answered by its deadline; Node's header and request
// timeouts and a connection cap bound slow or idle clients.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import { DATASET_NAMES, type DatasetName, type SourceOptions } from '../data/datasets.js';
import { type BatcherStats, MicroBatcher } from './batcher.js';
import { checkPngHeader, decodeJson, decodePng, type DecodedImages, type DecodeOptions } from './decode.js';
import { ByteBudget, HttpError, mediaType, overloaded, readBody, sendError, sendJson } from './http.js';
import { PngPool } from './png-pool.js';
import { loadModel, type ModelInfo } from './model.js';
import type { Device } from '../runtime/node.js';
import { argmax } from './softmax.js';
import { type DatasetProfile, profileFor, testSampleSource } from './samples.js';
import { defaultWebRoot, resolveDemoPath, sendFile } from './static.js';
import { trainingRoutes } from './training.js';

export interface ServeOptions {
  modelPath: string;
  /** 0 picks a free port */
  port?: number;
  host?: string;
  /** class names and normalisation when the model carries none (trained models do); default mnist */
  dataset?: DatasetName;
  /** where the datasets come from (test samples; Fashion-MNIST's normalisation) */
  dataSource?: SourceOptions;
  maxBatch?: number;
  batchWaitMs?: number;
  /** largest request body in bytes (413 above) */
  maxBodyBytes?: number;
  /** most images in one JSON request */
  maxImagesPerRequest?: number;
  /** the built web demo; default web-demo/dist of this package */
  webRoot?: string;
  threads?: number;
  /** the execution provider that runs the model (src/runtime/node.ts); default cpu */
  device?: Device;
  /** how long close() lets in-flight requests finish before cutting connections */
  shutdownGraceMs?: number;
  /** largest PNG width and height; a larger one is refused with 413 */
  maxImageSide?: number;
  /** predictions being read, queued or run at once; more are answered 503 */
  maxPending?: number;
  /** images waiting for the model; a request that would queue more is answered 503 */
  maxQueue?: number;
  /** bytes of request bodies held in memory at once; more are answered 503 */
  maxBodyMemory?: number;
  /** a prediction not answered this many ms after it arrived is answered 503 */
  deadlineMs?: number;
  /** most open connections (Node drops those beyond) */
  maxConnections?: number;
  /** a request's headers must arrive within this (408 after) */
  headersTimeoutMs?: number;
  /** a whole request must arrive within this (408 after) */
  requestTimeoutMs?: number;
  /** the training page's graph: a build-graph folder; default the practical's CNN (training.ts) */
  trainGraphDir?: string;
}

export interface ServeStats extends BatcherStats {
  /** requests answered with an error status */
  errors: number;
  /** predictions answered 503 (overload, deadline, shutting down) */
  shed: number;
  /** predictions being read, queued or run now */
  pending: number;
  /** images waiting for the model now */
  queued: number;
  /** the process's resident memory in bytes */
  rss: number;
}

export interface ServeHandle {
  readonly url: string;
  readonly port: number;
  readonly model: ModelInfo;
  readonly profile: DatasetProfile;
  readonly webRoot: string;
  /** false when the web demo has not been built (npm run build:web) */
  readonly webBuilt: boolean;
  stats(): ServeStats;
  /** Stops accepting connections, lets in-flight requests finish, then releases the model. */
  close(): Promise<void>;
}

const SIDE = 28;
const SECURITY_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};
const API_METHODS: Readonly<Record<string, readonly string[]>> = {
  '/v1/predict': ['POST'],
  '/v1/info': ['GET', 'HEAD'],
  '/v1/test-samples': ['GET', 'HEAD'],
  '/healthz': ['GET', 'HEAD'],
  '/model.onnx': ['GET', 'HEAD'],
};

/** The defaults of the limits, for the CLI's help and the README. */
export const SERVE_LIMITS = {
  maxBodyBytes: 4 * 1024 * 1024,
  maxImagesPerRequest: 256,
  maxImageSide: 2048,
  maxPending: 1024,
  maxQueue: 2048,
  maxBodyMemory: 64 * 1024 * 1024,
  deadlineMs: 10_000,
  maxConnections: 8192,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5000,
} as const;

/** PNGs up to this many pixels are decoded on the event loop (well under a millisecond); larger ones in a worker. */
const INLINE_PNG_PIXELS = 64 * 64;

export async function startServer(options: ServeOptions): Promise<ServeHandle> {
  const maxBatch = options.maxBatch ?? 64;
  const maxBodyBytes = options.maxBodyBytes ?? SERVE_LIMITS.maxBodyBytes;
  const maxImages = options.maxImagesPerRequest ?? SERVE_LIMITS.maxImagesPerRequest;
  const maxImageSide = options.maxImageSide ?? SERVE_LIMITS.maxImageSide;
  const maxPending = options.maxPending ?? SERVE_LIMITS.maxPending;
  const maxQueue = options.maxQueue ?? SERVE_LIMITS.maxQueue;
  const deadlineMs = options.deadlineMs ?? SERVE_LIMITS.deadlineMs;
  const bodyMemory = new ByteBudget(options.maxBodyMemory ?? SERVE_LIMITS.maxBodyMemory);
  const webRoot = options.webRoot ?? defaultWebRoot();
  const model = await loadModel(options.modelPath, {
    side: SIDE,
    ...(options.threads === undefined ? {} : { threads: options.threads }),
    ...(options.device === undefined ? {} : { device: options.device }),
  });
  let profile: DatasetProfile;
  try {
    profile = profileFor(model.metadata, options.dataset, options.dataSource);
  } catch (error) {
    await model.release();
    throw error;
  }
  const batcher = new MicroBatcher({
    rowSize: SIDE * SIDE,
    maxBatch,
    waitMs: options.batchWaitMs ?? 2,
    run: (rows, n) => model.run(rows, n),
  });
  const samples = testSampleSource(options.dataSource);
  let training: ReturnType<typeof trainingRoutes>;
  try {
    training = trainingRoutes(options.trainGraphDir === undefined ? {} : { graphDir: options.trainGraphDir });
  } catch (error) {
    await model.release();
    throw error;
  }
  const pngs = new PngPool(8);
  let errors = 0;
  let shed = 0;
  let pending = 0;

  const normalise = (images: DecodedImages): Float32Array => {
    // intensities may be fractional (JSON, luminance), so no lookup table
    const out = new Float32Array(images.pixels.length);
    const { mean, std } = profile.normalization;
    for (let i = 0; i < out.length; i++) out[i] = (images.pixels[i]! / 255 - mean) / std;
    return out;
  };

  async function predict(req: IncomingMessage, res: ServerResponse, query: URLSearchParams): Promise<void> {
    const started = performance.now();
    if (closing) throw new HttpError(503, 'the server is shutting down', { 'Retry-After': '1', Connection: 'close' });
    const type = mediaType(req);
    if (type !== 'image/png' && type !== 'application/json') {
      throw new HttpError(415, `Content-Type must be image/png or application/json, got '${type || '(none)'}'`);
    }
    if (pending >= maxPending) {
      req.resume();
      throw overloaded(`${pending} predictions in flight`);
    }
    pending += 1;
    const deadline = AbortSignal.timeout(deadlineMs);
    const arrived = batcher.announce();
    try {
      let images: DecodedImages;
      try {
        const { body, release } = await readBody(req, maxBodyBytes, bodyMemory);
        try {
          images = await decode(body, type, query);
        } finally {
          release();
        }
      } catch (error) {
        arrived();
        throw error;
      }
      if (batcher.queued + images.count > maxQueue) {
        arrived();
        throw overloaded(`${batcher.queued} images waiting for the model`);
      }
      const outputs = await beforeDeadline(
        batcher.submit(normalise(images), images.count, arrived, deadline),
        deadline,
      );
      const probabilities = outputs['probabilities']!;
      const classes = probabilities.length / images.count;
      const predictions = [];
      for (let n = 0; n < images.count; n++) {
        const row = Array.from(probabilities.subarray(n * classes, (n + 1) * classes));
        const label = argmax(row);
        predictions.push({ label, className: profile.classNames[label] ?? String(label), probabilities: row });
      }
      sendJson(res, 200, {
        predictions,
        model: { name: model.info.name, sha256: model.info.sha256 },
        dataset: profile.name,
        elapsedMs: Math.round((performance.now() - started) * 1000) / 1000,
      });
    } finally {
      pending -= 1;
    }
  }

  /** Rejects with 503 when the deadline passes first (a queued request has then left the queue). */
  function beforeDeadline<T>(work: Promise<T>, deadline: AbortSignal): Promise<T> {
    const late = () => overloaded(`not answered within the ${deadlineMs} ms deadline`);
    return new Promise<T>((resolve, reject) => {
      if (deadline.aborted) reject(late());
      const onAbort = () => reject(late());
      deadline.addEventListener('abort', onAbort, { once: true });
      work.then(
        (value) => {
          deadline.removeEventListener('abort', onAbort);
          resolve(value);
        },
        (error: unknown) => {
          deadline.removeEventListener('abort', onAbort);
          reject(deadline.aborted ? late() : error);
        },
      );
    });
  }

  async function decode(body: Buffer, type: string, query: URLSearchParams): Promise<DecodedImages> {
    const flag = (name: string) => query.get(name) === 'true' || query.get(name) === '1';
    const decodeOptions: DecodeOptions = {
      side: SIDE,
      maxImages,
      maxSide: maxImageSide,
      invert: flag('invert'),
      raw: flag('raw'),
    };
    if (type !== 'image/png') return decodeJson(body, decodeOptions);
    const { width, height } = checkPngHeader(body, decodeOptions); // refuses bombs before any inflating
    return width * height <= INLINE_PNG_PIXELS ? decodePng(body, decodeOptions) : pngs.decode(body, decodeOptions);
  }

  function testSamples(res: ServerResponse, query: URLSearchParams): void {
    const count = intParam(query, 'count', 24, 1, 200);
    const offset = intParam(query, 'offset', 0, 0, 1_000_000);
    const dataset = query.get('dataset') ?? profile.name;
    if (!(DATASET_NAMES as readonly string[]).includes(dataset)) {
      throw new HttpError(400, `unknown dataset '${dataset}' (known: ${DATASET_NAMES.join(', ')})`);
    }
    sendJson(res, 200, samples(dataset as DatasetName, offset, count));
  }

  function info(): unknown {
    return {
      model: model.info,
      dataset: profile.name,
      classNames: profile.classNames,
      normalization: profile.normalization,
      profileFrom: profile.from,
      side: SIDE,
      maxBatch,
      maxImageSide,
    };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    if (closing) res.setHeader('Connection', 'close');
    const [rawPath = '/', rawQuery = ''] = (req.url ?? '/').split('?', 2);
    const query = new URLSearchParams(rawQuery);
    const method = req.method ?? 'GET';
    if (await training.handle(req, res, rawPath)) return;
    const allowed = API_METHODS[rawPath];
    if (allowed) {
      if (!allowed.includes(method))
        throw new HttpError(405, `${method} is not allowed on ${rawPath} (use ${allowed.join(' or ')})`, {
          Allow: allowed.join(', '),
        });
      switch (rawPath) {
        case '/v1/predict':
          return predict(req, res, query);
        case '/v1/info':
          return sendJson(res, 200, info());
        case '/v1/test-samples':
          return testSamples(res, query);
        case '/healthz':
          return sendJson(res, 200, { status: closing ? 'closing' : 'ok', model: model.info.name, stats: stats() });
        case '/model.onnx':
          res.writeHead(200, {
            'Content-Type': 'application/octet-stream',
            'Content-Length': model.bytes.length,
            'Cache-Control': 'no-cache',
          });
          res.end(method === 'HEAD' ? undefined : model.bytes);
          return;
      }
    }
    if (rawPath.startsWith('/v1/')) throw new HttpError(404, `no such endpoint: ${rawPath}`);
    if (method !== 'GET' && method !== 'HEAD')
      throw new HttpError(405, `${method} is not allowed on static files`, { Allow: 'GET, HEAD' });
    if (!webBuilt && (rawPath === '/' || rawPath === '/index.html')) {
      throw new HttpError(404, `the web demo is not built (${webRoot} is missing): run npm run build:web`);
    }
    const file = resolveDemoPath(webRoot, rawPath);
    sendFile(req, res, file, rawPath);
  }

  const stats = (): ServeStats => ({
    ...batcher.stats(),
    errors,
    shed,
    pending,
    queued: batcher.queued,
    rss: process.memoryUsage.rss(),
  });
  const webBuilt = existsSync(webRoot);
  let closing = false;
  const server = createServer(
    {
      headersTimeout: options.headersTimeoutMs ?? SERVE_LIMITS.headersTimeoutMs,
      requestTimeout: options.requestTimeoutMs ?? SERVE_LIMITS.requestTimeoutMs,
      keepAliveTimeout: SERVE_LIMITS.keepAliveTimeoutMs,
      // how often Node looks for requests past those timeouts (its default, 30 s, would triple them)
      connectionsCheckingInterval: 250,
    },
    (req, res) => {
      handle(req, res).catch((error: unknown) => {
        errors += 1;
        if (error instanceof HttpError && error.status === 503) shed += 1;
        sendError(res, error);
      });
    },
  );
  server.maxConnections = options.maxConnections ?? SERVE_LIMITS.maxConnections;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      // a backlog as deep as the kernel allows (somaxconn), so a burst of connections waits to be accepted
      server.listen({ port: options.port ?? 8080, host: options.host ?? '127.0.0.1', backlog: 4096 }, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await model.release();
    await training.close();
    throw new Error(
      `cannot listen on ${options.host ?? '127.0.0.1'}:${options.port ?? 8080}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closed: Promise<void> | undefined;

  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    model: model.info,
    profile,
    webRoot,
    webBuilt,
    stats,
    close() {
      closed ??= (async () => {
        closing = true;
        const done = new Promise<void>((resolve) => server.close(() => resolve()));
        // keep-alive connections that go idle once their request is answered are closed too
        const sweep = setInterval(() => server.closeIdleConnections(), 20);
        const force = setTimeout(() => server.closeAllConnections(), options.shutdownGraceMs ?? 10_000);
        server.closeIdleConnections();
        await done;
        clearInterval(sweep);
        clearTimeout(force);
        await pngs.close();
        await training.close();
        await model.release();
      })();
      return closed;
    },
  };
}

function intParam(query: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
  const text = query.get(name);
  if (text === null) return fallback;
  const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max)
    throw new HttpError(400, `${name} must be an integer from ${min} to ${max}, got '${text}'`);
  return n;
}
