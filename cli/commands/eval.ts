// `onnxgrad eval`: test accuracy and error, per-class accuracy and the confusion matrix of a model.
import { print } from '../output.js';
import { Command, Option } from 'commander';
import { evaluateModelFile, type ModelEvaluation } from '../../src/train/eval-model.js';
import { addDataOptions, type DataFlags, dataSourceOptions } from '../options/data.js';
import { nonNegativeInteger, positiveInteger } from '../options/parse.js';
import { formatPercent } from '../format.js';
import { epOption } from '../options/ep.js';
import type { Device } from '../../src/runtime/node.js';

interface EvalFlags extends DataFlags {
  model: string;
  split: 'test' | 'val' | 'train';
  threads: number;
  ep: Device;
  limit?: number;
  json?: boolean;
}

export function evalCommand(): Command {
  const command = new Command('eval')
    .description('evaluate a trained model on the test set: accuracy, error, per-class accuracy, confusion matrix')
    .option('--model <file>', 'the trained model', 'runs/practical/model.onnx')
    .addOption(
      new Option('--split <name>', 'which split to evaluate').choices(['test', 'val', 'train']).default('test'),
    )
    .option('--threads <n>', 'ONNX Runtime intra-op threads (0: all cores)', nonNegativeInteger, 0)
    .addOption(epOption())
    .option('--limit <n>', 'only the first n images of the split', positiveInteger)
    .option('--json', 'print the results as JSON');
  addDataOptions(command);
  command.addHelpText('after', '\nThe dataset defaults to the one the model was trained on (stored in model.onnx).');
  command.action(async (flags: EvalFlags) => {
    const result = await evaluateModelFile(flags.model, {
      data: dataSourceOptions(flags),
      split: flags.split,
      threads: flags.threads,
      device: flags.ep,
      ...(flags.limit ? { limit: flags.limit } : {}),
    });
    if (flags.json) {
      const { predictions: _predictions, ...rest } = result;
      print(`${JSON.stringify({ model: flags.model, ...rest, error: 1 - result.accuracy })}\n`);
    } else print(report(flags.model, result));
  });
  return command;
}

function report(model: string, r: ModelEvaluation): string {
  const width = Math.max(5, ...r.classNames.map((n) => n.length));
  const cell = (v: string | number) => String(v).padStart(6);
  const lines = [
    `${model} on the ${r.dataset} ${r.split} set (${r.count} images, ${r.seconds.toFixed(2)} s)`,
    `${r.split} accuracy ${formatPercent(r.accuracy)}   ${r.split} error ${formatPercent(1 - r.accuracy)}   loss ${r.loss.toFixed(4)}`,
    '',
    `${'class'.padEnd(width)}  accuracy   confusion (rows: true class, columns: predicted)`,
    `${''.padEnd(width)}  ${''.padEnd(8)} ${r.classNames.map((_, c) => cell(c)).join('')}`,
    ...r.confusion.map(
      (row, c) =>
        `${(r.classNames[c] ?? String(c)).padEnd(width)}  ${formatPercent(r.perClass[c] ?? 0).padStart(8)} ${row.map(cell).join('')}`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}
