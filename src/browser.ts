// onnxgrad's public entry for the browser (package.json's `browser` condition): everything that
// needs neither the file system nor onnxruntime-node. The Node entry (index.ts) adds those.

/** Graph building: typed values, the nodes that make them, named inputs, parameters and outputs. */
export { Graph, liveNodes, type Node, type Value, type ValueKind } from './ir/graph.js';
/** The element types a value can have. */
export type { DType } from './ir/dtype.js';
/** A shape: numbers for static dimensions, names (`N`) for symbolic ones. */
export type { Dim, Shape } from './ir/shape.js';
/** A tensor's element type, dimensions and data; `float32` and `int64` make one. */
export { float32, int64, type TensorArray, type TensorData, tensor } from './ir/tensor.js';

/** The op builders (`op.conv2d`, `op.relu`, `op.gemm` ...): each infers its output's shape or throws naming the op. */
export * as op from './ops/index.js';
/** Layer helpers in the spirit of PyTorch's nn, naming parameters as its state_dict does (`conv1.weight`). */
export * as nn from './nn/index.js';

/** Reverse-mode differentiation with a table of gradient rules (the default one, or im2col's for convolutions). */
export { backward, type BackwardOptions } from './autodiff/backward.js';
export { GRAD_RULES, IM2COL_GRAD_RULES } from './autodiff/rules/index.js';
/** Optimizers by name (adam, adamw, sgd, momentum, nesterov, rmsprop), each an update subgraph. */
export { createOptimizer, OPTIMIZER_NAMES, OPTIMIZERS, type Optimizer, type OptimizerName } from './optim/index.js';
/** Learning-rate schedules: constant, step, cosine, onecycle. */
export { learningRate, SCHEDULES, type ScheduleName } from './train/schedule.js';

/** The named step forms (node-cpu, wasm, webgpu, portable): the rule table and passes for each runtime. */
export { FORM_NAMES, type FormName, PAGE_FORMS, STEP_FORMS, type StepForm, stepForm } from './passes/forms.js';
/** Any graph's training step as ONE ONNX graph (forward, loss, backward, update), with its manifest; the losses by name. */
export {
  compileTrainStep,
  type CompileOptions,
  type LossDefinition,
  LOSSES,
  type TrainStep,
} from './train/compile-step.js';
/** A training step's manifest: every input and output with its role; the one routine that feeds a step. */
export {
  carried,
  inputsOf,
  type InputSpec,
  nextName,
  type OutputSpec,
  sizeOf,
  type TrainStepManifest,
  upgradeManifest,
} from './train/manifest.js';
export { type FeedTensor, type StepBatch, stepFeeds } from './train/step-feeds.js';
/** Runs a step graph on any runtime's session, carrying the parameters and optimizer state between steps. */
export { type StepResult, StepRunner } from './train/step-runner.js';
export type { TensorSession } from './runtime/tensor-session.js';

/** Training: the Trainer, the loop it shares with `onnxgrad train`, batch sources and the history it returns. */
export {
  type EvalData,
  type FitOptions,
  type FitResult,
  Trainer,
  type TrainerOptions,
  type TrainRuntime,
} from './train/model-trainer.js';
export {
  type BatchSource,
  type EarlyStopping,
  type FitCallbacks,
  type HistoryRecord,
  type LoopOptions,
  type LoopResult,
  type MetricsRecorder,
  runLoop,
  RunningMetrics,
  type StepInfo,
  type TrainBatch,
  type Validation,
} from './train/fit.js';
export { trainBatches, type TrainBatchesOptions } from './train/batch-source.js';
/** Accuracy, mean cross-entropy and the confusion matrix of a classifier over a split. */
export { evaluate, type Evaluation, type Predict } from './train/evaluate.js';
/** Checkpoints as safetensors bytes (parameters, optimizer state, where to resume). */
export { type Checkpoint, decodeCheckpoint, encodeCheckpoint, type ResumeState } from './train/checkpoint-format.js';
export { decodeSafetensors, encodeSafetensors, SafetensorsError } from './train/safetensors.js';

/** ONNX: export a graph (initial or trained weights), import a model into the graph builder, read its metadata. */
export { type ExportOptions, exportModel } from './onnx/export.js';
export { type ImportedModel, importModel, readInitializers } from './onnx/import.js';
export { type GraphImport, type GraphImportOptions, importableOps, importGraph } from './onnx/to-graph.js';
export { type ModelInfo, readModelInfo } from './onnx/metadata.js';

/** Data: IDX parsing (bytes in), splits, normalisation, batches, the seeded generator the whole project shares. */
export { DataError, isGzip, parseImages, parseLabels } from './data/idx.js';
export type { Dataset, LabelledImages } from './data/dataset.js';
export { defaultValidationSize, normalizationFor, type Splits, type Subset, splitDataset } from './data/split.js';
export { MNIST_NORMALIZATION, type Normalization, normalize } from './data/normalize.js';
export { type Batch, BatchCursor, chunks, type CursorState } from './data/batches.js';
export { dropoutSeed, Mulberry32, shuffled } from './data/random.js';
/** A drawing (ink in [0, 1], any size) made into an MNIST-style 28x28 image, as MNIST's digits were made. */
export { preprocessDrawing, SIDE as MNIST_SIDE } from './data/digit-box.js';
/** Class probabilities from logits, row by row. */
export { argmax, softmaxRows } from './serve/softmax.js';
