// ONNX ModelProto bytes -> a plain structure (and back): for `summary --model-file`, for reading
// trained weights out of a model.onnx, and for checking that export loses nothing.
import { type Attribute, type Attributes, attr } from '../ir/attributes.js';
import { type DType, dtypeFromOnnx } from '../ir/dtype.js';
import type { Dim, Shape } from '../ir/shape.js';
import type { TensorData } from '../ir/tensor.js';
import { attributeProto, valueInfoProto } from './fields.js';
import { type AttributeProto, type ModelProto, onnx, type ValueInfoProto } from './proto.js';
import { fromTensorProto, toTensorProto } from './tensor-proto.js';

/** A typed value of the graph: an input, an output, or an intermediate listed in value_info. */
export interface ValueType {
  readonly name: string;
  readonly dtype: DType;
  /** Symbolic dimensions (dim_param) are strings, unknown ones '?'. */
  readonly shape: Shape;
}

export interface ImportedNode {
  readonly opType: string;
  readonly name: string;
  /** '' for the default ONNX domain. */
  readonly domain: string;
  /** '' marks an omitted optional input, as in ONNX. */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: Attributes;
}

export interface ImportedModel {
  readonly irVersion: number;
  readonly opsets: readonly { readonly domain: string; readonly version: number }[];
  readonly producerName: string;
  readonly producerVersion: string;
  readonly docString: string;
  readonly graphName: string;
  readonly inputs: readonly ValueType[];
  readonly outputs: readonly ValueType[];
  /** Initializers in file order (a Map keeps it). */
  readonly initializers: ReadonlyMap<string, TensorData>;
  readonly nodes: readonly ImportedNode[];
  /** Shapes of intermediate values (the graph's value_info), in file order. */
  readonly valueInfo: ReadonlyMap<string, ValueType>;
}

/** int64 fields decode as Long (protobufjs with the `long` package) or number. */
function toNumber(v: number | { toString(): string } | null | undefined): number {
  if (v === null || v === undefined) return 0;
  return typeof v === 'number' ? v : Number(v.toString());
}

function valueType(v: ValueInfoProto): ValueType {
  const name = v.name ?? '';
  const t = v.type?.tensorType;
  if (!t)
    throw new Error(
      `ONNX import: value '${name}' is not a tensor (sequence, map and optional types are not supported)`,
    );
  const shape: Dim[] = (t.shape?.dim ?? []).map((d) =>
    d.dimParam ? d.dimParam : d.dimValue !== null && d.dimValue !== undefined ? toNumber(d.dimValue) : '?',
  );
  return { name, dtype: dtypeFromOnnx(t.elemType ?? 0), shape };
}

function attribute(a: AttributeProto, where: string): Attribute {
  const T = onnx.AttributeProto.AttributeType;
  switch (a.type) {
    case T.INT:
      return attr.int(toNumber(a.i));
    case T.FLOAT:
      return attr.float(a.f ?? 0);
    case T.INTS:
      return attr.ints((a.ints ?? []).map(toNumber));
    case T.FLOATS:
      return attr.floats(a.floats ?? []);
    case T.STRING:
      return attr.string(new TextDecoder().decode(a.s ?? new Uint8Array()));
    case T.TENSOR:
      if (!a.t) throw new Error(`ONNX import: ${where}: attribute ${a.name ?? '?'} has no tensor`);
      return attr.tensor(fromTensorProto(a.t));
    default:
      throw new Error(`ONNX import: ${where}: attribute ${a.name ?? '?'} has unsupported type ${String(a.type)}`);
  }
}

export function decodeModelProto(bytes: Uint8Array): ModelProto {
  try {
    return onnx.ModelProto.decode(bytes);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`not an ONNX model (${message})`);
  }
}

