// Static int8 quantization in QDQ form, as ONNX Runtime's own tools write it and as its CPU
// provider fuses it (DequantizeLinear -> Conv -> QuantizeLinear becomes QLinearConv, the same
// around Gemm becomes QGemm):
// - weights of Conv and Gemm: per output channel, symmetric, int8 in [-127, 127]:
//   s_c = max|W_c| / 127, W_c ~ s_c * round(W_c / s_c);
// - biases: int32 at scale s_x * s_c with zero point 0, so that the integer accumulator of the
//   fused kernel adds them directly;
// - activations: one scale and zero point per tensor from its calibrated range [min, max]
//   (widened to hold 0): s = (max - min) / 255, zp = round(qmin - min / s).
// Tensors joined by ops that move values without changing them (MaxPool, Flatten, Reshape,
// Identity) share one scale, so the runtime can run those ops on int8 too. A Relu is dropped when
// the tensor before it is quantized with zero point qmin: Q(x) clamps at qmin, which dequantizes
// to exactly 0, so DQ(Q(x)) = DQ(Q(Relu(x))); the ops between commute with Relu (it is monotonic).
import type { TensorData } from '../ir/tensor.js';
import { attr, intAttr, floatAttr } from '../ir/attributes.js';
import type { Range } from './calibrate.js';
import { type EditNode, ModelEdit } from './edit.js';
import type { FloatNetwork } from './network.js';

export type ActivationType = 'uint8' | 'int8';
export const ACTIVATION_TYPES: readonly ActivationType[] = ['uint8', 'int8'];

const PASS_THROUGH = new Set(['Relu', 'MaxPool', 'Flatten', 'Reshape', 'Identity']);
const QMIN: Readonly<Record<ActivationType, number>> = { uint8: 0, int8: -128 };

/** Activations sharing one scale: `members` from the top of a pass-through chain down to a Conv/Gemm input. */
export interface QuantGroup {
  readonly members: readonly string[];
  readonly relus: readonly string[];
}

export interface Int8Plan {
  /** names of the Conv and Gemm nodes whose weights become int8 */
  readonly nodes: readonly string[];
  readonly groups: readonly QuantGroup[];
  /** every tensor whose range calibration must measure */
  readonly tensors: readonly string[];
}

/** Which nodes and activations an int8 export quantizes. */
export function planInt8(network: FloatNetwork): Int8Plan {
  const edit = new ModelEdit(network.model, network.proto);
  const weighted = edit.nodes.filter((n) => quantizable(n, network.model.initializers));
  const groups: QuantGroup[] = [];
  const grouped = new Set<string>();
  for (const node of weighted) {
    const bottom = node.inputs[0] as string;
    if (grouped.has(bottom)) continue;
    const members = [bottom];
    const relus: string[] = [];
    for (let p = edit.producer(bottom); p && PASS_THROUGH.has(p.opType) && p.outputs.length === 1;) {
      const above = p.inputs[0] as string;
      if (edit.consumers(above).length !== 1 || edit.isGraphOutput(above) || grouped.has(above)) break;
      if (p.opType === 'Relu') relus.push(p.name);
      members.unshift(above);
      p = edit.producer(above);
    }
    members.forEach((m) => grouped.add(m));
    groups.push({ members, relus });
  }
  return { nodes: weighted.map((n) => n.name), groups, tensors: groups.flatMap((g) => g.members) };
}

function quantizable(n: EditNode, initializers: ReadonlyMap<string, TensorData>): boolean {
  const [x, w, b] = n.inputs;
  const weight = w ? initializers.get(w) : undefined;
  const bias = b ? initializers.get(b) : undefined;
  if (!x || initializers.has(x) || weight?.dtype !== 'float32') return false;
  if (b && (bias?.dtype !== 'float32' || bias.dims.length !== 1)) return false;
  if (n.opType === 'Conv') return weight.dims.length === 4 && intAttr(n.attributes, 'group', 1) === 1;
  if (n.opType === 'Gemm')
    return (
      weight.dims.length === 2 &&
      intAttr(n.attributes, 'transA', 0) === 0 &&
      floatAttr(n.attributes, 'alpha', 1) === 1 &&
      floatAttr(n.attributes, 'beta', 1) === 1
    );
  return false;
}

export interface ActivationParams {
  readonly scale: number;
  readonly zeroPoint: number;
}

export function activationParams(range: Range, type: ActivationType, clampAtZero: boolean): ActivationParams {
  const qmin = QMIN[type];
  const min = clampAtZero ? 0 : Math.min(range.min, 0);
  const max = Math.max(range.max, 0);
  const scale = max > min ? Math.fround((max - min) / 255) : 1;
  const zeroPoint = Math.min(qmin + 255, Math.max(qmin, Math.round(qmin - min / scale)));
  return { scale, zeroPoint };
}

export interface Int8Options {
  readonly activations?: ActivationType;
}

