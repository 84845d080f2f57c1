// A Keras-style model summary computed from an imported ONNX model, so it works on any exported
// model.onnx: one row per layer with its output shape, parameter count and multiply-adds per image.
// Meant for inference graphs; on a training step the per-image MACs of weight gradients are unknown ('?').
import type { Shape } from '../ir/shape.js';
import { elementCount } from '../ir/tensor.js';
import { type ImportedModel, type ImportedNode, type ValueType, valueTypeOf } from './import.js';
import { intAttr } from '../ir/attributes.js';

/** Ops that make a row of their own. Other ops are glue: consecutive glue ops share one row. */
const LAYER_OPS: ReadonlySet<string> = new Set([
  'Conv',
  'ConvTranspose',
  'Gemm',
  'MatMul',
  'MaxPool',
  'AveragePool',
  'GlobalAveragePool',
  'GlobalMaxPool',
  'Flatten',
  'Reshape',
  'Relu',
  'LeakyRelu',
  'Sigmoid',
  'Tanh',
  'Softmax',
  'LogSoftmax',
  'Dropout',
  'BatchNormalization',
]);

/** Ops whose inputs after the first are weights: a graph input there is a parameter too (training graphs). */
const WEIGHT_OPS: ReadonlySet<string> = new Set(['Conv', 'ConvTranspose', 'Gemm', 'MatMul', 'BatchNormalization']);

/** Ops that only rename a value (graph outputs) and get no row. */
const SKIPPED_OPS: ReadonlySet<string> = new Set(['Identity']);

/** Glue sequences that are one layer in the model's source (the softmax, as older models built it from five ops). */
const KNOWN_GROUPS: readonly { readonly type: string; readonly ops: readonly string[] }[] = [
  { type: 'Softmax', ops: ['ReduceMax', 'Sub', 'Exp', 'ReduceSum', 'Div'] },
  { type: 'Dropout', ops: ['Less', 'Mul', 'Where'] },
];

/** The usual rule for one training step: backward costs about twice the forward, 2 FLOPs per MAC. */
export const TRAINING_FLOPS_RULE = '3 x 2 x MACs x batch';
export const DEFAULT_SUMMARY_BATCH = 64;

export interface SummaryRow {
  /** The layer's name: the parameter prefix (conv1, fc1) when it has parameters, else the node name. */
  readonly name: string;
  readonly type: string;
  /** The node names of this row (one for a layer, several for a group of glue ops). */
  readonly nodes: readonly string[];
  readonly outputShape: Shape;
  readonly parameters: number;
  /** Multiply-accumulates per image (per item along axis 0); NaN when a shape is not static. */
  readonly macsPerImage: number;
}

export interface ModelSummary {
  readonly graphName: string;
  readonly inputs: readonly ValueType[];
  readonly outputs: readonly ValueType[];
  readonly rows: readonly SummaryRow[];
  readonly parameters: number;
  /** Of `parameters`, those not trained: BatchNormalization's running mean and variance (Keras's non-trainable). */
  readonly nonTrainable: number;
  readonly parameterBytes: number;
  readonly macsPerImage: number;
  /** 2 x MACs: the forward pass of one image. */
  readonly forwardFlopsPerImage: number;
  /** An estimate, by TRAINING_FLOPS_RULE. */
  readonly trainingStep: { readonly batch: number; readonly flopsEstimate: number; readonly rule: string };
}

const BYTES: Readonly<Record<string, number>> = { float32: 4, float64: 8, int64: 8, bool: 1 };

/** Elements per image: all dimensions but the first (the batch). */
function perImage(shape: Shape | undefined): number {
  if (!shape || shape.length === 0) return Number.NaN;
  return shape.slice(1).reduce<number>((n, d) => (typeof d === 'number' ? n * d : Number.NaN), 1);
}

