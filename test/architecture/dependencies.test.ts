/**
 * The repository keeps the dependency rules of test/architecture/rules.ts: every .ts file in git
 * (tracked, or new and not ignored; outside a checkout, every .ts file of the tree) is read and checked. A breach fails with `path:line what [rule]`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { HUAWEI_SEND, violations } from './rules.ts';
import { callsOf, type SourceFile, scan } from './sourceScan.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Folders that are never source: dependencies, build output (as .gitignore lists them). */
const NOT_SOURCE = new Set(['node_modules', '.git', '.serverless', '.esbuild', 'coverage', 'dist']);

/** Every .ts file git knows (tracked, or new and not ignored); a walk of the tree outside a git checkout. */
const sourcePaths = (): string[] => {
  try {
    return execFileSync(
      'git',
      ['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--', '*.ts'],
      {
        cwd: ROOT,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    )
      .split('\0')
      .filter((path) => path !== '' && existsSync(`${ROOT}${path}`));
  } catch {
    return readdirSync(ROOT, { recursive: true, encoding: 'utf8' })
      .map((path) => path.split(sep).join('/'))
      .filter((path) => path.endsWith('.ts') && !path.split('/').some((part) => NOT_SOURCE.has(part)));
  }
};

const sourceFiles = (): SourceFile[] =>
  sourcePaths()
    .filter((path) => !path.split('/').includes('node_modules'))
    .map((path) => ({ path, text: readFileSync(`${ROOT}${path}`, 'utf8') }));

describe('the dependency rules', () => {
  it('hold on the whole tree', () => {
    // Prepare
    const files = sourceFiles();

    // Act
    const found = violations(files);

    // Assess
    expect(found).toEqual([]);
  });

  it('see the tree (not vacuously true)', () => {
    // Prepare
    const files = sourceFiles();
    const known = new Set(files.map(({ path }) => path));
    const executor = files.find(({ path }) => path === 'lib/execution/executor.ts');

    // Act
    const scanned = files.map((file) => scan(file, known));
    const imports = scanned.flatMap((file) => file.imports);
    const sends = executor ? callsOf(scan(executor, known), HUAWEI_SEND) : [];

    // Assess
    expect(files.map(({ path }) => path)).toEqual(
      expect.arrayContaining(['handlers/requests.ts', 'lib/actions/types.ts', 'cli/commands.ts']),
    );
    expect(imports.length).toBeGreaterThan(files.length);
    expect(imports.filter(({ target }) => 'file' in target && !known.has(target.file))).toEqual([]);
    expect(sends.length, 'the executor calls the Huawei client: the send rule recognises it').toBe(1);
  });
});
