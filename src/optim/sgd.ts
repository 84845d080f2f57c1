// Plain SGD, SGD with (Nesterov) momentum, and RMSprop, as PyTorch defines them.
import * as op from '../ops/index.js';
import type { Optimizer, StepInputs, UpdateInput } from './optimizer.js';

/** p = p - lr g */
export function sgd(): Optimizer {
  return {
    name: 'sgd',
    slots: [],
    hyper: {},
    prepare:
      ({ lr }: StepInputs) =>
      ({ param, grad }: UpdateInput) => ({ param: op.sub(param, op.mul(lr, grad)), state: [] }),
  };
}

/** buf = mu buf + g;  p = p - lr buf  (Nesterov: p = p - lr (g + mu buf)) */
export function momentum(o: { momentum?: number; nesterov?: boolean } = {}): Optimizer {
  const mu = o.momentum ?? 0.9;
  const nesterov = o.nesterov ?? false;
  return {
    name: nesterov ? 'nesterov' : 'momentum',
    slots: ['buf'],
    hyper: { momentum: mu },
    prepare:
      ({ lr }: StepInputs) =>
      ({ param, grad, state: [buf] }: UpdateInput) => {
        if (!buf) throw new Error(`momentum: missing state for ${param.name}`);
        const buf2 = op.add(op.mul(buf, mu), grad);
        const direction = nesterov ? op.add(grad, op.mul(buf2, mu)) : buf2;
        return { param: op.sub(param, op.mul(lr, direction)), state: [buf2] };
      },
  };
}

/** sq = a sq + (1 - a) g^2;  p = p - lr g / (sqrt(sq) + eps) */
export function rmsprop(o: { alpha?: number; eps?: number } = {}): Optimizer {
  const alpha = o.alpha ?? 0.99;
  const eps = o.eps ?? 1e-8;
  return {
    name: 'rmsprop',
    slots: ['sq'],
    hyper: { alpha, eps },
    prepare:
      ({ lr }: StepInputs) =>
      ({ param, grad, state: [sq] }: UpdateInput) => {
        if (!sq) throw new Error(`rmsprop: missing state for ${param.name}`);
        const sq2 = op.add(op.mul(sq, alpha), op.mul(op.mul(grad, grad), 1 - alpha));
        return { param: op.sub(param, op.mul(lr, op.div(grad, op.add(op.sqrt(sq2), eps)))), state: [sq2] };
      },
  };
}
