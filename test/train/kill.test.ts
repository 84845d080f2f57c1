// kill -9 at the worst moments: `onnxgrad train` (the real executable, one thread) is killed with
// SIGKILL in the middle of a step and in the middle of writing a checkpoint, resumed with
// --resume each time, and must end with the weights, the model and the metrics of a run that was
// never interrupted, bit for bit.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, watch } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { readMetrics } from '../../src/train/metrics.js';
import { decodeSafetensors } from '../../src/train/safetensors.js';

const MAIN = fileURLToPath(new URL('../../cli/main.js', import.meta.url));
// the narrow network, 24 small steps
const ARGS = [
  'train',
  '--model',
  'narrow',
  '--steps',
  '24',
  '--batch-size',
  '32',
  '--limit',
  '640',
  '--eval-every',
  '5',
  '--checkpoint-every',
  '4',
  '--lr',
  '1e-3',
  '--threads',
  '1',
  '--no-progress',
  '--no-plot',
];

function start(runDir: string, resume: boolean): { child: ChildProcess; exit: Promise<number | string> } {
  const child = spawn(process.execPath, [MAIN, ...ARGS, '--run-dir', runDir, ...(resume ? ['--resume'] : [])], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exit = new Promise<number | string>((resolve, reject) =>
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(signal);
      else if (code === 0) resolve(0);
      else reject(new Error(`onnxgrad train exited with ${code}: ${stderr.trim()}`));
    }),
  );
  return { child, exit };
}

/** Starts a run (or resumes it) and kills it with SIGKILL when `moment` says so, given each file event. */
async function killWhen(runDir: string, resume: boolean, moment: (file: string) => boolean): Promise<void> {
  const { child, exit } = start(runDir, resume);
  const watcher = watch(runDir, (_, file) => {
    if (file !== null && moment(file)) child.kill('SIGKILL');
  });
  try {
    assert.equal(await exit, 'SIGKILL', 'the run ended before the moment to kill it came');
  } finally {
    watcher.close();
  }
}

const checkpointAt = (runDir: string): number => {
  const { metadata } = decodeSafetensors(readFileSync(join(runDir, 'checkpoint.safetensors')));
  return (JSON.parse(metadata.resume ?? '{}') as { step: number }).step;
};

test('SIGKILL during a step and during a checkpoint write, resumed each time: bit-identical to a straight run', async () => {
  const root = mkdtempSync(join(tmpdir(), 'onnxgrad-kill-'));
  const straight = join(root, 'straight');
  const killed = join(root, 'killed');
  const { exit } = start(straight, false);
  assert.equal(await exit, 0);

  // 1. during a step: the first checkpoint is down (step 4), the next validation record is being
  //    appended (step 5); kill while steps 6.. run
  mkdirSync(killed);
  let sawCheckpoint = false;
  await killWhen(killed, false, (file) => {
    if (file === 'checkpoint.safetensors' && existsSync(join(killed, file))) sawCheckpoint = true;
    return sawCheckpoint && file === 'metrics.jsonl';
  });
  assert.ok(checkpointAt(killed) >= 4);

  // 2. during a checkpoint write: the moment its temporary file appears; tried until a kill lands
  //    before the rename (the temporary file is left behind), at most four times
  let tornWrites = 0;
  for (let attempt = 0; attempt < 4 && tornWrites === 0; attempt++) {
    const before = checkpointAt(killed);
    await killWhen(killed, true, (file) => /^checkpoint\.safetensors\.tmp-\d+$/.test(file));
    if (readdirSync(killed).some((f) => f.includes('.tmp-'))) {
      tornWrites += 1;
      // the good checkpoint is the one before, untouched
      assert.equal(checkpointAt(killed), before);
    }
  }
  assert.equal(tornWrites, 1, 'no SIGKILL landed in the middle of a checkpoint write');

  const { exit: last } = start(killed, true);
  assert.equal(await last, 0);
  assert.ok(!readdirSync(killed).some((f) => f.includes('.tmp-')), 'a temporary file was left');

  const a = decodeSafetensors(readFileSync(join(straight, 'checkpoint.safetensors'))).tensors;
  const b = decodeSafetensors(readFileSync(join(killed, 'checkpoint.safetensors'))).tensors;
  assert.deepEqual([...a.keys()], [...b.keys()]);
  for (const [name, t] of a)
    assert.ok(Buffer.from(t.data.buffer).equals(Buffer.from(b.get(name)!.data.buffer)), `${name} differs`);
  assert.ok(readFileSync(join(straight, 'model.onnx')).equals(readFileSync(join(killed, 'model.onnx'))));
  const withoutTime = (dir: string) => readMetrics(join(dir, 'metrics.jsonl')).map(({ seconds: _, ...r }) => r);
  assert.deepEqual(withoutTime(killed), withoutTime(straight));
});
