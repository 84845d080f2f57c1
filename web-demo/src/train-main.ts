// The training page's wiring: fetch the training graph, the forward graph, the initial weights and
// MNIST from the server; train step after step, yielding to the page between steps so it never
// freezes; validate on the 10k held-out images; export the trained model through the server.
// URL parameters (used by the tests and the benchmark): ep=auto|webgpu|wasm, threads=N, seed=N,
// lr=X, stopAt=N (pause after step N), autostart=1, valEvery=N (validate every N steps; default
// once per epoch).
import './style.css';
import './train.css';
import { fetchTrainingSet, idxBytes, TrainingData, type TrainingSet, trainingSet } from './train-data.js';
import { BrowserTrainer, exportModel, fetchAssets, hasWebGpu, sizeOf, type TrainAssets } from './train-model.js';
import { PROVIDER_NAMES, type Provider } from './model.js';
import { pageParam } from './dom.js';
import { TrainUi } from './train-ui.js';

const VAL_CHUNK = 500;
const numberParam = (name: string): number | undefined => {
  const v = pageParam(name);
  return v === null || !Number.isFinite(Number(v)) ? undefined : Number(v);
};

let assets: TrainAssets | undefined;
let set: TrainingSet | undefined;
let trainer: BrowserTrainer | undefined;
let data: TrainingData | undefined;
let running = false;
let loop: Promise<void> = Promise.resolve();
// one trainer call at a time: a validation or a download never overlaps a step
let queue: Promise<unknown> = Promise.resolve();
const exclusive = <T>(work: () => Promise<T>): Promise<T> => {
  const next = queue.then(work);
  queue = next.catch(() => undefined);
  return next;
};

const ui = new TrainUi({
  onStartPause: () => (running ? pause() : start()),
  onReset: () => void reset(),
  onValidate: () => void validate().catch(fail),
  onDownload: () => void download().catch(fail),
  onReload(params) {
    const url = new URL(window.location.href);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    window.location.href = url.href;
  },
  onFiles(images, labels) {
    void (async () => {
      const [i, l] = await Promise.all([images.arrayBuffer().then(idxBytes), labels.arrayBuffer().then(idxBytes)]);
      set = trainingSet(i, l);
      ui.setStatus(`training on ${images.name} + ${labels.name} (${set.count.toLocaleString('en')} images)`);
      await reset();
    })().catch(fail);
  },
});

function fail(error: unknown): void {
  pause();
  ui.showError(error instanceof Error ? error.message : String(error));
}

// A macrotask without setTimeout's 4 ms clamp: lets input, rendering and other tasks run.
const yieldToPage = (): Promise<void> =>
  new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(null);
  });

function start(): void {
  if (running || !trainer) return;
  running = true;
  ui.setRunning(true);
  ui.setStatus('training …');
  loop = train().catch(fail);
}

function pause(): void {
  running = false;
  ui.setRunning(false);
}

async function train(): Promise<void> {
  const stopAt = numberParam('stopAt');
  const valEvery = numberParam('valEvery') ?? data?.stepsPerEpoch ?? 0;
  const times: number[] = [];
  while (running && trainer && data) {
    if (stopAt !== undefined && ui.state.step >= stopAt) break;
    const [t, d] = [trainer, data];
    const result = await exclusive(async () => {
      const batch = d.nextBatch();
      if (ui.state.step === 0) ui.state.firstBatch = Array.from(batch.indices);
      const noise = t.manifest.dropout.map((n) => d.nextNoise(sizeOf(n.shape)));
      return t.run({ inputs: [batch.images], labels: batch.labels, noise }, ui.state.step + 1, ui.lr);
    });
    if (t !== trainer) return; // reset while the step ran
    if (!Number.isFinite(result.loss))
      throw new Error(`the loss became ${result.loss} at step ${ui.state.step + 1}; try a smaller lr`);
    ui.addStep(ui.state.step + 1, d.epoch, result.loss, result.correct / d.batchSize);
    times.push(performance.now());
    if (times.length > 50) times.shift();
    if (times.length > 1) ui.setSpeed(((times.length - 1) * 1000) / (times.at(-1)! - times[0]!));
    if (valEvery > 0 && ui.state.step % valEvery === 0) await validate();
    await yieldToPage();
  }
  pause();
  ui.setStatus(`paused at step ${ui.state.step}`);
}

async function validate(): Promise<void> {
  const [t, d] = [trainer, data];
  if (!t || !d) return;
  ui.setStatus('validating on 10,000 held-out images …');
  const step = ui.state.step;
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
      await yieldToPage();
    }
    return { correct, count };
  });
  ui.addValidation(step, correct, count);
  ui.setStatus(running ? 'training …' : `paused at step ${step}`);
}

async function download(): Promise<void> {
  const t = trainer;
  if (!t) return;
  ui.setStatus('exporting model.onnx …');
  const parameters = await exclusive(() => t.parameters());
  ui.download(await exportModel(parameters), 'model.onnx');
  ui.setStatus(`model.onnx with the weights of step ${ui.state.step} downloaded`);
}

async function chooseProvider(): Promise<Provider> {
  const wanted = pageParam('ep');
  if (wanted === 'wasm') return 'wasm';
  const gpu = await hasWebGpu();
  if (wanted === 'webgpu' && !gpu) throw new Error('this browser gives no WebGPU adapter');
  return gpu ? 'webgpu' : 'wasm';
}

/** A fresh run: the initial weights, zero optimizer state, the seed's batch order and noise. */
async function reset(): Promise<void> {
  pause();
  await loop;
  ui.setReady(false);
  const old = trainer;
  trainer = undefined;
  await exclusive(async () => old?.release());
  if (!assets || !set) return;
  const provider = await chooseProvider();
  const threads = numberParam('threads') ?? 1;
  trainer = await BrowserTrainer.create(assets, provider, threads);
  data = new TrainingData(set, ui.seed, assets.manifest.batchSize);
  ui.clear();
  ui.state.seed = ui.seed;
  ui.state.valHead = Array.from(data.val.subarray(0, 16));
  ui.setProvider(PROVIDER_NAMES[provider], threads);
  ui.setReady(true);
  ui.setStatus(
    `ready: ${data.train.length.toLocaleString('en')} training images, ${data.val.length.toLocaleString('en')} for validation, batch ${data.batchSize}, ${assets.manifest.optimizer.name}`,
  );
}

async function main(): Promise<void> {
  const seed = numberParam('seed');
  if (seed !== undefined) ui.seed = seed;
  const lr = numberParam('lr');
  if (lr !== undefined) ui.lr = lr;
  [assets, set] = await Promise.all([fetchAssets(), fetchTrainingSet()]);
  await reset();
  if (pageParam('autostart') === '1') start();
}

main().catch(fail);
