// The demo's wiring: load the server's model (or a dropped one), run it on the drawing as it
// changes (the latest drawing wins; one run at a time), and on a gallery of test digits.
import './style.css';
import {
  argmax,
  fetchInfo,
  fetchModel,
  fetchSamples,
  MNIST_INFO,
  normalise,
  preprocessDrawing,
  type Sample,
  type ServerInfo,
  SIDE,
} from './data.js';
import { type DemoModel, loadModel, type Provider, PROVIDER_NAMES } from './model.js';
import { pageParam } from './dom.js';
import { Ui } from './ui.js';

const GALLERY_SIZE = 24;

let info: Omit<ServerInfo, 'model'> = MNIST_INFO;
let model: DemoModel | undefined;
let samples: Sample[] = [];
let latest: { ink: Float32Array; width: number; height: number; version: number } | undefined;
let busy = false;

const ui = new Ui({
  onDrawing(ink, width, height) {
    latest = { ink, width, height, version: ui.state.drawVersion };
    void inferDrawing();
  },
  onClear() {
    latest = undefined;
    ui.state.drawVersion += 1;
    ui.state.inferredVersion = ui.state.drawVersion;
    ui.showPreview(undefined);
    ui.showPrediction(undefined, info.classNames);
  },
  onModelFile(bytes, name) {
    void useModel(bytes, name);
  },
  onMoreSamples() {
    void showGallery(Math.floor(Math.random() * 10000));
  },
});

async function inferDrawing(): Promise<void> {
  if (busy || !model || !latest) return;
  busy = true;
  const { ink, width, height, version } = latest;
  latest = undefined;
  try {
    const pixels = preprocessDrawing(ink, width, height);
    ui.showPreview(pixels);
    if (pixels) {
      const input = normalise(pixels, info.normalization);
      const { probabilities, ms } = await model.run(input, 1);
      ui.state.input = Array.from(input);
      ui.showPrediction(probabilities, info.classNames);
      ui.setLatency(ms);
    }
    ui.state.inferredVersion = version;
  } catch (error) {
    ui.showError(`inference failed: ${message(error)}`);
  } finally {
    busy = false;
  }
  if (latest) void inferDrawing();
}

async function showGallery(offset: number): Promise<void> {
  if (!model) return;
  try {
    if (samples.length === 0 || offset !== samples[0]?.index) samples = await fetchSamples(GALLERY_SIZE, offset);
  } catch (error) {
    ui.showGallery([], info.classNames);
    ui.showError(`no test samples: ${message(error)}`);
    return;
  }
  const input = normalise(
    samples.flatMap((s) => s.pixels),
    info.normalization,
  );
  const { probabilities } = await model.run(input, samples.length);
  const classes = probabilities.length / samples.length;
  const items = samples.map((sample, n) => {
    const row = probabilities.subarray(n * classes, (n + 1) * classes);
    const predicted = argmax(row);
    return { sample, predicted, confidence: row[predicted]! };
  });
  ui.showGallery(items, info.classNames);
}

async function useModel(bytes: Uint8Array, name: string): Promise<void> {
  ui.setReady(false);
  ui.showError('');
  try {
    const prefer = pageParam('ep');
    const next = await loadModel(bytes, name, prefer === 'wasm' || prefer === 'webgpu' ? (prefer as Provider) : 'auto');
    // warm-up run: the first one compiles shaders / allocates
    await next.run(new Float32Array(SIDE * SIDE), 1);
    await model?.release();
    model = next;
    ui.setModel(name, PROVIDER_NAMES[next.provider], bytes.length, next.webgpuError);
    await showGallery(samples[0]?.index ?? 0);
    if (ui.state.pixels.length > 0) ui.redraw();
    ui.setReady(true);
  } catch (error) {
    ui.showError(message(error));
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function start(): Promise<void> {
  const server = await fetchInfo();
  if (server) info = server;
  ui.setClasses(info.classNames);
  ui.showPreview(undefined);
  const bytes = server ? await fetchModel() : undefined;
  if (!bytes) {
    ui.showError('no model from the server: drop an .onnx file on the page');
    return;
  }
  await useModel(bytes, server?.model.name ?? 'model.onnx');
}

void start();
