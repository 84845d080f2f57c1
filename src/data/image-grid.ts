// A PNG contact sheet of images with their labels, like the practical's Figure 1 (imshow with
// cmap 'Greys_r': 0 black, 255 white). Each image is upscaled by pixel repetition so the
// digits stay crisp; its label is written under it in a 5x7 bitmap font. With predictions, a
// second caption line gives the prediction, and a wrong one is drawn in red with a red frame.
import { PNG } from 'pngjs';
import { ADVANCE, GLYPH_HEIGHT, rasterize, textWidth } from './font5x7.js';

export interface GridOptions {
  /** count * height * width raw bytes, back to back */
  images: Uint8Array;
  height: number;
  width: number;
  /** one caption per image (the true class name) */
  labels: readonly string[];
  /** predicted class names, same length; wrong ones are marked in red */
  predicted?: readonly string[];
  /** default: a square-ish grid, ceil(sqrt(count)) columns */
  columns?: number;
  /** pixel repetition factor; default 3 */
  scale?: number;
}

type Rgb = readonly [number, number, number];
const BACKGROUND: Rgb = [24, 24, 24];
const TEXT: Rgb = [220, 220, 220];
const WRONG: Rgb = [235, 50, 50];
const PAD = 6;
const FRAME = 2;

/** Renders the grid and returns the PNG file's bytes. */
export function renderImageGrid(options: GridOptions): Buffer {
  const { images, height, width, labels, predicted } = options;
  const count = labels.length;
  const scale = options.scale ?? 3;
  if (count === 0) throw new RangeError('renderImageGrid: no images');
  if (images.length !== count * height * width) {
    throw new RangeError(`renderImageGrid: ${images.length} bytes for ${count} images of ${height}x${width}`);
  }
  if (predicted && predicted.length !== count)
    throw new RangeError(`renderImageGrid: ${predicted.length} predictions for ${count} images`);
  const columns = options.columns ?? Math.ceil(Math.sqrt(count));
  const rows = Math.ceil(count / columns);
  const cellW = width * scale;
  const cellH = height * scale;
  const captions = [...labels, ...(predicted ?? []).map((p) => `> ${p}`)];
  // The largest text that fits every caption on one line, at least 1 font pixel per pixel.
  const longest = Math.max(...captions.map((c) => textWidth(c)));
  const textScale = Math.max(1, Math.min(2, Math.floor(cellW / Math.max(1, longest))));
  const lineH = (GLYPH_HEIGHT + 2) * textScale;
  const captionH = lineH * (predicted ? 2 : 1) + 2;
  const pitchX = cellW + PAD;
  const pitchY = cellH + captionH + PAD;
  const png = new PNG({ width: columns * pitchX + PAD, height: rows * pitchY + PAD });
  fill(png, 0, 0, png.width, png.height, BACKGROUND);

  for (let i = 0; i < count; i++) {
    const x0 = PAD + (i % columns) * pitchX;
    const y0 = PAD + Math.floor(i / columns) * pitchY;
    const wrong = predicted !== undefined && predicted[i] !== labels[i];
    if (wrong) fill(png, x0 - FRAME, y0 - FRAME, cellW + 2 * FRAME, cellH + 2 * FRAME, WRONG);
    drawImage(png, images.subarray(i * height * width, (i + 1) * height * width), width, x0, y0, scale);
    const maxChars = Math.floor((cellW + 1) / (ADVANCE * textScale));
    drawText(png, fit(labels[i] ?? '', maxChars), x0, y0 + cellH + 3, cellW, textScale, TEXT);
    if (predicted)
      drawText(
        png,
        fit(`> ${predicted[i] ?? ''}`, maxChars),
        x0,
        y0 + cellH + 3 + lineH,
        cellW,
        textScale,
        wrong ? WRONG : TEXT,
      );
  }
  return PNG.sync.write(png);
}

function drawImage(png: PNG, pixels: Uint8Array, width: number, x0: number, y0: number, scale: number): void {
  pixels.forEach((v, p) => {
    const x = x0 + (p % width) * scale;
    const y = y0 + Math.floor(p / width) * scale;
    fill(png, x, y, scale, scale, [v, v, v]);
  });
}

/** Centred under the cell. */
function drawText(png: PNG, text: string, x0: number, y0: number, cellW: number, textScale: number, color: Rgb): void {
  const left = x0 + Math.floor((cellW - textWidth(text) * textScale) / 2);
  rasterize(text, (x, y) => fill(png, left + x * textScale, y0 + y * textScale, textScale, textScale, color));
}

function fit(text: string, maxChars: number): string {
  return text.length <= maxChars ? text : `${text.slice(0, Math.max(0, maxChars - 1))}.`;
}

function fill(png: PNG, x0: number, y0: number, w: number, h: number, [r, g, b]: Rgb): void {
  for (let y = Math.max(0, y0); y < Math.min(png.height, y0 + h); y++) {
    for (let x = Math.max(0, x0); x < Math.min(png.width, x0 + w); x++) {
      const o = (y * png.width + x) * 4;
      png.data[o] = r;
      png.data[o + 1] = g;
      png.data[o + 2] = b;
      png.data[o + 3] = 255;
    }
  }
}
