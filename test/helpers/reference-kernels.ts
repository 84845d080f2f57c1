// Naive float64 kernels of the reference interpreter: convolution, its transpose, max pooling,
// Gemm and MatMul, NCHW, written straight from the ONNX operator definitions.
import { floatAttr, intAttr, intsAttr, type Attributes } from '../../src/ir/attributes.js';
import { broadcastDims, broadcastIndex, refTensor, type RefTensor, size } from './reference-tensor.js';

interface Spatial {
  readonly k: [number, number];
  readonly s: [number, number];
  readonly p: [number, number, number, number];
  readonly d: [number, number];
}

function spatial(opType: string, a: Attributes, kernel: readonly number[]): Spatial {
  if (intAttr(a, 'group', 1) !== 1) throw new Error(`reference ${opType}: group must be 1`);
  const auto = a['auto_pad'];
  if (auto?.kind === 'string' && auto.value !== 'NOTSET')
    throw new Error(`reference ${opType}: auto_pad is not supported`);
  const k = intsAttr(a, 'kernel_shape', kernel);
  const s = intsAttr(a, 'strides', [1, 1]);
  const p = intsAttr(a, 'pads', [0, 0, 0, 0]);
  const d = intsAttr(a, 'dilations', [1, 1]);
  return {
    k: [k[0] ?? 1, k[1] ?? 1],
    s: [s[0] ?? 1, s[1] ?? 1],
    p: [p[0] ?? 0, p[1] ?? 0, p[2] ?? 0, p[3] ?? 0],
    d: [d[0] ?? 1, d[1] ?? 1],
  };
}

const outSize = (n: number, k: number, s: number, p0: number, p1: number, d: number) =>
  Math.floor((n + p0 + p1 - d * (k - 1) - 1) / s) + 1;

/** Pooling's output size: floor, or ceil without a last window that starts in the end padding. */
function poolSize(n: number, k: number, s: number, p0: number, p1: number, d: number, ceil: boolean): number {
  if (!ceil) return outSize(n, k, s, p0, p1, d);
  const out = Math.ceil((n + p0 + p1 - d * (k - 1) - 1) / s) + 1;
  return (out - 1) * s >= n + p0 ? out - 1 : out;
}

/** Output positions o in [0, n) whose input index s o + offset falls inside [0, size). */
function validRange(n: number, s: number, offset: number, size: number): [number, number] {
  const lo = Math.max(0, Math.ceil(-offset / s));
  const hi = Math.min(n, Math.floor((size - 1 - offset) / s) + 1);
  return [lo, Math.max(lo, hi)];
}

/**
 * y[n,m,h,w] = b[m] + sum_{c,i,j} x[n, c, s h + d i - pt, s w + d j - pl] W[m,c,i,j],
 * computed per image as W [M, C kH kW] times the patch matrix [C kH kW, Ho Wo] (im2col), so the
 * innermost loop runs over a whole output map without branches.
 */
export function conv(x: RefTensor, w: RefTensor, b: RefTensor | undefined, a: Attributes): RefTensor {
  const [N, C, H, W] = x.dims as [number, number, number, number];
  const [M, , KH, KW] = w.dims as [number, number, number, number];
  const { s, p, d } = spatial('Conv', a, [KH, KW]);
  const Ho = outSize(H, KH, s[0], p[0], p[2], d[0]);
  const Wo = outSize(W, KW, s[1], p[1], p[3], d[1]);
  const [area, patch] = [Ho * Wo, C * KH * KW];
  const y = new Float64Array(N * M * area);
  const cols = new Float64Array(patch * area);
  const [xd, wd] = [x.data, w.data];
  for (let n = 0; n < N; n++) {
    cols.fill(0);
    for (let c = 0; c < C; c++) {
      for (let i = 0; i < KH; i++) {
        const [h0, h1] = validRange(Ho, s[0], d[0] * i - p[0], H);
        for (let j = 0; j < KW; j++) {
          const [q0, q1] = validRange(Wo, s[1], d[1] * j - p[1], W);
          const row = ((c * KH + i) * KW + j) * area;
          for (let h = h0; h < h1; h++) {
            const xRow = ((n * C + c) * H + s[0] * h + d[0] * i - p[0]) * W + d[1] * j - p[1];
            for (let q = q0; q < q1; q++) cols[row + h * Wo + q] = xd[xRow + s[1] * q] as number;
          }
        }
      }
    }
    for (let m = 0; m < M; m++) {
      const yBase = (n * M + m) * area;
      if (b) y.fill(b.data[m] as number, yBase, yBase + area);
      for (let k = 0; k < patch; k++) {
        const wv = wd[m * patch + k] as number;
        const row = k * area;
        for (let t = 0; t < area; t++) y[yBase + t] = (y[yBase + t] as number) + wv * (cols[row + t] as number);
      }
    }
  }
  return refTensor([N, M, Ho, Wo], y);
}

