// Reverse-mode differentiation of a graph: a reverse sweep over the nodes (which the builder
// already keeps in topological order), one rule per op from the table, with fan-out summed and
// broadcasting undone here, centrally, so that no rule has to.
import type { Node, Value } from '../ir/graph.js';
import { formatShape, sameShape, staticSize } from '../ir/shape.js';
import { isFloat } from '../ir/dtype.js';
import * as op from '../ops/index.js';
import type { GradRules } from './rule.js';
import { GRAD_RULES } from './rules/index.js';

/** Values between `wrt` and `loss`: the only ones worth differentiating. */
function valuesOnPath(nodes: readonly Node[], wrt: readonly Value[], detached: ReadonlySet<Value>): Set<Value> {
  const dependsOnWrt = new Set<Value>(wrt);
  for (const n of nodes) {
    if (n.inputs.some((v) => v && dependsOnWrt.has(v))) {
      for (const out of n.outputs) if (isFloat(out.dtype) && !detached.has(out)) dependsOnWrt.add(out);
    }
  }
  return dependsOnWrt;
}

/**
 * Sums a gradient over the axes along which `target` was broadcast, then gives it target's
 * shape: the adjoint of numpy broadcasting.
 */
export function unbroadcast(grad: Value, target: Value): Value {
  if (sameShape(grad.shape, target.shape)) return grad;
  const lead = grad.rank - target.rank;
  const axes: number[] = [];
  grad.shape.forEach((d, i) => {
    if (i < lead || (target.shape[i - lead] === 1 && d !== 1)) axes.push(i);
  });
  const summed = axes.length > 0 ? op.reduceSum(grad, axes, true) : grad;
  if (sameShape(summed.shape, target.shape)) return summed;
  return staticSize(target.shape) !== undefined
    ? op.reshape(summed, target.shape as number[])
    : op.reshapeLike(summed, target);
}

export interface BackwardOptions {
  /** The gradient rule of each op type (default GRAD_RULES; src/autodiff/rules/index.ts). */
  readonly rules?: GradRules;
}

/**
 * d(loss)/d(each of wrt). `loss` must be a float scalar. A parameter the loss ignores gets zeros.
 * Pure differentiation: it only adds nodes; rewrites for speed are passes (src/passes/).
 */
export function backward(loss: Value, wrt: readonly Value[], options: BackwardOptions = {}): Map<Value, Value> {
  const rules = options.rules ?? GRAD_RULES;
  const graph = loss.graph;
  if (loss.rank !== 0 || !isFloat(loss.dtype))
    throw new Error(`backward: the loss must be a float scalar, got ${loss.toString()}`);
  const onPath = valuesOnPath(graph.nodes, wrt, graph.detached);
  if (!onPath.has(loss))
    throw new Error(`backward: ${loss.name} does not depend on any of ${wrt.map((v) => v.name).join(', ')}`);

  const grads = new Map<Value, Value>([[loss, op.scalar(graph, 1, loss.dtype)]]);
  const accumulate = (v: Value, g: Value) => {
    const fitted = unbroadcast(g, v);
    if (!sameShape(fitted.shape, v.shape)) {
      throw new Error(
        `backward: gradient for ${v.name} has shape ${formatShape(fitted.shape)}, expected ${formatShape(v.shape)}`,
      );
    }
    const previous = grads.get(v);
    grads.set(v, previous ? op.add(previous, fitted) : fitted);
  };

  const nodes = graph.nodes.slice(); // rules append nodes; sweep only the forward ones
  for (let k = nodes.length - 1; k >= 0; k--) {
    const node = nodes[k] as Node;
    const outGrads = node.outputs.map((o) => grads.get(o) ?? null);
    const needs = node.inputs.map((v) => v !== null && onPath.has(v));
    if (outGrads.every((g) => g === null) || !needs.some(Boolean)) continue;
    const rule = rules[node.opType];
    if (!rule) throw new Error(`backward: no gradient rule for ${node.opType} (node ${node.name})`);
    const inGrads = rule({ node, inputs: node.inputs, outputs: node.outputs, grads: outGrads, needs });
    if (inGrads.length !== node.inputs.length) {
      throw new Error(
        `backward: the ${node.opType} rule returned ${inGrads.length} gradients for ${node.inputs.length} inputs (node ${node.name})`,
      );
    }
    inGrads.forEach((g, i) => {
      const v = node.inputs[i];
      if (g && v && needs[i]) accumulate(v, g);
    });
  }
  return new Map(wrt.map((v) => [v, grads.get(v) ?? op.expand(op.scalar(graph, 0, v.dtype), v.shape as number[])]));
}
