// writeFileAtomic on a full disk: a real one (a 1 MiB tmpfs, which needs root, as CI has) and an
// injected short write. Either way the target keeps its old bytes and no temporary file is left.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeFileAtomic, writeFileAtomicIfChanged, type WriteFn } from '../src/atomic-file.js';

const bytes = (n: number, seed: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 255);

test('on a full file system (a 1 MiB tmpfs) the good file survives and the temporary file is removed', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'onnxgrad-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir], { stdio: 'pipe' });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(
      `this test mounts a small tmpfs and needs root (as CI runs): mount -t tmpfs -o size=1m tmpfs DIR failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  t.after(() => {
    execFileSync('umount', [dir]);
    rmSync(dir, { recursive: true, force: true });
  });
  const path = join(dir, 'checkpoint.safetensors');
  const good = bytes(400 * 1024, 1);
  writeFileAtomic(path, good);
  // 700 kB more do not fit beside the 400 kB file: write(2) writes what fits, then fails with ENOSPC
  assert.throws(() => writeFileAtomic(path, bytes(700 * 1024, 2)), /cannot write .*checkpoint\.safetensors.*ENOSPC/);
  assert.deepEqual(readFileSync(path), Buffer.from(good));
  assert.deepEqual(readdirSync(dir), ['checkpoint.safetensors']);
  // once there is room again, it writes
  writeFileAtomic(path, bytes(500 * 1024, 3));
  assert.deepEqual(readFileSync(path), Buffer.from(bytes(500 * 1024, 3)));
});

test('a write that writes fewer bytes than asked is continued until every byte is down', () => {
  const dir = mkdtempSync(join(tmpdir(), 'onnxgrad-short-'));
  const path = join(dir, 'f.bin');
  let calls = 0;
  const dribble: WriteFn = (fd, buffer, offset, length) => {
    calls += 1;
    return writeSync(fd, buffer, offset, Math.min(length, 1000));
  };
  const data = bytes(10_500, 4);
  writeFileAtomic(path, data, { write: dribble });
  assert.equal(calls, 11);
  assert.deepEqual(readFileSync(path), Buffer.from(data));
});

test('a write that stops making progress or fails leaves the old file and no temporary file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'onnxgrad-short-'));
  const path = join(dir, 'f.bin');
  writeFileAtomic(path, 'old contents');
  let written = 0;
  const fillsUp: WriteFn = (fd, buffer, offset, length) => {
    const n = Math.max(0, Math.min(length, 4096 - written));
    written += n;
    return n === 0 ? 0 : writeSync(fd, buffer, offset, n);
  };
  assert.throws(() => writeFileAtomic(path, bytes(10_000, 5), { write: fillsUp }), /no progress after 4096 of 10000/);
  const fails: WriteFn = () => {
    throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  };
  assert.throws(() => writeFileAtomic(path, 'new', { write: fails }), /ENOSPC.*the previous file is unchanged/);
  assert.equal(readFileSync(path, 'utf8'), 'old contents');
  assert.deepEqual(readdirSync(dir), ['f.bin']);
});

test('writeFileAtomicIfChanged leaves a file that already holds the bytes alone', () => {
  const dir = mkdtempSync(join(tmpdir(), 'onnxgrad-same-'));
  mkdirSync(join(dir, 'sub'));
  const path = join(dir, 'sub', 'config.json');
  assert.equal(writeFileAtomicIfChanged(path, '{"a": 1}'), true);
  assert.equal(writeFileAtomicIfChanged(path, '{"a": 1}'), false);
  assert.equal(writeFileAtomicIfChanged(path, '{"a": 2}'), true);
  assert.equal(readFileSync(path, 'utf8'), '{"a": 2}');
});
