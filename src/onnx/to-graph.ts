// ONNX model -> IR Graph: every node is rebuilt with the op builders (src/onnx/importers), so the
// imported graph is inferred and checked shape by shape like one written in TypeScript, and the
// autodiff, the optimizers and the step forms treat it like any other graph.
//  - Float initializers become trainable parameters with their ONNX names; other initializers and
//    Constant nodes stay constants.
//  - Once the batch size is fixed every shape is static, and the shape subgraphs exporters emit
//    for a dynamic batch fold to constants (src/onnx/fold.ts).
//  - Opsets 13 to 18 of the default domain are read. 18 moved the reductions' axes and Pad's axes
//    to inputs, which the importers read either way. A model of an older or newer opset is refused
//    with a line that says how to re-export it: newer opsets change ops this import would read
//    with the wrong meaning (e.g. opset 19's Pad wrap mode, 20's Gelu and ReduceMax on bool).
import { type Graph as GraphType, Graph, type Node, type Value } from '../ir/graph.js';
import { type Dim, formatShape, type Shape } from '../ir/shape.js';
import type { TensorData } from '../ir/tensor.js';
import { isFloat } from '../ir/dtype.js';
import { fold, FOLDERS, foldShape } from './fold.js';
import type { ImportedModel, ImportedNode } from './import.js';
import type { ImportContext } from './importers/context.js';
import { OP_IMPORTERS } from './importers/index.js';

export const MIN_OPSET = 13;
export const MAX_OPSET = 18;

export interface GraphImportOptions {
  /** Fixes every input's symbolic first dimension (the batch); needed to fold shape subgraphs. */
  readonly batchSize?: number;
  /** Full static shapes for inputs by name, where more than the batch is symbolic. */
  readonly inputShapes?: Readonly<Record<string, readonly number[]>>;
  /** A training graph: training-mode Dropout drops with seeded noise, BatchNormalization uses batch statistics. */
  readonly training?: boolean;
  /** Which float initializers are trained (default: all); the others become constants (frozen). */
  readonly trainable?: (name: string) => boolean;
}

export interface ImportedOutput {
  readonly name: string;
  readonly value: Value;
  /** The ONNX op that computes it in the file ('' for an input or a constant): LogSoftmax asks for NLL. */
  readonly opType: string;
}

/** A tensor carried from step to step that is not optimized: a running statistic. */
export interface ImportedState {
  readonly name: string;
  readonly init: TensorData;
  readonly input: Value;
  readonly next: Value;
}

export interface GraphImport {
  readonly graph: GraphType;
  readonly opset: number;
  /** The model's own inputs (initializers listed as inputs excluded), in file order. */
  readonly inputs: readonly Value[];
  /** The model's outputs, in file order; not yet marked as graph outputs (the caller chooses). */
  readonly outputs: readonly ImportedOutput[];
  readonly dropout: readonly { readonly noise: Value; readonly rate: number }[];
  readonly state: readonly ImportedState[];
  /** Nodes evaluated at import time (Constant nodes and shape subgraphs). */
  readonly folded: number;
  /** Every ONNX value name with its type and shape here (known constants included). */
  readonly shapes: ReadonlyMap<string, { readonly dtype: Value['dtype']; readonly shape: Shape }>;
  /** The ONNX node that each graph node was made for. */
  readonly origin: ReadonlyMap<Node, ImportedNode>;
}

type Slot = { readonly kind: 'value'; readonly value: Value } | { readonly kind: 'known'; readonly data: TensorData };

/** The ops this import reads: built with the op builders, or evaluated when their inputs are known. */
export function importableOps(): string[] {
  return [...new Set([...Object.keys(OP_IMPORTERS), ...Object.keys(FOLDERS), 'Shape'])].sort();
}

export function defaultOpset(model: ImportedModel): number {
  const entry = model.opsets.find((o) => o.domain === '' || o.domain === 'ai.onnx');
  if (!entry) throw new Error('ONNX import: the model imports no version of the default ONNX operator set');
  return entry.version;
}

