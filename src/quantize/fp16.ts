// float16 export: every float32 weight stored as IEEE binary16 and every activation computed in
// float16, with a Cast at the input and at each output so callers still pass and get float32.
// Half the size; float16 kernels are a GPU's (WebGPU): ONNX Runtime's x86 CPU provider has none
// for Conv or Gemm and runs such nodes in float32 between Casts it inserts itself.
import { attr } from '../ir/attributes.js';
import { ModelEdit } from './edit.js';
import type { FloatNetwork } from './network.js';
import { ELEMENT_TYPE, FLOAT16_MAX, float16Bits } from './stored-tensor.js';

export function toFp16(network: FloatNetwork): Uint8Array {
  const edit = new ModelEdit(network.model, network.proto);
  for (const [name, t] of [...edit.floats]) {
    if (t.dtype !== 'float32') continue;
    const values = t.data as Float32Array;
    const bits = new Uint16Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const v = values[i] as number;
      if (Math.abs(v) > FLOAT16_MAX)
        throw new Error(`fp16: ${name} holds ${v}, beyond float16's largest value (${FLOAT16_MAX})`);
      bits[i] = float16Bits(v);
    }
    edit.floats.delete(name);
    edit.stored.set(name, { type: 'float16', dims: t.dims, data: bits });
  }
  const input = network.input.name;
  const readers = edit.consumers(input);
  const [half] = edit.add('Cast', [input], [`${input}_float16`], { to: attr.int(ELEMENT_TYPE.float16) }) as [string];
  edit.redirect(input, half, readers);
  for (const output of edit.outputs) {
    const producer = edit.producer(output.name);
    if (!producer) throw new Error(`fp16: output ${output.name} is not computed by a node`);
    const inner = edit.fresh(`${output.name}_float16`);
    producer.outputs = producer.outputs.map((v) => (v === output.name ? inner : v));
    edit.redirect(output.name, inner);
    edit.add('Cast', [inner], [output.name], { to: attr.int(ELEMENT_TYPE.float32) }, true);
  }
  for (const [name, v] of network.model.valueInfo)
    if (v.dtype === 'float32') edit.elementTypes.set(name, ELEMENT_TYPE.float16);
  return edit.encode();
}
