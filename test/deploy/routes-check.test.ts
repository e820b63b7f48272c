/**
 * No package, and so no deploy, without a valid routes file (deploy/routes-check-plugin.cjs):
 * `osls package` runs `dr-relay routes check` on `--param routesFile` before anything is built and
 * fails with that check's own report; a stage other than dev and local has no default routes file;
 * the file must lie inside the service folder (it is shipped at that relative path). Each failing run
 * builds nothing, so it stops within seconds.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { COMMAND_TIMEOUT_SECONDS, offlineEnv, osls, REPO_ROOT, uniqueWorkFolder } from './helpers.ts';

const TEST_TIMEOUT_MS = (COMMAND_TIMEOUT_SECONDS + 10) * 1000;
const INVALID_ROUTES = 'events/routes/invalid-routes.yml';
const MISSING_ROUTES = 'events/routes/no-such-routes.yml';
const SAMPLE_ROUTES = 'events/routes/routes.yml';

const outDirs: string[] = [];
const workFolders: string[] = [];

afterAll(() => {
  for (const dir of outDirs) rmSync(dir, { recursive: true, force: true });
  for (const folder of workFolders) rmSync(join(REPO_ROOT, folder), { recursive: true, force: true });
});

/** `osls package` with these params into a fresh folder; its exit code, output and whether it wrote a template. */
const packageWith = async (stage: string, params: Record<string, string>) => {
  const outDir = mkdtempSync(join(tmpdir(), 'dr-relay-routes-check-'));
  const workFolder = uniqueWorkFolder('routes-check-test');
  outDirs.push(outDir);
  workFolders.push(workFolder);
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
    offlineEnv({ AWS_ENDPOINT_URL: 'http://127.0.0.1:9' }),
  );
  console.info(
    `osls package --stage ${stage} ${JSON.stringify(params)}: exit ${run.code} in ${(run.ms / 1000).toFixed(1)} s`,
  );
  return {
    ...run,
    output: `${run.stdout}\n${run.stderr}`,
    packaged: existsSync(join(outDir, 'cloudformation-template-update-stack.json')),
  };
};

/** What an operator sees from `dr-relay routes check <file>`: its exit code and report lines. */
const routesCheck = (file: string) => {
  const run = spawnSync(process.execPath, ['bin/dr-relay.ts', 'routes', 'check', file], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  return { code: run.status, lines: run.stdout.trimEnd().split('\n') };
};

describe('osls package checks the routes file first', () => {
  it.each([
    ['an invalid', INVALID_ROUTES],
    ['a missing', MISSING_ROUTES],
  ])(
    'fails on %s routes file with the report of `dr-relay routes check`, every line of it',
    async (_, file) => {
      // Prepare
      const check = routesCheck(file);

      // Act
      const run = await packageWith('prod', { routesFile: file });

      // Assess
      expect(check.code).toBe(1);
      expect(check.lines[0]).toMatch(new RegExp(`^INVALID: ${file}: \\d+ problems?$`));
      expect(run.code, run.output).not.toBe(0);
      for (const line of check.lines) expect(run.output).toContain(line);
      expect(run.packaged).toBe(false);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'gives a stage other than dev and local no default routes file: --param routesFile is required',
    async () => {
      // Act
      const run = await packageWith('prod', {});

      // Assess
      expect(run.code, run.output).not.toBe(0);
      expect(run.output).toContain('stage "prod" has no routes file: pass --param routesFile=<file>');
      expect(run.packaged).toBe(false);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'refuses a routes file outside the service folder (it could not be shipped at that path)',
    async () => {
      // Act
      const run = await packageWith('prod', { routesFile: '../routes.yml' });

      // Assess
      expect(run.code, run.output).not.toBe(0);
      expect(run.output).toContain('--param routesFile=../routes.yml must be a path relative to');
      expect(run.packaged).toBe(false);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'packages the dev stage with the sample routes by default, and says the check passed',
    async () => {
      // Prepare
      const check = routesCheck(SAMPLE_ROUTES);

      // Act
      const run = await packageWith('dev', {});

      // Assess
      expect(check.code).toBe(0);
      expect(run.code, run.output).toBe(0);
      expect(run.packaged).toBe(true);
      expect(run.output).toContain(`Routes check: ${check.lines[0]}`);
    },
    TEST_TIMEOUT_MS,
  );
});