function checkOpset(opset: number): void {
  if (opset < MIN_OPSET || opset > MAX_OPSET)
    throw new Error(
      `ONNX import: the model uses opset ${opset}; onnxgrad reads opsets ${MIN_OPSET} to ${MAX_OPSET}. ` +
        `Re-export it with one of them, e.g. torch.onnx.export(..., opset_version=17)`,
    );
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

function nodeLabel(n: ImportedNode, k: number): string {
  return `node '${n.name || `#${k}`}' (${n.opType})`;
}

export function importGraph(model: ImportedModel, options: GraphImportOptions = {}): GraphImport {
  const opset = defaultOpset(model);
  checkOpset(opset);
  const training = options.training ?? false;
  const graph = new Graph(model.graphName || 'imported');
  const slots = new Map<string, Slot>();
  const madeFromInitializer = new Map<string, Value>();
  const dropout: { noise: Value; rate: number }[] = [];
  const stateInputs = new Map<Value, { name: string; init: TensorData }>();
  const stateNext = new Map<Value, Value>();
  const origin = new Map<Node, ImportedNode>();
  let folded = 0;

  const inputs = model.inputs
    .filter((v) => !model.initializers.has(v.name))
    .map((v) => {
      const given = options.inputShapes?.[v.name];
      const shape: Dim[] = given
        ? [...given]
        : v.shape.map((d, i) => (i === 0 && typeof d !== 'number' && options.batchSize ? options.batchSize : d));
      if (given && given.length !== v.shape.length)
        throw new Error(`ONNX import: input '${v.name}' has rank ${v.shape.length}, not ${given.length}`);
      const value = graph.input(v.name, v.dtype, shape);
      slots.set(v.name, { kind: 'value', value });
      return value;
    });
  for (const [name, data] of model.initializers) if (!slots.has(name)) slots.set(name, { kind: 'known', data });

  /** Float initializers are trainable: a value made from one is a parameter, never folded away. */
  const isParameter = (name: string) => {
    const init = model.initializers.get(name);
    return init !== undefined && isFloat(init.dtype) && slots.get(name)?.kind === 'known';
  };
  const trainable = options.trainable ?? (() => true);

  model.nodes.forEach((node, k) => {
    const label = nodeLabel(node, k);
    const fail = (message: string) => new Error(`ONNX import: ${label}: ${message}`);
    if (node.domain !== '' && node.domain !== 'ai.onnx')
      throw fail(`the operator set '${node.domain}' is not supported (only ONNX's own ops are)`);
    const inputSlots = node.inputs.map((name) => (name ? slots.get(name) : undefined));
    node.inputs.forEach((name, i) => {
      if (name && !inputSlots[i]) throw fail(`input '${name}' is not computed before this node`);
    });
    const setOutputs = (values: readonly (Slot | undefined)[]) =>
      node.outputs.forEach((name, i) => {
        const s = values[i];
        if (name && s) slots.set(name, s);
      });

    // evaluate at import time where every input is known (and not a trainable initializer)
    const shapeOfValue = node.opType === 'Shape' ? inputSlots[0] : undefined;
    if (shapeOfValue?.kind === 'value') {
      const dims = shapeOfValue.value.shape;
      if (!dims.every((d): d is number => typeof d === 'number'))
        throw fail(
          `it reads the shape of ${shapeOfValue.value.toString()}, which is not static; fix the batch size (e.g. --batch-size)`,
        );
      setOutputs([{ kind: 'known', data: foldShape(dims, node.attributes) }]);
      folded++;
      return;
    }
    const allKnown = inputSlots.every(
      (s, i) => !node.inputs[i] || (s?.kind === 'known' && !isParameter(node.inputs[i] as string)),
    );
    if (allKnown && (node.opType in FOLDERS || node.opType === 'Shape')) {
      try {
        const results =
          node.opType === 'Shape'
            ? [foldShape((inputSlots[0] as { data: TensorData }).data.dims, node.attributes)]
            : fold({
                opType: node.opType,
                inputs: inputSlots.map((s) => (s?.kind === 'known' ? s.data : undefined)),
                attributes: node.attributes,
                opset,
              });
        if (results) {
          setOutputs(results.map((data) => ({ kind: 'known', data })));
          folded++;
          return;
        }
      } catch (error) {
        throw fail(errorText(error));
      }
    }

    const importer = OP_IMPORTERS[node.opType];
    if (!importer) {
      const onlyKnown = node.opType in FOLDERS ? ' on tensors that depend on the input' : '';
      throw new Error(
        `ONNX import: ${label}: onnxgrad cannot import ${node.opType}${onlyKnown}. Supported ops: ${importableOps().join(', ')}`,
      );
    }
    const asValue = (i: number, asConstant = false): Value => {
      const name = node.inputs[i];
      const slot = name ? slots.get(name) : undefined;
      if (!name || !slot) throw fail(`input ${i} is missing`);
      if (slot.kind === 'value') return slot.value;
      const made = madeFromInitializer.get(name);
      if (made) return made;
      const value =
        !asConstant && isParameter(name) && trainable(name)
          ? graph.parameter(name, slot.data)
          : graph.constant(slot.data, safeName(graph, name));
      if (model.initializers.has(name)) madeFromInitializer.set(name, value);
      return value;
    };
    const context: ImportContext = {
      node,
      attributes: node.attributes,
      graph,
      opset,
      training,
      inputCount: node.inputs.length,
      value: (i) => asValue(i),
      optional: (i) => (node.inputs[i] ? asValue(i) : null),
      known: (i) => {
        const s = inputSlots[i];
        return s?.kind === 'known' ? s.data : undefined;
      },
      ints: (i, what) => {
        if (!node.inputs[i]) return undefined;
        const s = inputSlots[i];
        if (s?.kind !== 'known')
          throw fail(
            `its ${what} input '${node.inputs[i]}' must be known when the graph is built (a constant or a folded shape)`,
          );
        return Array.from(s.data.data as ArrayLike<number | bigint>, Number);
      },
      constantValue: (i) => asValue(i, true),
      dropoutNoise: (shape, rate) => {
        if (!shape.every((d) => typeof d === 'number'))
          throw fail(`dropout needs a static shape, got ${formatShape(shape)}; fix the batch size`);
        const noise = graph.input(`dropout${dropout.length + 1}.noise`, 'float32', shape);
        dropout.push({ noise, rate });
        return noise;
      },
      stateInput: (i) => {
        const name = node.inputs[i];
        const init = name ? model.initializers.get(name) : undefined;
        if (!name || !init) throw fail(`input ${i} must be an initializer to be carried as state`);
        const existing = madeFromInitializer.get(name);
        if (existing) {
          if (!stateInputs.has(existing)) throw fail(`'${name}' is used both as state and as a value`);
          return existing;
        }
        const value = graph.input(name, init.dtype, init.dims);
        madeFromInitializer.set(name, value);
        stateInputs.set(value, { name, init });
        return value;
      },
      stateNext: (input, next) => {
        if (stateNext.has(input)) throw fail(`the state '${input.name}' is updated twice`);
        stateNext.set(input, next);
      },
      fail,
    };
    const before = graph.nodes.length;
    let outputs: readonly (Value | null)[];
    try {
      outputs = importer.build(context);
    } catch (error) {
      const message = errorText(error);
      throw message.startsWith('ONNX import:') ? error : fail(message);
    }
    for (const made of graph.nodes.slice(before)) origin.set(made, node);
    setOutputs(outputs.map((v) => (v ? { kind: 'value', value: v } : undefined)));
    node.outputs.forEach((name, i) => {
      if (name && !outputs[i] && isConsumed(model, name))
        throw fail(`its output ${i} ('${name}') is used but onnxgrad does not compute it`);
    });
  });

  const producers = new Map(model.nodes.flatMap((n) => n.outputs.map((o) => [o, n.opType] as const)));
  const outputs = model.outputs.map((o): ImportedOutput => {
    const slot = slots.get(o.name);
    if (!slot) throw new Error(`ONNX import: the output '${o.name}' is not computed by any node`);
    const value = slot.kind === 'value' ? slot.value : graph.constant(slot.data, safeName(graph, o.name));
    return { name: o.name, value, opType: producers.get(o.name) ?? '' };
  });
  const state = [...stateInputs].map(([input, { name, init }]): ImportedState => {
    const next = stateNext.get(input);
    if (!next) throw new Error(`ONNX import: the state '${name}' is never updated`);
    return { name, init, input, next };
  });
  const shapes = new Map<string, { dtype: Value['dtype']; shape: Shape }>();
  for (const [name, s] of slots)
    shapes.set(
      name,
      s.kind === 'value' ? { dtype: s.value.dtype, shape: s.value.shape } : { dtype: s.data.dtype, shape: s.data.dims },
    );
  return { graph, opset, inputs, outputs, dropout, state, folded, shapes, origin };
}

function isConsumed(model: ImportedModel, name: string): boolean {
  return model.nodes.some((n) => n.inputs.includes(name)) || model.outputs.some((o) => o.name === name);
}

/** An initializer's own name where it is free in the graph, else the graph's next constant name. */
function safeName(graph: GraphType, name: string): string | undefined {
  return graph.parameters.has(name) || graph.constants.has(name) || graph.inputs.some((v) => v.name === name)
    ? undefined
    : name;
}