/** y[n, m, s h + d i - pt, s w + d j - pl] += x[n,c,h,w] W[c,m,i,j]; H' = s(H-1) + op + d(k-1) + 1 - pads. */
export function convTranspose(x: RefTensor, w: RefTensor, b: RefTensor | undefined, a: Attributes): RefTensor {
  const [N, C, H, W] = x.dims as [number, number, number, number];
  const [, M, KH, KW] = w.dims as [number, number, number, number];
  const { s, p, d } = spatial('ConvTranspose', a, [KH, KW]);
  if (a['output_shape']) throw new Error('reference ConvTranspose: output_shape is not supported');
  const op = intsAttr(a, 'output_padding', [0, 0]);
  const Ho = s[0] * (H - 1) + (op[0] ?? 0) + d[0] * (KH - 1) + 1 - p[0] - p[2];
  const Wo = s[1] * (W - 1) + (op[1] ?? 0) + d[1] * (KW - 1) + 1 - p[1] - p[3];
  const y = new Float64Array(N * M * Ho * Wo);
  for (let n = 0; n < N; n++) {
    for (let m = 0; m < M; m++) {
      const yBase = (n * M + m) * Ho;
      if (b) for (let k = 0; k < Ho * Wo; k++) y[yBase * Wo + k] = b.data[m] as number;
      for (let c = 0; c < C; c++) {
        for (let h = 0; h < H; h++) {
          for (let q = 0; q < W; q++) {
            const xv = x.data[((n * C + c) * H + h) * W + q] as number;
            for (let i = 0; i < KH; i++) {
              const r = s[0] * h + d[0] * i - p[0];
              if (r < 0 || r >= Ho) continue;
              for (let j = 0; j < KW; j++) {
                const col = s[1] * q + d[1] * j - p[1];
                if (col >= 0 && col < Wo)
                  y[(yBase + r) * Wo + col] =
                    (y[(yBase + r) * Wo + col] as number) + xv * (w.data[((c * M + m) * KH + i) * KW + j] as number);
              }
            }
          }
        }
      }
    }
  }
  return refTensor([N, M, Ho, Wo], y);
}

/** Max pooling; padded positions never win (they count as -infinity). */
export function maxPool(x: RefTensor, a: Attributes): RefTensor {
  const [N, C, H, W] = x.dims as [number, number, number, number];
  const { k, p, d } = spatial('MaxPool', a, []);
  const st = intsAttr(a, 'strides', k);
  const s = [st[0] ?? 1, st[1] ?? 1] as const;
  if (intAttr(a, 'storage_order', 0) !== 0) throw new Error('reference MaxPool: storage_order is not supported');
  const ceil = intAttr(a, 'ceil_mode', 0) === 1;
  const Ho = poolSize(H, k[0], s[0], p[0], p[2], d[0], ceil);
  const Wo = poolSize(W, k[1], s[1], p[1], p[3], d[1], ceil);
  const y = new Float64Array(N * C * Ho * Wo);
  for (let nc = 0; nc < N * C; nc++) {
    for (let h = 0; h < Ho; h++) {
      for (let q = 0; q < Wo; q++) {
        let best = -Infinity;
        for (let i = 0; i < k[0]; i++) {
          const r = s[0] * h + d[0] * i - p[0];
          if (r < 0 || r >= H) continue;
          for (let j = 0; j < k[1]; j++) {
            const col = s[1] * q + d[1] * j - p[1];
            if (col >= 0 && col < W) best = Math.max(best, x.data[(nc * H + r) * W + col] as number);
          }
        }
        y[(nc * Ho + h) * Wo + q] = best;
      }
    }
  }
  return refTensor([N, C, Ho, Wo], y);
}

