// `onnxgrad train`: trains the network in a worker thread with a live progress bar; Ctrl-C
// saves a checkpoint and stops, and `--resume` continues the run exactly where it stopped.
import { print } from '../output.js';
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { SingleBar } from 'cli-progress';
import { OPTIMIZER_NAMES, OPTIMIZERS, type OptimizerName } from '../../src/optim/index.js';
import type { Device } from '../../src/runtime/node.js';
import { type PresetName, PRESET_DEFAULTS, PRESETS, type TrainOptions } from '../../src/train/options.js';
import { trainInWorker } from '../../src/train/run-in-worker.js';
import { SCHEDULES, type ScheduleName } from '../../src/train/schedule.js';
import { readTrainStepManifest } from '../../src/train/graph-dir.js';
import { cnnOf, type TrainSummary } from '../../src/train/trainer.js';
import { addDataOptions, type DataFlags, dataSourceOptions } from '../options/data.js';
import { epOption } from '../options/ep.js';
import { addModelOptions, hasModelOptions, type ModelFlags, modelConfigFromOptions } from '../options/model.js';
import { nonNegativeInteger, positiveInteger, positiveNumber } from '../options/parse.js';
import { formatPercent } from '../format.js';
import { plotRun } from '../../src/report/plots.js';
import { printPlots } from './plot.js';
import { addImportOptions, checkImportFlags, type ImportFlags, writeRunImport } from '../options/import.js';
import { join } from 'node:path';
import { readImagesFile } from '../../src/data/idx-files.js';
import { resolveSource } from '../../src/data/sources.js';
import { defaultValidationSize } from '../../src/data/split.js';

interface TrainFlags extends ModelFlags, DataFlags, ImportFlags {
  runDir?: string;
  graph?: string;
  preset: PresetName;
  steps?: number;
  epochs?: number;
  lr?: number;
  optimizer?: OptimizerName;
  batchSize?: number;
  lrSchedule?: ScheduleName;
  augment?: boolean;
  threads: number;
  spin?: boolean;
  nchwc: boolean;
  ep: Device;
  evalEvery?: number;
  checkpointEvery: number;
  validationSize?: number;
  limit?: number;
  resume?: boolean;
  overwrite?: boolean;
  progress: boolean;
  plot: boolean;
  json?: boolean;
}

export function trainCommand(): Command {
  const command = new Command('train')
    .description(
      "train the network on ONNX Runtime (defaults: the practical's Adam 1e-4, batch 64, dropout 0.2, 5000 steps)",
    )
    .option(
      '--run-dir <dir>',
      'folder for checkpoint, metrics.jsonl, model.onnx, summary.json (default: runs/<preset>)',
    )
    .option(
      '--graph <dir>',
      'train the train-step.onnx that build-graph wrote into this folder (default: build one from the model options)',
    )
    .addOption(
      new Option(
        '--preset <name>',
        "practical: the practical's settings; best: AdamW with a one-cycle schedule, augmentation, 18 epochs (99.42% in about 6 minutes on 2 cores); batchnorm: the batchnorm network (--model batchnorm) trained so for 16 epochs (99.60% in about 12 minutes)",
      )
        .choices(PRESETS)
        .default('practical'),
    )
    .option('--steps <n>', 'training steps (minibatches) (default: 5000)', positiveInteger)
    .option('--epochs <n>', 'train for this many epochs instead of --steps', positiveNumber)
    .option('--lr <rate>', 'learning rate (peak rate for a schedule) (default: 1e-4 for adam)', positiveNumber)
    .addOption(new Option('--optimizer <name>', 'optimizer (default: adam)').choices(OPTIMIZER_NAMES))
    .option('--batch-size <n>', 'minibatch size (default: 64)', positiveInteger)
    .addOption(new Option('--lr-schedule <name>', 'learning-rate schedule (default: constant)').choices(SCHEDULES))
    .option(
      '--augment',
      'random shifts (up to 2 px) and rotations (up to 10 degrees) of training images; for Fashion-MNIST instead whole-pixel shifts (up to 1 px) and left-right mirroring of half of them, no rotation',
    )
    .option('--no-augment', 'no augmentation, whatever the preset says')
    .option('--threads <n>', 'ONNX Runtime intra-op threads (0: all cores)', nonNegativeInteger, 0)
    .option(
      '--spin',
      "let ONNX Runtime's threads spin between ops: faster on an idle machine, far slower when another process needs the cores",
    )
    .option(
      '--no-nchwc',
      "keep the image convolution a plain Conv instead of ONNX Runtime's NCHWc Conv for this CPU (which is faster)",
    )
    .addOption(epOption())
    .option('--eval-every <n>', 'validate and record metrics every n steps (default: 100)', positiveInteger)
    .option(
      '--checkpoint-every <n>',
      'write a checkpoint every n steps (and always on Ctrl-C and at the end)',
      positiveInteger,
      500,
    )
    .option(
      '--validation-size <n>',
      'training images held out for validation (default: a sixth of them, 10000 of 60000)',
      nonNegativeInteger,
    )
    .option('--limit <n>', 'use only the first n images of each split (quick trials)', positiveInteger)
    .option(
      '--resume',
      'continue the run in --run-dir from its checkpoint (same options; a larger --steps trains longer with a constant or step schedule)',
    )
    .option('--overwrite', 'start over even if --run-dir holds a checkpoint (it is replaced)')
    .option('--no-progress', 'no progress bar; print one line per validation instead')
    .option('--no-plot', 'do not draw the curves and confusion matrix (onnxgrad plot) at the end')
    .option('--json', 'print the summary as JSON');
  addDataOptions(command);
  addImportOptions(command);
  addModelOptions(command);
  command.addHelpText(
    'after',
    '\nExamples:\n  onnxgrad train                         # the practical, into runs/practical\n  onnxgrad train --preset best           # 99.42% test accuracy in about 6 minutes\n  onnxgrad train --optimizer sgd --lr 0.05 --steps 2000 --run-dir runs/sgd\n  onnxgrad train --resume                # after Ctrl-C',
  );
  command.action((flags: TrainFlags) => runTrain(flags));
  return command;
}

