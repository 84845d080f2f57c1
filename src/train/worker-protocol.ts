// Messages between the main thread and the training worker.
import type { MetricsRecord } from './metrics.js';
import type { TrainCallbacks, TrainSummary } from './trainer.js';

type Info<K extends keyof TrainCallbacks> =
  NonNullable<TrainCallbacks[K]> extends (info: infer I) => unknown ? I : never;

export type FromWorker =
  | { type: 'start'; info: Info<'onStart'> }
  | { type: 'step'; info: Info<'onStep'> }
  | { type: 'eval'; record: MetricsRecord }
  | { type: 'checkpoint'; info: Info<'onCheckpoint'> }
  | { type: 'notice'; message: string }
  | { type: 'done'; summary: TrainSummary }
  | { type: 'error'; message: string; stack: string };

export type ToWorker = { type: 'stop' };
