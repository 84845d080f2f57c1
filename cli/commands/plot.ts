// `onnxgrad plot RUN_DIR`: loss and accuracy curves and the confusion matrix of a training run,
// as SVG and PNG files in the run's folder.
import { print } from '../output.js';
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { plotRun } from '../../src/report/plots.js';
import type { SplitName } from '../../src/data/split.js';
import { nonNegativeInteger } from '../options/parse.js';
import { formatPercent } from '../format.js';

interface PlotFlags {
  split: SplitName;
  threads: number;
  json?: boolean;
}

export function plotCommand(): Command {
  return new Command('plot')
    .description(
      'draw the loss and accuracy curves and the confusion matrix of a run (RUN_DIR/{loss,accuracy,confusion}.{svg,png})',
    )
    .argument('[run-dir]', "a folder written by 'onnxgrad train'", 'runs/practical')
    .addOption(
      new Option('--split <name>', 'split for the confusion matrix (the test set only for a final look)')
        .choices(['val', 'test'])
        .default('val'),
    )
    .option('--threads <n>', 'ONNX Runtime intra-op threads (0: all cores)', nonNegativeInteger, 0)
    .option('--json', 'print the files written as JSON')
    .action(async (runDir: string, flags: PlotFlags) => {
      const dir = resolve(runDir);
      const { charts, files } = await plotRun(dir, { split: flags.split, threads: flags.threads });
      if (flags.json) {
        const e = charts.evaluation;
        print(
          `${JSON.stringify({ runDir: dir, files, points: charts.records.length, ...(e ? { split: e.split, accuracy: e.accuracy, count: e.count } : {}) })}\n`,
        );
        return;
      }
      print(`${printPlots(dir, files, charts.evaluation)}\n`);
    });
}

export function printPlots(
  dir: string,
  files: readonly string[],
  e?: { split: string; accuracy: number; count: number },
): string {
  const lines = [`wrote ${files.length} files to ${dir}: ${files.map((f) => f.slice(dir.length + 1)).join(', ')}`];
  if (e) lines.push(`confusion matrix: ${e.split} set, ${e.count} images, accuracy ${formatPercent(e.accuracy)}`);
  else lines.push('no model.onnx yet (the run has not finished): no confusion matrix');
  return lines.join('\n');
}
