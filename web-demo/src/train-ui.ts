// Everything on the training page that touches the DOM: buttons and settings, the numbers, the
// loss and accuracy curves (uPlot), the file download, and the state the browser test reads
// (window.onnxgradTrain).
import type { TrainState } from './page-state.js';
import { $, pageParam } from './dom.js';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface TrainUiHandlers {
  onStartPause(): void;
  onReset(): void;
  onValidate(): void;
  onDownload(): void;
  /** the learning rate field changed (a valid rate) */
  onLr(lr: number): void;
  /** a setting that needs a fresh page (backend, threads) changed */
  onReload(params: Record<string, string>): void;
  onFiles(images: File, labels: File): void;
}

const SMOOTH = 20;
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

function chart(el: HTMLElement, series: uPlot.Series[], yRange?: [number, number]): uPlot {
  const opts: uPlot.Options = {
    width: Math.max(200, el.clientWidth),
    height: 240,
    legend: { show: true },
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: false }, y: yRange ? { range: yRange } : { auto: true } },
    axes: [
      { label: 'step', size: 36, labelSize: 16, stroke: '#6b7085' },
      { size: 46, stroke: '#6b7085', grid: { stroke: '#eef0f6' } },
    ],
    series: [{ label: 'step' }, ...series],
  };
  return new uPlot(opts, [[], ...series.map(() => [])], el);
}

export class TrainUi {
  readonly state: TrainState = {
    ready: false,
    running: false,
    provider: '',
    threads: 1,
    crossOriginIsolated: globalThis.crossOriginIsolated,
    seed: 1,
    step: 0,
    losses: [],
    accuracies: [],
    epochs: [],
    stepsPerSecond: 0,
    val: [],
    firstBatch: [],
    valHead: [],
    downloads: 0,
    error: '',
  };
  private readonly lossChart: uPlot;
  private readonly accChart: uPlot;
  private drawn = 0;
  private pending = false;

  constructor(handlers: TrainUiHandlers) {
    (globalThis as unknown as { onnxgradTrain: TrainState }).onnxgradTrain = this.state;
    $('start').addEventListener('click', () => handlers.onStartPause());
    $('reset').addEventListener('click', () => handlers.onReset());
    $('validate').addEventListener('click', () => handlers.onValidate());
    $('download').addEventListener('click', () => handlers.onDownload());
    $('lr').addEventListener('change', () => handlers.onLr(this.lr));
    const ep = $<HTMLSelectElement>('ep');
    const threads = $<HTMLSelectElement>('threads-select');
    ep.value = pageParam('ep') ?? 'auto';
    threads.value = pageParam('threads') ?? '1';
    ep.addEventListener('change', () => handlers.onReload({ ep: ep.value }));
    threads.addEventListener('change', () => handlers.onReload({ threads: threads.value }));
    const images = $<HTMLInputElement>('images-file');
    const labels = $<HTMLInputElement>('labels-file');
    const picked = () => {
      const [i, l] = [images.files?.[0], labels.files?.[0]];
      if (i && l) handlers.onFiles(i, l);
      else this.setStatus(`now pick the ${i ? 'labels' : 'images'} file`);
    };
    images.addEventListener('change', picked);
    labels.addEventListener('change', picked);
    this.lossChart = chart($('loss-chart'), [
      { label: 'loss', stroke: '#c7d2fe', width: 1 },
      { label: `mean of ${SMOOTH}`, stroke: '#4f46e5', width: 2 },
    ]);
    this.accChart = chart(
      $('acc-chart'),
      [
        { label: `train (mean of ${SMOOTH})`, stroke: '#4f46e5', width: 2 },
        { label: 'validation', stroke: '#0f9d58', width: 2, points: { show: true, size: 7 }, spanGaps: true },
      ],
      [0, 1],
    );
    // the chart divs clip their canvas, so their width follows the card, not the plot
    for (const [c, id] of [
      [this.lossChart, 'loss-chart'],
      [this.accChart, 'acc-chart'],
    ] as const) {
      new ResizeObserver(() => c.setSize({ width: Math.max(200, $(id).clientWidth), height: 240 })).observe($(id));
    }
  }

  get seed(): number {
    return Number($<HTMLInputElement>('seed').value) >>> 0;
  }

  set seed(value: number) {
    $<HTMLInputElement>('seed').value = String(value);
  }

  get lr(): number {
    const lr = Number($<HTMLInputElement>('lr').value);
    return Number.isFinite(lr) && lr > 0 ? lr : 1e-4;
  }

