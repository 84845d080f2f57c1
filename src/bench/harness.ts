// The benchmark: every contender measured round by round, in alternation, so that a burst of
// load from elsewhere hits all of them alike; each figure is the median over rounds.
import { cpus, loadavg } from 'node:os';
import { formForDevice, stepForm, usesNchwc } from '../passes/forms.js';
import { type Device, nchwcBlockSize } from '../runtime/node.js';
import type { CnnConfig } from '../../graphs/cnn-config.js';
import { buildCnn } from '../../graphs/mnist-cnn.js';
import { buildTrainStep } from '../train/train-step.js';
import type { Contender, Measurement, RoundCounts } from './contender.js';
import { type DataKind, imagePool } from './feeds.js';
import { countFlops } from './flops.js';
import { gemmContender, gemmFlops } from './gemm.js';
import { buildWorkload, nodeContender, webContender } from './onnxgrad.js';
import { type PeerSkip, peerContenders } from './peers.js';
import { computeRatios, type Ratio } from './ratios.js';
import { median } from './stats.js';

export interface BenchOptions {
  readonly config: CnnConfig;
  readonly optimizer: string;
  readonly batchSize: number;
  readonly rounds: number;
  /** untimed training steps (and inference calls) before the first round */
  readonly warmup: number;
  readonly counts: RoundCounts;
  readonly threads: readonly number[];
  /** onnxruntime-node's execution providers to time the training step on: cpu (at each thread count), webgpu */
  readonly devices: readonly Device[];
  readonly web: boolean;
  readonly spinning: boolean;
  readonly data: DataKind;
  readonly gemm: { readonly size: number; readonly calls: number };
  /** null: no peers */
  readonly peers: { readonly dir: string; readonly torchSteps: number; readonly tfjsSteps: number } | null;
}

export interface BenchCallbacks {
  /** a line of progress: what is being prepared or measured */
  readonly onNote?: (line: string) => void;
  readonly onRound?: (
    round: number,
    rounds: number,
    results: Readonly<Record<string, Measurement | { error: string }>>,
  ) => void;
}

export interface ContenderSummary {
  readonly name: string;
  readonly kind: Contender['kind'];
  readonly threads: number;
  readonly trainStepMs: number | null;
  readonly inferB1Ms: number | null;
  readonly inferB1000ImagesPerSec: number | null;
  readonly gemmGflops: number | null;
  /** floor time (step FLOPs / GEMM rate at the same thread count) / measured step time */
  readonly shareOfLimit: number | null;
  readonly rounds: readonly (Measurement | { error: string })[];
}

export interface BenchResult {
  readonly startedAt: string;
  readonly seconds: number;
  readonly machine: {
    readonly cpus: number;
    readonly cpuModel: string;
    readonly node: string;
    readonly loadavgBefore: readonly number[];
    readonly loadavgAfter: readonly number[];
  };
  readonly options: BenchOptions;
  readonly data: { readonly kind: DataKind; readonly note: string | null };
  readonly flops: {
    readonly trainStep: number;
    readonly forward: number;
    readonly trainStepByOp: Readonly<Record<string, number>>;
  };
  readonly gemm: readonly {
    readonly threads: number;
    readonly size: number;
    readonly gflops: number | null;
    readonly floorMs: number | null;
  }[];
  readonly contenders: readonly ContenderSummary[];
  readonly ratios: readonly Ratio[];
  readonly skipped: readonly PeerSkip[];
  readonly loadavgByRound: readonly (readonly number[])[];
}

/** Training-step and forward FLOPs of a configuration at a batch size. */
export function stepFlops(
  config: CnnConfig,
  optimizer: string,
  batchSize: number,
): { trainStep: number; forward: number; trainStepByOp: Record<string, number> } {
  const train = countFlops(buildTrainStep(config, { optimizer, batchSize }).graph);
  const { graph, logits } = buildCnn(config, { training: false, batch: batchSize });
  graph.output(logits, 'logits');
  return { trainStep: train.total, forward: countFlops(graph).total, trainStepByOp: { ...train.byOp } };
}

/** Alternation order for round r: contenders rotated by r, so none always runs first. */
const rotated = <T>(xs: readonly T[], r: number): T[] => xs.map((_, i) => xs[(i + r) % xs.length] as T);

