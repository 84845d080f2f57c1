// Float64 maths of the reference interpreter that JavaScript lacks: erf, softmax along an axis,
// and the normalisation layers.
import { refTensor, type RefTensor, strides } from './reference-tensor.js';

/**
 * erf(x) = 2/sqrt(pi) exp(-x^2) sum_n 2^n x^(2n+1) / (1 3 5 ... (2n+1)) (Abramowitz and Stegun
 * 7.1.6): every term positive, so no cancellation; |erf(x)| rounds to 1 beyond |x| = 6.
 */
export function erf(x: number): number {
  const a = Math.abs(x);
  if (a > 6) return Math.sign(x);
  let term = a;
  let sum = a;
  for (let n = 1; term > 1e-17 * sum; n++) {
    term *= (2 * a * a) / (2 * n + 1);
    sum += term;
  }
  return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * Math.exp(-a * a) * sum;
}

/** softmax (or log softmax) along one axis: exp(x - max) / sum(exp(x - max)). */
export function softmax(x: RefTensor, axis: number, log: boolean): RefTensor {
  const a = axis < 0 ? axis + x.dims.length : axis;
  const d = x.dims[a] as number;
  const step = strides(x.dims)[a] as number;
  const out = new Float64Array(x.data.length);
  for (let base = 0; base < x.data.length; base++) {
    if (Math.floor(base / step) % d !== 0) continue; // the first element along the axis starts a row
    let max = -Infinity;
    for (let k = 0; k < d; k++) max = Math.max(max, x.data[base + k * step] as number);
    let sum = 0;
    for (let k = 0; k < d; k++) sum += Math.exp((x.data[base + k * step] as number) - max);
    for (let k = 0; k < d; k++) {
      const z = (x.data[base + k * step] as number) - max;
      out[base + k * step] = log ? z - Math.log(sum) : Math.exp(z) / sum;
    }
  }
  return refTensor(x.dims, out, x.dtype);
}

/** Inference-mode BatchNormalization: (x - mean[c]) / sqrt(var[c] + eps) * scale[c] + B[c], c the axis-1 index. */
export function batchNorm(x: RefTensor, [scale, bias, mean, variance]: RefTensor[], eps: number): RefTensor {
  const C = x.dims[1] as number;
  const inner = x.dims.slice(2).reduce((a, b) => a * b, 1);
  const out = x.data.map((v, k) => {
    const c = Math.floor(k / inner) % C;
    const [s, b, m, va] = [scale, bias, mean, variance].map((t) => (t as RefTensor).data[c] as number) as [
      number,
      number,
      number,
      number,
    ];
    return ((v - m) / Math.sqrt(va + eps)) * s + b;
  });
  return refTensor(x.dims, out, x.dtype);
}

/** LayerNormalization over the axes from `axis` on, in two passes (mean, then variance). */
export function layerNorm(
  x: RefTensor,
  scale: RefTensor,
  bias: RefTensor | undefined,
  axis: number,
  eps: number,
): RefTensor {
  const a = axis < 0 ? axis + x.dims.length : axis;
  const inner = x.dims.slice(a).reduce((p, q) => p * q, 1);
  const out = new Float64Array(x.data.length);
  for (let base = 0; base < x.data.length; base += inner) {
    let mean = 0;
    for (let k = 0; k < inner; k++) mean += x.data[base + k] as number;
    mean /= inner;
    let variance = 0;
    for (let k = 0; k < inner; k++) variance += ((x.data[base + k] as number) - mean) ** 2;
    variance /= inner;
    for (let k = 0; k < inner; k++)
      out[base + k] =
        (((x.data[base + k] as number) - mean) / Math.sqrt(variance + eps)) * (scale.data[k] as number) +
        (bias ? (bias.data[k] as number) : 0);
  }
  return refTensor(x.dims, out, x.dtype);
}
