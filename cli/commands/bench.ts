// `onnxgrad bench`: training step and inference speed against PyTorch, TF.js and the machine's
// GEMM rate, contenders alternated round by round; prints a table and the ratios, writes JSON.
import { print } from '../output.js';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, Option } from 'commander';
import { PRACTICAL_CNN } from '../../graphs/cnn-config.js';
import type { BenchOptions, BenchResult } from '../../src/bench/harness.js';
import { runBench } from '../../src/bench/harness.js';
import { formatPercent } from '../format.js';
import { positiveInteger } from '../options/parse.js';
import { benchEpList } from '../options/ep.js';
import type { Device } from '../../src/runtime/node.js';

interface BenchFlags {
  quick?: boolean;
  json: string;
  peers: boolean;
  web: boolean;
  rounds?: number;
  warmup?: number;
  trainSteps?: number;
  inferCalls?: number;
  bigBatch?: number;
  bigCalls?: number;
  gemmSize?: number;
  gemmCalls?: number;
  threads: string;
  ep: Device[];
  batch: number;
  data: 'mnist' | 'synthetic';
  spinning?: boolean;
  quiet?: boolean;
  peersDir: string;
  torchSteps: number;
  tfjsSteps: number;
}

const DEFAULT_PEERS_DIR = fileURLToPath(new URL('../../../../shared/peers/', import.meta.url));

function threadList(value: string): number[] {
  const ts = value.split(',').map((s) => Number(s.trim()));
  if (ts.length === 0 || ts.some((t) => !Number.isInteger(t) || t < 1))
    throw new Error(`--threads: expected a list of positive integers like 1,2, got '${value}'`);
  return ts;
}

export function benchCommand(): Command {
  const command = new Command('bench')
    .description(
      'benchmark the training step and inference against PyTorch, TF.js and the GEMM limit (contenders alternated)',
    )
    .option('--quick', 'a smoke run: 2 rounds, few steps, small GEMM probe, no peers')
    .option('--json <file>', 'where to write the results', 'bench-results.json')
    .option('--no-peers', 'skip PyTorch and TF.js')
    .option('--no-web', 'skip onnxruntime-web (WASM)')
    .option('--rounds <n>', 'rounds of alternation (default 5, quick 2)', positiveInteger)
    .option('--warmup <n>', 'untimed steps and calls before the first round (default 10, quick 2)', positiveInteger)
    .option('--train-steps <n>', 'timed training steps per contender and round (default 20, quick 5)', positiveInteger)
    .option('--infer-calls <n>', 'timed batch-1 calls per round (default 200, quick 50)', positiveInteger)
    .option('--big-batch <n>', 'images of the large inference batch (default 1000)', positiveInteger)
    .option('--big-calls <n>', 'timed large-batch calls per round (default 3, quick 1)', positiveInteger)
    .option('--gemm-size <n>', 'n of the n x n x n MatMul probe (default 2048, quick 1024)', positiveInteger)
    .option('--gemm-calls <n>', 'timed MatMul calls per round (default 3, quick 1)', positiveInteger)
    .option('--threads <list>', 'ONNX Runtime (and PyTorch) thread counts', '1,2')
    .addOption(
      new Option(
        '--ep <list>',
        "onnxruntime-node's execution providers for onnxgrad's training step and inference: cpu, webgpu or cpu,webgpu",
      )
        .argParser(benchEpList)
        .default(['cpu'], 'cpu'),
    )
    .option('--batch <n>', 'training batch size', positiveInteger, 64)
    .addOption(new Option('--data <kind>', 'training images').choices(['mnist', 'synthetic']).default('mnist'))
    .option('--quiet', 'no progress lines on stderr')
    .option('--spinning', "let ONNX Runtime's thread pool spin (faster on an idle machine, collapses on a busy one)")
    .option('--peers-dir <dir>', 'the peer scripts (copied to a cache in the temporary folder)', DEFAULT_PEERS_DIR)
    .option('--torch-steps <n>', 'timed steps of each PyTorch run', positiveInteger, 100)
    .option('--tfjs-steps <n>', 'timed steps of each TF.js run', positiveInteger, 40);
  command.action(async (flags: BenchFlags) => {
    const q = flags.quick === true;
    const options: BenchOptions = {
      config: PRACTICAL_CNN,
      optimizer: 'adam',
      batchSize: flags.batch,
      rounds: flags.rounds ?? (q ? 2 : 5),
      warmup: flags.warmup ?? (q ? 2 : 10),
      counts: {
        trainSteps: flags.trainSteps ?? (q ? 5 : 20),
        inferCalls: flags.inferCalls ?? (q ? 50 : 200),
        bigBatch: flags.bigBatch ?? 1000,
        bigCalls: flags.bigCalls ?? (q ? 1 : 3),
        roundWarmup: q ? 1 : 2,
      },
      threads: threadList(flags.threads),
      devices: flags.ep,
      web: flags.web,
      spinning: flags.spinning === true,
      data: flags.data,
      gemm: { size: flags.gemmSize ?? (q ? 1024 : 2048), calls: flags.gemmCalls ?? (q ? 1 : 3) },
      peers:
        flags.peers && !q
          ? { dir: resolve(flags.peersDir), torchSteps: flags.torchSteps, tfjsSteps: flags.tfjsSteps }
          : null,
    };
    const log = (line: string) => void (flags.quiet ? undefined : process.stderr.write(`${line}\n`));
    const result = await runBench(options, {
      onNote: (line) => (line.startsWith('round ') ? undefined : log(line)),
      onRound: (r, n, results) => {
        const parts = Object.entries(results).map(([name, m]) =>
          'error' in m
            ? `${name} FAILED`
            : `${name} ${m.trainStepMs?.toFixed(1) ?? (m.gemmGflops?.toFixed(0) ?? '-') + ' GF/s'}`,
        );
        log(`round ${r}/${n}: ${parts.join(', ')}`);
      },
    });
    writeFileSync(flags.json, `${JSON.stringify(result, null, 2)}\n`);
    print(report(result));
    print(`results written to ${flags.json}\n`);
  });
  return command;
}

