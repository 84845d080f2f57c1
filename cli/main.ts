#!/usr/bin/env node
// The `onnxgrad` executable: one error handler for every command.
import { CommanderError } from 'commander';
import { createProgram } from './index.js';

// `onnxgrad ... | head`: a reader that goes away ends the program quietly, as Unix tools do
for (const stream of [process.stdout, process.stderr])
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(0);
  });

const program = createProgram();
program.exitOverride();
for (const command of program.commands) command.exitOverride(); // addCommand does not pass it on
try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // commander has already printed help, version, or its own usage error
    process.exitCode = error.exitCode;
  } else {
    const verbose = program.opts<{ verbose?: boolean }>().verbose === true || process.argv.includes('--verbose');
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`onnxgrad: error: ${message}\n`);
    if (verbose && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
    process.exitCode = 1;
  }
}
