// The served model: an ONNX file whose first input takes images [N, 1, side, side] (normalised)
// and whose outputs include `probabilities` and/or `logits` [N, classes]. With logits only, the
// probabilities are their softmax.
import { softmaxRows } from './softmax.js';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { type ModelInfo as ModelMetadata, readModelInfo } from '../onnx/metadata.js';
import { createSession, float32Tensor, type Session } from '../runtime/node.js';
import type { BatchOutputs } from './batcher.js';

export interface ModelInfo {
  name: string;
  /** first 12 hex digits of the file's SHA-256: tells two models apart */
  sha256: string;
  bytes: number;
  input: string;
  outputs: readonly string[];
}

export interface ServedModel {
  readonly info: ModelInfo;
  /** what the file says about its training data (empty for a model without metadata) */
  readonly metadata: ModelMetadata;
  /** the file's bytes, served at /model.onnx for the browser */
  readonly bytes: Uint8Array;
  /** `rows` holds count images; returns `probabilities` (and `logits` when the model has them) */
  run(rows: Float32Array, count: number): Promise<BatchOutputs>;
  release(): Promise<void>;
}

export interface LoadModelOptions {
  side: number;
  threads?: number;
}

export async function loadModel(path: string, options: LoadModelOptions): Promise<ServedModel> {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new Error(`cannot read the model ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const session: Session = await createSession(
    bytes,
    options.threads === undefined ? {} : { threads: options.threads },
  );
  const input = session.inputNames[0];
  if (input === undefined) throw new Error(`${path}: the model has no inputs`);
  const hasProbabilities = session.outputNames.includes('probabilities');
  const hasLogits = session.outputNames.includes('logits');
  if (!hasProbabilities && !hasLogits) {
    throw new Error(
      `${path}: the model has neither a 'probabilities' nor a 'logits' output (it has: ${session.outputNames.join(', ')})`,
    );
  }
  const info: ModelInfo = {
    name: basename(path),
    sha256: createHash('sha256').update(bytes).digest('hex').slice(0, 12),
    bytes: bytes.length,
    input,
    outputs: [...session.outputNames],
  };
  const { side } = options;
  let metadata: ModelMetadata;
  try {
    metadata = readModelInfo(bytes);
  } catch {
    metadata = {}; // ONNX Runtime loaded it, so it is a model; its metadata is just unreadable to us
  }
  return {
    info,
    metadata,
    bytes,
    async run(rows, count) {
      const result = await session.run({ [input]: float32Tensor(rows, [count, 1, side, side]) });
      const logits = hasLogits ? (result['logits']!.data as Float32Array) : undefined;
      const probabilities = hasProbabilities
        ? (result['probabilities']!.data as Float32Array)
        : softmaxRows(logits!, count);
      const outputs: BatchOutputs = logits ? { probabilities, logits } : { probabilities };
      return outputs;
    },
    release: () => session.release(),
  };
}
