// The served model: an ONNX file whose first input takes float32 images [N, 1, side, side]
// (normalised) and whose outputs include `probabilities` and/or `logits` [N, classes]. With logits
// only, the probabilities are their softmax. What the model is inside (QDQ, float16) does not
// matter. The input is checked when the model loads; a model exported with a fixed batch size
// (PyTorch's default is 1) is run in slices of that size. A model that fails the checks is released.
import { softmaxRows } from './softmax.js';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { type ModelInfo as ModelMetadata, readModelInfo } from '../onnx/metadata.js';
import { createSession, type Device, float32Tensor, type Session } from '../runtime/node.js';
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
  device?: Device;
}

export async function loadModel(path: string, options: LoadModelOptions): Promise<ServedModel> {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new Error(`cannot read the model ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const session: Session = await createSession(bytes, {
    ...(options.threads === undefined ? {} : { threads: options.threads }),
    ...(options.device === undefined ? {} : { device: options.device }),
  });
  let checked: { input: string; fixedBatch: number | undefined; metadata: ModelMetadata };
  try {
    checked = checkModel(session, bytes, options.side, path);
  } catch (error) {
    await session.release();
    throw error;
  }
  const { input, fixedBatch, metadata } = checked;
  const hasProbabilities = session.outputNames.includes('probabilities');
  const hasLogits = session.outputNames.includes('logits');
  const info: ModelInfo = {
    name: basename(path),
    sha256: createHash('sha256').update(bytes).digest('hex').slice(0, 12),
    bytes: bytes.length,
    input,
    outputs: [...session.outputNames],
  };
  const { side } = options;
  const size = side * side;
  const runOnce = async (rows: Float32Array, count: number): Promise<BatchOutputs> => {
    const result = await session.run({ [input]: float32Tensor(rows, [count, 1, side, side]) });
    const logits = hasLogits ? (result['logits']!.data as Float32Array) : undefined;
    const probabilities = hasProbabilities
      ? (result['probabilities']!.data as Float32Array)
      : softmaxRows(logits!, count);
    return logits ? { probabilities, logits } : { probabilities };
  };
  return {
    info,
    metadata,
    bytes,
    async run(rows, count) {
      if (fixedBatch === undefined || fixedBatch === count) return runOnce(rows, count);
      // slices of the fixed batch size, the last padded with zeros; the rows are put back together
      const parts: BatchOutputs[] = [];
      for (let start = 0; start < count; start += fixedBatch) {
        const slice = new Float32Array(fixedBatch * size);
        slice.set(rows.subarray(start * size, Math.min(count, start + fixedBatch) * size));
        parts.push(await runOnce(slice, fixedBatch));
      }
      const joined: Record<string, Float32Array> = {};
      for (const name of Object.keys(parts[0]!)) {
        const width = parts[0]![name]!.length / fixedBatch;
        const out = new Float32Array(count * width);
        parts.forEach((part, i) =>
          out.set(
            part[name]!.subarray(0, Math.min(fixedBatch, count - i * fixedBatch) * width),
            i * fixedBatch * width,
          ),
        );
        joined[name] = out;
      }
      return joined;
    },
    release: () => session.release(),
  };
}

/** The input the server feeds, the model's fixed batch size if any, and its metadata; throws a one-line error. */
function checkModel(
  session: Session,
  bytes: Uint8Array,
  side: number,
  path: string,
): { input: string; fixedBatch: number | undefined; metadata: ModelMetadata } {
  const input = session.inputNames[0];
  if (input === undefined) throw new Error(`${path}: the model has no inputs`);
  if (session.inputNames.length > 1)
    throw new Error(
      `${path}: the model has ${session.inputNames.length} inputs (${session.inputNames.join(', ')}); the server feeds one, images [N, 1, ${side}, ${side}]`,
    );
  const hasProbabilities = session.outputNames.includes('probabilities');
  const hasLogits = session.outputNames.includes('logits');
  if (!hasProbabilities && !hasLogits) {
    throw new Error(
      `${path}: the model has neither a 'probabilities' nor a 'logits' output (it has: ${session.outputNames.join(', ')})`,
    );
  }
  const meta = session.inputMetadata[0];
  let fixedBatch: number | undefined;
  if (meta?.isTensor) {
    const shape = meta.shape;
    const wanted = [1, side, side];
    const fits =
      meta.type === 'float32' &&
      shape.length === 4 &&
      shape.slice(1).every((d, i) => typeof d === 'string' || d === wanted[i]);
    if (!fits)
      throw new Error(
        `${path}: the input '${input}' is ${meta.type} [${shape.join(', ')}]; the server feeds float32 images [N, 1, ${side}, ${side}]`,
      );
    if (typeof shape[0] === 'number' && shape[0] > 0) fixedBatch = shape[0];
  }
  let metadata: ModelMetadata;
  try {
    metadata = readModelInfo(bytes);
  } catch {
    metadata = {}; // ONNX Runtime loaded it, so it is a model; its metadata is just unreadable to us
  }
  const norm = metadata.normalization;
  if (norm !== undefined && !(Number.isFinite(norm.mean) && Number.isFinite(norm.std) && norm.std > 0))
    throw new Error(
      `${path}: the model's normalisation metadata is ${JSON.stringify(norm)}; it needs a finite mean and a std above 0`,
    );
  return { input, fixedBatch, metadata };
}