/** The images of one epoch: the training set less its validation images, or --limit of them. */
function trainImagesOf(flags: TrainFlags): number {
  const count = readImagesFile(resolveSource(dataSourceOptions(flags)).files.trainImages).count;
  const cut = count - (flags.validationSize ?? defaultValidationSize(count));
  return flags.limit === undefined ? cut : Math.min(flags.limit, cut);
}

export function trainOptionsFromFlags(flags: TrainFlags): TrainOptions {
  const preset = PRESET_DEFAULTS[flags.preset];
  if (flags.steps !== undefined && flags.epochs !== undefined) throw new Error('give --steps or --epochs, not both');
  checkImportFlags(flags);
  if (flags.from !== undefined && flags.graph !== undefined)
    throw new Error('give --from FILE or --graph DIR, not both');
  if (flags.from !== undefined && hasModelOptions({ ...flags, seed: undefined }))
    throw new Error(
      '--from: cannot be combined with the model options (--model, --filters ...): the file defines the network',
    );
  const built = flags.graph ? readTrainStepManifest(resolve(flags.graph)) : undefined;
  if (built && (hasModelOptions({ ...flags, seed: undefined }) || flags.optimizer || flags.batchSize)) {
    throw new Error(
      `--graph: the graph in ${flags.graph} fixes the model, optimizer and batch size; rebuild it with build-graph to change them`,
    );
  }
  // a folder made by build-graph --from, or --from itself: the ONNX file is the network
  const imported = flags.from !== undefined || (built !== undefined && built.model === undefined);
  const model = imported
    ? undefined
    : built
      ? { ...cnnOf(built, flags.graph ?? ''), ...(flags.seed !== undefined ? { seed: Number(flags.seed) } : {}) }
      : modelConfigFromOptions({ ...flags, model: flags.model ?? preset.variant });
  const optimizer =
    (built?.optimizer.name as OptimizerName | undefined) ?? flags.optimizer ?? (preset.optimizer as OptimizerName);
  const batchSize = built?.batchSize ?? flags.batchSize ?? preset.batchSize;
  const steps =
    flags.epochs !== undefined
      ? Math.max(1, Math.round(flags.epochs * Math.floor(trainImagesOf(flags) / batchSize)))
      : (flags.steps ?? preset.steps);
  const runDir = resolve(flags.runDir ?? `runs/${flags.preset}`);
  const graphDir =
    flags.from !== undefined ? join(runDir, 'graph') : flags.graph !== undefined ? resolve(flags.graph) : undefined;
  return {
    runDir,
    ...(model ? { model } : {}),
    optimizer,
    lr: flags.lr ?? (flags.optimizer ? OPTIMIZERS[optimizer].defaultLr : preset.lr),
    schedule: flags.lrSchedule ?? preset.schedule,
    batchSize,
    steps,
    evalEvery: flags.evalEvery ?? Math.min(preset.evalEvery, steps),
    checkpointEvery: flags.checkpointEvery,
    seed: model?.seed ?? (flags.seed !== undefined ? Number(flags.seed) : 1),
    augment: flags.augment ?? preset.augment,
    threads: flags.threads,
    ...(flags.spin ? { spinning: true } : {}),
    ...(flags.nchwc ? {} : { nchwc: false }),
    device: flags.ep,
    data: dataSourceOptions(flags),
    ...(flags.validationSize !== undefined ? { validationSize: flags.validationSize } : {}),
    ...(flags.limit !== undefined ? { limit: flags.limit } : {}),
    ...(graphDir !== undefined ? { graphDir } : {}),
  };
}