/** Y = alpha A' B' + beta C, with A' = A or A^T and B' = B or B^T; C broadcasts to [M, N]. */
export function gemm(A: RefTensor, B: RefTensor, C: RefTensor | undefined, a: Attributes): RefTensor {
  const transA = intAttr(a, 'transA', 0) === 1;
  const transB = intAttr(a, 'transB', 0) === 1;
  const alpha = floatAttr(a, 'alpha', 1);
  const beta = floatAttr(a, 'beta', 1);
  const [r0, c0] = A.dims as [number, number];
  const [r1, c1] = B.dims as [number, number];
  const [M, K] = transA ? [c0, r0] : [r0, c0];
  const [K2, N] = transB ? [c1, r1] : [r1, c1];
  if (K !== K2) throw new Error(`reference Gemm: inner dimensions ${K} and ${K2} differ`);
  // strides of A' and B' over (row, inner) and (inner, column)
  const [ai, ak] = transA ? [1, c0] : [c0, 1];
  const [bk, bj] = transB ? [1, c1] : [c1, 1];
  const cIndex = C ? broadcastIndex(C, [M, N]) : undefined;
  const [ad, bd] = [A.data, B.data];
  const y = new Float64Array(M * N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let [acc, ia, jb] = [0, i * ai, j * bj];
      for (let k = 0; k < K; k++, ia += ak, jb += bk) acc += (ad[ia] as number) * (bd[jb] as number);
      y[i * N + j] = alpha * acc + (C && cIndex ? beta * (C.data[cIndex[i * N + j] as number] as number) : 0);
    }
  }
  return refTensor([M, N], y);
}

/** MatMul of matrices or of stacks of them, whose batch dimensions broadcast numpy-style. */
export function matMul(A: RefTensor, B: RefTensor): RefTensor {
  if (A.dims.length < 2 || B.dims.length < 2) throw new Error('reference MatMul: operands of rank 2 or more only');
  const [M, K] = A.dims.slice(-2) as [number, number];
  const N = B.dims[B.dims.length - 1] as number;
  const batch = broadcastDims(A.dims.slice(0, -2), B.dims.slice(0, -2));
  // which matrix of A and of B each batch position reads (stride 0 along broadcast axes)
  const pick = (t: RefTensor) =>
    broadcastIndex(refTensor(t.dims.slice(0, -2), new Float64Array(size(t.dims.slice(0, -2)))), batch);
  const [ia, ib] = [pick(A), pick(B)];
  const count = size(batch);
  const out = new Float64Array(count * M * N);
  for (let b = 0; b < count; b++) {
    const [ja, jb] = [ia[b] as number, ib[b] as number];
    const a2 = refTensor([M, K], A.data.subarray(ja * M * K, (ja + 1) * M * K));
    const b2 = refTensor([K, N], B.data.subarray(jb * K * N, (jb + 1) * K * N));
    out.set(gemm(a2, b2, undefined, {}).data, b * M * N);
  }
  return refTensor([...batch, M, N], out);
}

/** Channels [from, from + count) of an NCHW tensor (or of the filters along axis 0 when `axis` is 0). */
function channels(x: RefTensor, axis: 0 | 1, from: number, count: number): RefTensor {
  const dims = [...x.dims];
  const outer = axis === 0 ? 1 : (dims[0] as number);
  const inner = size(dims.slice(axis + 1));
  const total = dims[axis] as number;
  dims[axis] = count;
  const out = new Float64Array(size(dims));
  for (let o = 0; o < outer; o++)
    out.set(x.data.subarray((o * total + from) * inner, (o * total + from + count) * inner), o * count * inner);
  return refTensor(dims, out);
}