export async function runBench(o: BenchOptions, callbacks: BenchCallbacks = {}): Promise<BenchResult> {
  const note = callbacks.onNote ?? (() => undefined);
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const loadavgBefore = loadavg();
  const flops = stepFlops(o.config, o.optimizer, o.batchSize);

  note(`building the ${o.optimizer} training step (batch ${o.batchSize}) and the inference model ...`);
  const pool = imagePool(Math.max(o.batchSize * 8, o.counts.bigBatch, 1), o.data);
  if (pool.note) note(pool.note);
  // the form train builds for onnxruntime-node (the CPU provider, NCHWc on)
  const nodeForm = stepForm(formForDevice('cpu', true));
  const nchwcBlock = usesNchwc(nodeForm) ? await nchwcBlockSize() : null;
  const workload = buildWorkload(o.config, o.optimizer, o.batchSize, pool, { form: nodeForm.name, nchwcBlock });
  note(
    `onnxruntime-node trains the graph train builds: im2col conv gradients${nchwcBlock ? `, image conv as NCHWc (blocks of ${nchwcBlock})` : ''}${o.devices.includes('webgpu') ? '; on WebGPU conv-form gradients, weights kept in GPU memory' : ''}; onnxruntime-web (WASM) the graph the training page runs there: im2col conv gradients`,
  );

  const ours: Contender[] = [];
  const peers: Contender[] = [];
  const gemms: Contender[] = [];
  let skipped: PeerSkip[] = [];
  const all = (): Contender[] => [...ours, ...peers, ...gemms];
  try {
    if (o.devices.includes('cpu'))
      for (const t of o.threads) ours.push(await nodeContender(workload, t, o.counts, o.spinning));
    // the CPU does little on WebGPU (shape ops, feeds): one contender, at the first thread count
    if (o.devices.includes('webgpu'))
      ours.push(await nodeContender(workload, o.threads[0] ?? 1, o.counts, o.spinning, 'webgpu'));
    if (o.web) ours.push(await webContender(workload, 1, o.counts));
    for (const t of o.threads) gemms.push(await gemmContender(o.gemm.size, t, o.gemm.calls, o.spinning));
    if (o.peers) {
      const found = peerContenders({ ...o.peers, threads: o.threads }, note);
      peers.push(...found.contenders);
      skipped = found.skipped;
    }
    // warm-up before the first round: allocations, kernels picked, pages touched
    note(`warming up (${o.warmup} steps each) ...`);
    for (const c of ours) await c.warmup?.(o.warmup);

    // interleave: ours and the peer at the same thread count next to each other
    const order = interleave(ours, peers, gemms);
    const rounds = new Map<string, (Measurement | { error: string })[]>(order.map((c) => [c.name, []]));
    const loadavgByRound: number[][] = [];
    for (let r = 0; r < o.rounds; r++) {
      const results: Record<string, Measurement | { error: string }> = {};
      for (const c of rotated(order, r)) {
        note(`round ${r + 1}/${o.rounds}: ${c.name}`);
        try {
          results[c.name] = await c.round();
        } catch (error) {
          results[c.name] = { error: error instanceof Error ? error.message : String(error) };
        }
        rounds.get(c.name)?.push(results[c.name] as Measurement | { error: string });
      }
      loadavgByRound.push(loadavg());
      callbacks.onRound?.(r + 1, o.rounds, results);
    }

    const gemmRate = (threads: number): number | null =>
      median((rounds.get(`gemm-${threads}t`) ?? []).map((m) => ('gemmGflops' in m ? m.gemmGflops : undefined)));
    const contenders = order.map((c): ContenderSummary => {
      const rs = rounds.get(c.name) ?? [];
      const pick = (k: keyof Measurement) => median(rs.map((m) => ('error' in m ? undefined : m[k])));
      const trainStepMs = pick('trainStepMs');
      const rate = gemmRate(c.threads);
      const floor = rate ? flops.trainStep / (rate * 1e6) : null;
      return {
        name: c.name,
        kind: c.kind,
        threads: c.threads,
        trainStepMs,
        inferB1Ms: pick('inferB1Ms'),
        inferB1000ImagesPerSec: pick('inferB1000ImagesPerSec'),
        gemmGflops: pick('gemmGflops'),
        shareOfLimit: floor !== null && trainStepMs !== null && c.kind !== 'gemm-probe' ? floor / trainStepMs : null,
        rounds: rs,
      };
    });
    const gemm = o.threads.map((t) => {
      const gflops = gemmRate(t);
      return { threads: t, size: o.gemm.size, gflops, floorMs: gflops ? flops.trainStep / (gflops * 1e6) : null };
    });
    return {
      startedAt,
      seconds: (performance.now() - started) / 1000,
      machine: {
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? 'unknown',
        node: process.version,
        loadavgBefore,
        loadavgAfter: loadavg(),
      },
      options: o,
      data: { kind: pool.kind, note: pool.note ?? null },
      flops,
      gemm,
      contenders,
      ratios: computeRatios(contenders),
      skipped,
      loadavgByRound,
    };
  } finally {
    for (const c of all()) await c.close();
  }
}

/** ours-1t, torch-1t, ours-2t, torch-2t, ..., then web, tfjs, then the GEMM probes. */
function interleave(ours: readonly Contender[], peers: readonly Contender[], gemms: readonly Contender[]): Contender[] {
  const order: Contender[] = [];
  for (const c of ours.filter((x) => x.kind === 'onnxgrad-node')) {
    order.push(c, ...peers.filter((p) => p.kind === 'torch' && p.threads === c.threads));
  }
  order.push(...ours.filter((x) => x.kind === 'onnxgrad-webgpu'));
  order.push(...ours.filter((x) => x.kind === 'onnxgrad-web'), ...peers.filter((p) => p.kind === 'tfjs-wasm'));
  order.push(...peers.filter((p) => !order.includes(p)), ...gemms);
  return order;
}
