/**
 * `dr-relay routes check`, run as a child process: a valid file (exit 0, every route listed), an
 * invalid one (exit 1, every problem listed), --json, the default file, usage errors (exit 2).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APPROVAL_ROUTES, INVALID_ROUTES, ROOT, runBin, SAMPLE_ROUTES } from './helpers.ts';

describe('dr-relay routes check', () => {
  it('accepts the sample file: exit 0, OK with the count, a line per route with its target and cooldown', async () => {
    // Act
    const run = await runBin(['routes', 'check', SAMPLE_ROUTES]);

    // Assess
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`OK: 6 routes in ${SAMPLE_ROUTES}`);
    expect(lines).toHaveLength(7);
    const failover = lines.find((l) => l.trimStart().startsWith('dws-prod-failover '));
    expect(failover).toContain('source=alertmanager alarm=DWSPrimaryDown* cluster=prod');
    expect(failover).toContain('on [alarm]');
    expect(failover).toContain(
      'dws.dr.failover -> dws:89cd04f168b84af6be287f71730fdb4b/e59d6b86-9072-46eb-a996-13f8b44994c1',
    );
    expect(failover).toContain('cooldown 3600 s');
    expect(lines.find((l) => l.includes('redis-sessions-restore'))).toContain(
      'dcs.restore -> dcs:89cd04f168b84af6be287f71730fdb4b/3f1a2b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b',
    );
    expect(run.stderr).toBe('');
  });

  it('rejects the invalid sample: exit 1, every problem with its line, route and field', async () => {
    // Act
    const run = await runBin(['routes', 'check', INVALID_ROUTES]);

    // Assess
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`INVALID: ${INVALID_ROUTES}: 13 problems`);
    expect(run.stdout).toMatch(
      /line 10 +routes\[0\] \(dws-prod-failover\)\.params\.disaster_recovery_id: must be a UUID/,
    );
    expect(run.stdout).toContain('routes[0] (dws-prod-failover).cooldown: unknown field');
    expect(run.stdout).toContain('routes[1] (dws-prod-failback).action: must be one of');
    expect(run.stdout).toContain('routes[2] (dws-prod-failover).name: duplicate: routes[0] has it');
    expect(run.stdout).toContain(
      'routes[2] (dws-prod-failover).cooldown_seconds: must be 0 (no cooldown) or more',
    );
    expect(run.stdout.trimEnd().split('\n')).toHaveLength(14);
  });

  it('--json: {ok: true, routes} with targets, or {ok: false, issues}', async () => {
    // Act
    const good = await runBin(['routes', 'check', SAMPLE_ROUTES, '--json']);
    const bad = await runBin(['routes', 'check', '--json', INVALID_ROUTES]);

    // Assess
    expect(good.code).toBe(0);
    const ok = JSON.parse(good.stdout);
    expect(ok.ok).toBe(true);
    expect(ok.routes).toHaveLength(6);
    expect(ok.routes[1]).toMatchObject({
      name: 'dws-prod-failover-grafana',
      on: ['alarm'],
      cooldown_seconds: 3600,
      target: 'dws:89cd04f168b84af6be287f71730fdb4b/e59d6b86-9072-46eb-a996-13f8b44994c1',
    });
    expect(bad.code).toBe(1);
    const notOk = JSON.parse(bad.stdout);
    expect(notOk.ok).toBe(false);
    expect(notOk.issues).toHaveLength(13);
    expect(notOk.issues[0]).toEqual({
      path: 'routes[0] (dws-prod-failover).on[0]',
      message: 'must be one of alarm, ok, insufficient',
      line: 6,
    });
  });

  it("shows each route's approval in its line and its JSON (approval routes sample)", async () => {
    // Act
    const run = await runBin(['routes', 'check', APPROVAL_ROUTES]);
    const json = await runBin(['routes', 'check', APPROVAL_ROUTES, '--json']);

    // Assess
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`OK: 2 routes in ${APPROVAL_ROUTES}`);
    expect(lines[1]).toMatch(
      /^ {2}dws-prod-failover-approved .+ \| cooldown 3600 s \| approval within 1800 s by alice, ops-bot, then cancel$/,
    );
    expect(lines[2]).toMatch(
      /^ {2}dws-prod-failover-deadman .+ \| approval within 900 s by anyone who can sign, then proceed$/,
    );
    const routes = JSON.parse(json.stdout).routes;
    expect(routes.map((r: { approval?: unknown }) => r.approval)).toEqual([
      { required: true, timeout_seconds: 1800, on_timeout: 'cancel', approvers: ['alice', 'ops-bot'] },
      { required: true, timeout_seconds: 900, on_timeout: 'proceed' },
    ]);
  });

  it('shows no approval for a route without one, and names a bad approval field (exit 1)', async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'dr-relay-cli-'));
    const route = (approval: string) =>
      [
        'routes:',
        '  - name: dws-approval',
        '    match: { source: alertmanager, alarm: DWSPrimaryDown }',
        '    action: dws.dr.failover',
        '    region: cn-north-4',
        '    project_id: 89cd04f168b84af6be287f71730fdb4b',
        '    params: { disaster_recovery_id: e59d6b86-9072-46eb-a996-13f8b44994c1 }',
        `    approval: ${approval}`,
      ].join('\n');
    writeFileSync(
      join(dir, 'short.yml'),
      route('{ required: true, timeout_seconds: 59, on_timeout: later }'),
    );

    // Act
    const plain = await runBin(['routes', 'check', SAMPLE_ROUTES, '--json']);
    const short = await runBin(['routes', 'check', 'short.yml'], { cwd: dir });

    // Assess
    expect(JSON.parse(plain.stdout).routes.every((r: object) => !('approval' in r))).toBe(true);
    expect(short.code).toBe(1);
    expect(short.stdout).toContain('routes[0] (dws-approval).approval.timeout_seconds: must be at least 60');
    expect(short.stdout).toContain('routes[0] (dws-approval).approval.on_timeout: must be cancel or proceed');
  });

  it('reads $DR_ROUTES_FILE, else routes.yml in the working directory', async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'dr-relay-cli-'));

    // Act
    const fromEnv = await runBin(['routes', 'check'], { env: { DR_ROUTES_FILE: join(ROOT, SAMPLE_ROUTES) } });
    const missingDefault = await runBin(['routes', 'check'], { cwd: dir });
    writeFileSync(join(dir, 'routes.yml'), 'routes: []\n');
    const presentDefault = await runBin(['routes', 'check'], { cwd: dir });

    // Assess
    expect(fromEnv.code).toBe(0);
    expect(fromEnv.stdout).toContain('OK: 6 routes');
    expect(missingDefault.code).toBe(1);
    expect(missingDefault.stdout).toContain('INVALID: routes.yml: 1 problem');
    expect(missingDefault.stdout).toContain('(file): not found');
    expect(presentDefault.code).toBe(0);
    expect(presentDefault.stdout).toContain('OK: 0 routes in routes.yml');
  });

  it('warns (still exit 0) about a route that accepts any sender, and says so in --json', async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'dr-relay-cli-'));
    writeFileSync(
      join(dir, 'any.yml'),
      [
        'routes:',
        '  - name: open-door',
        '    match: { source: any, alarm: DWSPrimaryDown }',
        '    action: dws.dr.failover',
        '    region: cn-north-4',
        '    project_id: 89cd04f168b84af6be287f71730fdb4b',
        '    params: { disaster_recovery_id: e59d6b86-9072-46eb-a996-13f8b44994c1 }',
      ].join('\n'),
    );

    // Act
    const run = await runBin(['routes', 'check', 'any.yml'], { cwd: dir });
    const json = await runBin(['routes', 'check', 'any.yml', '--json'], { cwd: dir });

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('WARNING: route open-door accepts any sender (source: any)');
    expect(JSON.parse(json.stdout).warnings).toEqual([
      expect.stringContaining('route open-door accepts any sender'),
    ]);
  });

  it('reports a YAML syntax error with its line', async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'dr-relay-cli-'));
    writeFileSync(join(dir, 'broken.yml'), 'routes:\n  - name: a\n    match: { alarm: [A\n');

    // Act
    const run = await runBin(['routes', 'check', 'broken.yml'], { cwd: dir });

    // Assess
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/line \d+ +\(yaml\): syntax error: /);
  });

  it('exits 2 on usage errors (unknown option, extra argument)', async () => {
    // Act
    const option = await runBin(['routes', 'check', '--bogus']);
    const extra = await runBin(['routes', 'check', 'a.yml', 'b.yml']);

    // Assess
    expect(option.code).toBe(2);
    expect(option.stderr).toContain("Unknown option '--bogus'");
    expect(option.stderr).toContain('usage: dr-relay routes check [file] [--json]');
    expect(extra.code).toBe(2);
    expect(extra.stderr).toContain('unexpected argument "b.yml"');
    expect(option.stdout + extra.stdout).toBe('');
  });
});
