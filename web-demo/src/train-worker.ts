// The training page's worker: it owns the training set, the seeded data, the onnxruntime-web
// sessions and the training loop, so a step (about 100 ms on WASM) never blocks the page's
// drawing. It does what the page's commands say (train-protocol.ts) and reports every step.
// onnxruntime-web runs here as in a page: WASM (its threads are nested workers, which need this
// worker to be cross-origin isolated too; the server's COOP/COEP headers give that) or WebGPU
// (navigator.gpu exists in Chromium's dedicated workers).
import { fetchTrainingSet, idxBytes, TrainingData, type TrainingSet, trainingSet } from './train-data.js';
import {
  BrowserTrainer,
  exportModel,
  fetchAssets,
  hasWebGpu,
  sizeOf,
  type TrainAssets,
  useOrtFiles,
} from './train-model.js';
import type { Provider } from './providers.js';
import { type Backend, type Command, sendEvent, type WorkerEvent } from './train-protocol.js';

const VAL_CHUNK = 500;
const SPEED_WINDOW = 50;

const emit = (event: WorkerEvent): void => sendEvent(self, event);

let assets: TrainAssets | undefined;
let set: TrainingSet | undefined;
let trainer: BrowserTrainer | undefined;
let data: TrainingData | undefined;
let step = 0;
let lr = 1e-4;
let running = false;
/** each start gets a number; a loop whose number is no longer the latest stops quietly */
let runs = 0;
let loop: Promise<void> = Promise.resolve();
// one trainer call at a time: a validation or an export never overlaps a step
let queue: Promise<unknown> = Promise.resolve();
const exclusive = <T>(work: () => Promise<T>): Promise<T> => {
  const next = queue.then(work);
  queue = next.catch(() => undefined);
  return next;
};

function fail(error: unknown): void {
  running = false;
  emit({ type: 'error', message: error instanceof Error ? error.message : String(error) });
}

// A macrotask without setTimeout's 4 ms clamp: lets the page's commands in between steps.
const yieldToMessages = (): Promise<void> =>
  new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(null);
  });

async function load(ortBase: string): Promise<void> {
  useOrtFiles(ortBase);
  [assets, set] = await Promise.all([fetchAssets(), fetchTrainingSet()]);
  emit({ type: 'dataset', description: 'MNIST from the server', count: set.count });
}

async function loadFiles(images: File, labels: File): Promise<void> {
  const [i, l] = await Promise.all([images.arrayBuffer().then(idxBytes), labels.arrayBuffer().then(idxBytes)]);
  set = trainingSet(i, l);
  emit({ type: 'dataset', description: `${images.name} + ${labels.name}`, count: set.count });
}

async function chooseProvider(backend: Backend): Promise<Provider> {
  if (backend === 'wasm') return 'wasm';
  const gpu = await hasWebGpu();
  if (backend === 'webgpu' && !gpu) throw new Error('this browser gives no WebGPU adapter');
  return gpu ? 'webgpu' : 'wasm';
}

async function reset(backend: Backend, threads: number, seed: number): Promise<void> {
  running = false;
  runs += 1;
  await loop;
  const old = trainer;
  trainer = undefined;
  data = undefined;
  await exclusive(async () => old?.release());
  if (!assets || !set) return;
  const provider = await chooseProvider(backend);
  trainer = await BrowserTrainer.create(assets, provider, threads);
  data = new TrainingData(set, seed, assets.manifest.batchSize);
  step = 0;
  emit({
    type: 'ready',
    provider,
    threads,
    crossOriginIsolated: self.crossOriginIsolated,
    seed,
    trainCount: data.train.length,
    valCount: data.val.length,
    batchSize: data.batchSize,
    optimizer: assets.manifest.optimizer.name,
    valHead: Array.from(data.val.subarray(0, 16)),
  });
}

function start(options: { stopAt?: number; valEvery?: number }): void {
  if (running || !trainer) return;
  running = true;
  const run = (runs += 1);
  loop = loop.then(() => train(run, options)).catch(fail);
}

async function train(run: number, options: { stopAt?: number; valEvery?: number }): Promise<void> {
  const valEvery = options.valEvery ?? data?.stepsPerEpoch ?? 0;
  const times: number[] = [];
  emit({ type: 'running' });
  while (running && run === runs && trainer && data) {
    if (options.stopAt !== undefined && step >= options.stopAt) break;
    const [t, d] = [trainer, data];
    const { result, indices } = await exclusive(async () => {
      const batch = d.nextBatch();
      const noise = t.manifest.dropout.map((n) => d.nextNoise(sizeOf(n.shape)));
      const result = await t.run({ inputs: [batch.images], labels: batch.labels, noise }, step + 1, lr);
      return { result, indices: batch.indices };
    });
    if (t !== trainer) return; // reset while the step ran
    if (!Number.isFinite(result.loss))
      throw new Error(`the loss became ${result.loss} at step ${step + 1}; try a smaller lr`);
    step += 1;
    times.push(performance.now());
    if (times.length > SPEED_WINDOW) times.shift();
    emit({
      type: 'step',
      step,
      epoch: d.epoch,
      loss: result.loss,
      accuracy: result.correct / d.batchSize,
      stepsPerSecond: times.length > 1 ? ((times.length - 1) * 1000) / (times.at(-1)! - times[0]!) : 0,
      ...(step === 1 ? { indices: Array.from(indices) } : {}),
    });
    if (valEvery > 0 && step % valEvery === 0) await validate();
    await yieldToMessages();
  }
  if (run !== runs) return; // a reset or a newer start took over
  running = false;
  emit({ type: 'paused', step });
}

async function validate(): Promise<void> {
  const [t, d] = [trainer, data];
  if (!t || !d) return;
  emit({ type: 'validating' });
  const at = step;
  const { correct, count } = await exclusive(async () => {
    let correct = 0;
    let count = 0;
    for (const chunk of d.valChunks(VAL_CHUNK)) {
      const n = chunk.labels.length;
      const logits = await t.logits(chunk.images, n);
      const classes = logits.length / n;
      for (let i = 0; i < n; i++) {
        const row = logits.subarray(i * classes, (i + 1) * classes);
        if (row.indexOf(Math.max(...row)) === Number(chunk.labels[i])) correct += 1;
      }
      count += n;
      await yieldToMessages();
    }
    return { correct, count };
  });
  emit({ type: 'validation', step: at, correct, count });
}

async function exportCurrent(): Promise<void> {
  const t = trainer;
  if (!t) return;
  const { parameters, at } = await exclusive(async () => ({ parameters: await t.parameters(), at: step }));
  emit({ type: 'model', step: at, bytes: await exportModel(parameters) });
}

function handle(command: Command): void {
  switch (command.type) {
    case 'load':
      return void load(command.ortBase).catch(fail);
    case 'files':
      return void loadFiles(command.images, command.labels).catch(fail);
    case 'reset':
      return void reset(command.backend, command.threads, command.seed).catch(fail);
    case 'start':
      lr = command.lr;
      return start(command);
    case 'pause':
      running = false;
      return;
    case 'lr':
      lr = command.lr;
      return;
    case 'validate':
      return void validate().catch(fail);
    case 'export':
      return void exportCurrent().catch(fail);
  }
}

self.addEventListener('message', (e: MessageEvent<Command>) => handle(e.data));
