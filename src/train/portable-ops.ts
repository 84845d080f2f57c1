// The ops a training graph may use so that the same graph runs on onnxruntime-node, on
// onnxruntime-web's WASM EP and on WebGPU (whose bundles lack Dropout, and fail MaxPool's Indices).
export const PORTABLE_OPS: ReadonlySet<string> = new Set([
  'Conv',
  'ConvTranspose',
  'MaxPool',
  'AveragePool',
  'GlobalAveragePool',
  'GlobalMaxPool',
  'BatchNormalization',
  'LayerNormalization',
  'Relu',
  'LeakyRelu',
  'Sigmoid',
  'Tanh',
  'Erf',
  'Clip',
  'Softmax',
  'Gemm',
  'MatMul',
  'Add',
  'Sub',
  'Mul',
  'Div',
  'Pow',
  'Neg',
  'Exp',
  'Log',
  'Sqrt',
  'Equal',
  'Less',
  'Greater',
  'Where',
  'Cast',
  'Identity',
  'ReduceSum',
  'ReduceMax',
  'ReduceMean',
  'Reshape',
  'Flatten',
  'Shape',
  'Transpose',
  'Slice',
  'Pad',
  'Expand',
  'Unsqueeze',
  'Squeeze',
  'Concat',
  'Split',
  'Resize',
  'Gather',
]);

/**
 * Ops that must not appear, with the reason: each is missing or falls back to the CPU on some
 * execution provider the training graph has to run on.
 */
export const NON_PORTABLE_OPS: Readonly<Record<string, string>> = Object.freeze({
  Dropout: 'no kernel in the ort.webgpu / ort.jspi bundles, not even on their WASM EP',
  OneHot: 'falls back to the CPU on WebGPU',
  SoftmaxCrossEntropyLoss: 'not in the portable set; built from LogSoftmax-free ops instead',
  LogSoftmax: 'falls back to the CPU on WebGPU',
  'MaxPool-with-Indices': 'the Indices output fails at run time on WebGPU',
});

/** The problems with a node for portability, or none. */
export function portabilityProblem(opType: string, outputCount: number): string | undefined {
  if (opType === 'MaxPool' && outputCount > 1)
    return `MaxPool with Indices: ${NON_PORTABLE_OPS['MaxPool-with-Indices']}`;
  const reason = NON_PORTABLE_OPS[opType];
  if (reason) return `${opType}: ${reason}`;
  if (!PORTABLE_OPS.has(opType)) return `${opType}: not in the portable op list`;
  return undefined;
}
