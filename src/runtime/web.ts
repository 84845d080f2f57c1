// The only module that imports onnxruntime-web, for use inside Node: its WASM execution provider
// (the same kernels a browser page without WebGPU runs), for benchmarks and cross-runtime checks.
// The page itself (web-demo/) imports the WebGPU bundle on its own.
import * as ort from 'onnxruntime-web';
import type { TensorArray, TensorData } from '../ir/tensor.js';
import type { TensorSession } from './tensor-session.js';

export type WebSession = ort.InferenceSession;
export type WebTensor = ort.Tensor;
export { ort as ortWeb };

export interface WebSessionOptions {
  /**
   * WASM threads. ONE setting for the whole process, fixed when the first session starts the
   * WASM module; asking for another count afterwards is an error rather than silently ignored.
   */
  readonly threads?: number;
}

let startedWith: number | undefined;

export async function createWebSession(model: Uint8Array, options: WebSessionOptions = {}): Promise<WebSession> {
  const threads = options.threads ?? startedWith ?? 1;
  if (!Number.isInteger(threads) || threads < 1)
    throw new Error(`WASM threads must be a positive integer, got ${threads}`);
  if (startedWith !== undefined && startedWith !== threads) {
    throw new Error(`onnxruntime-web already runs with ${startedWith} WASM thread(s); the count is fixed per process`);
  }
  ort.env.wasm.numThreads = threads;
  startedWith = threads;
  try {
    return await ort.InferenceSession.create(model, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`onnxruntime-web could not load the model: ${message.split('\n')[0]}`);
  }
}

/** A session in the runner's terms (src/runtime/tensor-session.ts); it returns fresh outputs. */
export async function webTensorSession(
  model: Uint8Array,
  options: WebSessionOptions = {},
): Promise<TensorSession<WebTensor>> {
  const session = await createWebSession(model, options);
  return {
    tensor: toWebTensor,
    read: fromWebTensor,
    run: (feeds) => session.run(feeds),
    preallocatedOutputs: false,
    release: () => session.release(),
  };
}

export function toWebTensor(t: TensorData): WebTensor {
  switch (t.dtype) {
    case 'float32':
      return new ort.Tensor('float32', t.data as Float32Array, [...t.dims]);
    case 'float64':
      return new ort.Tensor('float64', t.data as Float64Array, [...t.dims]);
    case 'int64':
      return new ort.Tensor('int64', t.data as BigInt64Array, [...t.dims]);
    case 'bool':
      return new ort.Tensor('bool', t.data as Uint8Array, [...t.dims]);
  }
}

export function fromWebTensor(t: WebTensor): TensorData {
  const dtype =
    t.type === 'float32'
      ? 'float32'
      : t.type === 'float64'
        ? 'float64'
        : t.type === 'int64'
          ? 'int64'
          : t.type === 'bool'
            ? 'bool'
            : undefined;
  if (!dtype) throw new Error(`unsupported tensor type from onnxruntime-web: ${t.type}`);
  return { dtype, dims: [...t.dims], data: t.data as TensorArray };
}

export function webFloat32Tensor(data: Float32Array, dims: readonly number[]): WebTensor {
  return new ort.Tensor('float32', data, [...dims]);
}

export function webInt64Tensor(data: BigInt64Array, dims: readonly number[]): WebTensor {
  return new ort.Tensor('int64', data, [...dims]);
}
