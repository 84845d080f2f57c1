// `onnxgrad compare-steps DIR DIR ...`: build-graph folders' training steps timed side by side,
// step by step in turn on the same batches; how a change to the graph is measured.
import { print } from '../output.js';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { compareSteps } from '../../src/bench/compare-steps.js';
import { positiveInteger } from '../options/parse.js';

interface CompareFlags {
  threads: number;
  steps: number;
  warmup: number;
}

export function compareStepsCommand(): Command {
  return new Command('compare-steps')
    .description(
      'time the training steps of build-graph folders side by side (alternating, same batches), e.g. before and after a change',
    )
    .argument('<dirs...>', 'two or more folders written by build-graph')
    .option('--threads <n>', 'ONNX Runtime intra-op threads', positiveInteger, 1)
    .option('--steps <n>', 'timed steps per graph', positiveInteger, 60)
    .option('--warmup <n>', 'untimed steps first', positiveInteger, 5)
    .addHelpText(
      'after',
      [
        '',
        'Example, a change measured:',
        '  git stash && npm run build && onnxgrad build-graph --out /tmp/before',
        '  git stash pop && npm run build && onnxgrad build-graph --out /tmp/after',
        '  onnxgrad compare-steps /tmp/before /tmp/after --threads 1',
      ].join('\n'),
    )
    .action(async (dirs: string[], flags: CompareFlags) => compare(dirs, flags));
}

async function compare(dirs: string[], flags: CompareFlags): Promise<void> {
  const timings = await compareSteps(
    dirs.map((d) => resolve(d)),
    flags,
  );
  const base = timings[0]?.medianMs ?? Number.NaN;
  const width = Math.max(...dirs.map((d) => d.length), 6);
  print(`${'graph'.padEnd(width)}  median ms  p25 ms  vs first  last loss\n`);
  timings.forEach((t, i) => {
    const ratio = (t.medianMs / base).toFixed(3);
    print(
      `${(dirs[i] ?? t.dir).padEnd(width)}  ${t.medianMs.toFixed(2).padStart(9)}  ${t.p25Ms.toFixed(2).padStart(6)}  ${ratio.padStart(8)}  ${t.lastLoss.toFixed(6)}\n`,
    );
  });
  print(
    `${flags.steps} timed steps each at ${flags.threads} thread(s), alternating; equal losses mean the graphs compute the same step\n`,
  );
}
