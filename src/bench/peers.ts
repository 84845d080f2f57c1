// The peers (../shared/peers: PyTorch and TensorFlow.js running the same network) as contenders:
// each round runs the peer's script once and reads its result lines.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Contender, Measurement } from './contender.js';

export const TORCH_PYTHON = '/usr/bin/python3';
export const OPENBLAS_PTHREAD = '/usr/lib/x86_64-linux-gnu/openblas-pthread';
export const TORCH_INSTALL_HINT = 'apt-get update && apt-get install -y python3-torch libopenblas0-pthread';
/** The peers' copy lives here between runs, so `npm ci` runs once. */
export const PEERS_CACHE = join(tmpdir(), 'onnxgrad-bench-peers');

export interface PeerResult {
  /** the name the peer printed (e.g. `torch-openblas`, `tfjs-wasm-tuned`) */
  name?: string;
  trainStepMs?: number;
  inferB1Ms?: number;
  inferB1Calls?: number;
  inferB1000Ms?: number;
  inferB1000ImagesPerSec?: number;
}

/**
 * Reads the peers' result lines:
 *   NAME train step b64: median X ms
 *   NAME infer b1: N calls median X ms ...
 *   NAME infer b1000: median X ms (...) -> N images/s
 */
export function parsePeerOutput(text: string): PeerResult {
  const r: PeerResult = {};
  for (const line of text.split(/\r?\n/)) {
    let m = /^(\S+) train step b\d+: median ([\d.]+) ms/.exec(line);
    if (m) [r.name, r.trainStepMs] = [m[1], Number(m[2])];
    m = /^(\S+) infer b1: (\d+) calls median ([\d.]+) ms/.exec(line);
    if (m) [r.name, r.inferB1Calls, r.inferB1Ms] = [m[1], Number(m[2]), Number(m[3])];
    m = /^(\S+) infer b1000: median ([\d.]+) ms.*-> (\d+) images\/s/.exec(line);
    if (m) [r.name, r.inferB1000Ms, r.inferB1000ImagesPerSec] = [m[1], Number(m[2]), Number(m[3])];
  }
  return r;
}

export interface PeerSkip {
  readonly contender: string;
  readonly reason: string;
  readonly hint?: string;
}

interface Command {
  readonly file: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env?: Readonly<Record<string, string>>;
}

/** Runs a command to its end; rejects with the tail of its output when it fails. */
function runCommand(c: Command, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(c.file, [...c.args], {
      cwd: c.cwd,
      env: { ...process.env, ...c.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: timeoutMs,
    });
    const chunks: string[] = [];
    child.stdout.on('data', (d: Buffer) => chunks.push(d.toString()));
    child.stderr.on('data', (d: Buffer) => chunks.push(d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const out = chunks.join('');
      if (code === 0) resolve(out);
      else
        reject(
          new Error(
            `${c.file} ${c.args.join(' ')} ${signal ? `was killed (${signal})` : `exited with ${code}`}: ${out.trim().split('\n').slice(-3).join(' | ')}`,
          ),
        );
    });
  });
}

function peerContender(
  name: string,
  kind: Contender['kind'],
  threads: number,
  command: Command,
  timeoutMs: number,
): Contender {
  return {
    name,
    kind,
    threads,
    async round(): Promise<Measurement> {
      const r = parsePeerOutput(await runCommand(command, timeoutMs));
      if (r.trainStepMs === undefined) throw new Error(`${name}: no 'train step' line in its output`);
      return {
        trainStepMs: r.trainStepMs,
        ...(r.inferB1Ms !== undefined ? { inferB1Ms: r.inferB1Ms } : {}),
        ...(r.inferB1000ImagesPerSec !== undefined ? { inferB1000ImagesPerSec: r.inferB1000ImagesPerSec } : {}),
      };
    },
    close: async () => undefined,
  };
}

export interface PeerOptions {
  /** the read-only peers folder (../shared/peers) */
  readonly dir: string;
  readonly threads: readonly number[];
  /** timed steps of each peer run (their own warm-up comes first) */
  readonly torchSteps: number;
  readonly tfjsSteps: number;
  readonly timeoutMs?: number;
}

