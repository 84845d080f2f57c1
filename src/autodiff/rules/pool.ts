// Pooling gradients without MaxPool's Indices output (it fails on WebGPU). Both general rules end in
// one ConvTranspose with a constant kernel, the adjoint of reading windows: for each output
// position, it adds a window's K = kH kW values back onto the input positions it covered.
import { intAttr, intsAttr } from '../../ir/attributes.js';
import type { Value } from '../../ir/graph.js';
import { tensor } from '../../ir/tensor.js';
import * as op from '../../ops/index.js';
import { type GradContext, type GradRule, input, output, outputGrad } from '../rule.js';

type Pair = [number, number];
type Quad = [number, number, number, number];

export interface PoolGeometry {
  readonly kernel: Pair;
  readonly strides: Pair;
  readonly pads: Quad;
  readonly dilations: Pair;
}

export function poolGeometry(c: GradContext): PoolGeometry {
  const a = c.node.attributes;
  const kernel = intsAttr(a, 'kernel_shape', []) as Pair;
  return {
    kernel,
    strides: intsAttr(a, 'strides', [1, 1]) as Pair,
    pads: intsAttr(a, 'pads', [0, 0, 0, 0]) as Quad,
    dilations: intsAttr(a, 'dilations', [1, 1]) as Pair,
  };
}

/**
 * Sum over windows back onto x: dx[n, c, s p + d i - pad, s q + d j - pad] += v[n, c, k, p, q] for
 * the K = kH kW offsets k = i kW + j (K = 1: every offset gets the same value), a ConvTranspose
 * with the one-hot (or all-ones) kernel `weights` [K, 1, kH, kW] over N C images of K channels.
 * (Channels into the batch rather than a ConvTranspose with group C: WebGPU's grouped
 * ConvTranspose is wrong with one output channel per group.) Its size s (Ho - 1) + d (k - 1) + 1
 * + outputPadding - padBegin - padEnd is made x's: the end pad drops what ceil-mode windows read
 * past the padding, output_padding restores floor-mode leftovers.
 */
function scatterWindows(v: Value, x: Value, g: PoolGeometry, weights: Value): Value {
  const [n, channels, height, width] = x.shape as [number, number, number, number];
  if (typeof n !== 'number') throw new Error(`pooling gradient: the batch of ${x.toString()} must be static`);
  const [ho, wo] = [v.shape[v.rank - 2] as number, v.shape[v.rank - 1] as number];
  const ends = ([0, 1] as const).map((i) => {
    const span = g.strides[i] * ((i === 0 ? ho : wo) - 1) + g.dilations[i] * (g.kernel[i] - 1) + 1;
    const extra = span - g.pads[i] - (i === 0 ? height : width); // beyond x's end
    return { pad: Math.max(extra, 0), outputPadding: Math.max(-extra, 0) };
  }) as [{ pad: number; outputPadding: number }, { pad: number; outputPadding: number }];
  const images = op.reshape(v, [n * channels, weights.shape[0] as number, ho, wo]);
  const summed = op.convTranspose2d(images, weights, {
    strides: g.strides,
    pads: [g.pads[0], g.pads[1], ends[0].pad, ends[1].pad],
    dilations: g.dilations,
    outputPadding: [ends[0].outputPadding, ends[1].outputPadding],
  });
  return op.reshape(summed, [n, channels, height, width]);
}

/** [K, 1, kH, kW] with a 1 at (i, j) for channel k = i kW + j: one window offset each. */
function oneHotKernels(x: Value, g: PoolGeometry): Value {
  const [kh, kw] = g.kernel;
  const K = kh * kw;
  const data = new Float32Array(K * K);
  for (let k = 0; k < K; k++) data[k * K + k] = 1;
  return x.graph.constant(tensor('float32', [K, 1, kh, kw], data));
}