export function importModelProto(model: ModelProto): ImportedModel {
  const g = model.graph;
  if (!g) throw new Error('ONNX import: the model has no graph');
  const initializers = new Map<string, TensorData>();
  for (const t of g.initializer ?? []) initializers.set(t.name ?? '', fromTensorProto(t));
  const nodes = (g.node ?? []).map((n, k): ImportedNode => {
    const name = n.name ?? '';
    const where = `node ${name || `#${k}`} (${n.opType ?? '?'})`;
    const attributes: Record<string, Attribute> = {};
    for (const a of n.attribute ?? []) attributes[a.name ?? ''] = attribute(a, where);
    return {
      opType: n.opType ?? '',
      name,
      domain: n.domain ?? '',
      inputs: [...(n.input ?? [])],
      outputs: [...(n.output ?? [])],
      attributes,
    };
  });
  return {
    irVersion: toNumber(model.irVersion),
    opsets: (model.opsetImport ?? []).map((o) => ({ domain: o.domain ?? '', version: toNumber(o.version) })),
    producerName: model.producerName ?? '',
    producerVersion: model.producerVersion ?? '',
    docString: model.docString ?? '',
    graphName: g.name ?? '',
    inputs: (g.input ?? []).map(valueType),
    outputs: (g.output ?? []).map(valueType),
    initializers,
    nodes,
    valueInfo: new Map((g.valueInfo ?? []).map((v) => [v.name ?? '', valueType(v)])),
  };
}

/** Parses ONNX bytes (a model.onnx file) into a plain structure. */
export function importModel(bytes: Uint8Array): ImportedModel {
  return importModelProto(decodeModelProto(bytes));
}

/** The initializers of a model, by name: e.g. the trained weights in a model.onnx. */
export function readInitializers(bytes: Uint8Array): Map<string, TensorData> {
  return new Map(importModel(bytes).initializers);
}

/** The type and shape of any named value: input, output, intermediate or initializer. */
export function valueTypeOf(model: ImportedModel, name: string): ValueType | undefined {
  const init = model.initializers.get(name);
  if (init) return { name, dtype: init.dtype, shape: init.dims };
  return (
    model.valueInfo.get(name) ?? model.inputs.find((v) => v.name === name) ?? model.outputs.find((v) => v.name === name)
  );
}

// ---- back to bytes: the same field layout as export.ts, so export -> import -> encode is byte-identical

export function toModelProtoFromImported(m: ImportedModel): ModelProto {
  return onnx.ModelProto.create({
    irVersion: m.irVersion,
    opsetImport: m.opsets.map((o) => ({ domain: o.domain, version: o.version })),
    producerName: m.producerName,
    producerVersion: m.producerVersion,
    docString: m.docString,
    graph: {
      name: m.graphName,
      node: m.nodes.map((n) => ({
        name: n.name,
        opType: n.opType,
        ...(n.domain ? { domain: n.domain } : {}),
        input: [...n.inputs],
        output: [...n.outputs],
        attribute: Object.entries(n.attributes).map(([k, a]) => attributeProto(k, a)),
      })),
      initializer: [...m.initializers].map(([name, t]) => toTensorProto(name, t)),
      input: m.inputs.map(valueInfoProto),
      output: m.outputs.map(valueInfoProto),
      valueInfo: [...m.valueInfo.values()].map(valueInfoProto),
    },
  });
}

/** Encodes an imported (possibly edited) model back to ONNX bytes. */
export function encodeModel(m: ImportedModel): Uint8Array {
  return onnx.ModelProto.encode(toModelProtoFromImported(m)).finish();
}

/** Replaces initializers by name (e.g. trained weights) and re-encodes; dims must match. */
export function withInitializers(m: ImportedModel, weights: ReadonlyMap<string, TensorData>): ImportedModel {
  const initializers = new Map(m.initializers);
  for (const [name, t] of weights) {
    const old = initializers.get(name);
    if (!old) throw new Error(`model has no initializer '${name}'`);
    if (old.dims.join() !== t.dims.join() || old.dtype !== t.dtype) {
      throw new Error(
        `initializer ${name}: ${t.dtype}[${t.dims.join(', ')}] does not match ${old.dtype}[${old.dims.join(', ')}]`,
      );
    }
    initializers.set(name, t);
  }
  return { ...m, initializers };
}
