// Gradient checking: analytic gradients from our autodiff, run in ONNX Runtime (float32),
// against central differences of the float64 reference interpreter.
import { backward } from '../../src/autodiff/backward.js';
import type { GradRules } from '../../src/autodiff/rule.js';
import { Mulberry32 } from '../../src/data/random.js';
import { Graph, type Value } from '../../src/ir/graph.js';
import { elementCount, tensor } from '../../src/ir/tensor.js';
import { exportModel } from '../../src/onnx/export.js';
import * as op from '../../src/ops/index.js';
import { createSession, float32Tensor, type OrtTensor } from '../../src/runtime/node.js';
import { evaluate, type Feeds, scalarOf } from './reference-interpreter.js';
import { fromTensorData, type RefTensor, refTensor } from './reference-tensor.js';

export interface RandomOptions {
  /** Magnitudes are drawn from [lo, hi] (lo > 0 keeps values away from ReLU kinks). */
  readonly lo?: number;
  readonly hi?: number;
  /** Only positive values (for Log, Sqrt, Pow bases, divisors). */
  readonly positive?: boolean;
}

/** What a case's builder gets: the graph and seeded random tensors. */
export class CaseContext {
  readonly graph: Graph;
  readonly rng: Mulberry32;

  constructor(name: string, seed: number) {
    this.graph = new Graph(name);
    this.rng = new Mulberry32(seed);
  }

  values(dims: readonly number[], o: RandomOptions = {}): Float32Array {
    const [lo, hi] = [o.lo ?? 0.1, o.hi ?? 1];
    return Float32Array.from({ length: elementCount(dims) }, () => {
      const m = lo + (hi - lo) * this.rng.next();
      return o.positive || this.rng.next() < 0.5 ? m : -m;
    });
  }

  /** A differentiated tensor with random values. */
  param(name: string, dims: readonly number[], o: RandomOptions = {}): Value {
    return this.graph.parameter(name, tensor('float32', dims, this.values(dims, o)));
  }

  /** A float constant with random values (not differentiated). */
  constant(dims: readonly number[], o: RandomOptions = {}): Value {
    return this.graph.constant(tensor('float32', dims, this.values(dims, o)));
  }

  /** A random bool constant, for Where. */
  mask(dims: readonly number[]): Value {
    return this.graph.constant(
      tensor(
        'bool',
        dims,
        Uint8Array.from({ length: elementCount(dims) }, () => (this.rng.next() < 0.5 ? 1 : 0)),
      ),
    );
  }
}

export interface GradientComparison {
  /** Per parameter: max |ORT - reference| / max(|reference|, floor) over the checked elements. */
  readonly errors: ReadonlyMap<string, number>;
  readonly maxError: number;
  /**
   * The same for the backward graph evaluated by the float64 interpreter instead of ORT: it
   * separates the rules' exactness from float32 rounding, and checks the interpreter's kernels
   * (ConvTranspose, Slice, Pad, Expand ...) that only backward graphs use.
   */
  readonly float64MaxError: number;
}

/** Largest magnitude of an array or of a map's values. */
export function maxAbs(values: Iterable<number>): number {
  let m = 0;
  for (const v of values) m = Math.max(m, Math.abs(v));
  return m;
}

/**
 * Relative error with a floor: elements whose true gradient nearly cancels to zero are judged
 * against 1e-3 of the parameter's largest gradient (float32 sums cannot resolve them better).
 * `scale` is that largest gradient; by default the largest reference value.
 */
export function relativeError(
  analytic: ArrayLike<number>,
  reference: ReadonlyMap<number, number>,
  scale = maxAbs(reference.values()),
): number {
  const floor = Math.max(1e-3 * scale, 1e-12);
  let worst = 0;
  for (const [i, ref] of reference)
    worst = Math.max(worst, Math.abs((analytic[i] as number) - ref) / Math.max(Math.abs(ref), floor));
  return worst;
}

