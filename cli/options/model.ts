// Options shared by every command that builds the CNN (build-graph, summary, train ...), so the
// network is spelled, checked and documented the same way everywhere. Values stay strings until
// modelConfigFromOptions, which checks each one and throws a one-line Error naming the option.
import { type Command, Option } from 'commander';
import { type CnnConfig, type ConvLayerConfig, cnnConfig, MODEL_VARIANTS } from '../../graphs/cnn-config.js';
import { INIT_SCHEMES, type InitScheme } from '../../src/nn/init.js';

export interface ModelFlags {
  model?: string;
  filters?: string;
  kernels?: string;
  strides?: string;
  hidden?: string;
  dropout?: string;
  init?: string;
  seed?: string;
  classes?: string;
}

const MODEL_FLAG_NAMES: readonly (keyof ModelFlags)[] = [
  'model',
  'filters',
  'kernels',
  'strides',
  'hidden',
  'dropout',
  'init',
  'seed',
  'classes',
];

/** Adds --model, --filters, --kernels, --strides, --hidden, --dropout, --init, --seed and --classes. */
export function addModelOptions(command: Command): Command {
  return command
    .addHelpText(
      'after',
      "\nModel options not given keep the --model network's values; for practical:\n  --filters 25,64 --kernels 12,5 --strides 2,1 --hidden 1024 --dropout 0.2\n  --init practical --seed 1 --classes 10",
    )
    .addOption(
      new Option('--model <name>', 'network to build (default: practical)').choices(Object.keys(MODEL_VARIANTS)),
    )
    .option(
      '--filters <list>',
      "filters of each conv layer, e.g. '25,64'; the list's length sets the number of conv layers",
    )
    .option('--kernels <list>', "kernel size of each conv layer, e.g. '12,5'")
    .option('--strides <list>', "stride of each conv layer, e.g. '2,1'")
    .option('--hidden <list>', "widths of the hidden fully connected layers, e.g. '1024'; '' for none")
    .option('--dropout <rate>', 'dropout rate after each hidden layer, in [0, 1) (default: 0.2; training only)')
    .addOption(
      new Option(
        '--init <scheme>',
        'initial weights: practical = N(0, 0.05^2), biases 0.1 (default); pytorch = PyTorch defaults',
      ).choices(INIT_SCHEMES),
    )
    .option('--seed <n>', 'seed of the initial weights (default: 1)')
    .option('--classes <n>', 'number of output classes (default: 10)');
}

/** Whether any model option was given (commands that also read a model file refuse both). */
export function hasModelOptions(flags: ModelFlags): boolean {
  return MODEL_FLAG_NAMES.some((name) => flags[name] !== undefined);
}

function positiveIntegers(flag: string, text: string, allowEmpty: boolean): number[] {
  if (allowEmpty && text.trim() === '') return [];
  const parts = text.split(',').map((p) => p.trim());
  const values = parts.map((p) => (/^\d+$/.test(p) ? Number(p) : Number.NaN));
  if (values.some((v) => !Number.isSafeInteger(v) || v < 1)) {
    throw new Error(
      `${flag}: expected positive integers separated by commas${allowEmpty ? " (or '' for none)" : ''}, got '${text}'`,
    );
  }
  return values;
}

function integer(flag: string, text: string, min: number, max: number): number {
  const n = /^\s*\d+\s*$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max)
    throw new Error(`${flag}: expected an integer from ${min} to ${max}, got '${text}'`);
  return n;
}

/** Conv layers from --filters/--kernels/--strides over the variant's layers; padding stays the variant's ('same' for added layers). */
function convLayers(flags: ModelFlags, base: readonly ConvLayerConfig[]): ConvLayerConfig[] {
  const lists = {
    '--filters': flags.filters === undefined ? undefined : positiveIntegers('--filters', flags.filters, false),
    '--kernels': flags.kernels === undefined ? undefined : positiveIntegers('--kernels', flags.kernels, false),
    '--strides': flags.strides === undefined ? undefined : positiveIntegers('--strides', flags.strides, false),
  };
  const given = Object.entries(lists).filter((e): e is [string, number[]] => e[1] !== undefined);
  if (given.length === 0) return [...base];
  const layers = (given[0] as [string, number[]])[1].length;
  if (given.some(([, v]) => v.length !== layers)) {
    throw new Error(
      `${given.map(([f]) => f).join(', ')}: expected one value per conv layer, got lists of lengths ${given.map(([, v]) => v.length).join(', ')}`,
    );
  }
  if (layers !== base.length) {
    const missing = Object.entries(lists)
      .filter(([, v]) => v === undefined)
      .map(([f]) => f);
    if (missing.length > 0)
      throw new Error(
        `${missing.join(' and ')}: needed for ${layers} conv layers (the model has ${base.length}); give one value per layer`,
      );
  }
  return Array.from({ length: layers }, (_, i) => ({
    filters: lists['--filters']?.[i] ?? (base[i] as ConvLayerConfig).filters,
    kernel: lists['--kernels']?.[i] ?? (base[i] as ConvLayerConfig).kernel,
    stride: lists['--strides']?.[i] ?? (base[i] as ConvLayerConfig).stride,
    padding: base[i]?.padding ?? 'same',
    ...(base[i]?.pool ? { pool: base[i]?.pool } : {}),
  }));
}

/** The CnnConfig that the flags describe: the named variant, then each given option over it. */
export function modelConfigFromOptions(flags: ModelFlags): CnnConfig {
  const variant = flags.model ?? 'practical';
  if (!Object.hasOwn(MODEL_VARIANTS, variant))
    throw new Error(`--model: unknown model '${variant}' (known: ${Object.keys(MODEL_VARIANTS).join(', ')})`);
  const base = cnnConfig(variant);
  const overrides: { -readonly [K in keyof CnnConfig]?: CnnConfig[K] } = { convs: convLayers(flags, base.convs) };
  if (flags.hidden !== undefined) overrides.hidden = positiveIntegers('--hidden', flags.hidden, true);
  if (flags.dropout !== undefined) {
    const rate = /^\s*(\d+\.?\d*|\.\d+)\s*$/.test(flags.dropout) ? Number(flags.dropout) : Number.NaN;
    if (!(rate >= 0 && rate < 1))
      throw new Error(`--dropout: expected a number from 0 up to (not including) 1, got '${flags.dropout}'`);
    overrides.dropout = rate;
  }
  if (flags.init !== undefined) {
    if (!(INIT_SCHEMES as readonly string[]).includes(flags.init))
      throw new Error(`--init: expected one of ${INIT_SCHEMES.join(', ')}, got '${flags.init}'`);
    overrides.init = flags.init as InitScheme;
  }
  if (flags.seed !== undefined) overrides.seed = integer('--seed', flags.seed, 0, 0xffffffff);
  if (flags.classes !== undefined) overrides.classes = integer('--classes', flags.classes, 2, 100000);
  return cnnConfig(variant, overrides);
}
