// The graph under construction: typed values, the nodes that make them, and named inputs,
// parameters, constants and outputs. Names are deterministic: the n-th Conv is `Conv_n`,
// its output `Conv_n_out`, so the same program always exports the same bytes.
import type { Attributes } from './attributes.js';
import type { DType } from './dtype.js';
import { formatShape, type Shape } from './shape.js';
import { elementCount, type TensorData } from './tensor.js';

export type ValueKind = 'input' | 'parameter' | 'constant' | 'node';

export class Value {
  #name: string;

  constructor(
    readonly graph: Graph,
    name: string,
    readonly dtype: DType,
    readonly shape: Shape,
    readonly kind: ValueKind,
    /** The node that computes this value; undefined for inputs, parameters and constants. */
    readonly producer?: Node,
  ) {
    this.#name = name;
  }

  get name(): string {
    return this.#name;
  }

  /** Only Graph.output renames, before export: nodes hold values, not names, so nothing dangles. */
  rename(name: string): void {
    this.#name = name;
  }

  get rank(): number {
    return this.shape.length;
  }

  toString(): string {
    return `${this.name}: ${this.dtype}${formatShape(this.shape)}`;
  }
}

export interface Node {
  readonly opType: string;
  /** The operator set, for ops outside ONNX's own (e.g. ONNX Runtime's 'com.microsoft.nchwc'). */
  readonly domain?: string;
  readonly name: string;
  /** null marks an omitted optional input (exported as ''). */
  readonly inputs: readonly (Value | null)[];
  readonly outputs: readonly Value[];
  readonly attributes: Attributes;
}

/** Values by (source, key); the source null is the graph itself. */
export class Memo {
  readonly #entries = new Map<Value | null, Map<string, Value>>();

  get(source: Value | null, key: string): Value | undefined {
    return this.#entries.get(source)?.get(key);
  }

  set(source: Value | null, key: string, value: Value): Value {
    const bySource = this.#entries.get(source) ?? new Map<string, Value>();
    bySource.set(key, value);
    this.#entries.set(source, bySource);
    return value;
  }

  *entries(): Generator<[Value | null, string, Value]> {
    for (const [source, byKey] of this.#entries) for (const [key, value] of byKey) yield [source, key, value];
  }
}

export interface OutputSpec {
  readonly dtype: DType;
  readonly shape: Shape;
  readonly name?: string;
}

export class Graph {
  readonly nodes: Node[] = [];
  readonly inputs: Value[] = [];
  readonly outputs: Value[] = [];
  /** Trainable tensors with their initial values, in creation order. */
  readonly parameters = new Map<string, { value: Value; init: TensorData }>();
  readonly constants = new Map<string, { value: Value; data: TensorData }>();
  /** Values that autodiff treats as constants (a stop-gradient without a node). */
  readonly detached = new Set<Value>();
  /**
   * Values that op builders made once to be reused, by what they were made from and how: the
   * shared scalar constants (src/ops/node.ts) and the im2col patches of a value (src/ops/patches.ts).
   * Rewrite passes look them up here, so what a pass needs travels with the graph.
   */
  readonly memo = new Memo();
  private readonly names = new Set<string>();
  private readonly opCounts = new Map<string, number>();

  constructor(readonly name: string) {}

  input(name: string, dtype: DType, shape: Shape): Value {
    const value = new Value(this, this.claim(name), dtype, shape, 'input');
    this.inputs.push(value);
    return value;
  }

  parameter(name: string, init: TensorData): Value {
    const value = new Value(this, this.claim(name), init.dtype, init.dims, 'parameter');
    this.parameters.set(name, { value, init });
    return value;
  }

  /** A non-trainable initializer. Small constants with the same contents share one value. */
  constant(data: TensorData, name?: string): Value {
    const key = name ?? `const_${this.constants.size}`;
    const value = new Value(this, this.claim(key), data.dtype, data.dims, 'constant');
    this.constants.set(key, { value, data });
    return value;
  }

