// The only module that imports onnxruntime-node. It maps a device name to execution providers
// through one frozen table, and turns the runtime's errors into ones a user can act on.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import ort from 'onnxruntime-node';
import { Graph } from '../ir/graph.js';
import type { TensorArray, TensorData } from '../ir/tensor.js';
import { exportModel } from '../onnx/export.js';
import type { TensorSession } from './tensor-session.js';
import { NCHWC_DOMAIN } from './nchwc-domain.js';

export type Device = 'cpu' | 'cuda';
export const DEVICES: readonly Device[] = ['cpu', 'cuda'];

const EXECUTION_PROVIDERS: Readonly<Record<Device, readonly string[]>> = Object.freeze({
  cpu: ['cpu'],
  cuda: ['cuda', 'cpu'],
});

export const CUDA_INSTALL_HINT =
  'the CUDA execution provider is not installed; on a Linux x64 machine with CUDA 12 that can reach NuGet, run: ' +
  'ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules/onnxruntime-node/script/install';

export interface SessionOptions {
  readonly device?: Device;
  /** Intra-op threads; 0 lets ONNX Runtime choose. */
  readonly threads?: number;
  /** Thread-pool spinning burns a core while idle; off by default so a busy machine does not collapse. */
  readonly spinning?: boolean;
}

export type Session = ort.InferenceSession;
export type OrtTensor = ort.Tensor;
export { ort };

/** Whether onnxruntime-node's CUDA provider library is present next to the binding. */
export function cudaProviderInstalled(): boolean {
  const root = dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json'));
  return existsSync(join(root, 'bin', 'napi-v6', 'linux', 'x64', 'libonnxruntime_providers_cuda.so'));
}

export async function createSession(model: Uint8Array | string, options: SessionOptions = {}): Promise<Session> {
  const device = options.device ?? 'cpu';
  const providers = EXECUTION_PROVIDERS[device];
  if (!providers) throw new Error(`unknown device '${String(device)}' (known: ${DEVICES.join(', ')})`);
  if (device === 'cuda' && !cudaProviderInstalled()) throw new Error(CUDA_INSTALL_HINT);
  const sessionOptions: ort.InferenceSession.SessionOptions = {
    executionProviders: [...providers],
    graphOptimizationLevel: 'all',
    intraOpNumThreads: options.threads ?? 0,
    interOpNumThreads: 1,
    extra: { session: { intra_op: { allow_spinning: options.spinning ? '1' : '0' } } },
  };
  try {
    return typeof model === 'string'
      ? await ort.InferenceSession.create(model, sessionOptions)
      : await ort.InferenceSession.create(model, sessionOptions);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (device === 'cuda' && /cuda/i.test(message)) throw new Error(`${CUDA_INSTALL_HINT} (${message.split('\n')[0]})`);
    throw new Error(`ONNX Runtime could not load the model: ${message.split('\n')[0]}`);
  }
}

/** A session in the runner's terms (src/runtime/tensor-session.ts); outputs can be pre-allocated. */
export async function nodeTensorSession(
  model: Uint8Array | string,
  options: SessionOptions = {},
): Promise<TensorSession<OrtTensor>> {
  const session = await createSession(model, options);
  return {
    tensor: toOrtTensor,
    read: fromOrtTensor,
    run: (feeds, fetches) => (fetches ? session.run(feeds, fetches) : session.run(feeds)),
    preallocatedOutputs: true,
    release: () => session.release(),
  };
}

export function toOrtTensor(t: TensorData): OrtTensor {
  return new ort.Tensor(t.dtype, t.data, [...t.dims]);
}

export function fromOrtTensor(t: OrtTensor): TensorData {
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
  if (!dtype) throw new Error(`unsupported tensor type from ONNX Runtime: ${t.type}`);
  return { dtype, dims: [...t.dims], data: t.data as TensorArray };
}

export function float32Tensor(data: Float32Array, dims: readonly number[]): OrtTensor {
  return new ort.Tensor('float32', data, [...dims]);
}

export function int64Tensor(data: BigInt64Array, dims: readonly number[]): OrtTensor {
  return new ort.Tensor('int64', data, [...dims]);
}

/**
 * The NCHWc block size of this CPU (16 with AVX-512, 8 with AVX2), or null where ORT has no
 * NCHWc kernels: ReorderInput pads 4 channels up to one block.
 */
export async function nchwcBlockSize(): Promise<number | null> {
  const g = new Graph('nchwc_probe');
  const x = g.input('x', 'float32', [1, 4, 1, 1]);
  const [y] = g.addNode('ReorderInput', [x], {}, [{ dtype: 'float32', shape: [1, 'C', 1, 1] }], NCHWC_DOMAIN);
  if (!y) return null;
  g.output(y, 'y');
  try {
    const session = await createSession(exportModel(g), { threads: 1 });
    const out = await session.run({ x: float32Tensor(new Float32Array(4), [1, 4, 1, 1]) });
    await session.release();
    const block = out['y']?.dims[1];
    return typeof block === 'number' && block >= 8 && block % 4 === 0 ? block : null;
  } catch {
    return null;
  }
}
