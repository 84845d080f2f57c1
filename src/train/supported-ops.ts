// What an imported model may contain, op by op: generated from the importer table, the folding
// table and the gradient rule table, so the README's table (test/onnx/supported-ops.test.ts
// keeps it equal to this) cannot go stale.
import { GRAD_RULES } from '../autodiff/rules/index.js';
import { FOLDERS } from '../onnx/fold.js';
import { OP_IMPORTERS } from '../onnx/importers/index.js';
import { importableOps } from '../onnx/to-graph.js';

/** Ops whose outputs are never differentiated: comparisons (bool) and index or shape computations. */
const NO_GRADIENT_NEEDED: ReadonlySet<string> = new Set(['Equal', 'Less', 'Greater', 'Not', 'Shape']);

export interface OpSupport {
  readonly op: string;
  /** How it is imported. */
  readonly imported: string;
  /** How it trains. */
  readonly training: string;
  /** Whether a model with it between a parameter and the loss trains. */
  readonly trains: boolean;
}

export function opSupport(rules: Readonly<Record<string, unknown>> = GRAD_RULES): OpSupport[] {
  return importableOps().map((name): OpSupport => {
    const importer = OP_IMPORTERS[name];
    const folds = name in FOLDERS || name === 'Shape';
    const imported =
      name === 'Shape'
        ? 'folded to a constant (shapes are static once the batch size is fixed)'
        : importer
          ? folds
            ? 'yes (folded when its inputs are known)'
            : 'yes'
          : 'when its inputs are known: folded to a constant';
    if (name in rules) return { op: name, imported, training: 'gradient rule', trains: true };
    if (importer?.trains) return { op: name, imported, training: importer.trains, trains: true };
    if (NO_GRADIENT_NEEDED.has(name)) return { op: name, imported, training: 'no gradient needed', trains: true };
    if (!importer) return { op: name, imported, training: 'constant', trains: true };
    return { op: name, imported, training: 'inference only (no gradient rule yet)', trains: false };
  });
}

/** The ONNX ops a training graph can pass a gradient through. */
export const trainableOps = (rules: Readonly<Record<string, unknown>> = GRAD_RULES): string[] =>
  opSupport(rules)
    .filter((s) => s.trains)
    .map((s) => s.op);

/** The README's table. */
export function supportedOpsMarkdown(): string {
  const rows = opSupport().map((s) => `| ${s.op} | ${s.imported} | ${s.training} |`);
  return ['| ONNX op | import | training |', '| --- | --- | --- |', ...rows].join('\n');
}
