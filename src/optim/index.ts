// Optimizers by name, with the learning rate each starts from when none is given.
import { adam, adamW } from './adam.js';
import type { Optimizer } from './optimizer.js';
import { momentum, rmsprop, sgd } from './sgd.js';

export type OptimizerName = 'adam' | 'adamw' | 'sgd' | 'momentum' | 'nesterov' | 'rmsprop';

export const OPTIMIZERS: Readonly<Record<OptimizerName, { create: () => Optimizer; defaultLr: number }>> =
  Object.freeze({
    adam: { create: () => adam(), defaultLr: 1e-4 },
    adamw: { create: () => adamW(), defaultLr: 1e-4 },
    sgd: { create: () => sgd(), defaultLr: 1e-2 },
    momentum: { create: () => momentum(), defaultLr: 1e-2 },
    nesterov: { create: () => momentum({ nesterov: true }), defaultLr: 1e-2 },
    rmsprop: { create: () => rmsprop(), defaultLr: 1e-4 },
  });

export const OPTIMIZER_NAMES = Object.keys(OPTIMIZERS) as OptimizerName[];

export function createOptimizer(name: string): Optimizer {
  const entry = OPTIMIZERS[name as OptimizerName];
  if (!entry) throw new Error(`unknown optimizer '${name}' (known: ${OPTIMIZER_NAMES.join(', ')})`);
  return entry.create();
}

export type { Optimizer } from './optimizer.js';
export { stateName } from './optimizer.js';
