// `onnxgrad show-data`: the practical's Figure 1, a grid of the first images of a split with
// their labels, written as a PNG. A quick look that the data, split and labels are right.
import { print } from '../output.js';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { loadDataset } from '../../src/data/datasets.js';
import { renderImageGrid } from '../../src/data/image-grid.js';
import { splitDataset, type SplitName } from '../../src/data/split.js';
import { addDataOptions, dataSourceOptions, integerIn, type DataFlags } from '../options/data.js';

const MAX_COUNT = 400;

interface ShowDataFlags extends DataFlags {
  split: SplitName;
  count: number;
  seed: number;
  out: string;
  json?: boolean;
}

export function showDataCommand(): Command {
  const command = new Command('show-data').description(
    'write a PNG grid of the first images of a split, with their labels',
  );
  addDataOptions(command)
    .addOption(new Option('--split <split>', 'which split to show').choices(['train', 'val', 'test']).default('train'))
    .option('--count <n>', `how many images (1 to ${MAX_COUNT})`, integerIn(1, MAX_COUNT), 16)
    .option('--seed <n>', 'seed of the train/validation split', integerIn(0, 0xffffffff), 1)
    .option('--out <file>', 'PNG file to write', 'digits.png')
    .option('--json', 'print the result as JSON')
    .action((flags: ShowDataFlags) => showData(flags));
  return command;
}

function showData(flags: ShowDataFlags): void {
  const dataset = loadDataset(dataSourceOptions(flags));
  const subset = splitDataset(dataset, { seed: flags.seed })[flags.split];
  if (flags.count > subset.count)
    throw new Error(`--count ${flags.count}: the ${flags.split} split has only ${subset.count} images`);
  const indices = subset.indices.subarray(0, flags.count);
  const size = dataset.height * dataset.width;
  const images = new Uint8Array(flags.count * size);
  indices.forEach((index, i) => images.set(subset.images.subarray(index * size, (index + 1) * size), i * size));
  const labels = Array.from(indices, (index) => dataset.classNames[subset.labels[index] as number] ?? '?');
  const out = resolve(flags.out);
  const png = renderImageGrid({ images, height: dataset.height, width: dataset.width, labels });
  try {
    writeFileSync(out, png);
  } catch (error) {
    throw new Error(`--out ${out}: cannot write (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  if (flags.json) {
    const result = {
      out,
      dataset: dataset.name,
      split: flags.split,
      seed: flags.seed,
      indices: Array.from(indices),
      labels,
    };
    print(`${JSON.stringify(result)}\n`);
    return;
  }
  print(
    `wrote ${out}: the first ${flags.count} images of the ${flags.split} split of ${dataset.name} (seed ${flags.seed})\n`,
  );
  print(`labels: ${labels.join(dataset.classNames.some((c) => c.length > 1) ? ', ' : ' ')}\n`);
}