/** relativeError over every element of two arrays of the same length, with the floor at `floorFraction` of `scale`. */
export function arrayRelativeError(
  analytic: ArrayLike<number>,
  reference: ArrayLike<number>,
  scale: number,
  floorFraction = 1e-3,
): number {
  const floor = Math.max(floorFraction * scale, 1e-12);
  let worst = 0;
  for (let i = 0; i < reference.length; i++) {
    const ref = reference[i] as number;
    worst = Math.max(worst, Math.abs((analytic[i] as number) - ref) / Math.max(Math.abs(ref), floor));
  }
  return worst;
}

/**
 * Central differences (f(p + eps) - f(p - eps)) / 2 eps of a scalar in float64, for the listed
 * elements of a parameter; only the nodes after the parameter are re-evaluated.
 */
export function finiteDifferences(
  graph: Graph,
  loss: Value,
  param: string,
  p: RefTensor,
  elements: Iterable<number>,
  base: ReadonlyMap<Value, RefTensor>,
  eps = 1e-6,
): Map<number, number> {
  const out = new Map<number, number>();
  for (const i of elements) {
    const probe = (delta: number) => {
      const data = p.data.slice();
      data[i] = (data[i] as number) + delta;
      return scalarOf(evaluate(graph, [loss], { [param]: refTensor(p.dims, data, p.dtype) }, base), loss);
    };
    out.set(i, (probe(eps) - probe(-eps)) / (2 * eps));
  }
  return out;
}

/** The parameters' initial values in float64 (the same float32 numbers ORT gets). */
export function parameterFeeds(graph: Graph): Record<string, RefTensor> {
  const feeds: Record<string, RefTensor> = {};
  for (const [name, p] of graph.parameters) feeds[name] = fromTensorData(p.init);
  return feeds;
}

/** Runs a graph in onnxruntime-node, feeding every parameter (exported as an input) plus `extra`. */
export async function runWithOrt(
  graph: Graph,
  extra: Readonly<Record<string, OrtTensor>> = {},
): Promise<Record<string, OrtTensor>> {
  const session = await createSession(exportModel(graph, { parametersAs: 'inputs' }), { threads: 1 });
  const feeds: Record<string, OrtTensor> = { ...extra };
  for (const [name, p] of graph.parameters) feeds[name] = float32Tensor(p.init.data as Float32Array, p.init.dims);
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}

/**
 * The whole check for a small graph: loss = ReduceSum(out * R) with R a fixed random constant,
 * gradients of every parameter from ORT, and float64 central differences of every element.
 */
export async function checkGradients(ctx: CaseContext, out: Value, rules?: GradRules): Promise<GradientComparison> {
  const { graph } = ctx;
  const R = ctx.constant(out.shape as number[], { lo: 0.2, hi: 1 });
  const loss = op.reduceSum(op.mul(out, R));
  const params = [...graph.parameters.values()].map((p) => p.value);
  const feeds: Feeds = parameterFeeds(graph);
  const base = evaluate(graph, [loss], feeds);
  const grads = backward(loss, params, rules ? { rules } : {});
  for (const p of params) graph.output(grads.get(p) as Value, `grad.${p.name}`);
  const results = await runWithOrt(graph);
  const interpreted = evaluate(graph, graph.outputs, feeds);
  const errors = new Map<string, number>();
  let float64MaxError = 0;
  for (const [k, p] of params.entries()) {
    const t = feeds[p.name] as RefTensor;
    const reference = finiteDifferences(graph, loss, p.name, t, t.data.keys(), base);
    const analytic = results[`grad.${p.name}`]?.data as Float32Array | undefined;
    if (!analytic || analytic.length !== t.data.length) throw new Error(`no gradient of the right size for ${p.name}`);
    errors.set(p.name, relativeError(analytic, reference));
    float64MaxError = Math.max(
      float64MaxError,
      relativeError((interpreted.get(graph.outputs[k] as Value) as RefTensor).data, reference),
    );
  }
  return { errors, maxError: Math.max(...errors.values()), float64MaxError };
}
