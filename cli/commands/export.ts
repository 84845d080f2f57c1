// `onnxgrad export`: a trained float32 model.onnx -> a smaller one to ship (int8 QDQ, calibrated
// on training images, or fp16), checked and written only when every step worked; `--table`
// measures all three precisions side by side.
import { mkdirSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { writeFileAtomic } from '../../src/atomic-file.js';
import { DEFAULT_CALIBRATION_IMAGES } from '../../src/quantize/calibrate.js';
import {
  checkPrecision,
  convert,
  type ModelData,
  modelData,
  type Precision,
  PRECISIONS,
  readNetwork,
} from '../../src/quantize/export.js';
import { ACTIVATION_TYPES, type ActivationType } from '../../src/quantize/int8.js';
import { type Measured, measureModels, testAccuracy } from '../../src/quantize/measure.js';
import { formatTable } from '../../src/quantize/table.js';
import { formatPercent } from '../format.js';
import { addDataOptions, type DataFlags, dataSourceOptions } from '../options/data.js';
import { nonNegativeInteger, positiveInteger } from '../options/parse.js';
import { print } from '../output.js';

interface ExportFlags extends DataFlags {
  model: string;
  precision: string;
  out?: string;
  calibrationImages: number;
  activations: ActivationType;
  seed: number;
  table?: boolean;
  threads: number;
  rounds: number;
  json?: boolean;
}

export function exportCommand(): Command {
  const command = new Command('export')
    .description('write a trained model in int8 (static QDQ, calibrated on training images), fp16 or fp32')
    .option('--model <file>', 'the trained float32 model', 'runs/practical/model.onnx')
    .addOption(new Option('--precision <p>', 'what to write').choices(PRECISIONS).default('int8'))
    .option('--out <file>', 'where to write it (default: next to the model, model.<precision>.onnx)')
    .option(
      '--calibration-images <n>',
      "int8: images of the model's training split that calibrate the activations",
      positiveInteger,
      DEFAULT_CALIBRATION_IMAGES,
    )
    .addOption(
      new Option('--activations <type>', 'int8: element type of the quantized activations')
        .choices(ACTIVATION_TYPES)
        .default('uint8'),
    )
    .option('--seed <n>', 'the seed of the train/validation split the model was trained on', nonNegativeInteger, 1)
    .option('--table', 'also measure fp32, fp16 and int8 side by side: size, test accuracy, latency, throughput')
    .option('--threads <n>', '--table: intra-op threads for onnxruntime-node and -web', positiveInteger, 1)
    .option('--rounds <n>', '--table: timing rounds (each model takes its turn in every round)', positiveInteger, 3)
    .option('--json', 'print the result as JSON');
  addDataOptions(command);
  command.addHelpText(
    'after',
    '\nint8 calibrates its activations on images of the training split of the dataset the model names in\n' +
      'its metadata (--dataset/--data-dir to choose another), never on the test set; it is the model for\n' +
      'CPUs and WASM, where ONNX Runtime runs it as QLinearConv and QGemm. fp16 is the model for WebGPU on\n' +
      "adapters with 'shader-f16' (ONNX Runtime's CPU provider computes it in float32). Both keep float32\n" +
      "inputs and outputs. The test accuracy printed is what 'onnxgrad eval' gives for the written file.",
  );
  command.action(async (flags: ExportFlags) => {
    const precision = checkPrecision(flags.precision);
    const out = resolve(flags.out ?? flags.model.replace(/(\.onnx)?$/, `.${precision}.onnx`));
    if (out === resolve(flags.model))
      throw new Error(`--out ${flags.out ?? out} is the model itself; choose another file`);
    let source: Uint8Array;
    try {
      source = readFileSync(flags.model);
    } catch (error) {
      throw new Error(`cannot read ${flags.model}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const network = readNetwork(source, flags.model);
    let data: ModelData | undefined;
    const getData = () => (data ??= modelData(source, dataSourceOptions(flags), flags.seed));
    const options = { calibrationImages: flags.calibrationImages, activations: flags.activations };
    const result = await convert(network, source, precision, getData, options);
    const accuracy = await testAccuracy(result.bytes, getData());
    const baseline = precision === 'fp32' ? accuracy : await testAccuracy(source, getData());
    mkdirSync(dirname(out), { recursive: true });
    writeFileAtomic(out, result.bytes);

    let rows: Measured[] | undefined;
    if (flags.table) {
      const others = PRECISIONS.filter((p) => p !== precision);
      const models: { precision: Precision; bytes: Uint8Array }[] = [{ precision, bytes: result.bytes }];
      for (const p of others)
        models.push({ precision: p, bytes: (await convert(network, source, p, getData, options)).bytes });
      models.sort((a, b) => PRECISIONS.indexOf(a.precision) - PRECISIONS.indexOf(b.precision));
      rows = await measureModels(models, getData(), { threads: flags.threads, rounds: flags.rounds });
    }
    const d = getData();
    if (flags.json) {
      print(
        `${JSON.stringify({
          model: flags.model,
          out,
          precision,
          bytes: result.bytes.length,
          sourceBytes: source.length,
          testAccuracy: accuracy,
          sourceTestAccuracy: baseline,
          ...(result.calibrationImages
            ? { calibration: { dataset: d.dataset.name, split: 'train', images: result.calibrationImages } }
            : {}),
          ...(rows ? { table: rows } : {}),
        })}\n`,
      );
      return;
    }
    const mb = (n: number) => `${(n / 1e6).toFixed(2)} MB`;
    const how =
      precision === 'int8'
        ? `int8 QDQ, ${flags.activations} activations calibrated on ${result.calibrationImages} ${d.dataset.name} training images`
        : precision;
    print(
      `wrote ${out} (${how})\n` +
        `size ${mb(result.bytes.length)}, ${formatPercent(result.bytes.length / source.length, 1)} of the float32 ${mb(source.length)}\n` +
        `test accuracy ${formatPercent(accuracy)} (float32 ${formatPercent(baseline)}, ${((accuracy - baseline) * 100).toFixed(2)} points)\n`,
    );
    if (rows) {
      print(
        `\n${formatTable(rows)}\nbatch 1: median latency; batch 1000: images per second; ${flags.threads} thread(s); onnxruntime-web's WASM runs in Node\n`,
      );
    }
  });
  return command;
}
