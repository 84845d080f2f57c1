// Options shared by every command that reads a dataset (show-data, train, eval), so they are
// spelled, checked and documented the same way everywhere.
import { InvalidArgumentError, Option, type Command } from 'commander';
import { DATASET_NAMES, type SourceOptions } from '../../src/data/datasets.js';

export interface DataFlags {
  dataset?: string;
  dataDir?: string;
}

/** Adds --dataset and --data-dir to `command`. */
export function addDataOptions(command: Command): Command {
  return command
    .addOption(new Option('--dataset <name>', 'dataset to read (default: mnist)').choices(DATASET_NAMES))
    .option('--data-dir <dir>', 'read the four IDX files (plain or .gz) from this folder instead');
}

/** The loader's options from the parsed flags. */
export function dataSourceOptions(flags: DataFlags): SourceOptions {
  const options: SourceOptions = {};
  if (flags.dataset !== undefined) options.dataset = flags.dataset;
  if (flags.dataDir !== undefined) options.dataDir = flags.dataDir;
  return options;
}

/** A commander argument parser for an integer in [min, max]. */
export function integerIn(min: number, max: number): (value: string) => number {
  return (value) => {
    const n = /^-?\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`expected an integer from ${min} to ${max}.`);
    return n;
  };
}
