// Everything that touches the DOM: the drawing pad (pointer events: mouse, pen and touch), the
// probability bars, the 28x28 preview, the gallery, the model drop zone, and the state the
// browser test reads (window.onnxgradDemo and data attributes).
import type { DemoState } from './page-state.js';
import { $ } from './dom.js';
import { SIDE, type Sample } from './data.js';

export interface UiHandlers {
  /** the pad changed; `ink` is width*height values in [0, 1] */
  onDrawing(ink: Float32Array, width: number, height: number): void;
  onClear(): void;
  onModelFile(bytes: Uint8Array, name: string): void;
  onMoreSamples(): void;
}

export interface GalleryItem {
  sample: Sample;
  predicted: number;
  confidence: number;
}

export class Ui {
  private readonly pad = $<HTMLCanvasElement>('pad');
  private readonly ctx: CanvasRenderingContext2D;
  private readonly bars: { row: HTMLElement; fill: HTMLElement; value: HTMLElement; name: HTMLElement }[] = [];
  readonly state: DemoState = {
    ready: false,
    provider: '',
    model: '',
    modelBytes: 0,
    webgpuError: '',
    drawVersion: 0,
    inferredVersion: 0,
    pixels: [],
    input: [],
    probabilities: [],
    label: -1,
    latencyMs: 0,
    gallery: [],
    error: '',
  };

  constructor(private readonly handlers: UiHandlers) {
    const ctx = this.pad.getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new Error('no 2D canvas');
    this.ctx = ctx;
    (window as Window & { onnxgradDemo?: DemoState }).onnxgradDemo = this.state;
    this.clearPad();
    this.wirePad();
    $('clear').addEventListener('click', () => {
      this.clearPad();
      handlers.onClear();
    });
    $('more').addEventListener('click', () => handlers.onMoreSamples());
    this.wireModelDrop();
  }

  private clearPad(): void {
    this.ctx.fillStyle = '#000';
    this.ctx.fillRect(0, 0, this.pad.width, this.pad.height);
    $('pad-hint').hidden = false;
  }

  private wirePad(): void {
    let last: { x: number; y: number } | undefined;
    const point = (e: PointerEvent): { x: number; y: number } => {
      const r = this.pad.getBoundingClientRect();
      return {
        x: ((e.clientX - r.left) / r.width) * this.pad.width,
        y: ((e.clientY - r.top) / r.height) * this.pad.height,
      };
    };
    const stroke = (to: { x: number; y: number }): void => {
      const from = last ?? to;
      this.ctx.strokeStyle = '#fff';
      this.ctx.lineWidth = this.pad.width * 0.075;
      this.ctx.lineCap = 'round';
      this.ctx.lineJoin = 'round';
      this.ctx.beginPath();
      this.ctx.moveTo(from.x, from.y);
      this.ctx.lineTo(to.x + (from === to ? 0.01 : 0), to.y);
      this.ctx.stroke();
      last = to;
      this.state.drawVersion += 1;
      this.handlers.onDrawing(this.ink(), this.pad.width, this.pad.height);
    };
    this.pad.addEventListener('pointerdown', (e) => {
      e.preventDefault();
      this.pad.setPointerCapture(e.pointerId);
      $('pad-hint').hidden = true;
      last = undefined;
      stroke(point(e));
    });
    this.pad.addEventListener('pointermove', (e) => {
      if (last) stroke(point(e));
    });
    const end = (): void => {
      last = undefined;
    };
    this.pad.addEventListener('pointerup', end);
    this.pad.addEventListener('pointercancel', end);
  }

  /** Sends the pad's drawing again (after the model changed). */
  redraw(): void {
    this.handlers.onDrawing(this.ink(), this.pad.width, this.pad.height);
  }

  private ink(): Float32Array {
    const { data, width, height } = this.ctx.getImageData(0, 0, this.pad.width, this.pad.height);
    const ink = new Float32Array(width * height);
    for (let i = 0; i < ink.length; i++) ink[i] = data[4 * i]! / 255;
    return ink;
  }

  private wireModelDrop(): void {
    const overlay = $('drop-overlay');
    const load = async (file: File | undefined): Promise<void> => {
      if (!file) return;
      if (!file.name.endsWith('.onnx')) return this.showError(`${file.name} is not an .onnx file`);
      this.handlers.onModelFile(new Uint8Array(await file.arrayBuffer()), file.name);
    };
    window.addEventListener('dragover', (e) => {
      e.preventDefault();
      overlay.classList.add('visible');
    });
    window.addEventListener('dragleave', (e) => {
      if (e.relatedTarget === null) overlay.classList.remove('visible');
    });
    window.addEventListener('drop', (e) => {
      e.preventDefault();
      overlay.classList.remove('visible');
      void load(e.dataTransfer?.files[0]);
    });
    const input = $<HTMLInputElement>('model-file');
    input.addEventListener('change', () => void load(input.files?.[0]));
  }

