// The inference server on node:http: POST /v1/predict (PNG or JSON, micro-batched into one model
// run), GET /v1/info, GET /v1/test-samples, GET /healthz, GET /model.onnx and the web demo's
// static files (routes.ts, predict.ts). Library code: it returns a handle and prints nothing; the
// CLI command wires signals and output.
// Under load it sheds rather than queues without end: a prediction is answered 503 with
// Retry-After when too many are in flight, when their bodies would hold too much memory, when the
// model's queue is full, or when it is not answered by its deadline; Node's header and request
// timeouts and a connection cap bound slow or idle clients. The model runs in a worker thread
// (model-thread.ts), so the event loop only parses, queues and answers, and new connections are
// read a few per turn of it (admission.ts), so a burst never holds it long.
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Admission } from './admission.js';
import { MicroBatcher } from './batcher.js';
import { ByteBudget, HttpError, sendError } from './http.js';
import { loadModelInWorker } from './model-thread.js';
import { SERVE_LIMITS, SIDE, type ServeHandle, type ServeOptions, type ServeStats } from './options.js';
import { PngPool } from './png-pool.js';
import { createPredictor } from './predict.js';
import { createRouter } from './routes.js';
import { type DatasetProfile, profileFor, testSampleSource } from './samples.js';
import { closeGracefully } from './shutdown.js';
import { defaultWebRoot } from './static.js';
import { trainingRoutes } from './training.js';

export { SERVE_LIMITS, type ServeHandle, type ServeOptions, type ServeStats } from './options.js';

export async function startServer(options: ServeOptions): Promise<ServeHandle> {
  const maxBatch = options.maxBatch ?? 64;
  const maxImageSide = options.maxImageSide ?? SERVE_LIMITS.maxImageSide;
  const webRoot = options.webRoot ?? defaultWebRoot();
  // in a worker thread: ONNX Runtime's runs are synchronous and would hold the event loop
  const model = await loadModelInWorker(options.modelPath, {
    side: SIDE,
    ...(options.threads === undefined ? {} : { threads: options.threads }),
    ...(options.device === undefined ? {} : { device: options.device }),
  });
  let profile: DatasetProfile;
  let training: ReturnType<typeof trainingRoutes>;
  try {
    profile = profileFor(model.metadata, options.dataset, options.dataSource);
    training = trainingRoutes(options.trainGraphDir === undefined ? {} : { graphDir: options.trainGraphDir });
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
  // the gallery's dataset starts loading now, off the event loop; others on first use
  const samples = testSampleSource(options.dataSource, [profile.name]);
  const pngs = new PngPool(8);
  let closing = false;
  const isClosing = () => closing;
  const predictor = createPredictor({
    model,
    profile,
    batcher,
    pngs,
    bodyMemory: new ByteBudget(options.maxBodyMemory ?? SERVE_LIMITS.maxBodyMemory),
    limits: {
      maxBodyBytes: options.maxBodyBytes ?? SERVE_LIMITS.maxBodyBytes,
      maxImages: options.maxImagesPerRequest ?? SERVE_LIMITS.maxImagesPerRequest,
      maxImageSide,
      maxPending: options.maxPending ?? SERVE_LIMITS.maxPending,
      maxQueue: options.maxQueue ?? SERVE_LIMITS.maxQueue,
      deadlineMs: options.deadlineMs ?? SERVE_LIMITS.deadlineMs,
    },
    closing: isClosing,
  });
  let errors = 0;
  let shed = 0;
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const ms = (ns: number) => Math.round(ns / 1e4) / 100;
  const stats = (): ServeStats => ({
    ...batcher.stats(),
    errors,
    shed,
    pending: predictor.pending,
    queued: batcher.queued,
    waiting: admission.waiting,
    rss: process.memoryUsage.rss(),
    eventLoopDelayMs: { p99: ms(loopDelay.percentile(99)), max: ms(loopDelay.max) },
  });
  const webBuilt = existsSync(webRoot);
  const route = createRouter({
    model,
    profile,
    predictor,
    samples,
    training,
    webRoot,
    webBuilt,
    maxBatch,
    maxImageSide,
    stats,
    closing: isClosing,
  });
  const server = createServer(
    {
      headersTimeout: options.headersTimeoutMs ?? SERVE_LIMITS.headersTimeoutMs,
      requestTimeout: options.requestTimeoutMs ?? SERVE_LIMITS.requestTimeoutMs,
      keepAliveTimeout: SERVE_LIMITS.keepAliveTimeoutMs,
      // how often Node looks for requests past those timeouts (its default, 30 s, would triple them)
      connectionsCheckingInterval: 250,
    },
    (req, res) => {
      route(req, res).catch((error: unknown) => {
        errors += 1;
        if (error instanceof HttpError && error.status === 503) shed += 1;
        sendError(res, error);
      });
    },
  );
  server.maxConnections = options.maxConnections ?? SERVE_LIMITS.maxConnections;
  const admission = new Admission(server, {
    maxNew: options.maxNewConnections ?? SERVE_LIMITS.maxNewConnections,
    idleMs: SERVE_LIMITS.newConnectionIdleMs,
  });
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 8080;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      // a backlog as deep as the kernel allows (somaxconn), so a burst of connections waits to be accepted
      server.listen({ port, host, backlog: 4096 }, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    loopDelay.disable();
    await model.release();
    await training.close();
    throw new Error(`cannot listen on ${host}:${port}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closed: Promise<void> | undefined;

  return {
    url: `http://${shownHost}:${address.port}`,
    port: address.port,
    model: model.info,
    profile,
    webRoot,
    webBuilt,
    stats,
    close() {
      closed ??= (async () => {
        closing = true;
        const graceMs = options.shutdownGraceMs ?? 10_000;
        // the connections accepted but not read yet are read now, so that they are answered (503)
        await admission.drain(Math.min(1000, graceMs));
        await closeGracefully(server, graceMs);
        loopDelay.disable();
        await pngs.close();
        await training.close();
        await model.release();
      })();
      return closed;
    },
  };
}
