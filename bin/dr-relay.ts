#!/usr/bin/env node
/**
 * The `dr-relay` command (package.json "bin"; Node 22 runs this .ts file directly).
 * Owns: process wiring only (argv, stdout/stderr, exit code). Must not touch: any command's work
 * (cli/), the command table (cli/commands.ts).
 */
import { runCli } from '../cli/commands.ts';

const tty = process.stdout.isTTY === true;
const io = {
  out: (line: string) => process.stdout.write(`${line}\n`),
  err: (line: string) => process.stderr.write(`${line}\n`),
  env: process.env,
  cwd: process.cwd(),
  stdoutIsTty: tty,
  // Carriage return, erase the line, then the new text cut to the width (a wrapped line could not be redrawn).
  ...(tty
    ? {
        live: (line: string) =>
          process.stdout.write(
            `\r\u001b[2K${line.slice(0, Math.max(10, (process.stdout.columns || 80) - 1))}`,
          ),
      }
    : {}),
};

try {
  process.exitCode = await runCli(process.argv.slice(2), io);
} catch (error) {
  // A bug, not an input problem: say so, with the stack, and fail.
  io.err(
    `dr-relay: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
  );
  process.exitCode = 1;
}
