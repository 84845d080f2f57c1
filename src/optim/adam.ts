// Adam (Kingma & Ba) with bias correction, as PyTorch defines it:
//   m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2
//   p = p - (lr / (1 - b1^t)) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
// The update is memory bound (fc1's 1M floats: about 0.55 ms a pass on one thread), so it takes
// as few passes as ONNX allows, 10 per parameter instead of 12:
//  - the state is stored scaled, M = m / (1 - b1) and V = v / (1 - b2) (`stateScale`), so the
//    moments are M = b1 M + g (2 passes) and V = b2 V + g^2 (3);
//  - p = p - M / (sqrt(V) a + b) (5 passes), with the scalars, stepSize = lr / (1 - b1^t),
//    a = sqrt(1 - b2) / (stepSize (1 - b1) sqrt(1 - b2^t)) and b = eps / (stepSize (1 - b1)).
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
    stateScale: [1 / (1 - hyper.beta1), 1 / (1 - hyper.beta2)],
    hyper,
    prepare({ lr, step }: StepInputs) {
      const graph = lr.graph;
      const correction1 = op.sub(1, op.pow(op.scalar(graph, hyper.beta1), step));
      const correction2 = op.sub(1, op.pow(op.scalar(graph, hyper.beta2), step));
      const scaledStep = op.mul(op.div(lr, correction1), 1 - hyper.beta1);
      const a = op.div(Math.sqrt(1 - hyper.beta2), op.mul(scaledStep, op.sqrt(correction2)));
      const b = op.div(hyper.eps, scaledStep);
      const decay = decoupledDecay > 0 ? op.sub(1, op.mul(lr, decoupledDecay)) : null;
      return ({ param, grad, state: [m, v] }: UpdateInput) => {
        if (!m || !v) throw new Error(`${name}: missing state for ${param.name}`);
        const m2 = op.add(op.mul(m, hyper.beta1), grad);
        const v2 = op.add(op.mul(v, hyper.beta2), op.mul(grad, grad));
        const denom = op.add(op.mul(op.sqrt(v2), a), b);
        const decayed = decay ? op.mul(param, decay) : param;
        return { param: op.sub(decayed, op.div(m2, denom)), state: [m2, v2] };
      };
    },
  };
}

export const adam = (o: AdamOptions = {}): Optimizer => adamLike('adam', o, 0);
export const adamW = (o: AdamOptions = {}): Optimizer => adamLike('adamw', o, o.weightDecay ?? 0.01);
