// Options for training an ONNX file that onnxgrad did not build (build-graph --from, train --from):
// the loss, the output it reads, and which parameters are frozen.
import { readFileSync } from 'node:fs';
import { type Command, Option } from 'commander';
import { decodeModelProto } from '../../src/onnx/import.js';
import { LOSSES } from '../../src/train/compile-step.js';
import { type ImportStepOptions, writeImportedGraphDir } from '../../src/train/import-step.js';
import { formForDevice, stepForm, usesNchwc } from '../../src/passes/forms.js';
import { nchwcBlockSize } from '../../src/runtime/node.js';
import type { TrainOptions } from '../../src/train/options.js';

export interface ImportFlags {
  from?: string;
  loss?: string;
  output?: string;
  freeze?: string[];
  trainOnly?: string[];
}

const collect = (value: string, previous: string[] = []): string[] => [
  ...previous,
  ...value
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean),
];

export function addImportOptions(command: Command): Command {
  return command
    .option('--from <file.onnx>', 'train this ONNX model (e.g. exported by PyTorch) instead of building the CNN')
    .addOption(
      new Option(
        '--loss <name>',
        'with --from: the loss (default: cross-entropy on logits; nll when the output comes from LogSoftmax)',
      ).choices(Object.keys(LOSSES)),
    )
    .option('--output <name>', 'with --from: the model output to train on, where it has several')
    .option(
      '--freeze <pattern>',
      'with --from: parameters not to train, a glob on their names (repeat or comma-separate)',
      collect,
    )
    .option(
      '--train-only <pattern>',
      'with --from: train only the parameters matching this glob (repeat or comma-separate)',
      collect,
    );
}

/** Import options given without --from are a mistake worth one line. */
export function checkImportFlags(flags: ImportFlags): void {
  if (flags.from !== undefined) return;
  const given = (['loss', 'output', 'freeze', 'trainOnly'] as const).filter((k) => flags[k] !== undefined);
  if (given.length > 0)
    throw new Error(
      `--${given[0] === 'trainOnly' ? 'train-only' : given[0]} applies to a model given with --from FILE.onnx`,
    );
}

/** The bytes of --from's file, checked to be an ONNX model, so an error names the file. */
export function readOnnxFile(file: string): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new Error(`--from: cannot read ${file} (${error instanceof Error ? error.message : String(error)})`);
  }
  try {
    decodeModelProto(bytes);
  } catch (error) {
    throw new Error(`--from: ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return bytes;
}

export function importStepOptions(
  flags: ImportFlags,
  o: Pick<ImportStepOptions, 'optimizer' | 'batchSize' | 'form' | 'nchwcBlock'>,
): ImportStepOptions {
  return {
    ...o,
    ...(flags.loss ? { loss: flags.loss } : {}),
    ...(flags.output ? { output: flags.output } : {}),
    ...(flags.freeze ? { freeze: flags.freeze } : {}),
    ...(flags.trainOnly ? { trainOnly: flags.trainOnly } : {}),
  };
}

/**
 * `train --from FILE`: the run's own build-graph folder (options.graphDir, RUN/graph: model.onnx
 * in inference form and the training step) in the form for the run's device, with what the
 * import chose said through `out`.
 */
export async function writeRunImport(
  file: string,
  flags: ImportFlags,
  options: TrainOptions,
  out: (line: string) => void,
): Promise<void> {
  if (!options.graphDir) throw new Error('train --from: the run has no graph folder');
  const form = stepForm(formForDevice(options.device, options.nchwc !== false));
  const nchwcBlock = usesNchwc(form) ? await nchwcBlockSize() : null;
  const made = writeImportedGraphDir(
    readOnnxFile(file),
    options.graphDir,
    importStepOptions(flags, {
      optimizer: options.optimizer,
      batchSize: options.batchSize,
      form: form.name,
      nchwcBlock,
    }),
  );
  for (const note of made.notes) out(`note: ${note}`);
  const frozen = made.parameters.frozen.length ? `, frozen: ${made.parameters.frozen.join(', ')}` : '';
  out(`training ${file}: output '${made.output.name}', loss ${made.loss}${frozen}`);
}
