// `onnxgrad sweep`: trains every combination of the listed optimizers, learning rates, dropout
// rates and models, one after the other, and tabulates size, cost, speed and accuracy.
// Ctrl-C checkpoints the current run; the same command again resumes the sweep.
import { print } from '../output.js';
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { SingleBar } from 'cli-progress';
import { MODEL_VARIANTS } from '../../graphs/cnn-config.js';
import { OPTIMIZER_NAMES } from '../../src/optim/index.js';
import type { Device } from '../../src/runtime/node.js';
import { epOption } from '../options/ep.js';
import { type RunState, runSweep, type SweepConfig, sweepConfigs } from '../../src/report/sweep.js';
import { resultsMarkdown } from '../../src/report/sweep-results.js';
import { addDataOptions, type DataFlags } from '../options/data.js';
import { nonNegativeInteger, positiveInteger } from '../options/parse.js';
import { formatPercent } from '../format.js';
import { trainOptionsFromFlags } from './train.js';

interface SweepFlags extends DataFlags {
  optimizer: string;
  lr?: string;
  dropout: string;
  model: string;
  steps: number;
  out: string;
  limit?: number;
  evalEvery?: number;
  checkpointEvery: number;
  batchSize?: number;
  seed: number;
  threads: number;
  ep: Device;
  progress: boolean;
  json?: boolean;
}

function list<T>(flag: string, text: string, parse: (item: string) => T | undefined, expected: string): T[] {
  const items = text.split(',').map((s) => s.trim());
  return items.map((item) => {
    const value = item === '' ? undefined : parse(item);
    if (value === undefined) throw new Error(`${flag}: expected ${expected} separated by commas, got '${text}'`);
    return value;
  });
}

const STATE_TEXT: Readonly<Record<RunState, string>> = {
  done: 'done already, skipped',
  evaluate: 'trained already, evaluating',
  resume: 'resuming from its checkpoint',
  start: 'training',
};

export function sweepCommand(): Command {
  const command = new Command('sweep')
    .description(
      'train every combination of optimizers, learning rates, dropout rates and models, and compare them (DIR/results.{csv,md}, DIR/val-accuracy.{svg,png})',
    )
    .option('--optimizer <list>', `optimizers, e.g. 'adam,sgd,momentum' (known: ${OPTIMIZER_NAMES.join(', ')})`, 'adam')
    .option('--lr <list>', "learning rates, e.g. '1e-4,1e-3' (default: each optimizer's own)")
    .option('--dropout <list>', "dropout rates, e.g. '0,0.2,0.5'", '0.2')
    .option(
      '--model <list>',
      `networks, e.g. 'practical,wide,narrow' (known: ${Object.keys(MODEL_VARIANTS).join(', ')})`,
      'practical',
    )
    .option('--steps <n>', 'training steps of each run', positiveInteger, 1000)
    .option('--out <dir>', 'folder of the sweep: one subfolder per configuration', 'runs/sweep')
    .option('--limit <n>', 'use only the first n images of each split (quick trials)', positiveInteger)
    .option('--eval-every <n>', 'validate every n steps (default: 100, at most --steps)', positiveInteger)
    .option('--checkpoint-every <n>', 'checkpoint every n steps, so an interrupted run resumes', positiveInteger, 500)
    .option('--batch-size <n>', 'minibatch size', positiveInteger)
    .option(
      '--seed <n>',
      'seed of the weights, the split, the batch order and dropout (the same for every run)',
      nonNegativeInteger,
      1,
    )
    .option('--threads <n>', 'ONNX Runtime intra-op threads (0: all cores)', nonNegativeInteger, 0)
    .addOption(epOption())
    .option('--no-progress', 'no progress bar; one line per validation instead')
    .option('--json', 'print the results as JSON');
  addDataOptions(command);
  command.addHelpText(
    'after',
    '\nExample:\n  onnxgrad sweep --optimizer adam,sgd,momentum --lr 1e-4,1e-3 --dropout 0,0.2,0.5 --model practical,wide,narrow --steps 2000\nRun the same command again to resume an interrupted sweep: finished runs are skipped.',
  );
  command.action((flags: SweepFlags) => sweep(flags));
  return command;
}