/**
 * MaxPool with any strides, pads, dilations and ceil mode. x is padded with -inf (so padding never
 * equals a max) far enough for every window; the window values at offset (i, j) are one strided
 * Slice, X_ij[p, q] = x[s p + d i - pad, s q + d j - pad]; G goes where X_ij equals the window's
 * max Y (ties each get all of it): V_ij = G (X_ij == Y). The K slices, stacked [N, C, K, Ho, Wo],
 * are summed back onto x by scatterWindows.
 */
export function maxPoolGradByWindows(c: GradContext): Value {
  const [x, y, grad] = [input(c, 0), output(c), outputGrad(c)];
  const g = poolGeometry(c);
  const [ho, wo] = [y.shape[2] as number, y.shape[3] as number];
  const spans = ([0, 1] as const).map(
    (i) => g.strides[i] * ((i === 0 ? ho : wo) - 1) + g.dilations[i] * (g.kernel[i] - 1) + 1,
  ) as Pair;
  const endPads = ([0, 1] as const).map((i) => Math.max(spans[i] - g.pads[i] - (x.shape[i + 2] as number), 0));
  const padded = op.pad(x, [0, 0, g.pads[0], g.pads[1], 0, 0, endPads[0] as number, endPads[1] as number], {
    value: -Infinity,
  });
  const parts: Value[] = [];
  for (let i = 0; i < g.kernel[0]; i++) {
    for (let j = 0; j < g.kernel[1]; j++) {
      const [r, q] = [g.dilations[0] * i, g.dilations[1] * j];
      const ends = [r + g.strides[0] * (ho - 1) + 1, q + g.strides[1] * (wo - 1) + 1];
      const window = op.slice(padded, [2, 3], [r, q], ends, g.strides);
      parts.push(op.unsqueeze(op.mul(op.cast(op.equal(window, y), 'float32'), grad), [2]));
    }
  }
  return scatterWindows(op.concat(parts, 2), x, g, oneHotKernels(x, g));
}

/**
 * AveragePool: y = sum(window) / D[p, q], D the window's size (count_include_pad 1: clipped to the
 * padded input; 0: to the input itself), a constant. So dx = scatterWindows(G / D) with all-ones
 * kernels [1, 1, kH, kW].
 */
function averagePoolGrad(c: GradContext): Value[] {
  const [x, y, grad] = [input(c, 0), output(c), outputGrad(c)];
  const g = poolGeometry(c);
  const include = intAttr(c.node.attributes, 'count_include_pad', 0) === 1;
  const [ho, wo] = [y.shape[2] as number, y.shape[3] as number];
  const count = (i: 0 | 1, p: number) => {
    const size = x.shape[i + 2] as number;
    const start = p * g.strides[i] - g.pads[i];
    const [lo, hi] = include ? [-g.pads[i], size + g.pads[i + 2]!] : [0, size];
    return Math.min(start + g.kernel[i], hi) - Math.max(start, lo);
  };
  const divisor = new Float32Array(ho * wo);
  for (let p = 0; p < ho; p++) for (let q = 0; q < wo; q++) divisor[p * wo + q] = count(0, p) * count(1, q);
  const ones = x.graph.constant(
    tensor('float32', [1, 1, ...g.kernel], new Float32Array(g.kernel[0] * g.kernel[1]).fill(1)),
  );
  const scaled = op.div(grad, x.graph.constant(tensor('float32', [ho, wo], divisor)));
  return [scatterWindows(scaled, x, g, ones)];
}

export const poolRules: Record<string, GradRule> = {
  AveragePool: averagePoolGrad,
  // the mean of H W values: each gets g / (H W)
  GlobalAveragePool: (c) => {
    const x = input(c, 0);
    return [op.expandLike(op.div(outputGrad(c), (x.shape[2] as number) * (x.shape[3] as number)), x)];
  },
  // g goes to every position equal to its map's max
  GlobalMaxPool: (c) => [op.mul(op.cast(op.equal(input(c, 0), output(c)), 'float32'), outputGrad(c))],
};
