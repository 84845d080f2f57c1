// `onnxgrad build-graph`: builds the network's graphs and writes them into an artifacts folder
// (model.onnx: the inference graph with the initial weights). --print shows the graph as text.
import { print } from '../output.js';
import { nchwcBlockSize } from '../../src/runtime/node.js';
import { Command, Option } from 'commander';
import { writeInferenceModel, writeTrainStep } from '../../src/train/graph-dir.js';
import { OPTIMIZER_NAMES, type OptimizerName } from '../../src/optim/index.js';
import { positiveInteger } from '../options/parse.js';
import { FORM_NAMES, formForFlags, stepForm, usesNchwc } from '../../src/passes/forms.js';
import type { Value } from '../../src/ir/graph.js';
import { bytesToText } from '../../src/onnx/text.js';
import { addModelOptions, hasModelOptions, type ModelFlags, modelConfigFromOptions } from '../options/model.js';
import {
  addImportOptions,
  checkImportFlags,
  type ImportFlags,
  importStepOptions,
  readOnnxFile,
} from '../options/import.js';
import { writeImportedGraphDir } from '../../src/train/import-step.js';

interface BuildGraphFlags extends ModelFlags, ImportFlags {
  out: string;
  optimizer: OptimizerName;
  batchSize: number;
  convGradients: 'auto' | 'conv' | 'im2col';
  nchwc: boolean;
  form?: string;
  print?: boolean;
  json?: boolean;
}

export function buildGraphCommand(): Command {
  const command = new Command('build-graph').description(
    'write DIR/model.onnx (inference graph, initial weights), DIR/train-step.onnx (forward, backward and optimizer update as one graph) and its manifest DIR/train-step.json',
  );
  command
    .option('--out <dir>', 'folder to write into (created if missing)', 'artifacts')
    .addOption(
      new Option('--optimizer <name>', 'optimizer in the training graph').choices(OPTIMIZER_NAMES).default('adam'),
    )
    .option('--batch-size <n>', "the training graph's (static) batch size", positiveInteger, 64)
    .addOption(
      new Option(
        '--conv-gradients <form>',
        "im2col: large GEMMs over shared patches, fastest on onnxruntime-node (what train uses); conv: ORT's Conv and ConvTranspose, the portable form the browser trains with; auto: im2col",
      )
        .choices(['auto', 'conv', 'im2col'])
        .default('auto'),
    )
    .option(
      '--no-nchwc',
      "with im2col: keep the image convolution a plain Conv instead of ONNX Runtime's CPU-only NCHWc Conv for this CPU, so that the graph also runs in the browser",
    )
    .option(
      '--form <name>',
      `the training step's form, by name (${FORM_NAMES.join(', ')}); instead of --conv-gradients and --no-nchwc, which choose node-cpu (im2col), wasm (im2col --no-nchwc) or portable (conv)`,
    );
  addImportOptions(command);
  addModelOptions(command)
    .option('--print', 'also print the graph in a readable text form')
    .option('--json', 'print what was written as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  onnxgrad build-graph --out artifacts --print\n  onnxgrad build-graph --model wide\n  onnxgrad build-graph --filters 32,64,64 --kernels 5,3,3 --strides 2,1,1 --hidden 512',
    )
    .action(async (flags: BuildGraphFlags) => buildGraph(flags));
  return command;
}

const typeText = (v: Value): string => `${v.name}: ${v.dtype}[${v.shape.join(', ')}]`;

