// The onnxgrad program: this file only adds commands; each command lives in commands/<name>.ts,
// validates its options, and hands the work to library code.
import { Command } from 'commander';
import { VERSION } from '../src/version.js';
import { buildGraphCommand } from './commands/build-graph.js';
import { serveCommand } from './commands/serve.js';
import { showDataCommand } from './commands/show-data.js';
import { summaryCommand } from './commands/summary.js';
import { trainCommand } from './commands/train.js';
import { evalCommand } from './commands/eval.js';
import { plotCommand } from './commands/plot.js';
import { sweepCommand } from './commands/sweep.js';
import { reportCommand } from './commands/report.js';
import { benchCommand } from './commands/bench.js';
import { compareStepsCommand } from './commands/compare-steps.js';
import { exportCommand } from './commands/export.js';

export function createProgram(): Command {
  const program = new Command('onnxgrad')
    .description('Build, differentiate, train and ship a small network from TypeScript, on ONNX Runtime')
    .version(VERSION)
    .option('--verbose', 'print stack traces on errors')
    .showHelpAfterError('(run with --help for usage)');
  // commands are added here, one line each
  program.addCommand(showDataCommand());
  program.addCommand(buildGraphCommand());
  program.addCommand(summaryCommand());
  program.addCommand(trainCommand());
  program.addCommand(evalCommand());
  program.addCommand(plotCommand());
  program.addCommand(sweepCommand());
  program.addCommand(reportCommand());
  program.addCommand(serveCommand());
  program.addCommand(benchCommand());
  program.addCommand(compareStepsCommand());
  program.addCommand(exportCommand());
  return program;
}
