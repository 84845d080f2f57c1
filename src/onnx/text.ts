// A readable text form of an ONNX model, for snapshots and `build-graph --print`.
// Weights are summarised by shape, a short hash and their mean, so snapshots stay small and stable.
import { createHash } from 'node:crypto';
import { dtypeFromOnnx } from '../ir/dtype.js';
import { elementCount } from '../ir/tensor.js';
import { type AttributeProto, type ModelProto, onnx, type TensorProto, type ValueInfoProto } from './proto.js';
import { fromTensorProto } from './tensor-proto.js';

function typeText(v: ValueInfoProto): string {
  const t = v.type?.tensorType;
  if (!t) return '?';
  const dims = (t.shape?.dim ?? []).map((d) => (d.dimParam ? d.dimParam : String(d.dimValue ?? '?')));
  return `${dtypeFromOnnx(t.elemType ?? 0)}[${dims.join(', ')}]`;
}

function tensorText(p: TensorProto): string {
  const t = fromTensorProto(p);
  const head = `${t.dtype}[${t.dims.join(', ')}]`;
  if (elementCount(t.dims) <= 8) {
    return `${head} = [${Array.from(t.data as ArrayLike<number | bigint>, (v) => (typeof v === 'number' ? Number(v.toPrecision(6)) : v)).join(', ')}]`;
  }
  const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  const hash = createHash('sha256').update(bytes).digest('hex').slice(0, 12);
  let mean = 0;
  if (t.data instanceof Float32Array || t.data instanceof Float64Array) {
    for (const v of t.data) mean += v;
    mean /= t.data.length;
  }
  return `${head} sha256:${hash} mean=${mean.toPrecision(4)}`;
}

function attributeText(a: AttributeProto): string {
  const T = onnx.AttributeProto.AttributeType;
  switch (a.type) {
    case T.INT:
      return `${a.name}=${String(a.i)}`;
    case T.FLOAT:
      return `${a.name}=${Number((a.f ?? 0).toPrecision(6))}`;
    case T.INTS:
      return `${a.name}=[${(a.ints ?? []).map(String).join(', ')}]`;
    case T.FLOATS:
      return `${a.name}=[${(a.floats ?? []).join(', ')}]`;
    case T.STRING:
      return `${a.name}="${new TextDecoder().decode(a.s ?? new Uint8Array())}"`;
    case T.TENSOR:
      return `${a.name}=${a.t ? tensorText(a.t) : '?'}`;
    default:
      return `${a.name}=?`;
  }
}

export function modelToText(model: ModelProto): string {
  const g = model.graph;
  if (!g) return '(no graph)\n';
  const types = new Map<string, string>();
  for (const v of [...(g.input ?? []), ...(g.valueInfo ?? []), ...(g.output ?? [])])
    types.set(v.name ?? '', typeText(v));
  const opset = (model.opsetImport ?? []).map((o) => `${o.domain || 'ai.onnx'} ${String(o.version)}`).join(', ');
  const lines = [`graph ${g.name ?? ''} (ir ${String(model.irVersion)}, opset ${opset})`, 'inputs:'];
  for (const v of g.input ?? []) lines.push(`  ${v.name}: ${typeText(v)}`);
  lines.push('initializers:');
  for (const t of g.initializer ?? []) lines.push(`  ${t.name}: ${tensorText(t)}`);
  lines.push('nodes:');
  for (const n of g.node ?? []) {
    const outs = (n.output ?? []).map((o) => `${o}: ${types.get(o) ?? '?'}`).join(', ');
    const attrs = (n.attribute ?? []).map(attributeText).join(', ');
    lines.push(
      `  ${outs} = ${n.domain ? `${n.domain}.` : ''}${n.opType}(${(n.input ?? []).join(', ')})${attrs ? ` {${attrs}}` : ''}`,
    );
  }
  lines.push('outputs:');
  for (const v of g.output ?? []) lines.push(`  ${v.name}: ${typeText(v)}`);
  return `${lines.join('\n')}\n`;
}

export function bytesToText(bytes: Uint8Array): string {
  return modelToText(onnx.ModelProto.decode(bytes));
}
