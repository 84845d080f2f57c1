// `onnxgrad summary`: a Keras-style table of the network's layers, output shapes, parameters and
// multiply-adds, from the model options (the graph build-graph would write) or from a .onnx file.
import { print } from '../output.js';
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { buildInferenceGraph } from '../../graphs/mnist-cnn.js';
import { exportModel } from '../../src/onnx/export.js';
import { type ImportedModel, importModel } from '../../src/onnx/import.js';
import { withInferredShapes } from '../../src/onnx/infer-shapes.js';
import { DEFAULT_SUMMARY_BATCH, formatSummary, summarizeModel, summaryToJson } from '../../src/onnx/summary.js';
import { integerIn } from '../options/data.js';
import { addModelOptions, hasModelOptions, type ModelFlags, modelConfigFromOptions } from '../options/model.js';

interface SummaryFlags extends ModelFlags {
  modelFile?: string;
  batch: number;
  json?: boolean;
}

export function summaryCommand(): Command {
  const command = new Command('summary').description(
    "print the network's layers, output shapes, parameter counts and multiply-adds",
  );
  addModelOptions(command)
    .option('--model-file <file>', 'summarise this .onnx file instead of the network the model options describe')
    .option(
      '--batch <n>',
      'batch size for the training-step FLOP estimate',
      integerIn(1, 1 << 20),
      DEFAULT_SUMMARY_BATCH,
    )
    .option('--json', 'print the summary as JSON')
    .action((flags: SummaryFlags) => summary(flags));
  return command;
}

function modelBytes(flags: SummaryFlags): Uint8Array {
  if (flags.modelFile === undefined) return exportModel(buildInferenceGraph(modelConfigFromOptions(flags)));
  if (hasModelOptions(flags))
    throw new Error(
      '--model-file: cannot be combined with the model options (--model, --filters ...): the file defines the network',
    );
  try {
    return readFileSync(flags.modelFile);
  } catch (error) {
    throw new Error(
      `--model-file: cannot read ${flags.modelFile} (${error instanceof Error ? error.message : String(error)})`,
    );
  }
}

function summary(flags: SummaryFlags): void {
  const bytes = modelBytes(flags);
  let model;
  try {
    model = importModel(bytes);
  } catch (error) {
    throw new Error(`${flags.modelFile ?? 'model'}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (flags.modelFile !== undefined) model = shapesFor(model, flags.modelFile);
  const result = summarizeModel(model, { batch: flags.batch });
  print(flags.json ? `${JSON.stringify(summaryToJson(result))}\n` : formatSummary(result));
}

/** A file without value_info (PyTorch's) gets its shapes from the import; where that fails, '?' stays and the reason goes to stderr. */
function shapesFor(model: ImportedModel, file: string): ImportedModel {
  try {
    return withInferredShapes(model);
  } catch (error) {
    process.stderr.write(`${file}: shapes unknown: ${error instanceof Error ? error.message : String(error)}\n`);
    return model;
  }
}
