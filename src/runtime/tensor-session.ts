// A loaded graph on one ONNX Runtime (onnxruntime-node or onnxruntime-web), in the terms a
// training-step runner needs, so that one runner (src/train/step-runner.ts) drives either.
import type { TensorData } from '../ir/tensor.js';

export interface TensorSession<T> {
  /** A runtime tensor over this data (not copied). */
  tensor(t: TensorData): T;
  read(t: T): TensorData;
  /**
   * Runs the graph. With `fetches`, the runtime writes those outputs into the given tensors
   * (only where `preallocatedOutputs`); the outputs are returned either way.
   */
  run(feeds: Readonly<Record<string, T>>, fetches?: Readonly<Record<string, T>>): Promise<Readonly<Record<string, T>>>;
  /** Whether run() writes outputs into caller-owned tensors (onnxruntime-node does). */
  readonly preallocatedOutputs: boolean;
  /** Where outputs stay in device memory (onnxruntime-node on WebGPU): frees one the caller is done with. */
  dispose?(t: T): void;
  /** Where outputs stay in device memory: host copies of them (read() cannot reach device memory). */
  download?(tensors: ReadonlyMap<string, T>): Promise<Map<string, TensorData>>;
  release(): Promise<void>;
}