function macsPerImage(model: ImportedModel, node: ImportedNode): number {
  const shapeOf = (name: string | undefined) => (name ? valueTypeOf(model, name)?.shape : undefined);
  const out = shapeOf(node.outputs[0]);
  // per image only where axis 0 is the batch (a training graph's weight gradients are not)
  if (WEIGHT_OPS.has(node.opType) && out?.[0] !== model.inputs[0]?.shape[0]) return Number.NaN;
  const product = (dims: Shape | undefined) =>
    dims ? dims.reduce<number>((n, d) => (typeof d === 'number' ? n * d : Number.NaN), 1) : Number.NaN;
  switch (node.opType) {
    // each output element sums (C/group) x kH x kW products: the weight's dims after the first
    case 'Conv':
      return perImage(out) * product(shapeOf(node.inputs[1])?.slice(1));
    // each input element scatters into (M/group) x kH x kW outputs
    case 'ConvTranspose':
      return perImage(shapeOf(node.inputs[0])) * product(shapeOf(node.inputs[1])?.slice(1));
    case 'Gemm': {
      const a = shapeOf(node.inputs[0]);
      const k = a?.[intAttr(node.attributes, 'transA', 0) === 1 ? 0 : 1];
      return perImage(out) * (typeof k === 'number' ? k : Number.NaN);
    }
    case 'MatMul': {
      const k = shapeOf(node.inputs[0])?.at(-1);
      return perImage(out) * (typeof k === 'number' ? k : Number.NaN);
    }
    default:
      return 0;
  }
}

/**
 * Trainable-looking tensors: float initializers of rank 1 or more (not scalars, shapes or axes),
 * and float graph inputs in the weight slots of WEIGHT_OPS (a training step takes its parameters as inputs).
 */
function parameterDims(model: ImportedModel, node: ImportedNode, slot: number): readonly number[] | undefined {
  const name = node.inputs[slot] ?? '';
  const init = model.initializers.get(name);
  // onnxgrad's unnamed constants (const_N: a one-hot range, scalars) are not trainable
  if (init)
    return (init.dtype === 'float32' || init.dtype === 'float64') && init.dims.length > 0 && !/^const_\d+$/.test(name)
      ? init.dims
      : undefined;
  if (slot === 0 || !WEIGHT_OPS.has(node.opType)) return undefined;
  const input = model.inputs.find((v) => v.name === name);
  if (!input || (input.dtype !== 'float32' && input.dtype !== 'float64')) return undefined;
  return input.shape.every((d): d is number => typeof d === 'number') && input.shape.length > 0
    ? input.shape
    : undefined;
}

/** A group's type: a known layer, or its first few distinct op types. */
function groupType(ops: readonly string[]): string {
  const known = KNOWN_GROUPS.find((k) => k.ops.join() === ops.join());
  if (ops.length === 1) return ops[0] as string;
  if (known) return `${known.type}, ${ops.length} ops`;
  const distinct = [...new Set(ops)];
  return `${ops.length} ops: ${distinct.slice(0, 3).join(', ')}${distinct.length > 3 ? ', ...' : ''}`;
}

function groupNodes(nodes: readonly ImportedNode[]): ImportedNode[][] {
  const groups: ImportedNode[][] = [];
  let glue: ImportedNode[] = [];
  const flush = () => {
    if (glue.length > 0) groups.push(glue);
    glue = [];
  };
  for (const n of nodes) {
    if (SKIPPED_OPS.has(n.opType)) continue;
    if (LAYER_OPS.has(n.opType)) {
      flush();
      groups.push([n]);
    } else {
      glue.push(n);
    }
  }
  flush();
  return groups;
}

export function summarizeModel(model: ImportedModel, options: { batch?: number } = {}): ModelSummary {
  const counted = new Set<string>();
  let parameterBytes = 0;
  let nonTrainable = 0;
  const rows = groupNodes(model.nodes).map((group): SummaryRow => {
    const first = group[0] as ImportedNode;
    const last = group[group.length - 1] as ImportedNode;
    let parameters = 0;
    let prefix: string | undefined;
    for (const n of group) {
      n.inputs.forEach((input, slot) => {
        const dims = parameterDims(model, n, slot);
        if (!dims) return;
        prefix ??= input.includes('.') ? input.slice(0, input.lastIndexOf('.')) : undefined;
        if (counted.has(input)) return;
        counted.add(input);
        parameters += elementCount(dims);
        if (n.opType === 'BatchNormalization' && slot >= 3) nonTrainable += elementCount(dims);
        parameterBytes += elementCount(dims) * (BYTES[valueTypeOf(model, input)?.dtype ?? 'float32'] ?? 4);
      });
    }
    const ops = group.map((n) => n.opType);
    const known = KNOWN_GROUPS.find((k) => k.ops.join() === ops.join());
    const type = groupType(ops);
    const name = prefix ?? (group.length === 1 || !known ? first.name : known.type.toLowerCase());
    const outputShape = valueTypeOf(model, last.outputs[0] ?? '')?.shape ?? [];
    const macs = group.reduce((sum, n) => sum + macsPerImage(model, n), 0);
    return { name, type, nodes: group.map((n) => n.name), outputShape, parameters, macsPerImage: macs };
  });
  const parameters = rows.reduce((n, r) => n + r.parameters, 0);
  const macs = rows.reduce((n, r) => n + r.macsPerImage, 0);
  const batch = options.batch ?? DEFAULT_SUMMARY_BATCH;
  return {
    graphName: model.graphName,
    inputs: model.inputs.filter((v) => !model.initializers.has(v.name)),
    outputs: model.outputs,
    rows,
    parameters,
    nonTrainable,
    parameterBytes,
    macsPerImage: macs,
    forwardFlopsPerImage: 2 * macs,
    trainingStep: { batch, flopsEstimate: 3 * 2 * macs * batch, rule: TRAINING_FLOPS_RULE },
  };
}

