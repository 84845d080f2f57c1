// An independent float64 forward pass of graphs/mnist-cnn.ts in plain loops, for checking what ONNX
// Runtime computes and for finite-difference gradient checks. It shares only the config with the
// graph builder: shapes, padding and pooling are worked out here again from first principles.
import { type CnnConfig, convPads } from '../../graphs/cnn-config.js';
import type { TensorData } from '../../src/ir/tensor.js';

/** Weights by parameter name (conv1.weight, fc1.bias ...): TensorData or a plain array of numbers. */
export type ReferenceWeights = ReadonlyMap<string, TensorData | ArrayLike<number>>;

export interface ReferenceOptions {
  /**
   * Uniform [0, 1) noise for each dropout layer (training mode), laid out [batch, width]:
   * an activation is dropped where noise < rate, the rest scaled by 1 / (1 - rate). Omit for eval mode.
   */
  readonly dropoutNoise?: readonly ArrayLike<number>[];
}

export interface ReferenceResult {
  /** [batch, classes] */
  readonly logits: Float64Array;
  /** softmax of the logits, [batch, classes] */
  readonly probabilities: Float64Array;
}

/** An activation: [channels, height, width] per image, flat. */
interface Maps {
  readonly c: number;
  readonly h: number;
  readonly w: number;
  readonly data: Float64Array;
}

function weightOf(weights: ReferenceWeights, name: string, size: number): Float64Array {
  const w = weights.get(name);
  if (w === undefined) throw new Error(`reference forward: no weights for '${name}'`);
  const values = 'dims' in w && 'dtype' in w ? w.data : w;
  if (values.length !== size)
    throw new Error(`reference forward: '${name}' has ${values.length} values, expected ${size}`);
  const out = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    const v = values[i];
    if (typeof v !== 'number') throw new Error(`reference forward: '${name}' must hold numbers`);
    out[i] = v;
  }
  return out;
}

/** Cross-correlation, as ONNX Conv and PyTorch define it, with zero padding. */
export function conv2d(
  x: Maps,
  w: Float64Array,
  b: Float64Array,
  filters: number,
  k: number,
  stride: number,
  pads: readonly number[],
): Maps {
  const [pt = 0, pl = 0, pb = 0, pr = 0] = pads;
  const h = Math.floor((x.h + pt + pb - k) / stride) + 1;
  const wd = Math.floor((x.w + pl + pr - k) / stride) + 1;
  if (h < 1 || wd < 1) throw new Error(`reference conv2d: kernel ${k} does not fit ${x.h}x${x.w}`);
  const out = new Float64Array(filters * h * wd);
  for (let m = 0; m < filters; m++) {
    for (let oy = 0; oy < h; oy++) {
      for (let ox = 0; ox < wd; ox++) {
        let sum = b[m] as number;
        for (let c = 0; c < x.c; c++) {
          for (let ky = 0; ky < k; ky++) {
            const iy = oy * stride + ky - pt;
            if (iy < 0 || iy >= x.h) continue;
            for (let kx = 0; kx < k; kx++) {
              const ix = ox * stride + kx - pl;
              if (ix < 0 || ix >= x.w) continue;
              sum += (x.data[(c * x.h + iy) * x.w + ix] as number) * (w[((m * x.c + c) * k + ky) * k + kx] as number);
            }
          }
        }
        out[(m * h + oy) * wd + ox] = sum;
      }
    }
  }
  return { c: filters, h, w: wd, data: out };
}

export function relu(x: Float64Array): Float64Array {
  return x.map((v) => (v > 0 ? v : 0));
}

/** Max pooling with window = stride = `size`, floor mode: a trailing partial window is dropped. */
export function maxPool(x: Maps, size: number): Maps {
  const h = Math.floor(x.h / size);
  const w = Math.floor(x.w / size);
  const out = new Float64Array(x.c * h * w);
  for (let c = 0; c < x.c; c++) {
    for (let oy = 0; oy < h; oy++) {
      for (let ox = 0; ox < w; ox++) {
        let best = -Infinity;
        for (let ky = 0; ky < size; ky++) {
          for (let kx = 0; kx < size; kx++)
            best = Math.max(best, x.data[(c * x.h + oy * size + ky) * x.w + ox * size + kx] as number);
        }
        out[(c * h + oy) * w + ox] = best;
      }
    }
  }
  return { c: x.c, h, w, data: out };
}

