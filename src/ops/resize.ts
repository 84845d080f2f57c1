// Nearest-neighbour upsampling by integer factors (ONNX Resize, mode 'nearest').
import { attr } from '../ir/attributes.js';
import type { Value } from '../ir/graph.js';
import { type Dim, formatShape, ShapeError } from '../ir/shape.js';
import { tensor } from '../ir/tensor.js';
import { emit } from './node.js';

/** Each element repeated `factors[i]` times along axis i; out[i] = in[floor(i / factor)]. */
export function upsampleNearest(x: Value, factors: readonly number[]): Value {
  if (factors.length !== x.rank || factors.some((f) => !Number.isInteger(f) || f < 1)) {
    throw new ShapeError(
      `Resize: needs one positive integer factor per axis of ${formatShape(x.shape)}, got [${factors.join(', ')}]`,
    );
  }
  const shape = x.shape.map((d, i): Dim => {
    const f = factors[i] as number;
    if (f === 1) return d;
    if (typeof d !== 'number')
      throw new ShapeError(`Resize: cannot upsample the symbolic axis ${i} of ${formatShape(x.shape)}`);
    return d * f;
  });
  const scales = x.graph.constant(tensor('float32', [factors.length], Float32Array.from(factors)));
  // asymmetric + floor makes the mapping exactly in[floor(out / factor)] for integer factors
  const attributes = {
    mode: attr.string('nearest'),
    coordinate_transformation_mode: attr.string('asymmetric'),
    nearest_mode: attr.string('floor'),
  };
  return emit('Resize', [x, null, scales], attributes, x.dtype, shape);
}
