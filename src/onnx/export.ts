// Graph -> ONNX ModelProto bytes at opset 17 (the newest that Debian's python3-onnx 1.12 checks).
import { type Graph, liveNodes } from '../ir/graph.js';
import type { TensorData } from '../ir/tensor.js';
import { VERSION } from '../version.js';
import { attributeProto, valueInfoProto } from './fields.js';
import { type ModelProto, onnx } from './proto.js';
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

export function toModelProto(graph: Graph, options: ExportOptions = {}): ModelProto {
  const live = liveNodes(graph);
  const used = new Set(live.flatMap((n) => n.inputs));
  const asInputs = options.parametersAs === 'inputs';
  const params = [...graph.parameters.entries()].map(([name, p]) => ({
    value: p.value,
    data: options.weights?.get(name) ?? p.init,
  }));
  for (const p of params) {
    if (p.data.dims.join() !== p.value.shape.join())
      throw new Error(
        `weights for ${p.value.name}: dims [${p.data.dims.join(', ')}] do not match [${p.value.shape.join(', ')}]`,
      );
  }
  const initializers = [
    ...(asInputs ? [] : params.map((p) => toTensorProto(p.value.name, p.data))),
    ...[...graph.constants.values()].filter((c) => used.has(c.value)).map((c) => toTensorProto(c.value.name, c.data)),
  ];
  const inputs = [...graph.inputs, ...(asInputs ? params.map((p) => p.value) : [])];
  const nodes = live.map((n) => ({
    name: n.name,
    opType: n.opType,
    ...(n.domain ? { domain: n.domain } : {}),
    input: n.inputs.map((v) => v?.name ?? ''),
    output: n.outputs.map((v) => v.name),
    attribute: Object.entries(n.attributes).map(([k, a]) => attributeProto(k, a)),
  }));
  return onnx.ModelProto.create({
    irVersion: IR_VERSION,
    // other domains (ONNX Runtime's own ops) are all at version 1
    opsetImport: [
      { domain: '', version: OPSET },
      ...[...new Set(live.flatMap((n) => (n.domain ? [n.domain] : [])))].map((domain) => ({ domain, version: 1 })),
    ],
    producerName: 'onnxgrad',
    producerVersion: VERSION,
    docString: options.docString ?? '',
    metadataProps: Object.entries(options.metadata ?? {}).map(([key, value]) => ({ key, value })),
    graph: {
      name: graph.name,
      node: nodes,
      initializer: initializers,
      input: inputs.map(valueInfoProto),
      output: graph.outputs.map(valueInfoProto),
      // shapes of intermediate values: readable in Netron and in the text form
      valueInfo: live
        .flatMap((n) => n.outputs)
        .filter((v) => !graph.outputs.includes(v))
        .map(valueInfoProto),
    },
  });
}

export function exportModel(graph: Graph, options: ExportOptions = {}): Uint8Array {
  return onnx.ModelProto.encode(toModelProto(graph, options)).finish();
}
