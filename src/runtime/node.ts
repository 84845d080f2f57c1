// The only module that imports onnxruntime-node. It maps a device name to execution providers
// and session options through one frozen table, and turns the runtime's errors into ones a user
// can act on.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import ort from 'onnxruntime-node';
import { Graph } from '../ir/graph.js';
import type { TensorArray, TensorData } from '../ir/tensor.js';
import { exportModel } from '../onnx/export.js';
import type { TensorSession } from './tensor-session.js';
import { NCHWC_DOMAIN } from './nchwc-domain.js';

export type Device = 'cpu' | 'cuda' | 'webgpu';

export interface DeviceSpec {
  /** ONNX Runtime's execution providers, in order; the CPU provider takes what the first cannot run. */
  readonly providers: readonly string[];
  /** Session options of this device, over the common ones of createSession. */
  readonly session: Readonly<ort.InferenceSession.SessionOptions>;
  /**
   * Whether outputs that feed the next run can stay in device memory (onnxruntime-node's
   * preferredOutputLocation 'gpu-buffer', which its binding implements for WebGPU only).
   */
  readonly deviceOutputs: boolean;
  /** Throws the install hint when the provider is missing, before ONNX Runtime is asked. */
  readonly check?: () => void;
  /** The one-line error for a session that failed to start, or null for the generic one. */
  readonly explain: (message: string) => string | null;
}

export const CUDA_INSTALL_HINT =
  'the CUDA execution provider is not installed; on a Linux x64 machine with CUDA 12 that can reach NuGet, run: ' +
  'ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules/onnxruntime-node/script/install';

/** Debian's chromium package ships SwiftShader, a Vulkan driver on the CPU that Dawn accepts. */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

export const WEBGPU_INSTALL_HINT =
  "onnxruntime-node's WebGPU runs on Vulkan, so install the Vulkan loader and your GPU's driver " +
  "(Debian: apt-get install -y libvulkan1 mesa-vulkan-drivers, or your GPU vendor's driver); with no GPU, " +
  `a software adapter (far slower than --ep cpu): apt-get install -y libvulkan1 chromium, then VK_ICD_FILENAMES=${SWIFTSHADER_ICD}`;

const entry = (spec: DeviceSpec): DeviceSpec =>
  Object.freeze({
    ...spec,
    providers: Object.freeze([...spec.providers]),
    session: Object.freeze({ ...spec.session }),
  });

const DEVICE_TABLE: Readonly<Record<Device, DeviceSpec>> = Object.freeze({
  cpu: entry({
    providers: ['cpu'],
    session: {},
    deviceOutputs: false,
    explain: () => null,
  }),
  cuda: entry({
    providers: ['cuda', 'cpu'],
    session: {},
    deviceOutputs: false,
    check: () => {
      if (!cudaProviderInstalled()) throw new Error(CUDA_INSTALL_HINT);
    },
    explain: (message) => (/cuda/i.test(message) ? `${CUDA_INSTALL_HINT} (${message})` : null),
  }),
  webgpu: entry({
    providers: ['webgpu', 'cpu'],
    // errors only: ORT warns on every session that it keeps shape ops on the CPU, which is by design
    session: { logSeverityLevel: 3 },
    deviceOutputs: true,
    explain: (message) =>
      /WebGPU adapter|No supported adapters/i.test(message)
        ? `no WebGPU adapter${vulkanCause()}: ${WEBGPU_INSTALL_HINT}`
        : null,
  }),
});

export const DEVICES: readonly Device[] = Object.freeze(Object.keys(DEVICE_TABLE) as Device[]);

/** A device's entry; an unknown name is an error that lists the known ones. */
export function deviceSpec(device: string): DeviceSpec {
  const spec = (DEVICE_TABLE as Readonly<Record<string, DeviceSpec | undefined>>)[device];
  if (!spec) throw new Error(`unknown execution provider '${device}' (known: ${DEVICES.join(', ')})`);
  return spec;
}

/** Why Vulkan found no adapter, where that can be told: no loader, or an ICD file that is not there. */
function vulkanCause(): string {
  for (const variable of ['VK_DRIVER_FILES', 'VK_ICD_FILENAMES']) {
    const missing = (process.env[variable] ?? '').split(':').filter((f) => f !== '' && !existsSync(f));
    if (missing.length > 0) return ` (${variable} names ${missing.join(', ')}, which does not exist)`;
  }
  return vulkanLoaderFound() ? '' : ' (no Vulkan loader: libvulkan.so.1 is not installed)';
}

/** Whether the dynamic linker can find libvulkan.so.1: in its cache or on LD_LIBRARY_PATH. */
export function vulkanLoaderFound(): boolean {
  const dirs = (process.env['LD_LIBRARY_PATH'] ?? '').split(':').filter((d) => d !== '');
  if (dirs.some((d) => existsSync(join(d, 'libvulkan.so.1')))) return true;
  try {
    return readFileSync('/etc/ld.so.cache').includes('libvulkan.so.1');
  } catch {
    return true; // no cache to read (not glibc Linux): say nothing rather than guess
  }
}