/** The QDQ int8 model, from the plan and the calibrated ranges of its tensors. */
export function toInt8(
  network: FloatNetwork,
  plan: Int8Plan,
  ranges: ReadonlyMap<string, Range>,
  options: Int8Options = {},
): Uint8Array {
  const type = options.activations ?? 'uint8';
  const edit = new ModelEdit(network.model, network.proto);
  const scales = new Map<string, number>();
  for (const group of plan.groups) {
    const range = group.members
      .map((m) => ranges.get(m))
      .reduce<Range>(
        (all, r) => {
          if (!r) throw new Error(`int8: no calibrated range for ${group.members.join(', ')}`);
          return { min: Math.min(all.min, r.min), max: Math.max(all.max, r.max) };
        },
        { min: 0, max: 0 },
      );
    const { scale, zeroPoint } = activationParams(range, type, group.relus.length > 0);
    const top = group.members[0] as string;
    const scaleName = edit.store(`${top}_scale`, { type: 'float32', dims: [], data: Float32Array.of(scale) });
    const zeroData = type === 'uint8' ? Uint8Array.of(zeroPoint) : Int8Array.of(zeroPoint);
    const zeroName = edit.store(`${top}_zero_point`, { type, dims: [], data: zeroData });
    const reluOutputs = new Set(
      group.relus.map((r) => edit.nodes.find((n) => n.name === r)?.outputs[0]).filter((v) => v !== undefined),
    );
    for (const m of group.members) {
      scales.set(m, scale);
      if (reluOutputs.has(m)) continue;
      const readers = edit.consumers(m);
      const [q] = edit.add('QuantizeLinear', [m, scaleName, zeroName], [`${m}_quantized`]) as [string];
      const [dq] = edit.add('DequantizeLinear', [q, scaleName, zeroName], [`${m}_dequantized`]) as [string];
      edit.redirect(m, dq, readers);
    }
    for (const name of group.relus) {
      const relu = edit.nodes.find((n) => n.name === name)!;
      edit.redirect(relu.outputs[0] as string, relu.inputs[0] as string);
      edit.remove(relu);
    }
  }
  for (const name of plan.nodes) {
    const node = edit.nodes.find((n) => n.name === name)!;
    const inputScale = scales.get(network.model.nodes.find((n) => n.name === name)!.inputs[0] as string);
    if (inputScale === undefined) throw new Error(`int8: ${name} has no quantized input`);
    const axis = node.opType === 'Gemm' && intAttr(node.attributes, 'transB', 0) === 0 ? 1 : 0;
    quantizeWeight(edit, node, axis, inputScale);
  }
  return edit.encode();
}

/** W -> int8 per channel along `axis`, and the bias -> int32 at s_x * s_c; both through a DequantizeLinear. */
function quantizeWeight(edit: ModelEdit, node: EditNode, axis: number, inputScale: number): void {
  const wName = node.inputs[1] as string;
  const w = edit.floats.get(wName)!;
  const channels = w.dims[axis] as number;
  const inner = w.dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const channelOf = (i: number) => Math.floor(i / inner) % channels;
  const values = w.data as Float32Array;
  const absMax = new Float64Array(channels);
  for (let i = 0; i < values.length; i++) {
    const c = channelOf(i);
    absMax[c] = Math.max(absMax[c] as number, Math.abs(values[i] as number));
  }
  const scale = Float32Array.from(absMax, (a) => (a > 0 ? a / 127 : 1));
  const q = new Int8Array(values.length);
  for (let i = 0; i < values.length; i++)
    q[i] = Math.max(-127, Math.min(127, Math.round((values[i] as number) / (scale[channelOf(i)] as number))));
  const zero = new Int8Array(channels);
  node.inputs[1] = dequantized(edit, wName, { type: 'int8', dims: w.dims, data: q }, scale, zero, axis);

  const bName = node.inputs[2];
  if (!bName) return;
  const b = edit.floats.get(bName)!.data as Float32Array;
  if (b.length !== channels)
    throw new Error(`int8: ${node.name}'s bias has ${b.length} values for ${channels} channels`);
  const biasScale = Float32Array.from(scale, (s) => Math.fround(inputScale) * s);
  const qb = Int32Array.from(b, (v, c) => {
    const r = Math.round(v / (biasScale[c] as number));
    if (Math.abs(r) > 2 ** 31 - 1) throw new Error(`int8: ${bName}[${c}] = ${v} does not fit int32 at its scale`);
    return r;
  });
  // no zero point: it defaults to 0, and leaving out 4 bytes a channel keeps the file smaller
  node.inputs[2] = dequantized(edit, bName, { type: 'int32', dims: [channels], data: qb }, biasScale, undefined, 0);
}

function dequantized(
  edit: ModelEdit,
  name: string,
  q: { type: 'int8' | 'int32'; dims: readonly number[]; data: Int8Array | Int32Array },
  scale: Float32Array,
  zero: Int8Array | undefined,
  axis: number,
): string {
  const qName = edit.store(`${name}_quantized`, q);
  const sName = edit.store(`${name}_scale`, { type: 'float32', dims: [scale.length], data: scale });
  const zName = zero ? [edit.store(`${name}_zero_point`, { type: 'int8', dims: [zero.length], data: zero })] : [];
  const [out] = edit.add('DequantizeLinear', [qName, sName, ...zName], [`${name}_dequantized`], {
    axis: attr.int(axis),
  });
  return out as string;
}
