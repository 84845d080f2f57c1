// Writing a file so that a crash or a full disk at any moment leaves either the old contents or
// the new, never half of them: a temporary file beside the target, written until every byte is
// down (write(2) may write fewer bytes than asked: on a full disk it returns a short count before
// it fails), fsync, rename over the target only then, fsync of the folder. On any failure the
// temporary file is removed and the target is left as it was.
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/** writeSync's shape: writes up to `length` bytes of `buffer` from `offset`, returns how many it wrote. */
export type WriteFn = (fd: number, buffer: Uint8Array, offset: number, length: number) => number;

export interface AtomicWriteOptions {
  /** The write call (default fs.writeSync); a test passes one that writes short, as a full disk does. */
  readonly write?: WriteFn;
}

/** The temporary files writeFileAtomic names for `path` start with this (a killed process leaves one). */
export const temporaryPrefix = (path: string): string => `${path}.tmp-`;

export function writeFileAtomic(path: string, bytes: Uint8Array | string, options: AtomicWriteOptions = {}): void {
  const write = options.write ?? ((fd, buffer, offset, length) => writeSync(fd, buffer, offset, length));
  const data = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
  const temporary = `${temporaryPrefix(path)}${process.pid}`;
  const fd = openSync(temporary, 'w');
  let renamed = false;
  try {
    try {
      for (let offset = 0; offset < data.length;) {
        const written = write(fd, data, offset, data.length - offset);
        // a write that makes no progress would loop for ever; the OS reports a full disk as ENOSPC
        if (!(written > 0)) throw new Error(`no progress after ${offset} of ${data.length} bytes`);
        offset += written;
      }
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path);
    renamed = true;
  } catch (error) {
    throw new Error(
      `cannot write ${path} (${data.length} bytes): ${error instanceof Error ? error.message : String(error)}; the previous file is unchanged`,
    );
  } finally {
    if (!renamed) rmSync(temporary, { force: true });
  }
  const dir = openSync(dirname(path), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

/** Writes the file atomically unless it already holds exactly these bytes; returns whether it wrote. */
export function writeFileAtomicIfChanged(path: string, bytes: Uint8Array | string): boolean {
  const data = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
  if (existsSync(path) && Buffer.compare(readFileSync(path), data) === 0) return false;
  writeFileAtomic(path, data);
  return true;
}
