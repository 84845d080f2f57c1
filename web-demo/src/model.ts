// The model in the page, on onnxruntime-web's WebGPU bundle: WebGPU when the browser gives an
// adapter, else the same bundle's WASM execution provider (SIMD, threads when the page is
// cross-origin isolated). The runtime's files come from this site's /ort/ folder, never a CDN.
import { softmaxRows } from 'onnxgrad';
import * as ort from 'onnxruntime-web/webgpu';
import type { Provider } from './providers.js';

export { type Provider, PROVIDER_NAMES } from './providers.js';

ort.env.wasm.wasmPaths = new URL('ort/', globalThis.location.href).href;
ort.env.logLevel = 'error';

export interface RunResult {
  /** count * classes */
  probabilities: Float32Array;
  ms: number;
}

export interface DemoModel {
  readonly provider: Provider;
  readonly name: string;
  /** why WebGPU did not take the model although the browser has an adapter ('' when it did or was not tried) */
  readonly webgpuError: string;
  /** `input` holds count normalised images of side x side */
  run(input: Float32Array, count: number): Promise<RunResult>;
  release(): Promise<void>;
}

interface GpuLike {
  requestAdapter(): Promise<unknown>;
}

async function hasWebGpuAdapter(): Promise<boolean> {
  const gpu = (navigator as Navigator & { gpu?: GpuLike }).gpu;
  if (!gpu) return false;
  try {
    return (await gpu.requestAdapter()) !== null;
  } catch {
    return false;
  }
}

/**
 * Creates a session on WebGPU when an adapter exists (and `prefer` allows it), else on WASM.
 * Choosing here, rather than passing ['webgpu', 'wasm'], tells the page which one really runs.
 */
export async function loadModel(
  bytes: Uint8Array,
  name: string,
  prefer: Provider | 'auto' = 'auto',
): Promise<DemoModel> {
  const candidates: Provider[] =
    prefer === 'wasm' ? ['wasm'] : (await hasWebGpuAdapter()) ? ['webgpu', 'wasm'] : ['wasm'];
  let lastError: unknown;
  let webgpuError = '';
  for (const provider of candidates) {
    try {
      const session = await ort.InferenceSession.create(bytes, {
        executionProviders: [provider],
        graphOptimizationLevel: 'all',
      });
      return wrap(session, provider, name, webgpuError);
    } catch (error) {
      lastError = error;
      if (provider === 'webgpu') webgpuError = error instanceof Error ? error.message : String(error);
    }
  }
  throw new Error(`could not load ${name}: ${lastError instanceof Error ? lastError.message : String(lastError)}`);
}

function wrap(session: ort.InferenceSession, provider: Provider, name: string, webgpuError: string): DemoModel {
  const input = session.inputNames[0] ?? 'image';
  const output = session.outputNames.includes('probabilities') ? 'probabilities' : 'logits';
  let queue: Promise<unknown> = Promise.resolve();
  return {
    provider,
    name,
    webgpuError,
    run(data, count) {
      // a session runs one call at a time: chain them
      const side = Math.round(Math.sqrt(data.length / count));
      const next = queue.then(async (): Promise<RunResult> => {
        const started = performance.now();
        const result = await session.run({ [input]: new ort.Tensor('float32', data, [count, 1, side, side]) });
        const values = await result[output]!.getData();
        const ms = performance.now() - started;
        const raw = Float32Array.from(values as Float32Array);
        return { probabilities: output === 'logits' ? softmaxRows(raw, count) : raw, ms };
      });
      queue = next.catch(() => undefined);
      return next;
    },
    release: () => session.release(),
  };
}
