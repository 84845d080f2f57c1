// Evaluates a trained model.onnx on a split of its dataset (the test set by default).
import { existsSync, readFileSync } from 'node:fs';
import { loadDataset, type SourceOptions } from '../data/datasets.js';
import { normalizationFor, type SplitName, splitDataset } from '../data/split.js';
import { readModelInfo } from '../onnx/metadata.js';
import { createSession, float32Tensor, type SessionOptions } from '../runtime/node.js';
import { type Evaluation, evaluate } from './evaluate.js';

export interface ModelEvaluation extends Evaluation {
  readonly dataset: string;
  readonly split: SplitName;
  readonly classNames: readonly string[];
  /** Accuracy of each class: correct / images of that class. */
  readonly perClass: readonly number[];
  readonly seconds: number;
}

export interface EvalOptions extends SessionOptions {
  readonly data?: SourceOptions;
  readonly split?: SplitName;
  readonly seed?: number;
  readonly limit?: number;
}

export async function evaluateModelFile(modelPath: string, o: EvalOptions = {}): Promise<ModelEvaluation> {
  if (!existsSync(modelPath)) throw new Error(`${modelPath}: no such model file (train one with 'onnxgrad train')`);
  const bytes = readFileSync(modelPath);
  let info: ReturnType<typeof readModelInfo>;
  try {
    info = readModelInfo(bytes);
  } catch (error) {
    throw new Error(`${modelPath}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const data = o.data?.dataset || o.data?.dataDir ? o.data : info.dataset ? { dataset: info.dataset } : {};
  const dataset = loadDataset(data);
  const splits = splitDataset(dataset, { seed: o.seed ?? 1, ...(o.limit ? { limit: o.limit } : {}) });
  const split = o.split ?? 'test';
  const normalization = info.normalization ?? normalizationFor(dataset, splits.train);
  const session = await createSession(bytes, o);
  const input = session.inputNames[0];
  const classes = dataset.classNames.length;
  const started = performance.now();
  try {
    const result = await evaluate(splits[split], normalization, classes, async (images, count) => {
      const out = await session.run({
        [input ?? 'image']: float32Tensor(images, [count, 1, dataset.height, dataset.width]),
      });
      const logits = out.logits ?? out[session.outputNames[0] ?? ''];
      if (!logits || logits.dims[1] !== classes)
        throw new Error(
          `${modelPath}: the model gives ${String(logits?.dims[1])} classes but ${dataset.name} has ${classes}`,
        );
      return logits.data as Float32Array;
    });
    const perClass = result.confusion.map(
      (row, c) =>
        (row[c] ?? 0) /
        Math.max(
          1,
          row.reduce((a, b) => a + b, 0),
        ),
    );
    return {
      ...result,
      dataset: dataset.name,
      split,
      classNames: dataset.classNames,
      perClass,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await session.release();
  }
}
