// The named forms of a training step: which gradient rule table it is differentiated with and
// which rewrite passes it gets, for the runtime that will run it. One frozen table, read here
// only: build-graph, train, serve, bench, compare-steps and the web pages choose a form by name,
// and the manifest records that name. Pure data (the page imports it); the rule tables and passes
// the names stand for are src/autodiff/rules/index.ts and src/passes/index.ts.

/** The gradient rule tables: 'default' (GRAD_RULES) and 'im2col' (IM2COL_GRAD_RULES). */
export type RuleTableName = 'default' | 'im2col';
/** Rewrites of the forward graph, before differentiation (each replays it into a fresh graph). */
export type ForwardPassName = 'pool-before-relu';
/** Rewrites of the differentiated step, in place, in this order. */
export type StepPassName = 'pad-past-transpose' | 'share-patches' | 'nchwc';

export interface StepForm {
  readonly name: FormName;
  /** What runs it, for help texts and errors. */
  readonly runsOn: string;
  readonly rules: RuleTableName;
  readonly forwardPasses: readonly ForwardPassName[];
  readonly stepPasses: readonly StepPassName[];
}

export const FORM_NAMES = ['node-cpu', 'wasm', 'webgpu', 'portable'] as const;
export type FormName = (typeof FORM_NAMES)[number];

const form = (f: StepForm): StepForm => Object.freeze({ ...f });

/**
 * node-cpu: im2col gradients (large GEMMs, which beat ORT's Conv and ConvTranspose on any number
 * of threads: compare-steps 35.7 vs 38.8 ms a step on one thread), the patches shared with the
 * forward convolutions, and the image convolution as ORT's NCHWc Conv for this CPU's block size
 * (probed at build time; a CPU without the kernels gets none).
 * wasm: the same without contrib ops: onnxruntime-web's WASM (101 vs 113 ms a step against the
 * conv form), and onnxruntime-node where NCHWc is off (--no-nchwc, CUDA).
 * webgpu and portable: the conv form, ORT's own Conv and ConvTranspose, which WebGPU trains with;
 * portable is the one meant for any ONNX runtime (standard ops only).
 */
export const STEP_FORMS: Readonly<Record<FormName, StepForm>> = Object.freeze({
  'node-cpu': form({
    name: 'node-cpu',
    runsOn: 'onnxruntime-node, CPU provider, a CPU of this kind',
    rules: 'im2col',
    forwardPasses: ['pool-before-relu'],
    stepPasses: ['pad-past-transpose', 'share-patches', 'nchwc'],
  }),
  wasm: form({
    name: 'wasm',
    runsOn: "onnxruntime-web's WASM, or onnxruntime-node without NCHWc",
    rules: 'im2col',
    forwardPasses: ['pool-before-relu'],
    stepPasses: ['pad-past-transpose', 'share-patches'],
  }),
  webgpu: form({
    name: 'webgpu',
    runsOn: "WebGPU: onnxruntime-web's, and onnxruntime-node's (--ep webgpu)",
    rules: 'default',
    forwardPasses: ['pool-before-relu'],
    stepPasses: [],
  }),
  portable: form({
    name: 'portable',
    runsOn: 'any ONNX runtime (standard ops only)',
    rules: 'default',
    forwardPasses: ['pool-before-relu'],
    stepPasses: [],
  }),
});

/** The form of this name, or a one-line error listing the known ones. */
export function stepForm(name: string): StepForm {
  const found = (STEP_FORMS as Readonly<Record<string, StepForm>>)[name];
  if (!found) throw new Error(`unknown step form '${name}' (known: ${FORM_NAMES.join(', ')})`);
  return found;
}

/** Whether the form lays the image convolution out for this CPU's NCHWc kernels (a block size to probe). */
export const usesNchwc = (f: StepForm): boolean => f.stepPasses.includes('nchwc');

/** The conv-gradient form a manifest reports ('im2col' or 'conv'), from the rule table. */
export const convGradientsOf = (f: StepForm): 'conv' | 'im2col' => (f.rules === 'im2col' ? 'im2col' : 'conv');

/**
 * Where a form is chosen from the older flags: --conv-gradients auto|conv|im2col (auto: im2col,
 * the form for onnxruntime-node) and --no-nchwc.
 */
export function formForFlags(o: { convGradients: 'auto' | 'conv' | 'im2col'; nchwc: boolean }): FormName {
  if (o.convGradients === 'conv') return 'portable';
  return o.nchwc ? 'node-cpu' : 'wasm';
}

/** The form train builds for onnxruntime-node: NCHWc only with the CPU provider; the conv form on WebGPU. */
export const formForDevice = (device: string, nchwc: boolean): FormName =>
  device === 'webgpu' ? 'webgpu' : formForFlags({ convGradients: 'im2col', nchwc: nchwc && device === 'cpu' });

/** The forms the training page runs, by provider. */
export const PAGE_FORMS: Readonly<Record<'webgpu' | 'wasm', FormName>> = Object.freeze({
  webgpu: 'webgpu',
  wasm: 'wasm',
});
