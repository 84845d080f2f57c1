// The one table of op importers, keyed by ONNX op type: each rebuilds a node with the op
// builders, so shapes are inferred (and checked) as the graph is made.
import type { OpImporter } from './context.js';
import { convImporters } from './conv.js';
import { dropoutImporters } from './dropout.js';
import { elementwiseImporters } from './elementwise.js';
import { linearImporters } from './linear.js';
import { normalizationImporters } from './normalization.js';
import { reduceImporters } from './reduce.js';
import { shapeImporters } from './shape.js';

export const OP_IMPORTERS: Readonly<Record<string, OpImporter>> = Object.freeze({
  ...elementwiseImporters,
  ...linearImporters,
  ...convImporters,
  ...reduceImporters,
  ...shapeImporters,
  ...dropoutImporters,
  ...normalizationImporters,
});