/** Copies the peers folder into the cache, keeping node_modules while package-lock.json is unchanged. */
export function preparePeersDir(source: string, onNote: (line: string) => void): string {
  const dest = PEERS_CACHE;
  const lock = (dir: string) =>
    existsSync(join(dir, 'package-lock.json')) ? readFileSync(join(dir, 'package-lock.json'), 'utf8') : '';
  if (existsSync(dest) && lock(dest) !== lock(source))
    rmSync(join(dest, 'node_modules'), { recursive: true, force: true });
  for (const entry of readdirSync(source)) {
    if (entry !== 'node_modules') cpSync(join(source, entry), join(dest, entry), { recursive: true });
  }
  if (!existsSync(join(dest, 'node_modules'))) {
    onNote(`installing the peers' packages in ${dest} (npm ci) ...`);
    const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: dest, encoding: 'utf8', timeout: 600_000 });
    if (r.status !== 0) {
      rmSync(join(dest, 'node_modules'), { recursive: true, force: true });
      throw new Error(
        `npm ci in ${dest} failed: ${(r.stderr || r.stdout || String(r.error)).trim().split('\n').slice(-2).join(' | ')}`,
      );
    }
  }
  return dest;
}

/** Why PyTorch cannot run here, or null when it can. */
export function torchMissing(): string | null {
  if (!existsSync(TORCH_PYTHON)) return `${TORCH_PYTHON} is missing`;
  if (!existsSync(OPENBLAS_PTHREAD))
    return `${OPENBLAS_PTHREAD} is missing (libopenblas0-pthread; without it torch uses the slow reference BLAS)`;
  const r = spawnSync(TORCH_PYTHON, ['-c', 'import torch'], {
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, LD_LIBRARY_PATH: OPENBLAS_PTHREAD },
  });
  return r.status === 0
    ? null
    : `Debian's python3 cannot import torch (${(r.stderr || String(r.error)).trim().split('\n').pop()})`;
}

/** PyTorch at each thread count and TF.js wasm (1 thread), or the reasons they are skipped. */
export function peerContenders(
  o: PeerOptions,
  onNote: (line: string) => void,
): { contenders: Contender[]; skipped: PeerSkip[] } {
  const contenders: Contender[] = [];
  const skipped: PeerSkip[] = [];
  const timeout = o.timeoutMs ?? 600_000;
  if (!existsSync(join(o.dir, 'torch_mnist.py'))) {
    skipped.push({ contender: 'peers', reason: `${o.dir} has no peer scripts` });
    return { contenders, skipped };
  }
  let dir: string;
  try {
    dir = preparePeersDir(o.dir, onNote);
  } catch (error) {
    skipped.push({ contender: 'peers', reason: error instanceof Error ? error.message : String(error) });
    return { contenders, skipped };
  }
  const torch = torchMissing();
  for (const t of o.threads) {
    const name = `torch-${t}t`;
    if (torch) {
      skipped.push({ contender: name, reason: torch, hint: TORCH_INSTALL_HINT });
      continue;
    }
    const args = ['torch_mnist.py', '--steps', '0', '--threads', String(t), '--bench-steps', String(o.torchSteps)];
    contenders.push(
      peerContender(
        name,
        'torch',
        t,
        { file: TORCH_PYTHON, args, cwd: dir, env: { LD_LIBRARY_PATH: OPENBLAS_PTHREAD } },
        timeout,
      ),
    );
  }
  if (existsSync(join(dir, 'node_modules', '@tensorflow', 'tfjs-backend-wasm'))) {
    const args = [
      'tfjs_mnist.js',
      '--backend',
      'wasm',
      '--grad',
      'tuned',
      '--threads',
      '1',
      '--steps',
      '0',
      '--bench-steps',
      String(o.tfjsSteps),
    ];
    contenders.push(peerContender('tfjs-wasm-1t', 'tfjs-wasm', 1, { file: process.execPath, args, cwd: dir }, timeout));
  } else
    skipped.push({ contender: 'tfjs-wasm-1t', reason: `@tensorflow/tfjs-backend-wasm is not installed in ${dir}` });
  return { contenders, skipped };
}
