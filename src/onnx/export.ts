// Graph -> ONNX ModelProto bytes at opset 17 (the newest that Debian's python3-onnx 1.12 checks).
import type { Attribute } from '../ir/attributes.js';
import { ONNX_DTYPE } from '../ir/dtype.js';
import type { Graph, Node, Value } from '../ir/graph.js';
import type { TensorData } from '../ir/tensor.js';
import { VERSION } from '../version.js';
import { type AttributeProto, type ModelProto, onnx, type ValueInfoProto } from './proto.js';
import { toTensorProto } from './tensor-proto.js';

export const OPSET = 17;
export const IR_VERSION = 8;

export interface ExportOptions {
  /** 'initializers' for an inference model; 'inputs' for a training step, which takes them each step. */
  readonly parametersAs?: 'initializers' | 'inputs';
  /** Replaces the parameters' initial values (trained weights). */
  readonly weights?: ReadonlyMap<string, TensorData>;
  readonly docString?: string;
  /** Stored as metadata_props: the dataset, its class names and normalisation travel with the model. */
  readonly metadata?: Readonly<Record<string, string>>;
}

function valueInfo(v: Value): ValueInfoProto {
  const dim = v.shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d }));
  return { name: v.name, type: { tensorType: { elemType: ONNX_DTYPE[v.dtype], shape: { dim } } } };
}

function attributeProto(name: string, a: Attribute): AttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  switch (a.kind) {
    case 'int': return { name, type: T.INT, i: a.value };
    case 'float': return { name, type: T.FLOAT, f: a.value };
    case 'ints': return { name, type: T.INTS, ints: [...a.value] };
    case 'floats': return { name, type: T.FLOATS, floats: [...a.value] };
    case 'string': return { name, type: T.STRING, s: new TextEncoder().encode(a.value) };
    case 'tensor': return { name, type: T.TENSOR, t: toTensorProto('', a.value) };
  }
}

/** Nodes that contribute to an output, in order: rules may leave unused values behind. */
function liveNodes(graph: Graph): Node[] {
  const needed = new Set<Value>(graph.outputs);
  const live: Node[] = [];
  for (let k = graph.nodes.length - 1; k >= 0; k--) {
    const n = graph.nodes[k] as Node;
    if (!n.outputs.some((o) => needed.has(o))) continue;
    live.push(n);
    for (const v of n.inputs) if (v) needed.add(v);
  }
  return live.reverse();
}

export function toModelProto(graph: Graph, options: ExportOptions = {}): ModelProto {
  const live = liveNodes(graph);
  const used = new Set(live.flatMap((n) => n.inputs));
  const asInputs = options.parametersAs === 'inputs';
  const params = [...graph.parameters.entries()].map(([name, p]) => ({ value: p.value, data: options.weights?.get(name) ?? p.init }));
  for (const p of params) {
    if (p.data.dims.join() !== p.value.shape.join()) throw new Error(`weights for ${p.value.name}: dims [${p.data.dims.join(', ')}] do not match [${p.value.shape.join(', ')}]`);
  }
  const initializers = [
    ...(asInputs ? [] : params.map((p) => toTensorProto(p.value.name, p.data))),
    ...[...graph.constants.values()].filter((c) => used.has(c.value)).map((c) => toTensorProto(c.value.name, c.data)),
  ];
  const inputs = [...graph.inputs, ...(asInputs ? params.map((p) => p.value) : [])];
  const nodes = live.map((n) => ({
    name: n.name,
    opType: n.opType,
    input: n.inputs.map((v) => v?.name ?? ''),
    output: n.outputs.map((v) => v.name),
    attribute: Object.entries(n.attributes).map(([k, a]) => attributeProto(k, a)),
  }));
  return onnx.ModelProto.create({
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: OPSET }],
    producerName: 'onnxgrad',
    producerVersion: VERSION,
    docString: options.docString ?? '',
    metadataProps: Object.entries(options.metadata ?? {}).map(([key, value]) => ({ key, value })),
    graph: {
      name: graph.name,
      node: nodes,
      initializer: initializers,
      input: inputs.map(valueInfo),
      output: graph.outputs.map(valueInfo),
      // shapes of intermediate values: readable in Netron and in the text form
      valueInfo: live.flatMap((n) => n.outputs).filter((v) => !graph.outputs.includes(v)).map(valueInfo),
    },
  });
}

export function exportModel(graph: Graph, options: ExportOptions = {}): Uint8Array {
  return onnx.ModelProto.encode(toModelProto(graph, options)).finish();
}
