// Element types the builder knows, with their ONNX TensorProto.DataType codes.
export type DType = 'float32' | 'float64' | 'int64' | 'bool';

export const ONNX_DTYPE: Readonly<Record<DType, number>> = Object.freeze({
  float32: 1,
  int64: 7,
  bool: 9,
  float64: 11,
});

export function dtypeFromOnnx(code: number): DType {
  const found = (Object.keys(ONNX_DTYPE) as DType[]).find((d) => ONNX_DTYPE[d] === code);
  if (found === undefined) throw new Error(`unsupported ONNX element type ${code}`);
  return found;
}

export const isFloat = (dtype: DType): boolean => dtype === 'float32' || dtype === 'float64';
