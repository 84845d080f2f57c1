// BatchNormalization and LayerNormalization. A training-mode BatchNormalization (training_mode 1,
// as PyTorch exports a module in train()) becomes, in a training graph, normalisation by the
// batch's statistics with the running mean and variance carried from step to step as state and
// updated with the node's momentum; in an inference graph, and for a node in inference mode, the
// running statistics are constants.
import type { Value } from '../../ir/graph.js';
import * as op from '../../ops/index.js';
import { float, type ImportContext, int, type OpImporter, single } from './context.js';

function batchNormalization(c: ImportContext): (Value | null)[] {
  const [x, scale, bias] = [c.value(0), c.value(1), c.value(2)];
  const epsilon = float(c, 'epsilon', 1e-5);
  const momentum = float(c, 'momentum', 0.9);
  if (c.training && int(c, 'training_mode', 0) === 1) {
    const [mean, variance] = [c.stateInput(3), c.stateInput(4)];
    const made = op.batchNormalizationTraining(x, scale, bias, mean, variance, { epsilon, momentum });
    c.stateNext(mean, made.runningMean);
    c.stateNext(variance, made.runningVar);
    return [made.y, made.runningMean, made.runningVar];
  }
  return [op.batchNormalization(x, scale, bias, c.constantValue(3), c.constantValue(4), { epsilon })];
}

export const normalizationImporters: Record<string, OpImporter> = {
  BatchNormalization: {
    build: batchNormalization,
    trains:
      'gradient rule; in training mode by the batch statistics (portable ops), running statistics carried as state',
  },
  LayerNormalization: {
    build: (c) => {
      if (c.node.outputs.slice(1).some(Boolean)) throw c.fail('its Mean and InvStdDev outputs are not supported');
      return [
        op.layerNormalization(c.value(0), c.value(1), c.optional(2), {
          axis: int(c, 'axis', -1),
          epsilon: float(c, 'epsilon', 1e-5),
        }),
      ];
    },
  },
};
