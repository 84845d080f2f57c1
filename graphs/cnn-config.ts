// The configurable CNN: the practical's network by default, and named variants for comparisons.
import type { InitScheme } from '../src/nn/init.js';

export interface ConvLayerConfig {
  readonly filters: number;
  readonly kernel: number;
  readonly stride: number;
  /** 'valid' (no padding), 'same' (keeps the size at stride 1), or explicit zero padding per side. */
  readonly padding: 'valid' | 'same' | number;
  /** Max-pool window (and stride) right after this layer's ReLU; absent or 0 for none. */
  readonly pool?: number;
}

export interface CnnConfig {
  readonly inputChannels: number;
  readonly inputSize: number;
  readonly convs: readonly ConvLayerConfig[];
  /** Max-pool window (and stride) after the last convolution; 0 for none. */
  readonly pool: number;
  /** Widths of the hidden fully connected layers (each followed by ReLU and dropout). */
  readonly hidden: readonly number[];
  readonly dropout: number;
  /** Batch normalisation after each convolution and hidden layer, before its ReLU (those layers then have no bias). */
  readonly batchNorm?: boolean;
  readonly classes: number;
  readonly init: InitScheme;
  readonly seed: number;
}

/** The practical: conv 25@12x12/2 -> conv 64@5x5 same -> pool 2 -> fc 1024 -> dropout 0.2 -> fc 10. */
export const PRACTICAL_CNN: CnnConfig = Object.freeze<CnnConfig>({
  inputChannels: 1,
  inputSize: 28,
  convs: [
    { filters: 25, kernel: 12, stride: 2, padding: 'valid' },
    { filters: 64, kernel: 5, stride: 1, padding: 'same' },
  ],
  pool: 2,
  hidden: [1024],
  dropout: 0.2,
  classes: 10,
  init: 'practical',
  seed: 1,
});

/** Named structures for sweeps: each changes one thing about the practical's network. */
export const MODEL_VARIANTS: Readonly<Record<string, Partial<CnnConfig>>> = Object.freeze({
  practical: {},
  narrow: {
    convs: [
      { filters: 12, kernel: 12, stride: 2, padding: 'valid' },
      { filters: 32, kernel: 5, stride: 1, padding: 'same' },
    ],
    hidden: [256],
  },
  wide: {
    convs: [
      { filters: 50, kernel: 12, stride: 2, padding: 'valid' },
      { filters: 128, kernel: 5, stride: 1, padding: 'same' },
    ],
    hidden: [2048],
  },
  'one-conv': { convs: [{ filters: 25, kernel: 12, stride: 2, padding: 'valid' }] },
  'three-conv': {
    convs: [
      { filters: 25, kernel: 12, stride: 2, padding: 'valid' },
      { filters: 64, kernel: 5, stride: 1, padding: 'same' },
      { filters: 64, kernel: 3, stride: 1, padding: 'same' },
    ],
  },
  // the structure extension: batch norm after every layer, a max pool after each conv (PyTorch's
  // init). conv2 is 3x3: a 5x5 one costs 2.8 times its multiply-adds and took 1.4 times as long a
  // step, for the same accuracy in the same time
  batchnorm: {
    convs: [
      { filters: 32, kernel: 5, stride: 1, padding: 'same', pool: 2 },
      { filters: 64, kernel: 3, stride: 1, padding: 'same', pool: 2 },
    ],
    pool: 0,
    hidden: [512],
    dropout: 0.3,
    batchNorm: true,
    init: 'pytorch',
  },
  'small-kernel': {
    convs: [
      { filters: 32, kernel: 5, stride: 2, padding: 'valid' },
      { filters: 64, kernel: 3, stride: 1, padding: 'same' },
    ],
  },
});

export function cnnConfig(variant = 'practical', overrides: Partial<CnnConfig> = {}): CnnConfig {
  const base = MODEL_VARIANTS[variant];
  if (!base) throw new Error(`unknown model '${variant}' (known: ${Object.keys(MODEL_VARIANTS).join(', ')})`);
  const config = { ...PRACTICAL_CNN, ...base, ...overrides };
  validateConfig(config);
  return config;
}

export function validateConfig(c: CnnConfig): void {
  const positive = (what: string, v: number) => {
    if (!Number.isInteger(v) || v < 1) throw new Error(`model: ${what} must be a positive integer, got ${v}`);
  };
  c.convs.forEach((l, i) => {
    positive(`conv${i + 1} filters`, l.filters);
    positive(`conv${i + 1} kernel`, l.kernel);
    positive(`conv${i + 1} stride`, l.stride);
    if (l.pool !== undefined && l.pool !== 0) positive(`conv${i + 1} pool`, l.pool);
  });
  c.hidden.forEach((w, i) => positive(`fc${i + 1} width`, w));
  if (!(c.dropout >= 0 && c.dropout < 1)) throw new Error(`model: dropout must be in [0, 1), got ${c.dropout}`);
  positive('classes', c.classes);
}

/** Zero padding [top, left, bottom, right] for a layer. */
export function convPads(l: ConvLayerConfig): [number, number, number, number] {
  if (l.padding === 'valid') return [0, 0, 0, 0];
  if (typeof l.padding === 'number') return [l.padding, l.padding, l.padding, l.padding];
  const total = l.kernel - 1;
  const begin = Math.floor(total / 2);
  return [begin, begin, total - begin, total - begin];
}