async function sweep(flags: SweepFlags): Promise<void> {
  const configs = sweepConfigs({
    optimizers: list(
      '--optimizer',
      flags.optimizer,
      (s) => ((OPTIMIZER_NAMES as readonly string[]).includes(s) ? s : undefined),
      `optimizer names (${OPTIMIZER_NAMES.join(', ')})`,
    ),
    lrs:
      flags.lr === undefined
        ? []
        : list(
            '--lr',
            flags.lr,
            (s) => (Number(s) > 0 && Number.isFinite(Number(s)) ? Number(s) : undefined),
            'positive numbers',
          ),
    dropouts: list(
      '--dropout',
      flags.dropout,
      (s) => (/^(\d+\.?\d*|\.\d+)$/.test(s) && Number(s) < 1 ? Number(s) : undefined),
      'rates from 0 up to (not including) 1',
    ),
    models: list(
      '--model',
      flags.model,
      (s) => (Object.hasOwn(MODEL_VARIANTS, s) ? s : undefined),
      `model names (${Object.keys(MODEL_VARIANTS).join(', ')})`,
    ),
  });
  const outDir = resolve(flags.out);
  const base = trainOptionsFromFlags({
    preset: 'practical',
    steps: flags.steps,
    checkpointEvery: flags.checkpointEvery,
    threads: flags.threads,
    ep: flags.ep,
    nchwc: true,
    progress: false,
    plot: false,
    seed: String(flags.seed),
    runDir: outDir,
    ...(flags.evalEvery !== undefined ? { evalEvery: flags.evalEvery } : {}),
    ...(flags.limit !== undefined ? { limit: flags.limit } : {}),
    ...(flags.batchSize !== undefined ? { batchSize: flags.batchSize } : {}),
    ...(flags.dataset !== undefined ? { dataset: flags.dataset } : {}),
    ...(flags.dataDir !== undefined ? { dataDir: flags.dataDir } : {}),
  });
  const out = (line: string) => process.stderr.write(`${line}\n`);
  out(`sweep of ${configs.length} configurations, ${base.steps} steps each, into ${outDir}`);
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupts += 1;
    if (interrupts > 1) process.exit(130);
    out(
      `\n${signal}: checkpointing the current run; run the same command again to resume (Ctrl-C again quits at once)`,
    );
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let bar: SingleBar | null = null;
  try {
    const outcome = await runSweep(
      { outDir, base, configs },
      {
        onRunStart: ({ config, index, total, state }) =>
          out(`[${index + 1}/${total}] ${config.name}: ${STATE_TEXT[state]}`),
        onRunDone: ({ config, index, total, result, skipped }) => {
          bar?.stop();
          bar = null;
          if (!skipped)
            out(
              `[${index + 1}/${total}] ${config.name}: finished in ${result.seconds.toFixed(1)} s, validation ${formatPercent(result.valAccuracy)}, test ${formatPercent(result.testAccuracy)}`,
            );
        },
        run: (config) => runProgress(config, flags.progress, out, (b) => (bar = b)),
      },
      controller.signal,
    );
    if (flags.json)
      print(
        `${JSON.stringify({ outDir, completed: outcome.completed, results: outcome.results, files: outcome.files })}\n`,
      );
    else {
      print(`\n${resultsMarkdown(outcome.results)}\n`);
      print(`wrote ${outcome.files.map((f) => f.slice(outDir.length + 1)).join(', ')} in ${outDir}\n`);
      print(
        outcome.completed
          ? `next: onnxgrad report ${outDir}\n`
          : `stopped: ${outcome.results.length} of ${configs.length} runs finished; run the same command again to resume\n`,
      );
    }
    if (!outcome.completed) process.exitCode = 130;
  } finally {
    (bar as SingleBar | null)?.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** A progress bar per run on a terminal, else one line per validation. */
function runProgress(
  config: SweepConfig,
  progress: boolean,
  out: (line: string) => void,
  setBar: (bar: SingleBar) => void,
) {
  const bar =
    progress && process.stderr.isTTY
      ? new SingleBar({ format: `  {bar} {value}/{total} steps | loss {loss} | val {valAcc}`, hideCursor: true })
      : null;
  let loss = Number.NaN;
  let valAcc = '-';
  return {
    onStart: (info: { startStep: number; totalSteps: number }) => {
      if (bar) {
        setBar(bar);
        bar.start(info.totalSteps, info.startStep, { loss: '-', valAcc });
      } else if (info.startStep > 0) out(`  resuming ${config.name} at step ${info.startStep}`);
    },
    onStep: (info: { step: number; loss: number }) => {
      loss = Number.isNaN(loss) ? info.loss : 0.95 * loss + 0.05 * info.loss;
      bar?.update(info.step, { loss: loss.toFixed(4), valAcc });
    },
    onEval: (r: { step: number; trainLoss: number; valAccuracy: number }) => {
      valAcc = formatPercent(r.valAccuracy);
      if (bar) bar.update(r.step, { valAcc });
      else out(`  step ${r.step}  train loss ${r.trainLoss.toFixed(4)}  val acc ${valAcc}`);
    },
  };
}
