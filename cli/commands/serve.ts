// `onnxgrad serve`: the HTTP inference API and the web demo for a model file. This file checks
// the options, starts the library server, prints where it listens, and shuts it down gracefully
// on SIGINT/SIGTERM (a second signal exits at once).
import { print } from '../output.js';
import { Command, Option } from 'commander';
import { DATASET_NAMES, type DatasetName } from '../../src/data/datasets.js';
import { SERVE_LIMITS, startServer } from '../../src/serve/server.js';
import { integerIn } from '../options/data.js';
import { epOption } from '../options/ep.js';
import type { Device } from '../../src/runtime/node.js';

interface ServeFlags {
  model: string;
  port: number;
  host: string;
  dataset?: DatasetName;
  dataDir?: string;
  maxBatch: number;
  batchWaitMs: number;
  threads?: number;
  ep: Device;
  trainGraph?: string;
  maxImageSide: number;
  maxPending: number;
  maxQueue: number;
  maxNewConnections: number;
  deadlineMs: number;
  json?: boolean;
}

const API_HELP = `
API:
  POST /v1/predict     body: one PNG (Content-Type image/png; grey or colour, colour -> luminance,
                       transparent = background): 28x28 is taken as it is, any other size up to
                       --max-image-side is scaled into a 20x20 box and centred by its centre of mass,
                       as MNIST's digits were (?raw=1 accepts 28x28 only); or JSON (application/json):
                         {"pixels": [784 numbers]}  or  {"images": [[784 numbers], ...]}
                       row-major raw intensities 0..255, white digit on black as in MNIST;
                       "scale": "unit" takes 0..1; ?invert=true (or "invert": true) for black on white
                       answer: {"predictions": [{"label", "className", "probabilities": [10]}], "model", ...}
  GET  /v1/info        model, dataset, class names, normalisation
  GET  /v1/test-samples?count=24&offset=0&dataset=mnist   test images (raw 0..255) with labels
  GET  /healthz        status and batching counters
  GET  /model.onnx     the model, for the browser
  GET  /               the web demo (npm run build:web); /train.html trains the CNN in the browser
  GET  /v1/train-step.onnx, /v1/train-step.json, /v1/forward.onnx, /v1/initial-weights.bin, /v1/mnist/<file>
  POST /v1/export-model  body: trained float32 parameters -> model.onnx   (the training page's routes)
Concurrent requests are micro-batched into one model run (--max-batch, --batch-wait-ms).
Under load, a prediction is answered 503 with Retry-After: 1 when --max-pending are in flight, when
--max-queue images wait for the model, when request bodies would hold over 64 MiB, or when it is not
answered within --deadline-ms. Headers must arrive within 10 s and a whole request within 30 s.
SIGINT or SIGTERM: new requests are refused, those in flight are answered (for up to 10 s), then the
server exits with status 0; a second signal exits at once.

Example:
  curl -s -H 'Content-Type: image/png' --data-binary @digit.png http://127.0.0.1:8080/v1/predict`;

export function serveCommand(): Command {
  return new Command('serve')
    .description('serve a model: POST /v1/predict (PNG or JSON), the web demo, /model.onnx and /healthz')
    .requiredOption('--model <file>', 'the ONNX model to serve (e.g. RUN/model.onnx from onnxgrad train)')
    .option('--port <n>', 'TCP port (0 picks a free one)', integerIn(0, 65535), 8080)
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .addOption(
      new Option(
        '--dataset <name>',
        "class names, normalisation and test samples of this dataset (default: the model's own metadata, else mnist)",
      ).choices(DATASET_NAMES),
    )
    .option('--data-dir <dir>', "read the dataset's IDX files from this folder instead")
    .option('--max-batch <n>', 'most images in one model run', integerIn(1, 4096), 64)
    .option('--batch-wait-ms <ms>', 'how long a request waits for others to share its run', integerIn(0, 1000), 2)
    .option('--threads <n>', 'ONNX Runtime intra-op threads (default: its choice)', integerIn(1, 256))
    .addOption(epOption())
    .option(
      '--train-graph <dir>',
      "the training page's graph: a build-graph folder (default: the practical's CNN, Adam, batch 64)",
    )
    .option(
      '--max-image-side <n>',
      'largest PNG width and height (413 above)',
      integerIn(28, 16384),
      SERVE_LIMITS.maxImageSide,
    )
    .option(
      '--max-pending <n>',
      'predictions being read, queued or run at once (503 beyond)',
      integerIn(1, 65536),
      SERVE_LIMITS.maxPending,
    )
    .option(
      '--max-queue <n>',
      'images waiting for the model (503 beyond)',
      integerIn(1, 1_000_000),
      SERVE_LIMITS.maxQueue,
    )
    .option(
      '--deadline-ms <ms>',
      'a prediction not answered this long after it arrived gets 503',
      integerIn(1, 600_000),
      SERVE_LIMITS.deadlineMs,
    )
    .option(
      '--max-new-connections <n>',
      'new connections read at once until their first request arrives; the others wait unread, in order',
      integerIn(1, 65536),
      SERVE_LIMITS.maxNewConnections,
    )
    .option('--json', 'print the address as JSON')
    .addHelpText('after', API_HELP)
    .action((flags: ServeFlags) => serve(flags));
}

async function serve(flags: ServeFlags): Promise<void> {
  const handle = await startServer({
    modelPath: flags.model,
    port: flags.port,
    host: flags.host,
    ...(flags.dataset === undefined ? {} : { dataset: flags.dataset }),
    ...(flags.dataDir === undefined ? {} : { dataSource: { dataDir: flags.dataDir } }),
    maxBatch: flags.maxBatch,
    batchWaitMs: flags.batchWaitMs,
    ...(flags.threads === undefined ? {} : { threads: flags.threads }),
    device: flags.ep,
    ...(flags.trainGraph === undefined ? {} : { trainGraphDir: flags.trainGraph }),
    maxImageSide: flags.maxImageSide,
    maxPending: flags.maxPending,
    maxQueue: flags.maxQueue,
    maxNewConnections: flags.maxNewConnections,
    deadlineMs: flags.deadlineMs,
  });
  if (flags.json) {
    print(
      `${JSON.stringify({ url: handle.url, port: handle.port, model: handle.model, dataset: handle.profile.name, webBuilt: handle.webBuilt })}\n`,
    );
  } else {
    print(
      `serving ${handle.model.name} (${handle.profile.name}, classes from the ${handle.profile.from}, sha256 ${handle.model.sha256}) on ${flags.ep} at ${handle.url}/\n`,
    );
    print(`  POST ${handle.url}/v1/predict   (image/png, or JSON {"pixels": [784 values 0..255]})\n`);
    if (!handle.webBuilt) print(`  the web demo is not built (${handle.webRoot}): run npm run build:web\n`);
    print('press Ctrl+C to stop\n');
  }
  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', stop).off('SIGTERM', stop);
      process.once('SIGINT', () => process.exit(130)).once('SIGTERM', () => process.exit(143));
      if (!flags.json) process.stderr.write(`${signal}: finishing in-flight requests ...\n`);
      void handle.close().then(resolve);
    };
    process.on('SIGINT', stop).on('SIGTERM', stop);
  });
  if (!flags.json)
    process.stderr.write(
      `stopped (${handle.stats().requests} prediction requests, ${handle.stats().runs} model runs)\n`,
    );
}