const count = (n: number): string => (Number.isFinite(n) ? n.toLocaleString('en-US') : '?');
const shapeText = (shape: Shape): string => `[${shape.join(', ')}]`;
const typeText = (v: ValueType): string => `${v.name}: ${v.dtype}${shapeText(v.shape)}`;

/** 1234567 -> '1.23 M' style, for FLOP counts. */
function si(n: number, unit: string): string {
  if (!Number.isFinite(n)) return `? ${unit}`;
  const [scale, prefix] = n >= 1e9 ? [1e9, 'G'] : n >= 1e6 ? [1e6, 'M'] : n >= 1e3 ? [1e3, 'k'] : [1, ''];
  return `${(n / scale).toFixed(scale === 1 ? 0 : 2)} ${prefix}${unit}`;
}

/** The summary as an aligned text table with totals, for a terminal. */
export function formatSummary(s: ModelSummary): string {
  const header = ['Layer (type)', 'Output shape', 'Param #', 'MACs / image'];
  const body = s.rows.map((r) => [
    `${r.name} (${r.type})`,
    shapeText(r.outputShape),
    count(r.parameters),
    count(r.macsPerImage),
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((row) => (row[c] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, c) => (c < 2 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0)))
      .join('   ')
      .trimEnd();
  const rule = (ch: string) => ch.repeat(widths.reduce((a, b) => a + b, 0) + 3 * (widths.length - 1));
  const lines = [
    `Model: ${s.graphName}`,
    ...s.inputs.map((v) => `  input   ${typeText(v)}`),
    ...s.outputs.map((v) => `  output  ${typeText(v)}`),
    rule('-'),
    line(header),
    rule('='),
    ...body.map(line),
    rule('='),
    `Total params: ${count(s.parameters)} (${(s.parameterBytes / 2 ** 20).toFixed(2)} MiB)`,
    ...(s.nonTrainable > 0
      ? [
          `  trainable ${count(s.parameters - s.nonTrainable)}, non-trainable ${count(s.nonTrainable)} (batch norm's running statistics)`,
        ]
      : []),
    `MACs per image: ${count(s.macsPerImage)} (forward pass ${si(s.forwardFlopsPerImage, 'FLOP')} per image)`,
    `FLOPs per training step, batch ${s.trainingStep.batch}: about ${si(s.trainingStep.flopsEstimate, 'FLOP')} (estimate: ${s.trainingStep.rule})`,
  ];
  return `${lines.join('\n')}\n`;
}

/** The summary as plain JSON data (unknown counts become null). */
export function summaryToJson(s: ModelSummary): unknown {
  const num = (n: number) => (Number.isFinite(n) ? n : null);
  return {
    graph: s.graphName,
    inputs: s.inputs,
    outputs: s.outputs,
    layers: s.rows.map((r) => ({ ...r, macsPerImage: num(r.macsPerImage) })),
    totals: {
      parameters: s.parameters,
      nonTrainable: s.nonTrainable,
      parameterBytes: s.parameterBytes,
      macsPerImage: num(s.macsPerImage),
      forwardFlopsPerImage: num(s.forwardFlopsPerImage),
      trainingStepFlopsEstimate: {
        batch: s.trainingStep.batch,
        flops: num(s.trainingStep.flopsEstimate),
        rule: s.trainingStep.rule,
      },
    },
  };
}
