// The user's own ONNX file, given back trained: the same graph, opset, node and value names, with
// new initializer values (trained parameters and running statistics), in inference form, plus
// onnxgrad's metadata. Edited on the decoded ModelProto itself, so whatever else the file holds
// (doc strings, producer, value_info) stays as it was.
import type { TensorData } from '../ir/tensor.js';
import { decodeModelProto } from './import.js';
import { onnx, type ModelProto, type NodeProto } from './proto.js';
import { fromTensorProto, toTensorProto } from './tensor-proto.js';

export interface TrainedModelOptions {
  /** New values for initializers, by name; each must exist with the same type and dims. */
  readonly weights?: ReadonlyMap<string, TensorData>;
  /** Stored as metadata_props (replacing keys of the same name). */
  readonly metadata?: Readonly<Record<string, string>>;
  /**
   * Adds an output `probabilities` computed from this output (Softmax of logits, Exp of
   * log-probabilities), as `serve` and the browser demo read it; nothing is added when the model
   * already has one.
   */
  readonly probabilities?: { readonly from: string; readonly of: 'logits' | 'log-probabilities' };
}

const int = (node: NodeProto, name: string): number | undefined => {
  const a = node.attribute?.find((x) => x.name === name);
  return a ? Number(a.i ?? 0) : undefined;
};

/**
 * Inference form, in place: Dropout without its training_mode input (the identity), and
 * BatchNormalization with training_mode 0 and its one output (the running statistics it would
 * also return in training mode are used, not updated). Returns how many nodes changed.
 */
export function toInferenceForm(model: ModelProto): number {
  const graph = model.graph;
  if (!graph) throw new Error('ONNX model has no graph');
  const consumed = new Set([
    ...(graph.node ?? []).flatMap((n) => n.input ?? []),
    ...(graph.output ?? []).map((o) => o.name ?? ''),
  ]);
  let changed = 0;
  for (const node of graph.node ?? []) {
    if (node.opType === 'Dropout' && (node.input?.length ?? 0) > 2) {
      node.input = node.input?.slice(0, 2) ?? [];
      changed++;
    } else if (node.opType === 'BatchNormalization' && int(node, 'training_mode') === 1) {
      const extra = (node.output ?? []).slice(1).filter((o) => o && consumed.has(o));
      if (extra.length > 0)
        throw new Error(
          `${node.name ?? 'BatchNormalization'}: its running statistics outputs are used (${extra.join(', ')})`,
        );
      node.attribute = (node.attribute ?? []).filter((a) => a.name !== 'training_mode');
      node.output = node.output?.slice(0, 1) ?? [];
      changed++;
    }
  }
  // the Constant nodes that fed training_mode are dead now (ONNX Runtime warns about them)
  const used = new Set([
    ...(graph.node ?? []).flatMap((n) => n.input ?? []),
    ...(graph.output ?? []).map((o) => o.name ?? ''),
  ]);
  graph.node = (graph.node ?? []).filter((n) => n.opType !== 'Constant' || (n.output ?? []).some((o) => used.has(o)));
  return changed;
}

function replaceInitializers(model: ModelProto, weights: ReadonlyMap<string, TensorData>): void {
  const initializers = model.graph?.initializer ?? [];
  const byName = new Map(initializers.map((t, i) => [t.name ?? '', i]));
  for (const [name, t] of weights) {
    const i = byName.get(name);
    if (i === undefined) throw new Error(`the model has no initializer '${name}'`);
    const old = fromTensorProto(initializers[i] as NonNullable<(typeof initializers)[number]>);
    if (old.dtype !== t.dtype || old.dims.join() !== t.dims.join())
      throw new Error(
        `initializer ${name}: ${t.dtype}[${t.dims.join(', ')}] does not match ${old.dtype}[${old.dims.join(', ')}]`,
      );
    initializers[i] = onnx.TensorProto.create(toTensorProto(name, t));
  }
}

function addProbabilities(model: ModelProto, from: string, of: 'logits' | 'log-probabilities'): void {
  const graph = model.graph;
  if (!graph || (graph.output ?? []).some((o) => o.name === 'probabilities')) return;
  const source = (graph.output ?? []).find((o) => o.name === from);
  if (!source) throw new Error(`the model has no output '${from}'`);
  const used = new Set((graph.node ?? []).map((n) => n.name ?? ''));
  let name = 'onnxgrad_probabilities';
  while (used.has(name)) name = `${name}_`;
  const node =
    of === 'logits'
      ? {
          name,
          opType: 'Softmax',
          input: [from],
          output: ['probabilities'],
          attribute: [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: -1 }],
        }
      : { name, opType: 'Exp', input: [from], output: ['probabilities'] };
  graph.node = [...(graph.node ?? []), onnx.NodeProto.create(node)];
  graph.output = [...(graph.output ?? []), onnx.ValueInfoProto.create({ ...source, name: 'probabilities' })];
}

/** The model's bytes with trained initializers, in inference form, with onnxgrad's metadata. */
export function trainedModel(bytes: Uint8Array, o: TrainedModelOptions = {}): Uint8Array {
  const model = decodeModelProto(bytes);
  toInferenceForm(model);
  if (o.weights) replaceInitializers(model, o.weights);
  if (o.probabilities) addProbabilities(model, o.probabilities.from, o.probabilities.of);
  if (o.metadata) {
    const keep = (model.metadataProps ?? []).filter((p) => !(p.key && p.key in (o.metadata ?? {})));
    model.metadataProps = [
      ...keep,
      ...Object.entries(o.metadata).map(([key, value]) => onnx.StringStringEntryProto.create({ key, value })),
    ];
  }
  return onnx.ModelProto.encode(model).finish();
}
