// The training step of an ONNX model that onnxgrad did not build (a PyTorch export): imported
// into the graph builder in training mode, checked for gradient rules, and compiled by the same
// compileTrainStep as the practical's CNN. Also the forward model a build-graph folder keeps for
// it: the user's own file in inference form, with a `probabilities` output for serve and the demo.
import type { Value } from '../ir/graph.js';
import { importModel } from '../onnx/import.js';
import { type GraphImport, importGraph } from '../onnx/to-graph.js';
import { trainedModel } from '../onnx/trained-model.js';
import { RULE_TABLES } from '../passes/index.js';
import { stepForm } from '../passes/forms.js';
import { compileTrainStep, LOSSES, type TrainStep } from './compile-step.js';
import { checkDifferentiable } from './differentiable.js';
import { type FreezeOptions, trainableFilter } from './freeze.js';
import { trainableOps } from './supported-ops.js';
import { INFERENCE_MODEL_FILE, writeCompiledStep, type WrittenTrainStep } from './graph-dir.js';
import { writeFileAtomic } from '../atomic-file.js';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface ImportStepOptions extends FreezeOptions {
  readonly optimizer: string;
  readonly batchSize: number;
  readonly form: string;
  readonly nchwcBlock?: number | null;
  /** A key of LOSSES; by default cross-entropy, or nll when the output comes from LogSoftmax. */
  readonly loss?: string;
  /** The output to train on, where the model has several. */
  readonly output?: string;
}

export interface ImportedStep {
  readonly step: TrainStep;
  /** The user's model in inference form (initial weights), with a `probabilities` output. */
  readonly model: Uint8Array;
  /** The output trained on, and how its values are read (for the probabilities output). */
  readonly output: { readonly name: string; readonly of: 'logits' | 'log-probabilities' };
  readonly loss: string;
  /** Choices made for the user, to tell them: e.g. the NLL loss for a LogSoftmax output. */
  readonly notes: readonly string[];
  readonly parameters: { readonly trained: readonly string[]; readonly frozen: readonly string[] };
}

function chooseOutput(
  imported: GraphImport,
  wanted: string | undefined,
): { name: string; value: Value; opType: string } {
  const names = imported.outputs.map((o) => o.name);
  if (wanted !== undefined) {
    const found = imported.outputs.find((o) => o.name === wanted);
    if (!found) throw new Error(`--output '${wanted}': the model has no such output (it has: ${names.join(', ')})`);
    return found;
  }
  const [only, ...rest] = imported.outputs;
  if (!only) throw new Error('the model has no outputs');
  if (rest.length > 0)
    throw new Error(`the model has ${names.length} outputs (${names.join(', ')}); choose one with --output NAME`);
  return only;
}

export function compileImportedStep(bytes: Uint8Array, o: ImportStepOptions): ImportedStep {
  const model = importModel(bytes);
  const inputs = model.inputs.filter((v) => !model.initializers.has(v.name));
  if (inputs.length !== 1)
    throw new Error(
      `the model has ${inputs.length} inputs (${inputs.map((v) => v.name).join(', ')}); onnxgrad trains models with one image input`,
    );
  const probe = importGraph(model, { batchSize: o.batchSize, training: true });
  const names = [...probe.graph.parameters.keys()];
  const frozenAsked = (o.freeze?.length ?? 0) > 0 || (o.trainOnly?.length ?? 0) > 0;
  const trainable = frozenAsked ? trainableFilter(names, o) : () => true;
  const imported = frozenAsked ? importGraph(model, { batchSize: o.batchSize, training: true, trainable }) : probe;
  const output = chooseOutput(imported, o.output);
  const notes: string[] = [];
  const logProbabilities = output.opType === 'LogSoftmax';
  const loss = o.loss ?? (logProbabilities ? 'nll' : 'cross-entropy');
  if (!(loss in LOSSES)) throw new Error(`unknown loss '${loss}' (known: ${Object.keys(LOSSES).join(', ')})`);
  if (o.loss === undefined && logProbabilities)
    notes.push(
      `the output '${output.name}' comes from LogSoftmax: training with the negative log-likelihood (--loss nll)`,
    );
  const params = [...imported.graph.parameters.values()].map((p) => p.value);
  const form = stepForm(o.form);
  checkDifferentiable(
    output.value,
    params,
    RULE_TABLES[form.rules],
    imported.origin,
    trainableOps(RULE_TABLES[form.rules]),
  );
  const compiled = compileTrainStep({
    graph: imported.graph,
    output: output.value,
    loss,
    optimizer: o.optimizer,
    batchSize: o.batchSize,
    form: form.name,
    nchwcBlock: o.nchwcBlock ?? null,
    noise: imported.dropout.map((d) => ({ input: d.noise, rate: d.rate })),
    buffers: imported.state.map((s) => ({ input: s.input, next: s.next })),
  });
  // the loss reads this output of the forward model (the folder's model.onnx), by its name there
  const step = {
    ...compiled,
    manifest: { ...compiled.manifest, loss: { ...compiled.manifest.loss, output: output.name } },
  };
  const of = logProbabilities || loss === 'nll' ? 'log-probabilities' : 'logits';
  return {
    step,
    model: trainedModel(bytes, { probabilities: { from: output.name, of } }),
    output: { name: output.name, of },
    loss,
    notes,
    parameters: { trained: names.filter(trainable), frozen: names.filter((n) => !trainable(n)) },
  };
}

export interface WrittenImport extends ImportedStep {
  readonly modelPath: string;
  readonly written: WrittenTrainStep;
}

/** A build-graph folder for an imported model: DIR/model.onnx (the user's file, inference form) and its step. */
export function writeImportedGraphDir(bytes: Uint8Array, dir: string, o: ImportStepOptions): WrittenImport {
  const made = compileImportedStep(bytes, o);
  mkdirSync(dir, { recursive: true });
  const modelPath = resolve(join(dir, INFERENCE_MODEL_FILE));
  writeFileAtomic(modelPath, made.model);
  return { ...made, modelPath, written: writeCompiledStep(made.step, dir) };
}
