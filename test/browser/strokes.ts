// Geometry for the browser test: strokes that redraw a 28x28 digit, and checks on the image the
// page made from them.

export interface Stroke {
  y: number;
  x0: number;
  x1: number;
}

/** One horizontal stroke per run of ink (>= 128) in each row. */
export function strokesOf(pixels: ArrayLike<number>, side = 28): Stroke[] {
  const strokes: Stroke[] = [];
  for (let y = 0; y < side; y++) {
    let start = -1;
    for (let x = 0; x <= side; x++) {
      const ink = x < side && pixels[y * side + x]! >= 128;
      if (ink && start < 0) start = x;
      if (!ink && start >= 0) {
        strokes.push({ y, x0: start, x1: x - 1 });
        start = -1;
      }
    }
  }
  return strokes;
}

export function inkBox(pixels: ArrayLike<number>, side = 28): { width: number; height: number } {
  let [x0, y0, x1, y1] = [side, side, -1, -1];
  for (let i = 0; i < side * side; i++) {
    if (pixels[i]! <= 0) continue;
    const x = i % side;
    const y = Math.floor(i / side);
    [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
  }
  return { width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

/** Centre of mass in pixel coordinates, pixel i's centre at i + 0.5. */
export function centreOfMass(pixels: ArrayLike<number>, side = 28): { x: number; y: number } {
  let [m, mx, my] = [0, 0, 0];
  for (let i = 0; i < side * side; i++) {
    const v = pixels[i]!;
    m += v;
    mx += v * ((i % side) + 0.5);
    my += v * (Math.floor(i / side) + 0.5);
  }
  return { x: mx / m, y: my / m };
}

/** The top class and how far ahead of the second it is (a near tie may flip between runtimes). */
export function argmaxWithMargin(row: ArrayLike<number>): { label: number; margin: number } {
  const order = Array.from(row, (v, i) => ({ v, i })).sort((a, b) => b.v - a.v);
  return { label: order[0]!.i, margin: order[0]!.v - (order[1]?.v ?? 0) };
}