const fmt = (v: number | null, digits: number): string => (v === null ? '-' : v.toFixed(digits));

function table(rows: readonly (readonly string[])[]): string {
  const widths = (rows[0] ?? []).map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows
    .map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join('  '))
    .join('\n');
}

export function report(r: BenchResult): string {
  const lines: string[] = [];
  const load = (xs: readonly number[]) => xs.map((x) => x.toFixed(2)).join(' ');
  lines.push(
    `onnxgrad bench: ${r.machine.cpus} cores (${r.machine.cpuModel}), node ${r.machine.node}, ${r.options.rounds} rounds in ${r.seconds.toFixed(0)} s`,
  );
  lines.push(
    `load average before ${load(r.machine.loadavgBefore)}, after ${load(r.machine.loadavgAfter)}; data: ${r.data.kind}`,
  );
  lines.push(
    `training step (batch ${r.options.batchSize}): ${(r.flops.trainStep / 1e9).toFixed(3)} GFLOP (forward ${(r.flops.forward / 1e9).toFixed(3)})`,
  );
  for (const g of r.gemm)
    lines.push(
      `GEMM ${g.size}^3 at ${g.threads} thread(s): ${fmt(g.gflops, 0)} GFLOP/s -> floor ${fmt(g.floorMs, 2)} ms per step`,
    );
  lines.push('');
  const rows = [
    [
      'contender',
      'threads',
      'train step ms',
      'b1 ms',
      `b${r.options.counts.bigBatch} img/s`,
      'GFLOP/s',
      'share of limit',
    ],
  ];
  for (const c of r.contenders) {
    const failures = c.rounds.filter((m) => 'error' in m).length;
    rows.push([
      c.name + (failures ? ` (${failures} failed)` : ''),
      String(c.threads),
      fmt(c.trainStepMs, 2),
      fmt(c.inferB1Ms, 3),
      fmt(c.inferB1000ImagesPerSec, 0),
      fmt(c.gemmGflops, 0),
      c.shareOfLimit === null ? '-' : formatPercent(c.shareOfLimit, 0),
    ]);
  }
  lines.push(table(rows), '');
  const ratioRows = [['contender', 'against', 'metric', 'value', 'target', '']];
  for (const x of r.ratios) {
    const pct = x.metric === 'share of GEMM limit';
    const value = x.value === null ? '-' : pct ? formatPercent(x.value, 0) : x.value.toFixed(2);
    const target = `${x.target.op} ${pct ? formatPercent(x.target.value, 0) : x.target.value.toFixed(1)}`;
    ratioRows.push([x.contender, x.against, x.metric, value, target, x.met === null ? 'n/a' : x.met ? 'met' : 'UNMET']);
  }
  lines.push(table(ratioRows));
  for (const s of r.skipped)
    lines.push(`skipped ${s.contender}: ${s.reason}${s.hint ? `\n  install with: ${s.hint}` : ''}`);
  for (const c of r.contenders) {
    for (const m of c.rounds) if ('error' in m) lines.push(`${c.name} failed a round: ${m.error}`);
  }
  return `${lines.join('\n')}\n`;
}