/** Conv with `group` channel groups: each group's filters see only its share of the channels. */
export function groupedConv(x: RefTensor, w: RefTensor, b: RefTensor | undefined, a: Attributes): RefTensor {
  const group = intAttr(a, 'group', 1);
  if (group === 1) return conv(x, w, b, a);
  const [inPer, outPer] = [(x.dims[1] as number) / group, (w.dims[0] as number) / group];
  const parts = Array.from({ length: group }, (_, g) =>
    conv(
      channels(x, 1, g * inPer, inPer),
      channels(w, 0, g * outPer, outPer),
      b ? channels(b, 0, g * outPer, outPer) : undefined,
      { ...a, group: { kind: 'int', value: 1 } },
    ),
  );
  const [N, , H, W] = parts[0]?.dims as [number, number, number, number];
  const out = new Float64Array(N * outPer * group * H * W);
  const block = outPer * H * W;
  parts.forEach((part, g) => {
    for (let n = 0; n < N; n++) out.set(part.data.subarray(n * block, (n + 1) * block), (n * group + g) * block);
  });
  return refTensor([N, outPer * group, H, W], out);
}

/**
 * Average pooling: each window's sum over the input positions it covers, divided by their count,
 * or (count_include_pad) by the window's size clipped to the padded input.
 */
export function averagePool(x: RefTensor, a: Attributes): RefTensor {
  const [N, C, H, W] = x.dims as [number, number, number, number];
  const { k, p } = spatial('AveragePool', a, []);
  const st = intsAttr(a, 'strides', [1, 1]);
  const s = [st[0] ?? 1, st[1] ?? 1] as const;
  const ceil = intAttr(a, 'ceil_mode', 0) === 1;
  const include = intAttr(a, 'count_include_pad', 0) === 1;
  const Ho = poolSize(H, k[0], s[0], p[0], p[2], 1, ceil);
  const Wo = poolSize(W, k[1], s[1], p[1], p[3], 1, ceil);
  const y = new Float64Array(N * C * Ho * Wo);
  for (let nc = 0; nc < N * C; nc++) {
    for (let h = 0; h < Ho; h++) {
      for (let q = 0; q < Wo; q++) {
        const [r0, c0] = [s[0] * h - p[0], s[1] * q - p[1]];
        let [sum, count] = [0, 0];
        for (let r = Math.max(r0, 0); r < Math.min(r0 + k[0], H); r++) {
          for (let col = Math.max(c0, 0); col < Math.min(c0 + k[1], W); col++) {
            sum += x.data[(nc * H + r) * W + col] as number;
            count++;
          }
        }
        if (include) count = (Math.min(r0 + k[0], H + p[2]) - r0) * (Math.min(c0 + k[1], W + p[3]) - c0);
        y[(nc * Ho + h) * Wo + q] = sum / count;
      }
    }
  }
  return refTensor([N, C, Ho, Wo], y);
}

/** ConvTranspose with `group` channel groups: group k maps input channels k C/group.. to outputs k M/group.. */
export function groupedConvTranspose(x: RefTensor, w: RefTensor, b: RefTensor | undefined, a: Attributes): RefTensor {
  const group = intAttr(a, 'group', 1);
  if (group === 1) return convTranspose(x, w, b, a);
  const inPer = (x.dims[1] as number) / group;
  const outPer = w.dims[1] as number;
  const parts = Array.from({ length: group }, (_, g) =>
    convTranspose(
      channels(x, 1, g * inPer, inPer),
      channels(w, 0, g * inPer, inPer),
      b ? channels(b, 0, g * outPer, outPer) : undefined,
      { ...a, group: { kind: 'int', value: 1 } },
    ),
  );
  const [N, , H, W] = parts[0]?.dims as [number, number, number, number];
  const out = new Float64Array(N * outPer * group * H * W);
  const block = outPer * H * W;
  parts.forEach((part, g) => {
    for (let n = 0; n < N; n++) out.set(part.data.subarray(n * block, (n + 1) * block), (n * group + g) * block);
  });
  return refTensor([N, outPer * group, H, W], out);
}
