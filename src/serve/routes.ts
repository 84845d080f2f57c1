// Which handler answers a request: the training page's routes, the API (predict, info, test
// samples, healthz, the model file) and the web demo's static files. Every response carries
// COOP/COEP so the demo's WASM threads work. /healthz only reads counters: it never waits on the
// model's queue or on anything that loads.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DATASET_NAMES, type DatasetName } from '../data/datasets.js';
import { HttpError, sendJson } from './http.js';
import type { ServedModel } from './model.js';
import { SIDE, type ServeStats } from './options.js';
import type { Predictor } from './predict.js';
import type { DatasetProfile, SampleSource } from './samples.js';
import { resolveDemoPath, sendFile } from './static.js';
import type { trainingRoutes } from './training.js';

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

export interface RouterContext {
  model: ServedModel;
  profile: DatasetProfile;
  predictor: Predictor;
  samples: SampleSource;
  training: ReturnType<typeof trainingRoutes>;
  webRoot: string;
  webBuilt: boolean;
  maxBatch: number;
  maxImageSide: number;
  stats: () => ServeStats;
  closing: () => boolean;
}

export type Router = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export function createRouter(context: RouterContext): Router {
  const { model, profile, predictor, samples, training, webRoot, webBuilt } = context;

  async function testSamples(res: ServerResponse, query: URLSearchParams): Promise<void> {
    const count = intParam(query, 'count', 24, 1, 200);
    const offset = intParam(query, 'offset', 0, 0, 1_000_000);
    const dataset = query.get('dataset') ?? profile.name;
    if (!(DATASET_NAMES as readonly string[]).includes(dataset)) {
      throw new HttpError(400, `unknown dataset '${dataset}' (known: ${DATASET_NAMES.join(', ')})`);
    }
    sendJson(res, 200, await samples(dataset as DatasetName, offset, count));
  }

  const info = (): unknown => ({
    model: model.info,
    dataset: profile.name,
    classNames: profile.classNames,
    normalization: profile.normalization,
    profileFrom: profile.from,
    side: SIDE,
    maxBatch: context.maxBatch,
    maxImageSide: context.maxImageSide,
  });

  return async (req, res) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    if (context.closing()) res.setHeader('Connection', 'close');
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
          return predictor.handle(req, res, query);
        case '/v1/info':
          return sendJson(res, 200, info());
        case '/v1/test-samples':
          return testSamples(res, query);
        case '/healthz':
          return sendJson(res, 200, {
            status: context.closing() ? 'closing' : 'ok',
            model: model.info.name,
            stats: context.stats(),
          });
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
