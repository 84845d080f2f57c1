// A model being rewritten by an export: its nodes, its float initializers and the stored (int8,
// int32, float16) ones, edited by name, then encoded in topological order with the source's
// metadata (dataset, class names, normalisation) carried over.
import type { Attributes } from '../ir/attributes.js';
import type { TensorData } from '../ir/tensor.js';
import { type ImportedModel, type ImportedNode, toModelProtoFromImported, type ValueType } from '../onnx/import.js';
import { onnx, type ModelProto } from '../onnx/proto.js';
import { valueInfoProto } from '../onnx/fields.js';
import { type StoredTensor, storedTensorProto } from './stored-tensor.js';

export interface EditNode {
  opType: string;
  name: string;
  inputs: string[];
  outputs: string[];
  attributes: Attributes;
}

export class ModelEdit {
  readonly nodes: EditNode[];
  readonly floats: Map<string, TensorData>;
  readonly stored = new Map<string, StoredTensor>();
  readonly inputs: ValueType[];
  readonly outputs: ValueType[];
  /** element types that differ from the value_info's float32 (float16 activations) */
  readonly elementTypes = new Map<string, number>();
  private readonly names = new Set<string>();

  constructor(
    readonly source: ImportedModel,
    private readonly sourceProto: ModelProto,
  ) {
    this.nodes = source.nodes.map((n) => ({ ...n, inputs: [...n.inputs], outputs: [...n.outputs] }));
    this.floats = new Map(source.initializers);
    this.inputs = [...source.inputs];
    this.outputs = [...source.outputs];
    for (const n of this.nodes) {
      this.names.add(n.name);
      for (const v of [...n.inputs, ...n.outputs]) this.names.add(v);
    }
    for (const name of this.floats.keys()) this.names.add(name);
  }

  /** `base`, or `base_1`, `base_2` ... when taken: every value and node name stays unique. */
  fresh(base: string): string {
    let name = base;
    for (let k = 1; this.names.has(name); k++) name = `${base}_${k}`;
    this.names.add(name);
    return name;
  }

  producer(value: string): EditNode | undefined {
    return this.nodes.find((n) => n.outputs.includes(value));
  }

  consumers(value: string): EditNode[] {
    return this.nodes.filter((n) => n.inputs.includes(value));
  }

  isGraphOutput(value: string): boolean {
    return this.outputs.some((o) => o.name === value);
  }

  /**
   * Adds a node computing fresh outputs named after `outputs` (or exactly `outputs`, for a graph
   * output whose producer was renamed); returns their names.
   */
  add(
    opType: string,
    inputs: readonly string[],
    outputs: readonly string[],
    attributes: Attributes = {},
    exact = false,
  ): string[] {
    const names = exact ? [...outputs] : outputs.map((o) => this.fresh(o));
    this.nodes.push({
      opType,
      name: this.fresh(`${opType}_${names[0] ?? ''}`),
      inputs: [...inputs],
      outputs: names,
      attributes,
    });
    return names;
  }

  remove(node: EditNode): void {
    const at = this.nodes.indexOf(node);
    if (at >= 0) this.nodes.splice(at, 1);
  }

  /** Makes every node in `readers` (by default every node that reads `from`) read `to` instead. */
  redirect(from: string, to: string, readers: readonly EditNode[] = this.consumers(from)): void {
    for (const n of readers) n.inputs = n.inputs.map((v) => (v === from ? to : v));
  }

  store(name: string, t: StoredTensor): string {
    const unique = this.fresh(name);
    this.stored.set(unique, t);
    return unique;
  }

  encode(): Uint8Array {
    const available = new Set<string>([
      ...this.inputs.map((v) => v.name),
      ...this.floats.keys(),
      ...this.stored.keys(),
      '',
    ]);
    const ordered = topologicalOrder(this.nodes, available);
    const produced = new Set(ordered.flatMap((n) => n.outputs));
    const used = new Set(ordered.flatMap((n) => n.inputs));
    const floats = new Map([...this.floats].filter(([name]) => used.has(name)));
    const nodes: ImportedNode[] = ordered.map((n) => ({ ...n, domain: '' }));
    const valueInfo = new Map(
      [...this.source.valueInfo].filter(([name]) => produced.has(name) && !this.isGraphOutput(name)),
    );
    const proto = toModelProtoFromImported({ ...this.source, nodes, initializers: floats, valueInfo });
    const graph = proto.graph!;
    graph.initializer = [
      ...(graph.initializer ?? []),
      ...[...this.stored].filter(([name]) => used.has(name)).map(([name, t]) => storedTensorProto(name, t)),
    ];
    graph.input = this.inputs.map(valueInfoProto);
    graph.output = this.outputs.map(valueInfoProto);
    for (const v of graph.valueInfo ?? []) {
      const type = this.elementTypes.get(v.name ?? '');
      if (type !== undefined && v.type?.tensorType) v.type.tensorType.elemType = type;
    }
    proto.metadataProps = (this.sourceProto.metadataProps ?? []).map((p) => ({
      key: p.key ?? '',
      value: p.value ?? '',
    }));
    return onnx.ModelProto.encode(proto).finish();
  }
}

/** Kahn's order, keeping the given order among nodes that are ready together. */
function topologicalOrder(nodes: readonly EditNode[], available: Set<string>): EditNode[] {
  const pending = [...nodes];
  const ordered: EditNode[] = [];
  while (pending.length > 0) {
    const at = pending.findIndex((n) => n.inputs.every((v) => available.has(v)));
    if (at < 0) {
      const stuck = pending[0]!;
      throw new Error(
        `export: node ${stuck.name} reads ${stuck.inputs.find((v) => !available.has(v))}, which nothing makes`,
      );
    }
    const [node] = pending.splice(at, 1) as [EditNode];
    ordered.push(node);
    for (const v of node.outputs) available.add(v);
  }
  return ordered;
}
