// Adam (Kingma & Ba) with bias correction, as PyTorch defines it:
//   m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2
//   p = p - (lr / (1 - b1^t)) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
// The last line is emitted as p - m / (sqrt(v) * a + b) with the scalars
//   a = 1 / (stepSize * sqrt(1 - b2^t)),  b = eps / stepSize,  stepSize = lr / (1 - b1^t),
// one pass fewer over every parameter (the update is memory bound).
// AdamW first decays the weights: p = p (1 - lr wd) (decoupled weight decay).
import * as op from '../ops/index.js';
import type { Optimizer, StepInputs, UpdateInput } from './optimizer.js';

export interface AdamOptions {
  readonly beta1?: number;
  readonly beta2?: number;
  readonly eps?: number;
  readonly weightDecay?: number;
}

function adamLike(name: string, o: AdamOptions, decoupledDecay: number): Optimizer {
  const hyper = { beta1: o.beta1 ?? 0.9, beta2: o.beta2 ?? 0.999, eps: o.eps ?? 1e-8, weightDecay: decoupledDecay };
  return {
    name,
    slots: ['m', 'v'],
    hyper,
    prepare({ lr, step }: StepInputs) {
      const graph = lr.graph;
      const correction1 = op.sub(1, op.pow(op.scalar(graph, hyper.beta1), step));
      const correction2 = op.sub(1, op.pow(op.scalar(graph, hyper.beta2), step));
      const stepSize = op.div(lr, correction1);
      const a = op.div(1, op.mul(stepSize, op.sqrt(correction2)));
      const b = op.div(hyper.eps, stepSize);
      const decay = decoupledDecay > 0 ? op.sub(1, op.mul(lr, decoupledDecay)) : null;
      return ({ param, grad, state: [m, v] }: UpdateInput) => {
        if (!m || !v) throw new Error(`${name}: missing state for ${param.name}`);
        const m2 = op.add(op.mul(m, hyper.beta1), op.mul(grad, 1 - hyper.beta1));
        const v2 = op.add(op.mul(v, hyper.beta2), op.mul(op.mul(grad, grad), 1 - hyper.beta2));
        const denom = op.add(op.mul(op.sqrt(v2), a), b);
        const decayed = decay ? op.mul(param, decay) : param;
        return { param: op.sub(decayed, op.div(m2, denom)), state: [m2, v2] };
      };
    },
  };
}

export const adam = (o: AdamOptions = {}): Optimizer => adamLike('adam', o, 0);
export const adamW = (o: AdamOptions = {}): Optimizer => adamLike('adamw', o, o.weightDecay ?? 0.01);