export interface SessionOptions {
  readonly device?: Device;
  /** Intra-op threads; 0 lets ONNX Runtime choose. */
  readonly threads?: number;
  /** Thread-pool spinning burns a core while idle; off by default so a busy machine does not collapse. */
  readonly spinning?: boolean;
  /**
   * Outputs to leave in device memory, to be fed to the next run as they are (the training step's
   * next parameters and optimizer state). Ignored where the device's memory is the host's.
   */
  readonly deviceOutputs?: readonly string[];
}

export type Session = ort.InferenceSession;
export type OrtTensor = ort.Tensor;
export { ort };

/** Whether onnxruntime-node's CUDA provider library is present next to the binding. */
export function cudaProviderInstalled(): boolean {
  const root = dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json'));
  return existsSync(join(root, 'bin', 'napi-v6', 'linux', 'x64', 'libonnxruntime_providers_cuda.so'));
}

/** Whether a session on this device can keep outputs in device memory (SessionOptions.deviceOutputs). */
export const keepsOutputsOnDevice = (device: Device = 'cpu'): boolean => deviceSpec(device).deviceOutputs;

export async function createSession(model: Uint8Array | string, options: SessionOptions = {}): Promise<Session> {
  const device = options.device ?? 'cpu';
  const spec = deviceSpec(device);
  spec.check?.();
  const onDevice = spec.deviceOutputs ? (options.deviceOutputs ?? []) : [];
  const sessionOptions: ort.InferenceSession.SessionOptions = {
    executionProviders: [...spec.providers],
    graphOptimizationLevel: 'all',
    intraOpNumThreads: options.threads ?? 0,
    interOpNumThreads: 1,
    extra: { session: { intra_op: { allow_spinning: options.spinning ? '1' : '0' } } },
    ...spec.session,
    ...(onDevice.length > 0
      ? { preferredOutputLocation: Object.fromEntries(onDevice.map((name) => [name, 'gpu-buffer' as const])) }
      : {}),
  };
  try {
    return typeof model === 'string'
      ? await ort.InferenceSession.create(model, sessionOptions)
      : await ort.InferenceSession.create(model, sessionOptions);
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
    throw new Error(spec.explain(message) ?? `ONNX Runtime could not load the model: ${message}`);
  }
}

/**
 * Host copies of tensors that a device keeps in its memory. onnxruntime-node 1.30 cannot download
 * a gpu-buffer tensor itself (Tensor.getData() aborts the process: its download was left out when
 * the binding gained WebGPU, onnxruntime PR #22660), so an Identity graph on the same device, with
 * host outputs, copies them back. It is built for the first set of names and shapes it gets.
 */
class HostCopier {
  private session: Promise<Session> | null = null;

  constructor(private readonly options: SessionOptions) {}

  async copy(tensors: ReadonlyMap<string, OrtTensor>): Promise<Map<string, TensorData>> {
    this.session ??= (() => {
      const g = new Graph('host_copy');
      for (const [name, t] of tensors) g.output(g.input(name, 'float32', [...t.dims]), `host.${name}`);
      return createSession(exportModel(g), { ...this.options, deviceOutputs: [] });
    })();
    const out = await (await this.session).run(Object.fromEntries(tensors));
    const copies = new Map<string, TensorData>();
    for (const name of tensors.keys()) {
      const t = out[`host.${name}`];
      if (!t) throw new Error(`no host copy of '${name}'`);
      copies.set(name, fromOrtTensor(t));
    }
    return copies;
  }

  async release(): Promise<void> {
    if (this.session) await (await this.session).release();
  }
}

/** Whether a runtime tensor lives in device memory (and must be disposed there). */
export const onDevice = (t: OrtTensor): boolean => t.location === 'gpu-buffer';

/**
 * A session in the runner's terms (src/runtime/tensor-session.ts). On the CPU, outputs can be
 * pre-allocated. On a device with its own memory, the outputs named in `deviceOutputs` stay there:
 * ONNX Runtime allocates them afresh each run (a session with device outputs leaves pre-allocated
 * host outputs unwritten), the runner disposes the ones it is done with, and `download` copies
 * tensors back to the host.
 */
export async function nodeTensorSession(
  model: Uint8Array | string,
  options: SessionOptions = {},
): Promise<TensorSession<OrtTensor>> {
  const session = await createSession(model, options);
  const device = keepsOutputsOnDevice(options.device) && (options.deviceOutputs ?? []).length > 0;
  const copier = device ? new HostCopier(options) : null;
  return {
    tensor: toOrtTensor,
    read: fromOrtTensor,
    run: (feeds, fetches) => (fetches ? session.run(feeds, fetches) : session.run(feeds)),
    preallocatedOutputs: !device,
    ...(copier
      ? {
          dispose: (t: OrtTensor) => (onDevice(t) ? t.dispose() : undefined),
          download: (ts: ReadonlyMap<string, OrtTensor>) => copier.copy(ts),
        }
      : {}),
    release: async () => {
      await copier?.release();
      await session.release();
    },
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
