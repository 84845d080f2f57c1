// The server's options with their defaults (the limits that shed load), its counters and the
// handle startServer returns. Types and constants only.
import type { DatasetName, SourceOptions } from '../data/datasets.js';
import type { Device } from '../runtime/node.js';
import type { BatcherStats } from './batcher.js';
import type { ModelInfo } from './model.js';
import type { DatasetProfile } from './samples.js';

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
  /** new connections read at once until their first request has arrived; the others wait, unread, in arrival order (admission.ts) */
  maxNewConnections?: number;
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
  /** connections accepted whose requests have not been read yet */
  waiting: number;
  /** the process's resident memory in bytes */
  rss: number;
  /** how late the event loop ran a 10 ms timer since the server started: the longest it was held by one piece of work */
  eventLoopDelayMs: { p99: number; max: number };
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
  maxNewConnections: 16,
  newConnectionIdleMs: 100,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5000,
} as const;

/** The side of the images the model takes. */
export const SIDE = 28;