async function buildGraph(flags: BuildGraphFlags): Promise<void> {
  if (flags.out.trim() === '') throw new Error('--out: expected a folder, got an empty string');
  checkImportFlags(flags);
  if (flags.from !== undefined) return buildFromFile(flags, flags.from);
  const config = modelConfigFromOptions(flags);
  const { path, bytes, graph } = writeInferenceModel(config, flags.out);
  const form = stepForm(flags.form ?? formForFlags(flags));
  // the node-cpu form lays the image convolution out for this CPU's NCHWc kernels
  const nchwcBlock = usesNchwc(form) ? await nchwcBlockSize() : null;
  const step = writeTrainStep(config, flags.out, {
    optimizer: flags.optimizer,
    batchSize: flags.batchSize,
    form: form.name,
    nchwcBlock,
  });
  const parameters = graph.parameterCount();
  if (flags.json) {
    const files = [
      { path, bytes: bytes.length, graph: graph.name },
      { path: step.path, bytes: step.bytes.length, graph: step.graph.name, manifest: step.manifestPath },
    ];
    print(`${JSON.stringify({ files, model: flags.model ?? 'practical', parameters, config })}\n`);
    return;
  }
  if (flags.print) print(bytesToText(bytes));
  const lines = [
    `wrote ${path} (${(bytes.length / 1e6).toFixed(2)} MB): inference graph '${graph.name}', ${graph.nodes.length} nodes, ${parameters.toLocaleString('en-US')} parameters`,
    `  model ${flags.model ?? 'practical'}, initial weights: ${config.init} init, seed ${config.seed}`,
    ...graph.inputs.map((v) => `  input   ${typeText(v)}`),
    ...graph.outputs.map((v) => `  output  ${typeText(v)}`),
    `wrote ${step.path} (${(step.bytes.length / 1e3).toFixed(0)} kB): training step '${step.graph.name}', ${flags.optimizer}, batch ${flags.batchSize}, ${step.manifest.convGradients} conv gradients${nchwcBlock ? `, NCHWc blocks of ${nchwcBlock}` : ''}`,
    `wrote ${step.manifestPath}: its ${step.manifest.inputs.length} inputs and ${step.manifest.outputs.length} outputs`,
    `layers: onnxgrad summary --model-file ${path}`,
    `train it: onnxgrad train --graph ${flags.out}`,
  ];
  print(`${lines.join('\n')}\n`);
}

/** build-graph --from FILE.onnx: the user's model in inference form, and its training step. */
async function buildFromFile(flags: BuildGraphFlags, file: string): Promise<void> {
  if (hasModelOptions(flags))
    throw new Error(
      '--from: cannot be combined with the model options (--model, --filters ...): the file defines the network',
    );
  const form = stepForm(flags.form ?? formForFlags(flags));
  const nchwcBlock = usesNchwc(form) ? await nchwcBlockSize() : null;
  const made = writeImportedGraphDir(
    readOnnxFile(file),
    flags.out,
    importStepOptions(flags, { optimizer: flags.optimizer, batchSize: flags.batchSize, form: form.name, nchwcBlock }),
  );
  const { written } = made;
  if (flags.json) {
    const files = [
      { path: made.modelPath, bytes: made.model.length },
      { path: written.path, bytes: written.bytes.length, graph: written.graph.name, manifest: written.manifestPath },
    ];
    print(
      `${JSON.stringify({ files, from: file, loss: made.loss, output: made.output.name, parameters: made.parameters, notes: made.notes })}\n`,
    );
    return;
  }
  if (flags.print) print(bytesToText(made.model));
  const count = (names: readonly string[]) =>
    names.reduce(
      (n, name) =>
        n +
        (written.manifest.parameters.find((p) => p.name === name)?.shape ?? []).reduce<number>(
          (a, d) => a * Number(d),
          1,
        ),
      0,
    );
  const lines = [
    `wrote ${made.modelPath} (${(made.model.length / 1e6).toFixed(2)} MB): ${file} in inference form, with a probabilities output`,
    ...made.notes.map((n) => `  note: ${n}`),
    `  trains ${made.parameters.trained.length} parameters (${count(made.parameters.trained).toLocaleString('en-US')} values) on output '${made.output.name}' with ${made.loss}${made.parameters.frozen.length ? `; frozen: ${made.parameters.frozen.join(', ')}` : ''}`,
    ...(written.manifest.buffers?.length
      ? [`  running statistics carried between steps: ${written.manifest.buffers.map((b) => b.name).join(', ')}`]
      : []),
    `wrote ${written.path} (${(written.bytes.length / 1e3).toFixed(0)} kB): training step, ${flags.optimizer}, batch ${flags.batchSize}, form ${form.name}`,
    `wrote ${written.manifestPath}: its ${written.manifest.inputs.length} inputs and ${written.manifest.outputs.length} outputs`,
    `train it: onnxgrad train --graph ${flags.out}`,
  ];
  print(`${lines.join('\n')}\n`);
}
