// Dropout. A training-mode export (training_mode = true) becomes onnxgrad's seeded-noise dropout
// when a training graph is built: an activation is dropped where noise < ratio and the others
// are scaled by 1 / (1 - ratio), with the noise fed by the trainer (the same on every execution
// provider, and a resumed run is bit-identical). Otherwise, and at inference, Dropout is the
// identity, as ONNX defines it with training_mode false.
import * as op from '../../ops/index.js';
import { float, type ImportContext, type OpImporter } from './context.js';

/** A float32 ratio as the short decimal it was written as (0.2, not 0.20000000298023224). */
function shortest(r: number): number {
  const short = Number(r.toPrecision(7));
  return Math.fround(short) === Math.fround(r) ? short : r;
}

function ratio(c: ImportContext): number {
  const given = c.known(1);
  if (c.node.inputs[1] && !given) throw c.fail('its ratio must be a constant');
  const r = given ? shortest(Number(given.data[0])) : float(c, 'ratio', 0.5);
  if (!(r >= 0 && r < 1)) throw c.fail(`ratio must be in [0, 1), got ${r}`);
  return r;
}

function trainingMode(c: ImportContext): boolean {
  if (!c.node.inputs[2]) return false;
  const given = c.known(2);
  if (!given) throw c.fail('its training_mode must be a constant');
  return Number(given.data[0]) !== 0;
}

function dropout(c: ImportContext) {
  const x = c.value(0);
  const rate = ratio(c);
  const wantsMask = Boolean(c.node.outputs[1]);
  if (!c.training || !trainingMode(c) || rate === 0) {
    const y = op.identity(x);
    return wantsMask ? [y, op.expandLike(op.scalar(c.graph, 1, 'bool'), x)] : [y];
  }
  const noise = c.dropoutNoise(x.shape, rate);
  const dropped = op.less(noise, rate);
  const y = op.where(dropped, 0, op.mul(x, 1 / (1 - rate)));
  // the mask output: true where the activation is kept
  return wantsMask ? [y, op.equal(op.cast(dropped, 'float32'), 0)] : [y];
}

export const dropoutImporters: Record<string, OpImporter> = {
  Dropout: { build: dropout, trains: 'as seeded-noise dropout: Less, Mul, Where' },
};
