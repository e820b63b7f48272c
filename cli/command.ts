/**
 * The shape of one CLI command (its words, arguments, options and run function).
 * Owns: that contract. Must not touch: dispatch (commands.ts), any command's work.
 */
import type { ParseArgsOptionsConfig } from 'node:util';
import type { CliIo } from './io.ts';

export interface CommandArgs {
  readonly positionals: readonly string[];
  /** A `multiple: true` option gives an array. */
  readonly values: Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>;
}

export interface Command {
  /** The words that name it: `['routes', 'check']`. */
  readonly words: readonly string[];
  /** Its arguments as shown in the usage: `[file] [--json]`. */
  readonly args: string;
  /** One line: what it does. */
  readonly summary: string;
  /** More lines for `dr-relay <command> --help` (options, exit codes), when one line is not enough. */
  readonly details?: readonly string[];
  readonly options: ParseArgsOptionsConfig;
  readonly positionals: { readonly min: number; readonly max: number };
  /** Returns the exit code. */
  readonly run: (args: CommandArgs, io: CliIo) => number | Promise<number>;
}