  /** Adds a node whose output types and shapes the caller (an op builder) has inferred. */
  addNode(
    opType: string,
    inputs: readonly (Value | null)[],
    attributes: Attributes,
    outputs: readonly OutputSpec[],
    domain?: string,
  ): Value[] {
    for (const input of inputs) {
      if (input && input.graph !== this) throw new Error(`${opType}: input ${input.name} belongs to another graph`);
    }
    const name = this.nodeName(opType, domain);
    const values: Value[] = [];
    const node: Node = {
      opType,
      name,
      inputs: [...inputs],
      outputs: values,
      attributes,
      ...(domain ? { domain } : {}),
    };
    outputs.forEach((spec, i) => {
      const outName = spec.name ?? (outputs.length === 1 ? `${name}_out` : `${name}_out${i}`);
      values.push(new Value(this, this.claim(outName), spec.dtype, spec.shape, 'node', node));
    });
    this.nodes.push(node);
    return values;
  }

  /**
   * Makes an existing node compute its outputs another way: a rewrite pass after differentiation
   * (src/passes/). The outputs and all their uses stay; the new inputs may come
   * from nodes made later, which liveNodes (and so export) places first.
   */
  rewrite(
    node: Node,
    opType: string,
    inputs: readonly (Value | null)[],
    attributes: Attributes,
    domain?: string,
  ): void {
    if (!this.nodes.includes(node)) throw new Error(`graph ${this.name}: ${node.name} is not one of its nodes`);
    const mutable = node as { -readonly [K in keyof Node]: Node[K] };
    Object.assign(mutable, { opType, name: this.nodeName(opType, domain), inputs: [...inputs], attributes, domain });
  }

  /** `Conv_3`, or `nchwc_Conv_0` for an op of another domain. */
  private nodeName(opType: string, domain: string | undefined): string {
    const kind = domain ? `${domain.split('.').pop() ?? domain}_${opType}` : opType;
    const count = this.opCounts.get(kind) ?? 0;
    this.opCounts.set(kind, count + 1);
    return `${kind}_${count}`;
  }

  /**
   * Marks a value as a graph output under the given name. A node's output is renamed in place;
   * an input, parameter, constant or a value that is already an output gets an Identity (a copy).
   */
  output(value: Value, name: string = value.name): Value {
    let out = value;
    if (value.kind !== 'node' || this.outputs.includes(value)) {
      if (name === value.name)
        throw new Error(
          `graph ${this.name}: ${value.kind} '${name}' needs another name to be an output (an Identity copies it)`,
        );
      [out] = this.addNode('Identity', [value], {}, [{ dtype: value.dtype, shape: value.shape, name }]) as [Value];
    } else if (value.name !== name) {
      this.claim(name);
      this.names.delete(value.name);
      value.rename(name);
    }
    this.outputs.push(out);
    return out;
  }

  /** Marks a value as a constant for differentiation, e.g. the max subtracted in a stable softmax. */
  detach(value: Value): Value {
    this.detached.add(value);
    return value;
  }

  parameterCount(): number {
    let n = 0;
    for (const { init } of this.parameters.values()) n += elementCount(init.dims);
    return n;
  }

  private claim(name: string): string {
    if (this.names.has(name)) throw new Error(`graph ${this.name}: the name '${name}' is already used`);
    this.names.add(name);
    return name;
  }
}

/**
 * The nodes that contribute to `targets` (the graph's outputs by default), in graph order, except
 * that a node rewritten to read later values comes after them (Graph.rewrite): gradient rules may
 * leave values behind that nothing uses, and export drops them.
 */
export function liveNodes(graph: Graph, targets: readonly Value[] = graph.outputs): Node[] {
  const live = new Set<Node>();
  const pending = targets.flatMap((t) => (t.producer ? [t.producer] : []));
  for (let n = pending.pop(); n; n = pending.pop()) {
    if (live.has(n)) continue;
    live.add(n);
    for (const v of n.inputs) if (v?.producer && !live.has(v.producer)) pending.push(v.producer);
  }
  const ordered: Node[] = [];
  const state = new Map<Node, 'visiting' | 'placed'>();
  const place = (n: Node): void => {
    const s = state.get(n);
    if (s === 'placed') return;
    if (s === 'visiting') throw new Error(`graph ${graph.name}: node ${n.name} depends on itself`);
    state.set(n, 'visiting');
    for (const v of n.inputs) if (v?.producer && live.has(v.producer)) place(v.producer);
    state.set(n, 'placed');
    ordered.push(n);
  };
  for (const n of graph.nodes) if (live.has(n)) place(n);
  return ordered;
}