  setModel(name: string, provider: string, bytes: number, webgpuError: string): void {
    this.state.model = name;
    this.state.provider = provider;
    this.state.modelBytes = bytes;
    this.state.webgpuError = webgpuError;
    $('model-name').textContent = name;
    $('model-size').textContent = bytes >= 1e6 ? `${(bytes / 1e6).toFixed(2)} MB` : `${Math.round(bytes / 1e3)} kB`;
    const badge = $('provider');
    badge.textContent = provider;
    badge.dataset['provider'] = provider;
    badge.classList.toggle('gpu', provider === 'WebGPU');
    badge.title = webgpuError ? `WebGPU could not run this model: ${webgpuError}` : 'execution provider';
  }

  setLatency(ms: number): void {
    this.state.latencyMs = ms;
    $('latency').textContent = `${ms < 10 ? ms.toFixed(2) : ms.toFixed(0)} ms`;
  }

  setClasses(classNames: readonly string[]): void {
    const container = $('bars');
    container.replaceChildren();
    this.bars.length = 0;
    for (const className of classNames) {
      const row = document.createElement('div');
      row.className = 'bar';
      const name = document.createElement('span');
      name.className = 'bar-name';
      name.textContent = className;
      const track = document.createElement('div');
      track.className = 'bar-track';
      const fill = document.createElement('div');
      fill.className = 'bar-fill';
      track.append(fill);
      const value = document.createElement('span');
      value.className = 'bar-value';
      row.append(name, track, value);
      container.append(row);
      this.bars.push({ row, fill, value, name });
    }
    this.showPrediction(undefined, classNames);
  }

  /** Shows probabilities (undefined: nothing drawn yet). */
  showPrediction(probabilities: Float32Array | undefined, classNames: readonly string[]): void {
    let best = -1;
    this.bars.forEach((bar, i) => {
      const p = probabilities?.[i] ?? 0;
      if (probabilities && (best < 0 || p > probabilities[best]!)) best = i;
      bar.fill.style.width = `${(p * 100).toFixed(1)}%`;
      bar.value.textContent = probabilities ? `${(p * 100).toFixed(1)}%` : '';
    });
    this.bars.forEach((bar, i) => bar.row.classList.toggle('best', i === best));
    const top = $('top-class');
    top.textContent = best >= 0 ? (classNames[best] ?? String(best)) : '?';
    top.dataset['label'] = String(best);
    top.classList.toggle('long', (classNames[best] ?? '').length > 2);
    $('top-prob').textContent =
      best >= 0 ? `${((probabilities?.[best] ?? 0) * 100).toFixed(1)}% sure` : 'draw a digit on the left';
    this.state.label = best;
    this.state.probabilities = probabilities ? Array.from(probabilities) : [];
  }

  showPreview(pixels: Float32Array | undefined): void {
    paintDigit($<HTMLCanvasElement>('preview'), pixels ?? new Float32Array(SIDE * SIDE));
    this.state.pixels = pixels ? Array.from(pixels) : [];
  }

  showGallery(items: readonly GalleryItem[], classNames: readonly string[]): void {
    const gallery = $('gallery');
    gallery.replaceChildren();
    let correct = 0;
    for (const { sample, predicted, confidence } of items) {
      const ok = predicted === sample.label;
      if (ok) correct += 1;
      const cell = document.createElement('figure');
      cell.className = ok ? 'sample' : 'sample wrong';
      cell.dataset['label'] = String(sample.label);
      cell.dataset['predicted'] = String(predicted);
      const canvas = document.createElement('canvas');
      canvas.width = SIDE;
      canvas.height = SIDE;
      paintDigit(canvas, Float32Array.from(sample.pixels));
      const caption = document.createElement('figcaption');
      caption.innerHTML = `<b>${escapeHtml(classNames[predicted] ?? '?')}</b> <span>${(confidence * 100).toFixed(0)}%</span>`;
      caption.title = `test image #${sample.index}: true class ${classNames[sample.label] ?? sample.label}`;
      if (!ok) caption.insertAdjacentHTML('beforeend', `<i>true ${escapeHtml(classNames[sample.label] ?? '?')}</i>`);
      cell.append(canvas, caption);
      gallery.append(cell);
    }
    $('gallery-score').textContent = items.length ? `${correct} of ${items.length} correct` : '';
    this.state.gallery = items.map((i) => ({ index: i.sample.index, label: i.sample.label, predicted: i.predicted }));
  }

  showError(message: string): void {
    const box = $('error');
    box.textContent = message;
    box.hidden = message === '';
    this.state.error = message;
  }

  setReady(ready: boolean): void {
    this.state.ready = ready;
    document.body.dataset['ready'] = String(ready);
  }
}

function paintDigit(canvas: HTMLCanvasElement, pixels: Float32Array): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const image = ctx.createImageData(SIDE, SIDE);
  for (let i = 0; i < SIDE * SIDE; i++) {
    const v = pixels[i] ?? 0;
    image.data.set([v, v, v, 255], 4 * i);
  }
  ctx.putImageData(image, 0, 0);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
