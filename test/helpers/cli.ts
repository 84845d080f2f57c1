// Runs the onnxgrad program in-process, as `onnxgrad ARGS...`, and returns what it printed.
// Commander's own errors reject with a CommanderError; a command's errors reject with its Error.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createProgram } from '../../cli/index.js';
import { captureOutput } from '../../cli/output.js';

export async function runCli(args: readonly string[]): Promise<string> {
  const chunks: string[] = [];
  const restore = captureOutput((text) => chunks.push(text));
  try {
    const program = createProgram()
      .exitOverride()
      .configureOutput({ writeErr: () => undefined });
    for (const command of program.commands) command.exitOverride().configureOutput({ writeErr: () => undefined });
    await program.parseAsync(['node', 'onnxgrad', ...args]);
  } finally {
    restore();
  }
  return chunks.join('');
}

const made: string[] = [];

/** A fresh temporary folder, removed when the test process exits. */
export function tempDir(prefix = 'onnxgrad-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  if (made.push(dir) === 1)
    process.once('exit', () => made.forEach((d) => rmSync(d, { recursive: true, force: true })));
  return dir;
}
