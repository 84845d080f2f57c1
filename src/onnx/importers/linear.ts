// Matrix products.
import * as op from '../../ops/index.js';
import { float, int, type OpImporter, single } from './context.js';

export const linearImporters: Record<string, OpImporter> = {
  Gemm: {
    build: single((c) =>
      op.gemm(c.value(0), c.value(1), c.optional(2), {
        transA: int(c, 'transA', 0) === 1,
        transB: int(c, 'transB', 0) === 1,
        alpha: float(c, 'alpha', 1),
        beta: float(c, 'beta', 1),
      }),
    ),
  },
  MatMul: { build: single((c) => op.matMul(c.value(0), c.value(1))) },
};