/** y = W x + b with W laid out [out, in], as PyTorch's Linear and Gemm with transB = 1. */
export function linear(x: Float64Array, w: Float64Array, b: Float64Array, outWidth: number): Float64Array {
  const inWidth = x.length;
  const y = new Float64Array(outWidth);
  for (let o = 0; o < outWidth; o++) {
    let sum = b[o] as number;
    for (let i = 0; i < inWidth; i++) sum += (w[o * inWidth + i] as number) * (x[i] as number);
    y[o] = sum;
  }
  return y;
}

export function softmax(logits: Float64Array): Float64Array {
  const max = Math.max(...logits);
  const e = logits.map((v) => Math.exp(v - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

/** Mean cross-entropy of a batch of logits [batch, classes] against integer labels. */
export function crossEntropy(logits: Float64Array, labels: ArrayLike<number | bigint>, classes: number): number {
  let loss = 0;
  for (let n = 0; n < labels.length; n++) {
    const row = logits.subarray(n * classes, (n + 1) * classes);
    const max = Math.max(...row);
    const logSum = Math.log(row.reduce((a, v) => a + Math.exp(v - max), 0)) + max;
    loss += logSum - (row[Number(labels[n])] as number);
  }
  return loss / labels.length;
}

/** Inference-mode batch norm of one example's channels (each `data.length / channels` values). */
export function batchNorm(
  data: Float64Array,
  weights: ReferenceWeights,
  prefix: string,
  channels: number,
): Float64Array {
  const [g, b] = [weightOf(weights, `${prefix}.weight`, channels), weightOf(weights, `${prefix}.bias`, channels)];
  const mean = weightOf(weights, `${prefix}.running_mean`, channels);
  const variance = weightOf(weights, `${prefix}.running_var`, channels);
  const per = data.length / channels;
  return data.map((v, i) => {
    const c = Math.floor(i / per);
    return (
      ((v - (mean[c] as number)) / Math.sqrt((variance[c] as number) + 1e-5)) * (g[c] as number) + (b[c] as number)
    );
  });
}

/** The forward pass of a batch: images [batch, channels, size, size], flat. */
export function referenceForward(
  config: CnnConfig,
  weights: ReferenceWeights,
  images: ArrayLike<number>,
  batch: number,
  options: ReferenceOptions = {},
): ReferenceResult {
  const { inputChannels: channels, inputSize: size, classes } = config;
  const imageSize = channels * size * size;
  if (images.length !== batch * imageSize)
    throw new Error(`reference forward: ${images.length} pixels for ${batch} images of ${imageSize}`);
  const logits = new Float64Array(batch * classes);
  for (let n = 0; n < batch; n++) {
    const pixels = Float64Array.from({ length: imageSize }, (_, i) => images[n * imageSize + i] as number);
    let x: Maps = { c: channels, h: size, w: size, data: pixels };
    // with batch norm the layers have no bias; the norm (inference: running statistics) comes before the ReLU
    const bias = (name: string, size: number) =>
      config.batchNorm ? new Float64Array(size) : weightOf(weights, name, size);
    const norm = (data: Float64Array, prefix: string, channels: number) =>
      config.batchNorm ? batchNorm(data, weights, prefix, channels) : data;
    config.convs.forEach((layer, i) => {
      const fanIn = x.c * layer.kernel * layer.kernel;
      const w = weightOf(weights, `conv${i + 1}.weight`, layer.filters * fanIn);
      const b = bias(`conv${i + 1}.bias`, layer.filters);
      const y = conv2d(x, w, b, layer.filters, layer.kernel, layer.stride, convPads(layer));
      x = { ...y, data: relu(norm(y.data, `bn${i + 1}`, y.c)) };
      if (layer.pool) x = maxPool(x, layer.pool);
    });
    if (config.pool > 0) x = maxPool(x, config.pool);
    let v = x.data;
    const widths = [...config.hidden, config.classes];
    widths.forEach((width, i) => {
      const w = weightOf(weights, `fc${i + 1}.weight`, width * v.length);
      const last = i === widths.length - 1;
      const b = last ? weightOf(weights, `fc${i + 1}.bias`, width) : bias(`fc${i + 1}.bias`, width);
      v = linear(v, w, b, width);
      if (last) return;
      v = relu(norm(v, `fc${i + 1}.bn`, width));
      const noise = options.dropoutNoise?.[i];
      if (noise && config.dropout > 0) {
        const scale = 1 / (1 - config.dropout);
        v = v.map((a, j) => ((noise[n * width + j] as number) < config.dropout ? 0 : a * scale));
      }
    });
    logits.set(v, n * classes);
  }
  const probabilities = new Float64Array(batch * classes);
  for (let n = 0; n < batch; n++)
    probabilities.set(softmax(logits.subarray(n * classes, (n + 1) * classes)), n * classes);
  return { logits, probabilities };
}
