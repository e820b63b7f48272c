/**
 * Running the real `dr-relay` (bin/dr-relay.ts) as a child process, the way a person does:
 * Node (this very binary) + the file, from the repository root, with an environment free of
 * dr-relay variables unless a test sets them. Owns: test plumbing only.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = fileURLToPath(new URL('../../bin/dr-relay.ts', import.meta.url));

export interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

const DR_VARIABLES = /^(DR_|HUAWEICLOUD_)/;

/** The parent's environment without any DR_* / HUAWEICLOUD_* variable, plus `extra`. */
export const cleanEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
  ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !DR_VARIABLES.test(key))),
  ...extra,
});

export const runBin = (
  args: readonly string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): Promise<Run> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd ?? ROOT,
      env: cleanEnv(options.env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });

export const SAMPLE_ROUTES = 'events/routes/routes.yml';
export const INVALID_ROUTES = 'events/routes/invalid-routes.yml';
/** Routes that ask a person first (approval.required): cancel after 30 min, and a deadman that proceeds. */
export const APPROVAL_ROUTES = 'events/routes/approval-routes.yml';
export const alarm = (file: string): string => `events/alarms/${file}`;
