// A digit of any size made into an MNIST-style 28x28 image, as MNIST's digits were made (LeCun
// et al.): the bounding box of the ink scaled to fit a 20x20 box keeping its aspect ratio,
// anti-aliased, and placed in a 28x28 image so that its centre of mass lies at the centre. Plain
// TypeScript with no Node imports: the browser demo prepares drawings with it, the server PNGs.

export const SIDE = 28;
const BOX = 20;

/**
 * `ink` holds width*height values in [0, 1] (1 = ink). Returns 28*28 intensities in [0, 255],
 * or undefined when nothing is drawn.
 */
export function preprocessDrawing(ink: Float32Array, width: number, height: number): Float32Array | undefined {
  let [x0, y0, x1, y1] = [width, height, -1, -1];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (ink[y * width + x]! > 0.05) {
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
        y0 = Math.min(y0, y);
        y1 = Math.max(y1, y);
      }
    }
  }
  if (x1 < 0) return undefined;
  const w = x1 - x0 + 1;
  const h = y1 - y0 + 1;
  const scale = BOX / Math.max(w, h);
  const tw = Math.max(1, Math.round(w * scale));
  const th = Math.max(1, Math.round(h * scale));
  const small = resampleArea(ink, width, x0, y0, w, h, tw, th);

  // centre of mass of the scaled digit, then the integer shift that puts it at (14, 14)
  let [mass, mx, my] = [0, 0, 0];
  for (let y = 0; y < th; y++) {
    for (let x = 0; x < tw; x++) {
      const v = small[y * tw + x]!;
      mass += v;
      mx += v * (x + 0.5);
      my += v * (y + 0.5);
    }
  }
  const clamp = (v: number, size: number): number => Math.min(SIDE - size, Math.max(0, v));
  const ox = clamp(Math.round(SIDE / 2 - mx / mass), tw);
  const oy = clamp(Math.round(SIDE / 2 - my / mass), th);
  const out = new Float32Array(SIDE * SIDE);
  for (let y = 0; y < th; y++) {
    for (let x = 0; x < tw; x++) out[(y + oy) * SIDE + x + ox] = Math.min(255, small[y * tw + x]! * 255);
  }
  return out;
}

/**
 * Area-average resampling (a box filter: each target pixel is the mean of the source area it
 * covers, partial pixels weighted by coverage), the anti-aliasing a downscale by ~10x needs.
 * Separable: rows first, then columns.
 */
function resampleArea(
  src: Float32Array,
  stride: number,
  x0: number,
  y0: number,
  w: number,
  h: number,
  tw: number,
  th: number,
): Float32Array {
  const weights = (n: number, tn: number): { start: number; w: number[] }[] => {
    const f = n / tn;
    return Array.from({ length: tn }, (_, t) => {
      const a = t * f;
      const b = (t + 1) * f;
      const start = Math.floor(a);
      const ws: number[] = [];
      for (let s = start; s < Math.min(n, Math.ceil(b)); s++) ws.push((Math.min(b, s + 1) - Math.max(a, s)) / f);
      return { start, w: ws };
    });
  };
  const wx = weights(w, tw);
  const wy = weights(h, th);
  const rows = new Float32Array(h * tw);
  for (let y = 0; y < h; y++) {
    const base = (y0 + y) * stride + x0;
    wx.forEach(({ start, w: ws }, t) => {
      let sum = 0;
      ws.forEach((k, i) => (sum += k * src[base + start + i]!));
      rows[y * tw + t] = sum;
    });
  }
  const out = new Float32Array(th * tw);
  wy.forEach(({ start, w: ws }, t) => {
    for (let x = 0; x < tw; x++) {
      let sum = 0;
      ws.forEach((k, i) => (sum += k * rows[(start + i) * tw + x]!));
      out[t * tw + x] = sum;
    }
  });
  return out;
}
