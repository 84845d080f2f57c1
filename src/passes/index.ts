// What the names in a step form (forms.ts) stand for: the rule tables and the passes, and the
// pipeline that applies a form's passes to a graph.
import type { GradRules } from '../autodiff/rule.js';
import { GRAD_RULES, IM2COL_GRAD_RULES } from '../autodiff/rules/index.js';
import type { Graph, Value } from '../ir/graph.js';
import type { ForwardPassName, RuleTableName, StepForm, StepPassName } from './forms.js';
import { useNchwcForImageConvs } from './nchwc.js';
import { padPastTranspose } from './pad-past-transpose.js';
import { poolBeforeRelu } from './pool-before-relu.js';
import { rebuild, type Rebuilt } from './rebuild.js';
import { sharePatches } from './share-patches.js';

export const RULE_TABLES: Readonly<Record<RuleTableName, GradRules>> = Object.freeze({
  default: GRAD_RULES,
  im2col: IM2COL_GRAD_RULES,
});

/** What a step pass may need to know about the machine it is built for. */
export interface PassContext {
  /** This CPU's NCHWc block size (src/runtime/node.ts nchwcBlockSize); null: no NCHWc kernels. */
  readonly nchwcBlock: number | null;
}

export const FORWARD_PASSES: Readonly<Record<ForwardPassName, (graph: Graph) => Rebuilt>> = Object.freeze({
  'pool-before-relu': poolBeforeRelu,
});

export const STEP_PASSES: Readonly<Record<StepPassName, (graph: Graph, context: PassContext) => number>> =
  Object.freeze({
    'pad-past-transpose': (graph) => padPastTranspose(graph),
    'share-patches': (graph) => sharePatches(graph),
    nchwc: (graph, context) => (context.nchwcBlock ? useNchwcForImageConvs(graph, context.nchwcBlock) : 0),
  });

/** How many places each pass changed, by pass name. */
export type PassCounts = Record<string, number>;

/**
 * A copy of the forward graph with the form's forward passes applied (a plain copy when it has
 * none): the caller's graph is left as it was. `values` maps the caller's values to the copy's.
 */
export function runForwardPasses(graph: Graph, form: StepForm, counts: PassCounts): Rebuilt {
  let result = rebuild(graph);
  for (const name of form.forwardPasses) {
    const next = FORWARD_PASSES[name](result.graph);
    const values = new Map<Value, Value>();
    for (const [old, v] of result.values) {
      const moved = next.values.get(v);
      if (moved) values.set(old, moved);
    }
    result = { graph: next.graph, values, changed: result.changed + next.changed };
    counts[name] = next.changed;
  }
  return result;
}

/** The form's step passes, in order, in place. */
export function runStepPasses(graph: Graph, form: StepForm, context: PassContext, counts: PassCounts): void {
  for (const name of form.stepPasses) counts[name] = STEP_PASSES[name](graph, context);
}