  set lr(value: number) {
    $<HTMLInputElement>('lr').value = String(value);
  }

  /** `isolated`: whether the trainer's side is cross-origin isolated (WASM threads need it) */
  setProvider(name: string, threads: number, isolated: boolean): void {
    this.state.provider = name;
    this.state.threads = threads;
    $('provider').textContent = name;
    $('provider').dataset['provider'] = name;
    $('threads').textContent =
      name === 'WASM' ? `${threads} thread${threads === 1 ? '' : 's'}${isolated ? '' : ' (not isolated)'}` : 'GPU';
  }

  setReady(ready: boolean): void {
    this.state.ready = ready;
    for (const id of ['start', 'reset', 'validate', 'download']) $<HTMLButtonElement>(id).disabled = !ready;
  }

  setRunning(running: boolean): void {
    this.state.running = running;
    $('start').textContent = running ? 'Pause' : this.state.step > 0 ? 'Resume' : 'Start';
    $('start').classList.toggle('running', running);
  }

  setStatus(text: string): void {
    $('status').textContent = text;
  }

  setSpeed(stepsPerSecond: number): void {
    this.state.stepsPerSecond = stepsPerSecond;
    $('speed').textContent = `${stepsPerSecond.toFixed(stepsPerSecond < 10 ? 2 : 1)} steps/s`;
  }

  /**
   * Records a step; the charts are redrawn at most once a frame. `epoch` counts from 0 (the batch
   * cursor's count, as in metrics.jsonl); people count from 1, as `onnxgrad train` prints it.
   */
  addStep(step: number, epoch: number, loss: number, accuracy: number): void {
    Object.assign(this.state, { step });
    this.state.losses.push(loss);
    this.state.accuracies.push(accuracy);
    this.state.epochs.push(epoch + 1);
    $('stat-step').textContent = step.toLocaleString('en');
    $('stat-epoch').textContent = `epoch ${epoch + 1}`;
    if (!this.pending) {
      this.pending = true;
      requestAnimationFrame(() => this.redraw());
    }
  }

  addValidation(step: number, correct: number, count: number): void {
    const accuracy = correct / count;
    this.state.val.push({ step, accuracy, correct, count });
    $('stat-val').textContent = `${(accuracy * 100).toFixed(2)}%`;
    $('stat-val-when').textContent =
      `${correct.toLocaleString('en')} of ${count.toLocaleString('en')}, at step ${step.toLocaleString('en')}`;
    this.redraw();
  }

  /** A fresh run, validated on `valCount` held-out images. */
  clear(valCount: number): void {
    Object.assign(this.state, { step: 0, losses: [], accuracies: [], epochs: [], val: [], stepsPerSecond: 0 });
    $('stat-epoch').textContent = 'epoch 1';
    this.drawn = -1;
    for (const id of ['stat-loss', 'stat-acc', 'stat-val']) $(id).textContent = '–';
    $('stat-val-when').textContent = `${valCount.toLocaleString('en')} held-out images`;
    this.setSpeed(0);
    this.redraw();
    this.setRunning(false);
  }

  private redraw(): void {
    this.pending = false;
    const { losses, accuracies, val } = this.state;
    if (this.drawn === losses.length && val.length === 0) return;
    this.drawn = losses.length;
    const steps = losses.map((_, i) => i + 1);
    const smooth = (xs: number[]) => xs.map((_, i) => mean(xs.slice(Math.max(0, i - SMOOTH + 1), i + 1)));
    const valAt = new Map(val.map((v) => [v.step, v.accuracy]));
    this.lossChart.setData([steps, losses, smooth(losses)]);
    this.accChart.setData([steps, smooth(accuracies), steps.map((s) => valAt.get(s) ?? null)]);
    if (losses.length > 0) {
      $('stat-loss').textContent = mean(losses.slice(-SMOOTH)).toFixed(4);
      $('stat-acc').textContent = `${(mean(accuracies.slice(-SMOOTH)) * 100).toFixed(1)}%`;
    }
  }

  /** Offers bytes as a file download. */
  download(bytes: Uint8Array<ArrayBuffer>, name: string): void {
    const url = URL.createObjectURL(new Blob([bytes], { type: 'application/octet-stream' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    this.state.downloads += 1;
  }

  showError(text: string): void {
    this.state.error = text;
    $('error').textContent = text;
    $('error').hidden = text === '';
  }
}
