// onnxgrad's public entry for the browser (package.json's `browser` condition): the parts that
// need neither the file system nor onnxruntime-node. The Node entry (index.ts) adds those.

/** A graph under construction: typed values, their nodes, named inputs, parameters and outputs. */
export { Graph, type Node, type Value, type ValueKind } from './ir/graph.js';
/** The element types a value can have. */
export type { DType } from './ir/dtype.js';
/** A shape: numbers for static dimensions, names (`N`) for symbolic ones. */
export type { Dim, Shape } from './ir/shape.js';
/** A tensor's element type, dimensions and data; `float32` and `int64` make one. */
export { float32, int64, type TensorArray, type TensorData, tensor } from './ir/tensor.js';

/** The op builders (`op.conv2d`, `op.relu`, `op.gemm` ...): each infers its output's shape or throws naming the op. */
export * as op from './ops/index.js';
/** Layer helpers in the spirit of PyTorch's nn, naming parameters as its state_dict does (`conv1.weight`). */
export * as nn from './nn/index.js';

/** A graph as ONNX ModelProto bytes (opset 17), with its initial or given weights. */
export { type ExportOptions, exportModel } from './onnx/export.js';
