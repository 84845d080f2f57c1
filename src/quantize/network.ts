// The float32 networks that export understands: one float32 image input [N, C, H, W], float32
// weights, and only the ops onnxgrad's inference graphs are made of (its own CNNs, older
// five-op softmaxes included). Anything else is refused with one line saying what is wrong.
import { decodeModelProto, type ImportedModel, importModelProto, type ValueType } from '../onnx/import.js';
import type { ModelProto } from '../onnx/proto.js';
import { ELEMENT_TYPE, elementTypeName } from './stored-tensor.js';

export const KNOWN_OPS: readonly string[] = [
  'Conv',
  'Gemm',
  'MatMul',
  'Relu',
  'MaxPool',
  'AveragePool',
  'GlobalAveragePool',
  'Flatten',
  'Reshape',
  'Identity',
  'Add',
  'Sub',
  'Mul',
  'Div',
  'Exp',
  'ReduceMax',
  'ReduceSum',
  'Softmax',
  'LogSoftmax',
];

/** QuantizeLinear/DequantizeLinear with a per-channel axis need opset 13. */
const MIN_OPSET = 13;

export interface FloatNetwork {
  readonly model: ImportedModel;
  /** the decoded file, for what import does not keep (metadata_props) */
  readonly proto: ModelProto;
  readonly input: ValueType;
  readonly opset: number;
}

/** Reads and checks a float32 network; `name` (the file) prefixes every error. */
export function readFloatNetwork(bytes: Uint8Array, name: string): FloatNetwork {
  const fail = (why: string): never => {
    throw new Error(`${name}: ${why}`);
  };
  let proto: ModelProto;
  try {
    proto = decodeModelProto(bytes);
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error));
  }
  const graph = proto.graph;
  if (!graph || (graph.node ?? []).length === 0) return fail('not an ONNX network (the model has no graph nodes)');
  for (const t of graph.initializer ?? []) {
    const type = t.dataType ?? 0;
    if (type !== ELEMENT_TYPE.float32 && type !== ELEMENT_TYPE.int64)
      fail(
        `not a float32 network: initializer ${t.name ?? '?'} is ${elementTypeName(type)} (already exported?); ` +
          "export takes the float32 model.onnx that 'onnxgrad train' writes",
      );
  }
  const opset = Number((proto.opsetImport ?? []).find((o) => (o.domain ?? '') === '')?.version ?? 0);
  if (opset < MIN_OPSET) fail(`opset ${opset}: export needs ONNX opset ${MIN_OPSET} or newer`);
  for (const n of graph.node ?? []) {
    const domain = n.domain ?? '';
    const op = n.opType ?? '?';
    if (domain !== '' || !KNOWN_OPS.includes(op))
      fail(
        `op ${domain ? `${domain}.` : ''}${op} (node ${n.name ?? '?'}) is not one export knows ` +
          `(it knows ${KNOWN_OPS.join(', ')}): export takes an inference model such as the model.onnx that 'onnxgrad train' writes`,
      );
  }
  let model: ImportedModel;
  try {
    model = importModelProto(proto);
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error));
  }
  const initializers = new Set(model.initializers.keys());
  const inputs = model.inputs.filter((v) => !initializers.has(v.name));
  const input = inputs[0];
  if (!input || inputs.length !== 1)
    return fail(`export takes a network with one image input; this one has ${inputs.length}`);
  if (input.dtype !== 'float32' || input.shape.length !== 4)
    fail(`input ${input.name} is ${input.dtype}[${input.shape.join(', ')}], not float32 images [N, C, H, W]`);
  for (const o of model.outputs) if (o.dtype !== 'float32') fail(`output ${o.name} is ${o.dtype}, not float32`);
  return { model, proto, input, opset };
}
