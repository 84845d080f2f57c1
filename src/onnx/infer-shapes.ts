// Shapes for every value of an ONNX model that lacks them (PyTorch writes no value_info): the
// model is imported into the graph builder twice, at batch 1 and at batch 2, and a dimension
// that follows the batch takes the input's symbolic name back ('batch'); one that doubles
// without being the batch itself becomes '?'. Used by `summary --model-file`.
import type { Dim, Shape } from '../ir/shape.js';
import type { ImportedModel, ValueType } from './import.js';
import { importGraph } from './to-graph.js';

/** The batch dimension's name in the file (the first input's symbolic first dimension), if any. */
function batchSymbol(model: ImportedModel): string | undefined {
  const first = model.inputs.find((v) => !model.initializers.has(v.name))?.shape[0];
  return typeof first === 'string' ? first : undefined;
}

/** The model with value_info filled in for every value the import computes (the file's own shapes win). */
export function withInferredShapes(model: ImportedModel): ImportedModel {
  const symbol = batchSymbol(model);
  const one = importGraph(model, { batchSize: 1 }).shapes;
  const two = symbol ? importGraph(model, { batchSize: 2 }).shapes : one;
  const merge = (a: Shape, b: Shape | undefined): Shape =>
    a.map((d, i): Dim => {
      const e = b?.[i];
      if (d === e) return d;
      return i === 0 && d === 1 && e === 2 && symbol ? symbol : '?';
    });
  const valueInfo = new Map<string, ValueType>();
  const outputs = new Set(model.outputs.map((o) => o.name));
  for (const node of model.nodes) {
    for (const name of node.outputs) {
      const s = one.get(name);
      if (!name || !s || outputs.has(name)) continue;
      valueInfo.set(
        name,
        model.valueInfo.get(name) ?? { name, dtype: s.dtype, shape: merge(s.shape, two.get(name)?.shape) },
      );
    }
  }
  const fill = (v: ValueType): ValueType => {
    const s = one.get(v.name);
    return s && v.shape.some((d) => d === '?') ? { ...v, shape: merge(s.shape, two.get(v.name)?.shape) } : v;
  };
  return { ...model, valueInfo, outputs: model.outputs.map(fill) };
}
