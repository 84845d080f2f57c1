// POST /v1/predict: a PNG or JSON body -> images -> normalised rows -> the micro-batcher -> one
// prediction per image. Each step refuses early and cheaply: 503 before the body is read when
// too many predictions are in flight, 503 when the queue is full or the deadline passes, 413/415
// for bodies the server will not take.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MicroBatcher } from './batcher.js';
import { checkPngHeader, decodeJson, decodePng, type DecodedImages, type DecodeOptions } from './decode.js';
import { type ByteBudget, HttpError, mediaType, overloaded, readBody, sendJson } from './http.js';
import type { ServedModel } from './model.js';
import type { PngPool } from './png-pool.js';
import type { DatasetProfile } from './samples.js';
import { argmax } from './softmax.js';
import { SIDE } from './options.js';

/** PNGs up to this many pixels are decoded on the event loop (well under a millisecond); larger ones in a worker. */
const INLINE_PNG_PIXELS = 64 * 64;

export interface PredictLimits {
  maxBodyBytes: number;
  maxImages: number;
  maxImageSide: number;
  maxPending: number;
  maxQueue: number;
  deadlineMs: number;
}

export interface PredictContext {
  model: ServedModel;
  profile: DatasetProfile;
  batcher: MicroBatcher;
  pngs: PngPool;
  bodyMemory: ByteBudget;
  limits: PredictLimits;
  closing: () => boolean;
}

export interface Predictor {
  handle(req: IncomingMessage, res: ServerResponse, query: URLSearchParams): Promise<void>;
  /** predictions being read, queued or run now */
  readonly pending: number;
}

export function createPredictor(context: PredictContext): Predictor {
  const { model, profile, batcher, pngs, bodyMemory, limits } = context;
  let pending = 0;

  const normalise = (images: DecodedImages): Float32Array => {
    // intensities may be fractional (JSON, luminance), so no lookup table
    const out = new Float32Array(images.pixels.length);
    const { mean, std } = profile.normalization;
    for (let i = 0; i < out.length; i++) out[i] = (images.pixels[i]! / 255 - mean) / std;
    return out;
  };

  async function decode(body: Buffer, type: string, query: URLSearchParams): Promise<DecodedImages> {
    const flag = (name: string) => query.get(name) === 'true' || query.get(name) === '1';
    const decodeOptions: DecodeOptions = {
      side: SIDE,
      maxImages: limits.maxImages,
      maxSide: limits.maxImageSide,
      invert: flag('invert'),
      raw: flag('raw'),
    };
    if (type !== 'image/png') return decodeJson(body, decodeOptions);
    const { width, height } = checkPngHeader(body, decodeOptions); // refuses bombs before any inflating
    return width * height <= INLINE_PNG_PIXELS ? decodePng(body, decodeOptions) : pngs.decode(body, decodeOptions);
  }

  /** Rejects with 503 when the deadline passes first (a queued request has then left the queue). */
  function beforeDeadline<T>(work: Promise<T>, deadline: AbortSignal): Promise<T> {
    const late = () => overloaded(`not answered within the ${limits.deadlineMs} ms deadline`);
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

  async function handle(req: IncomingMessage, res: ServerResponse, query: URLSearchParams): Promise<void> {
    const started = performance.now();
    if (context.closing())
      throw new HttpError(503, 'the server is shutting down', { 'Retry-After': '1', Connection: 'close' });
    const type = mediaType(req);
    if (type !== 'image/png' && type !== 'application/json') {
      throw new HttpError(415, `Content-Type must be image/png or application/json, got '${type || '(none)'}'`);
    }
    if (pending >= limits.maxPending) {
      req.resume();
      throw overloaded(`${pending} predictions in flight`);
    }
    pending += 1;
    const deadline = AbortSignal.timeout(limits.deadlineMs);
    const arrived = batcher.announce();
    try {
      let images: DecodedImages;
      try {
        const { body, release } = await readBody(req, limits.maxBodyBytes, bodyMemory);
        try {
          images = await decode(body, type, query);
        } finally {
          release();
        }
      } catch (error) {
        arrived();
        throw error;
      }
      if (batcher.queued + images.count > limits.maxQueue) {
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

  return {
    handle,
    get pending() {
      return pending;
    },
  };
}
