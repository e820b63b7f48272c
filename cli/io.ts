/**
 * What every CLI command gets and returns: output sinks, the environment, the working directory,
 * and the exit codes. Owns: those conventions. Must not touch: process (only bin/ does).
 */

export interface CliIo {
  /** One line to stdout (the newline is added). */
  readonly out: (line: string) => void;
  /** One line to stderr. */
  readonly err: (line: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Relative paths are resolved against it. */
  readonly cwd: string;
  /** True when stdout is a terminal (a person watching, not a pipe or a file): live lines may be drawn. */
  readonly stdoutIsTty?: boolean;
  /**
   * Draws `line` as the live line of a terminal, in place of the previous one (no newline); `''`
   * clears it. Only meaningful when `stdoutIsTty`; absent in tests and pipes.
   */
  readonly live?: (line: string) => void;
}

/** 0 done / something would be done; 1 invalid input; 2 usage; 3 valid but nothing would happen. */
export const EXIT = { ok: 0, invalid: 1, usage: 2, nothing: 3 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Bad command line: the dispatcher prints it with the usage and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A variable set to an empty string counts as unset (as in lib/config/env.ts). */
export const envValue = (io: CliIo, name: string): string | undefined => {
  const value = io.env[name];
  return value === undefined || value.trim() === '' ? undefined : value;
};
