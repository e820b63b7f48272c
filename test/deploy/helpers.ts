/**
 * Helpers for the deployment tests: run the osls CLI from the repository (wrapped in `timeout`,
 * since invoke local may not exit after an error), an environment with no AWS credentials at all,
 * a per-run bundler folder (parallel runs must not delete each other's builds), reading the last
 * JSON value a command printed, and a minimal ZIP reader for the deployment artifact.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { inflateRawSync } from 'node:zlib';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Generous: a cold npx plus esbuild on a busy machine. */
export const COMMAND_TIMEOUT_SECONDS = 120;

export interface CommandResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** Runs `npx osls <args>` in the repository under `timeout`, collecting its output. */
export const osls = (args: readonly string[], env: NodeJS.ProcessEnv): Promise<CommandResult> =>
  new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(
      'timeout',
      ['--kill-after=5', String(COMMAND_TIMEOUT_SECONDS), 'npx', 'osls', ...args],
      { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: performance.now() - started }));
  });

/** Everything an AWS SDK or the framework could take credentials from, removed or pointed nowhere. */
const CREDENTIAL_VARIABLES = [
  'AWS_PROFILE',
  'AWS_DEFAULT_PROFILE',
  'AWS_ROLE_ARN',
  'AWS_ROLE_SESSION_NAME',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN',
];

/** This process's environment without AWS credentials, plus `extra`. */
export const offlineEnv = (
  extra: Record<string, string> = {},
  base: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = { ...base };
  for (const name of CREDENTIAL_VARIABLES) delete env[name];
  return {
    ...env,
    AWS_ACCESS_KEY_ID: '',
    AWS_SECRET_ACCESS_KEY: '',
    AWS_SESSION_TOKEN: '',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/dr-relay/credentials',
    AWS_CONFIG_FILE: '/nonexistent/dr-relay/config',
    AWS_EC2_METADATA_DISABLED: 'true',
    CI: 'true',
    ...extra,
  };
};

/** A bundler scratch folder of this run's own, under .esbuild/ (git-ignored). */
export const uniqueWorkFolder = (label: string): string =>
  `.esbuild/${label}-${process.pid}-${randomBytes(4).toString('hex')}`;

/** The last complete JSON value in a command's output (log lines before it are skipped). */
export const lastJsonValue = (output: string): unknown => {
  const lines = output.trimEnd().split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]?.trimStart() ?? '';
    if (!line.startsWith('{') && !line.startsWith('[')) continue;
    try {
      return JSON.parse(lines.slice(i).join('\n'));
    } catch {
      // a log line or the inside of the value: keep looking further up
    }
  }
  throw new Error(`no JSON value in output:\n${output}`);
};

export interface ZipEntry {
  readonly name: string;
  readonly size: number;
  readonly compressedSize: number;
  read(): Buffer;
}

/** Lists a ZIP archive's entries from its central directory (stored and deflated entries). */
export const readZip = (path: string): ZipEntry[] => {
  const zip = readFileSync(path);
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error(`${path}: not a ZIP archive`);
  const count = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  const entries: ZipEntry[] = [];
  for (let n = 0; n < count; n++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error(`${path}: bad central directory`);
    const method = zip.readUInt16LE(at + 10);
    const compressedSize = zip.readUInt32LE(at + 20);
    const size = zip.readUInt32LE(at + 24);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    entries.push({
      name,
      size,
      compressedSize,
      read: () => {
        const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
        const data = zip.subarray(start, start + compressedSize);
        if (method === 0) return Buffer.from(data);
        if (method === 8) return inflateRawSync(data);
        throw new Error(`${name}: unsupported compression method ${method}`);
      },
    });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
};
