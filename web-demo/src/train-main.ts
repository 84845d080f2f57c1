// The training page's wiring. Training runs in a worker (train-worker.ts): this thread only sends
// it commands (train-protocol.ts) and draws what it reports, so the page stays responsive while
// a step runs. URL parameters (used by the tests and the benchmark): ep=auto|webgpu|wasm,
// threads=N, seed=N, lr=X, stopAt=N (pause after step N), autostart=1, valEvery=N (validate
// every N steps; default once per epoch).
import './style.css';
import './train.css';
import { PROVIDER_NAMES } from './providers.js';
import { pageParam } from './dom.js';
import { type Backend, type Command, sendCommand, type WorkerEvent } from './train-protocol.js';
import { TrainUi } from './train-ui.js';

const numberParam = (name: string): number | undefined => {
  const v = pageParam(name);
  return v === null || !Number.isFinite(Number(v)) ? undefined : Number(v);
};

const worker = new Worker(new URL('./train-worker.ts', import.meta.url), { type: 'module', name: 'onnxgrad-train' });
const send = (command: Command): void => sendCommand(worker, command);
let autostart = pageParam('autostart') === '1';
/** the validation split's size, as the worker's split made it (a sixth of the training set) */
let valCount = 0;
const validating = (): void => ui.setStatus(`validating on ${valCount.toLocaleString('en')} held-out images …`);

const ui = new TrainUi({
  onStartPause: () => (ui.state.running ? pause() : start()),
  onReset: () => reset(),
  onValidate: () => {
    validating();
    send({ type: 'validate' });
  },
  onDownload: () => {
    ui.setStatus('exporting model.onnx …');
    send({ type: 'export' });
  },
  onLr: (lr) => send({ type: 'lr', lr }),
  onReload(params) {
    const url = new URL(window.location.href);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    window.location.href = url.href;
  },
  onFiles(images, labels) {
    ui.setReady(false);
    ui.setRunning(false);
    send({ type: 'files', images, labels });
  },
});

function fail(message: string): void {
  ui.setRunning(false);
  ui.showError(message);
}

function start(): void {
  if (ui.state.running || !ui.state.ready) return;
  ui.setRunning(true);
  ui.setStatus('training …');
  const [stopAt, valEvery] = [numberParam('stopAt'), numberParam('valEvery')];
  send({
    type: 'start',
    lr: ui.lr,
    ...(stopAt === undefined ? {} : { stopAt }),
    ...(valEvery === undefined ? {} : { valEvery }),
  });
}

function pause(): void {
  ui.setRunning(false);
  send({ type: 'pause' });
}

function reset(): void {
  ui.setReady(false);
  ui.setRunning(false);
  const ep = pageParam('ep');
  const backend: Backend = ep === 'wasm' || ep === 'webgpu' ? ep : 'auto';
  send({ type: 'reset', backend, threads: numberParam('threads') ?? 1, seed: ui.seed });
}

function onEvent(event: WorkerEvent): void {
  switch (event.type) {
    case 'dataset':
      ui.setStatus(`training on ${event.description} (${event.count.toLocaleString('en')} images)`);
      return reset();
    case 'ready':
      valCount = event.valCount;
      ui.clear(valCount);
      Object.assign(ui.state, {
        seed: event.seed,
        valHead: event.valHead,
        crossOriginIsolated: event.crossOriginIsolated,
      });
      ui.setProvider(PROVIDER_NAMES[event.provider], event.threads, event.crossOriginIsolated);
      ui.setReady(true);
      ui.setStatus(
        `ready: ${event.trainCount.toLocaleString('en')} training images, ${event.valCount.toLocaleString('en')} for validation, batch ${event.batchSize}, ${event.optimizer}`,
      );
      if (autostart) start();
      autostart = false;
      return;
    case 'running':
      return;
    case 'step':
      if (event.indices) ui.state.firstBatch = event.indices;
      ui.addStep(event.step, event.epoch, event.loss, event.accuracy);
      if (event.stepsPerSecond > 0) ui.setSpeed(event.stepsPerSecond);
      return;
    case 'validating':
      return validating();
    case 'validation':
      ui.addValidation(event.step, event.correct, event.count);
      return ui.setStatus(ui.state.running ? 'training …' : `paused at step ${ui.state.step}`);
    case 'paused':
      ui.setRunning(false);
      return ui.setStatus(`paused at step ${event.step}`);
    case 'model':
      ui.download(event.bytes, 'model.onnx');
      return ui.setStatus(`model.onnx with the weights of step ${event.step} downloaded`);
    case 'error':
      return fail(event.message);
  }
}

worker.addEventListener('message', (e: MessageEvent<WorkerEvent>) => onEvent(e.data));
worker.addEventListener('error', (e) => fail(`the training worker failed: ${e.message || 'it could not start'}`));

const seed = numberParam('seed');
if (seed !== undefined) ui.seed = seed;
const lr = numberParam('lr');
if (lr !== undefined) ui.lr = lr;
send({ type: 'load', ortBase: new URL('ort/', window.location.href).href });