async function runTrain(flags: TrainFlags): Promise<void> {
  if (flags.resume && flags.overwrite) throw new Error('give --resume or --overwrite, not both');
  const options = trainOptionsFromFlags(flags);
  const out = (line: string) => process.stderr.write(`${line}\n`);
  if (flags.from !== undefined && options.graphDir) await writeRunImport(flags.from, flags, options, out);
  const bar =
    flags.progress && process.stderr.isTTY
      ? new SingleBar({
          format:
            ' {bar} {value}/{total} steps | {rate} steps/s | ETA {eta_formatted} | loss {loss} | train {trainAcc} | val {valAcc}',
          hideCursor: true,
        })
      : null;
  let lastVal = '-';
  let runningLoss = Number.NaN;
  const stepRate = stepRateMeter();
  const handle = trainInWorker(
    options,
    {
      onStart: (info) => {
        out(
          `training ${info.parameters.toLocaleString('en-US')} parameters on ${info.trainImages} images, ${options.optimizer} lr ${options.lr} (${options.schedule}), batch ${options.batchSize}, ${info.stepsPerEpoch} steps per epoch${info.startStep > 0 ? `, resuming at step ${info.startStep}` : ''}`,
        );
        out(`run folder: ${options.runDir}`);
        bar?.start(info.totalSteps, info.startStep, { rate: '-', loss: '-', trainAcc: '-', valAcc: '-' });
      },
      onNotice: (message) => out(`notice: ${message}`),
      onStep: (info) => {
        runningLoss = Number.isNaN(runningLoss) ? info.loss : 0.98 * runningLoss + 0.02 * info.loss;
        bar?.update(info.step, { loss: runningLoss.toFixed(4), valAcc: lastVal, rate: stepRate() });
      },
      onEval: (r) => {
        lastVal = formatPercent(r.valAccuracy);
        if (bar) bar.update(r.step, { trainAcc: formatPercent(r.trainAccuracy), valAcc: lastVal });
        // metrics.jsonl counts epochs from 0 (the batch cursor's, like Keras' logs); people count
        // from 1, as the training page does: the step's epoch there is this line's
        else
          out(
            `step ${r.step}  epoch ${r.epoch + 1}  train loss ${r.trainLoss.toFixed(4)} acc ${formatPercent(r.trainAccuracy)}  val loss ${r.valLoss.toFixed(4)} acc ${formatPercent(r.valAccuracy)}  (${r.seconds.toFixed(0)} s)`,
          );
      },
    },
    flags.resume ? 'resume' : flags.overwrite ? 'overwrite' : 'new',
  );
  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupts += 1;
    if (interrupts > 1) process.exit(130);
    bar?.stop();
    out(`\n${signal}: saving a checkpoint after this step (press Ctrl-C again to quit at once)`);
    handle.stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let summary: TrainSummary;
  try {
    summary = await handle.done;
  } finally {
    bar?.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (flags.json) print(`${JSON.stringify(summary)}\n`);
  else printSummary(summary, options);
  if (!summary.completed) process.exitCode = 130;
  else if (flags.plot) {
    const { charts, files } = await plotRun(options.runDir, { threads: flags.threads });
    if (!flags.json) print(`${printPlots(options.runDir, files, charts.evaluation)}\n`);
  }
}

/** Steps per second over the last 50 steps, for the progress bar. */
function stepRateMeter(): () => string {
  const times: number[] = [];
  return () => {
    times.push(performance.now());
    if (times.length > 50) times.shift();
    if (times.length < 2) return '-';
    return ((1000 * (times.length - 1)) / ((times.at(-1) as number) - (times[0] as number))).toFixed(1);
  };
}

function printSummary(s: TrainSummary, o: TrainOptions): void {
  const lines = s.completed
    ? [
        `trained ${s.steps} steps in ${s.seconds.toFixed(1)} s (${s.stepsPerSecond.toFixed(1)} steps/s)`,
        ...(s.final
          ? [
              `final: train accuracy ${formatPercent(s.final.trainAccuracy)}, validation accuracy ${formatPercent(s.final.valAccuracy)} (loss ${s.final.valLoss.toFixed(4)})`,
            ]
          : []),
        `model: ${s.files.model}`,
        `next: onnxgrad eval --model ${s.files.model}`,
      ]
    : [
        `stopped at step ${s.steps}; checkpoint saved to ${s.files.checkpoint}`,
        `continue with: onnxgrad train --resume --run-dir ${o.runDir} (and the same options)`,
      ];
  print(`${lines.join('\n')}\n`);
}
