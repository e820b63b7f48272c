/**
 * Helpers for the deployment tests: run the osls CLI from the repository (wrapped in `timeout`,
 * since invoke local may not exit after an error), an environment with no AWS credentials at all,
 * a per-run bundler folder (parallel runs must not delete each other's builds), reading the last
 * JSON value a command printed, a minimal ZIP reader for the deployment artifact, and `packageService`
 * (one `osls package` run, its template and artifact).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
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
const runOsls = (args: readonly string[], env: NodeJS.ProcessEnv): Promise<CommandResult> =>
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

/**
 * Every `osls package` deletes the repository's `.serverless/` when it starts and writes its state
 * file there when it ends, whatever `--package` says: two at once (test files run in parallel) fail
 * with ENOENT. They take turns on a lock directory (mkdir is atomic); a lock whose owner died is taken over.
 */
const PACKAGE_LOCK = join(REPO_ROOT, '.esbuild', 'osls-package.lock');
const processAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const withPackageLock = async <T>(work: () => Promise<T>): Promise<T> => {
  mkdirSync(dirname(PACKAGE_LOCK), { recursive: true });
  const deadline = Date.now() + 4 * COMMAND_TIMEOUT_SECONDS * 1000;
  for (;;) {
    try {
      mkdirSync(PACKAGE_LOCK);
      writeFileSync(join(PACKAGE_LOCK, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(readFileSyncOr(join(PACKAGE_LOCK, 'pid')));
      if (owner > 0 && !processAlive(owner)) rmSync(PACKAGE_LOCK, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`osls package: ${PACKAGE_LOCK} held too long`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    return await work();
  } finally {
    rmSync(PACKAGE_LOCK, { recursive: true, force: true });
  }
};
const readFileSyncOr = (path: string): string => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
};

/** Runs `npx osls <args>` in the repository under `timeout` (`package` runs one at a time), collecting its output. */
export const osls = (args: readonly string[], env: NodeJS.ProcessEnv): Promise<CommandResult> =>
  args[0] === 'package' ? withPackageLock(() => runOsls(args, env)) : runOsls(args, env);

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

/** What `osls package` wrote: the CloudFormation template (parsed) and the artifact's entries. */
export interface Packaged {
  readonly run: CommandResult;
  readonly template: CloudFormationTemplate;
  readonly entries: ZipEntry[];
  /** Removes the output and the bundler folders. */
  cleanup(): void;
}

export interface CloudFormationResource {
  readonly Type: string;
  readonly Properties: Record<string, unknown>;
  readonly Condition?: string;
  readonly DependsOn?: string | readonly string[];
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
}

export interface CloudFormationTemplate {
  readonly Resources: Record<string, CloudFormationResource>;
  readonly Outputs: Record<string, { readonly Value: unknown; readonly Description?: string }>;
  readonly Conditions?: Record<string, unknown>;
}

/**
 * `osls package --stage <stage> --region eu-west-1` with `params` (`--param key=value` each), offline,
 * into a folder of its own; throws with the output unless it succeeds.
 */
export const packageService = async (
  label: string,
  params: Record<string, string>,
  stage = 'test',
): Promise<Packaged> => {
  const outDir = mkdtempSync(join(tmpdir(), `dr-relay-${label}-`));
  const workFolder = uniqueWorkFolder(label);
  const cleanup = () => {
    rmSync(outDir, { recursive: true, force: true });
    rmSync(join(REPO_ROOT, workFolder), { recursive: true, force: true });
  };
  const run = await osls(
    [
      'package',
      '--stage',
      stage,
      '--region',
      'eu-west-1',
      '--package',
      outDir,
      '--param',
      `esbuildWorkFolder=${workFolder}`,
      ...Object.entries(params).flatMap(([key, value]) => ['--param', `${key}=${value}`]),
    ],
    // Any AWS call would go to a closed loopback port and fail at once, not hang.
    offlineEnv({ AWS_ENDPOINT_URL: 'http://127.0.0.1:9' }),
  );
  console.info(`osls package (${label}): exit ${run.code} in ${(run.ms / 1000).toFixed(1)} s`);
  if (run.code !== 0) {
    cleanup();
    throw new Error(`osls package (${label}) failed (${run.code}):\n${run.stdout}\n${run.stderr}`);
  }
  return {
    run,
    template: JSON.parse(readFileSync(join(outDir, 'cloudformation-template-update-stack.json'), 'utf8')),
    entries: readZip(join(outDir, 'dr-relay.zip')),
    cleanup,
  };
};
