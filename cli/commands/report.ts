// `onnxgrad report DIR`: a self-contained HTML page of a training run or of a sweep.
import { print } from '../output.js';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Command, Option } from 'commander';
import type { SplitName } from '../../src/data/split.js';
import { writeReport } from '../../src/report/sweep-report.js';
import { nonNegativeInteger } from '../options/parse.js';

interface ReportFlags {
  split: SplitName;
  threads: number;
  json?: boolean;
}

export function reportCommand(): Command {
  return new Command('report')
    .description(
      'write DIR/report.html: a self-contained page of a run (configuration, curves, metrics, confusion matrix, sample predictions) or of a sweep (table, comparison chart, a report per run)',
    )
    .argument('[dir]', "a run folder ('onnxgrad train') or a sweep folder ('onnxgrad sweep')", 'runs/practical')
    .addOption(
      new Option('--split <name>', 'split for the confusion matrix and the sample predictions')
        .choices(['test', 'val'])
        .default('test'),
    )
    .option('--threads <n>', 'ONNX Runtime intra-op threads (0: all cores)', nonNegativeInteger, 0)
    .option('--json', 'print the files written as JSON')
    .action(async (dir: string, flags: ReportFlags) => {
      const report = await writeReport(resolve(dir), { split: flags.split, threads: flags.threads });
      if (flags.json) {
        print(`${JSON.stringify(report)}\n`);
        return;
      }
      const runs = report.runs.length > 0 ? ` and ${report.runs.length} run reports` : '';
      print(
        `wrote ${report.file} (${(report.bytes / 1024).toFixed(0)} kB, ${report.kind} report${runs})\nopen ${pathToFileURL(report.file).href}\n`,
      );
    });
}
