// Builders for the ModelProto fields that export and import both write, so that export ->
// import -> encode gives identical bytes.
import type { Attribute } from '../ir/attributes.js';
import { type DType, ONNX_DTYPE } from '../ir/dtype.js';
import type { Shape } from '../ir/shape.js';
import { type AttributeProto, onnx, type ValueInfoProto } from './proto.js';
import { toTensorProto } from './tensor-proto.js';

export function valueInfoProto(v: {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: Shape;
}): ValueInfoProto {
  const dim = v.shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d }));
  return { name: v.name, type: { tensorType: { elemType: ONNX_DTYPE[v.dtype], shape: { dim } } } };
}

export function attributeProto(name: string, a: Attribute): AttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  switch (a.kind) {
    case 'int':
      return { name, type: T.INT, i: a.value };
    case 'float':
      return { name, type: T.FLOAT, f: a.value };
    case 'ints':
      return { name, type: T.INTS, ints: [...a.value] };
    case 'floats':
      return { name, type: T.FLOATS, floats: [...a.value] };
    case 'string':
      return { name, type: T.STRING, s: new TextEncoder().encode(a.value) };
    case 'tensor':
      return { name, type: T.TENSOR, t: toTensorProto('', a.value) };
  }
}
