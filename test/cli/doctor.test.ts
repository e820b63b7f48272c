/**
 * `dr-relay doctor`, against a real simulator on loopback: every routed target of the sample routes
 * gets a verdict from GETs only (the call log shows no effect); a wrong SK is an APIGW.0301 with the
 * server's canonical request; a single-node DCS instance cannot restore; a DR pair whose status
 * does not allow failover would be refused (the action's own preflight); request files are checked
 * too (a CBR target: its backup available, of the right kind, its restore tasks readable); not
 * found, no permission and unreachable are told apart; with nothing configured it checks
 * the simulator of `npm start` with its local keys.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LOCAL_DEFAULTS } from '../../cli/localDefaults.ts';
import { actionFor } from '../../lib/actions/catalogue.ts';
import { loadRoutes } from '../../lib/routing/routes.ts';
import { loadSamples, seedSamples } from '../../tools/local/samples.ts';
import { seedFor } from '../../tools/local/workload.ts';
import { type DcsInit, type Simulator, startSimulator } from '../../tools/simulator/index.ts';
import { SAMPLE_ROUTES } from './helpers.ts';
import { runIn } from './inProcess.ts';

const KEYS = { ak: 'DOCTORTESTACCESSKEY', sk: 'doctor-test-secret-key' };
const PROJECT = '89cd04f168b84af6be287f71730fdb4b';
const DR = 'e59d6b86-9072-46eb-a996-13f8b44994c1';
const INSTANCE = '3f1a2b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b';
const BACKUP = '7c6b5a49-3827-4165-9453-021f3e4d5c6b';
const DWS_TARGET = `dws:${PROJECT}/${DR}`;
const DCS_TARGET = `dcs:${PROJECT}/${INSTANCE}`;
const CSBS_REQUEST = 'events/requests/csbs-restore.json';
const CSBS_ITEM = '4f2a9c7e-1b3d-4e5f-8a6b-9c0d1e2f3a4b';
const CSBS_CHECKPOINT = '8d3e1c52-6f0b-4a47-9b2e-5c1d7a9e3f64';
const CSBS_TARGET = `csbs:${PROJECT}/a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d`;
const CBR_REQUEST = 'events/requests/cbr-restore.json';
const CBR_BACKUP = '6a1e4c8f-2b7d-4e9a-b3c5-7d0f2e4a6c81';
const CBR_SERVER = 'c4e8a2f6-0b1d-4f3a-9e5c-7a9b1d3f5e70';
const CBR_DISK_BACKUP = '2d9f1b7e-5c3a-4a8e-9b6d-0e4f8a2c6b13';
const CBR_VOLUME = 'e7b3d9f1-4a6c-4e2b-8d0f-1c5a9e3b7d24';
const CBR_TARGET = `cbr:${PROJECT}/${CBR_SERVER}`;

const running: Simulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((sim) => sim.close()));
});

/** The sample routes (other routes may be added to the file: the expectations follow it). */
const ROUTES = loadRoutes(SAMPLE_ROUTES);
/** Every target of the sample routes, in order of first appearance. */
const TARGETS = [...new Set(ROUTES.map((r) => actionFor(r.action).target(r)))];
const N = TARGETS.length;
/** The names of the routes aimed at `target`. */
const routesTo = (target: string): string[] =>
  ROUTES.filter((r) => actionFor(r.action).target(r) === target).map((r) => r.name);
/** `route a` or `routes a, b`, as a target's line says it. */
const forRoutes = (target: string): string => {
  const names = routesTo(target);
  return `${names.length === 1 ? 'route' : 'routes'} ${names.join(', ')}`;
};
const summary = (targets: number, ok: number) =>
  `${targets} ${targets === 1 ? 'target' : 'targets'}: ${ok} ok, ${targets - ok} would fail`;

/**
 * A simulator holding every sample route's target in a state that allows its action (as `npm start`
 * seeds it), then the DR pair (running) and the DCS instance (ha, with its backup) as asked.
 */
const simulator = async (
  options: { dr?: string; dcs?: DcsInit; keys?: { ak: string; sk: string } } = {},
): Promise<Simulator> => {
  const sim = await startSimulator({ credentials: [options.keys ?? KEYS] });
  running.push(sim);
  for (const route of ROUTES) seedFor(sim, route);
  sim.seed.drPair(PROJECT, DR, { status: options.dr ?? 'running' });
  sim.seed.dcsInstance(PROJECT, INSTANCE, options.dcs ?? { mode: 'ha', backups: [{ backupId: BACKUP }] });
  return sim;
};

/** The environment the functions read, pointed at `sim`. */
const envFor = (sim: Simulator, extra: Record<string, string> = {}): Record<string, string> => ({
  HUAWEICLOUD_SDK_AK: KEYS.ak,
  HUAWEICLOUD_SDK_SK: KEYS.sk,
  DR_ENDPOINT_DWS: sim.url,
  DR_ENDPOINT_CSBS: sim.url,
  DR_ENDPOINT_DCS: sim.url,
  DR_ENDPOINT_CBR: sim.url,
  ...extra,
});

const doctor = (sim: Simulator, args: string[] = [], extra: Record<string, string> = {}) =>
  runIn(['doctor', '--routes', SAMPLE_ROUTES, ...args], envFor(sim, extra));

/** The human line of one target. */
const lineOf = (stdout: string, target: string): string =>
  stdout.split('\n').find((line) => line.startsWith(`${target}  `)) ?? '(no line)';

interface JsonTarget {
  target: string;
  verdict: string;
  reason?: string;
  reachable: boolean;
  signature_accepted: boolean | null;
  permission: boolean | null;
  state?: string;
  actions: string[];
  from: string[];
  reads: { method: string; url: string; status?: number; error_code?: string }[];
}
interface JsonReport {
  ok: boolean;
  local: boolean;
  summary: { targets: number; ok: number; would_fail: number };
  targets: JsonTarget[];
}

describe('dr-relay doctor: the sample routes against the simulator', () => {
  it('lists every routed target with a verdict (ok), reading with GETs only: no effect', async () => {
    // Prepare
    const sim = await simulator();

    // Act
    const run = await doctor(sim);

    // Assess
    expect(run.code).toBe(0);
    expect(TARGETS).toEqual(expect.arrayContaining([DWS_TARGET, DCS_TARGET]));
    for (const target of TARGETS)
      expect(lineOf(run.stdout, target)).toMatch(new RegExp(`^${target}  ok  \\[`));
    const dws = lineOf(run.stdout, DWS_TARGET);
    expect(dws).toContain(`${DWS_TARGET}  ok  [dws.dr.failover for ${forRoutes(DWS_TARGET)};`);
    expect(dws).toContain('reachable, signature accepted, permitted; DR status running');
    const dcs = lineOf(run.stdout, DCS_TARGET);
    expect(dcs).toContain(`${DCS_TARGET}  ok  [dcs.restore for ${forRoutes(DCS_TARGET)};`);
    expect(dcs).toContain(
      `instance RUNNING (Redis redis.ha.xu1.large.r2.1), backup ${BACKUP} succeed, restore records readable`,
    );
    expect(run.stdout.trim().split('\n').at(-1)).toBe(summary(N, N));
    expect(run.stdout.trim().split('\n')).toHaveLength(N + 1);
    expect(sim.calls.length).toBeGreaterThan(0);
    expect(sim.calls.every((c) => c.method === 'GET' && !c.effectApplied && c.authorized)).toBe(true);
    expect([...new Set(sim.calls.map((c) => c.route))]).toEqual(
      expect.arrayContaining(['dws.dr.show', 'dcs.instance.show', 'dcs.backups.list', 'dcs.restores.list']),
    );
    // The routes aimed at one DR pair share it: its detail is read once.
    expect(routesTo(DWS_TARGET).length).toBeGreaterThan(1);
    expect(sim.calls.filter((c) => c.route === 'dws.dr.show' && c.resourceId === DR)).toHaveLength(1);
    expect(sim.drPair(PROJECT, DR)).toMatchObject({ status: 'running' });
    expect(sim.dcsRestores(PROJECT, INSTANCE)).toEqual([]);
  });

  it('--json: one document with the summary and, per target, access, state, verdict and the reads', async () => {
    // Prepare
    const sim = await simulator();

    // Act
    const run = await doctor(sim, ['--json']);

    // Assess
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as JsonReport;
    expect(report).toMatchObject({ ok: true, local: false, summary: { targets: N, ok: N, would_fail: 0 } });
    expect(report.targets.map((t) => [t.target, t.verdict])).toEqual(TARGETS.map((t) => [t, 'ok']));
    const dws = report.targets.find((t) => t.target === DWS_TARGET);
    const dcs = report.targets.find((t) => t.target === DCS_TARGET);
    expect(dws).toMatchObject({
      reachable: true,
      signature_accepted: true,
      permission: true,
      state: `DR status running, primary cluster ${DR}-primary`,
      actions: ['dws.dr.failover'],
      from: routesTo(DWS_TARGET).map((name) => `route ${name}`),
      reads: [{ method: 'GET', url: `${sim.url}/v2/${PROJECT}/disaster-recovery/${DR}`, status: 200 }],
    });
    expect(dcs?.reads.map((r) => [r.url.slice(sim.url.length), r.status])).toEqual([
      [`/v2/${PROJECT}/instances/${INSTANCE}`, 200],
      [`/v2/${PROJECT}/instances/${INSTANCE}/backups?offset=0&limit=1000`, 200],
      [`/v2/${PROJECT}/instances/${INSTANCE}/restores?offset=0&limit=1000`, 204],
    ]);
  });

  it('a wrong SK: bad signature, with APIGW.0301 and the canonical request the server computed; exit 1', async () => {
    // Prepare
    const sim = await simulator();

    // Act
    const run = await doctor(sim, [], { HUAWEICLOUD_SDK_SK: 'not-the-right-secret' });

    // Assess
    expect(run.code).toBe(1);
    const dws = lineOf(run.stdout, DWS_TARGET);
    expect(dws).toContain(
      `${DWS_TARGET}  bad signature: DR detail: GET /v2/${PROJECT}/disaster-recovery/${DR} -> 401 APIGW.0301:`,
    );
    expect(dws).toContain(
      `verify aksk signature fail, canonicalRequest: GET|/v2/${PROJECT}/disaster-recovery/${DR}/||content-type:application/json|`,
    );
    expect(dws).toContain('reachable, signature refused, permission unknown');
    expect(dws).not.toContain('not-the-right-secret');
    expect(lineOf(run.stdout, DCS_TARGET)).toContain(`${DCS_TARGET}  bad signature: instance: GET /v2/`);
    expect(run.stdout).toContain(summary(N, 0));
    expect(
      sim.calls.every((c) => c.method === 'GET' && c.status === 401 && c.errorCode === 'APIGW.0301'),
    ).toBe(true);
  });

  it('a single-node DCS instance: would be refused, dcs.restore: a single-node instance cannot restore', async () => {
    // Prepare
    const sim = await simulator({ dcs: { mode: 'single', backups: [{ backupId: BACKUP }] } });

    // Act
    const run = await doctor(sim);

    // Assess
    expect(run.code).toBe(1);
    expect(lineOf(run.stdout, DCS_TARGET)).toContain(
      `${DCS_TARGET}  would be refused: dcs.restore: a single-node instance cannot restore (spec_code redis.single.xu1.large.1)`,
    );
    expect(lineOf(run.stdout, DWS_TARGET)).toContain(`${DWS_TARGET}  ok`);
    expect(run.stdout).toContain(summary(N, N - 1));
  });

  it('a DR pair whose status does not allow failover: would be refused, naming the action and the rule', async () => {
    // Prepare
    const sim = await simulator({ dr: 'unstart' });

    // Act
    const run = await doctor(sim);

    // Assess
    expect(run.code).toBe(1);
    expect(lineOf(run.stdout, DWS_TARGET)).toContain(
      `${DWS_TARGET}  would be refused: dws.dr.failover: DR status is unstart; failover is allowed only from running | abnormal`,
    );
    expect(lineOf(run.stdout, DWS_TARGET)).toContain('DR status unstart');
    expect(sim.calls.every((c) => c.method === 'GET' && !c.effectApplied)).toBe(true);
    expect(sim.drPair(PROJECT, DR)).toMatchObject({ status: 'unstart' });
  });

  it('a DCS instance busy restoring, or a backup that is missing or failed: would be refused, saying which', async () => {
    // Prepare
    const restoring = await simulator({
      dcs: { mode: 'ha', status: 'RESTORING', backups: [{ backupId: BACKUP }] },
    });
    const missing = await simulator({ dcs: { mode: 'cluster', backups: [] } });
    const failed = await simulator({
      dcs: { mode: 'ha', backups: [{ backupId: BACKUP, status: 'failed' }] },
    });

    // Act
    const runs = await Promise.all([doctor(restoring), doctor(missing), doctor(failed)]);

    // Assess
    const [busy, absent, broken] = runs.map((run) => lineOf(run.stdout, DCS_TARGET));
    expect(busy).toContain(
      'would be refused: dcs.restore: the instance is RESTORING; a restore needs RUNNING',
    );
    expect(absent).toContain(
      `would be refused: dcs.restore: backup ${BACKUP} is not in the instance's backup list`,
    );
    expect(absent).toContain(`backup ${BACKUP} absent (0 backups)`);
    expect(broken).toContain(
      `would be refused: dcs.restore: backup ${BACKUP} is failed; only a backup that succeeded restores`,
    );
    expect(runs.map((run) => run.code)).toEqual([1, 1, 1]);
  });

  it('DR_DCS_API_VERSION=v1.0: the DCS reads go to /v1.0 (start 1-based)', async () => {
    // Prepare
    const sim = await simulator();

    // Act
    const run = await doctor(sim, [], { DR_DCS_API_VERSION: 'v1.0' });

    // Assess
    expect(run.code).toBe(0);
    expect(sim.calls.filter((c) => c.route.startsWith('dcs.')).map((c) => c.path)).toEqual(
      expect.arrayContaining([
        `/v1.0/${PROJECT}/instances/${INSTANCE}`,
        `/v1.0/${PROJECT}/instances/${INSTANCE}/backups?start=1&limit=1000`,
        `/v1.0/${PROJECT}/instances/${INSTANCE}/restores?start=1&limit=1000`,
      ]),
    );
  });
});

describe('dr-relay doctor: failures told apart', () => {
  it('an unknown DR pair and DCS instance: not found (DWS.0015 may also mean no permission)', async () => {
    // Prepare
    const sim = await startSimulator({ credentials: [KEYS] });
    running.push(sim);

    // Act
    const run = await doctor(sim, ['--json']);

    // Assess
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as JsonReport;
    expect(report.targets.map((t) => t.verdict)).toEqual(TARGETS.map(() => 'not found'));
    const dws = report.targets.find((t) => t.target === DWS_TARGET);
    const dcs = report.targets.find((t) => t.target === DCS_TARGET);
    expect(dws?.reason).toContain('403 DWS.0015');
    expect(dws?.reason).toContain('DWS answers so for no permission too');
    expect(dws?.permission).toBeNull();
    expect(dcs?.reason).toContain('404 DCS.3022');
    expect(dcs?.reads).toHaveLength(1);
  });

  it('a 403 from the gateway: no permission', async () => {
    // Prepare
    const sim = await simulator();
    sim.faults.add({ route: 'dws.dr.show', kind: 'status', status: 403 });

    // Act
    const run = await doctor(sim);

    // Assess
    expect(run.code).toBe(1);
    const dws = lineOf(run.stdout, DWS_TARGET);
    expect(dws).toContain(
      `${DWS_TARGET}  no permission: DR detail: GET /v2/${PROJECT}/disaster-recovery/${DR} -> 403 APIGW.0302`,
    );
    expect(dws).toContain('reachable, signature accepted, no permission');
  });

  it('an endpoint nothing listens on: unreachable', async () => {
    // Prepare
    const sim = await simulator();
    const closed = sim.url;
    await sim.close();

    // Act
    const run = await runIn(['doctor', '--routes', SAMPLE_ROUTES], envFor(sim, { DR_ENDPOINT_DCS: closed }));

    // Assess
    expect(run.code).toBe(1);
    expect(lineOf(run.stdout, DCS_TARGET)).toMatch(
      new RegExp(
        `^${DCS_TARGET}  unreachable: instance: GET /v2/.+ not sent .*ECONNREFUSED.*\\[dcs\\.restore for ${forRoutes(DCS_TARGET)}; unreachable\\]$`,
      ),
    );
  });
});

describe('dr-relay doctor: request files', () => {
  it("--request adds each request's target: a CSBS checkpoint item available is ok, one restoring would be refused", async () => {
    // Prepare
    const ready = await simulator();
    ready.seed.csbsCheckpointItem(PROJECT, CSBS_ITEM, { checkpointId: CSBS_CHECKPOINT });
    const busy = await simulator();
    busy.seed.csbsCheckpointItem(PROJECT, CSBS_ITEM, { checkpointId: CSBS_CHECKPOINT, status: 'restoring' });

    // Act
    const ok = await doctor(ready, ['--request', CSBS_REQUEST]);
    const refused = await doctor(busy, ['--request', CSBS_REQUEST]);

    // Assess
    expect(ok.code).toBe(0);
    expect(lineOf(ok.stdout, CSBS_TARGET)).toContain(
      `${CSBS_TARGET}  ok  [csbs.restore for request ${CSBS_REQUEST}; reachable, signature accepted, permitted; checkpoint item available]`,
    );
    expect(ok.stdout).toContain(summary(N + 1, N + 1));
    expect(refused.code).toBe(1);
    expect(lineOf(refused.stdout, CSBS_TARGET)).toContain(
      'would be refused: csbs.restore: the checkpoint item is restoring; a restore can start only from available',
    );
    expect(busy.calls.filter((c) => c.route === 'csbs.checkpoint_item.show')).toHaveLength(1);
  });

  it('--request with a CBR restore: its backup available and its restore tasks readable is ok, with GETs only', async () => {
    // Prepare
    const sim = await simulator();
    sim.seed.cbrBackup(PROJECT, CBR_BACKUP, {
      resourceId: CBR_SERVER,
      disks: [{ backupId: CBR_DISK_BACKUP, volumeId: CBR_VOLUME }],
    });

    // Act
    const run = await doctor(sim, ['--request', CBR_REQUEST]);

    // Assess
    expect(run.code).toBe(0);
    expect(lineOf(run.stdout, CBR_TARGET)).toBe(
      `${CBR_TARGET}  ok  [cbr.restore for request ${CBR_REQUEST}; reachable, signature accepted, permitted; backup available (OS::Nova::Server), restore tasks readable]`,
    );
    expect(run.stdout).toContain(summary(N + 1, N + 1));
    expect(sim.calls.filter((c) => c.route.startsWith('cbr.')).map((c) => [c.method, c.path])).toEqual([
      ['GET', `/v3/${PROJECT}/backups/${CBR_BACKUP}`],
      ['GET', `/v3/${PROJECT}/operation-logs?operation_type=restore&limit=1000`],
    ]);
    expect(sim.calls.some((c) => c.effectApplied)).toBe(false);
  });

  it.each<[string, Parameters<Simulator['seed']['cbrBackup']>[2], string]>([
    [
      'a backup restoring',
      {
        resourceId: CBR_SERVER,
        status: 'restoring',
        disks: [{ backupId: CBR_DISK_BACKUP, volumeId: CBR_VOLUME }],
      },
      'cbr.restore: backup status is restoring; a restore can start only from available',
    ],
    [
      'a disk backup for a server restore',
      { resourceId: CBR_VOLUME, resourceType: 'OS::Cinder::Volume' },
      'cbr.restore: server_id needs a server backup; this backup is of OS::Cinder::Volume',
    ],
    [
      'mappings naming a disk backup the backup does not have',
      { resourceId: CBR_SERVER, disks: [] },
      `cbr.restore: mappings[0].backup_id ${CBR_DISK_BACKUP} is not a disk backup of this backup`,
    ],
  ])('--request with a CBR restore: %s would be refused, saying why', async (_what, init, reason) => {
    // Prepare
    const sim = await simulator();
    sim.seed.cbrBackup(PROJECT, CBR_BACKUP, init);

    // Act
    const run = await doctor(sim, ['--request', CBR_REQUEST]);

    // Assess
    expect(run.code).toBe(1);
    expect(lineOf(run.stdout, CBR_TARGET)).toContain(`${CBR_TARGET}  would be refused: ${reason}`);
  });

  it('--request with a CBR restore of an unknown backup: not found (BackupService.6200)', async () => {
    // Prepare
    const sim = await simulator();

    // Act
    const run = await doctor(sim, ['--request', CBR_REQUEST, '--json']);

    // Assess
    const report = JSON.parse(run.stdout) as JsonReport;
    const cbr = report.targets.find((t) => t.target === CBR_TARGET);
    expect(run.code).toBe(1);
    expect(cbr).toMatchObject({ verdict: 'not found', reachable: true, signature_accepted: true });
    expect(cbr?.reason).toContain('404 BackupService.6200');
    expect(cbr?.reads).toHaveLength(1);
  });

  it('requests only (no --routes, no DR_ROUTES_FILE): no routes file is read; two actions on one DR are one target', async () => {
    // Prepare
    const sim = await simulator();

    // Act
    const run = await runIn(
      [
        'doctor',
        '--request',
        'events/requests/dws-dr-failover.json',
        '--request',
        'events/requests/dws-dr-recovery.json',
      ],
      envFor(sim),
    );

    // Assess
    expect(run.code).toBe(1);
    expect(run.stdout.trim().split('\n')).toEqual([
      `${DWS_TARGET}  would be refused: dws.dr.recovery: DR status is running; recovery is allowed only from stopped` +
        '  [dws.dr.failover, dws.dr.recovery for requests events/requests/dws-dr-failover.json, events/requests/dws-dr-recovery.json;' +
        ` reachable, signature accepted, permitted; DR status running, primary cluster ${DR}-primary]`,
      '1 target: 0 ok, 1 would fail',
    ]);
    expect(sim.calls).toHaveLength(1);
  });

  it('an invalid request file: INVALID naming the field, exit 1, nothing sent', async () => {
    // Prepare
    const sim = await simulator();

    // Act
    const run = await doctor(sim, ['--request', 'events/requests/invalid-request.json']);

    // Assess
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('INVALID: request events/requests/invalid-request.json:');
    expect(run.stdout).toContain('params.instance_id');
    expect(sim.calls).toEqual([]);
  });
});

describe('dr-relay doctor: configuration', () => {
  it('with no keys nor endpoints set: the simulator of `npm start`, signed with its local keys, seeded as npm start seeds it', async () => {
    // Prepare: the simulator as scripts/start.ts runs it (local keys, sample requests and routes seeded).
    const sim = await simulator({ keys: LOCAL_DEFAULTS.huawei });
    seedSamples(sim, loadSamples().values());
    for (const route of ROUTES) seedFor(sim, route);
    const port = new URL(sim.url).port;

    // Act: the README example
    const run = await runIn(['doctor', '--routes', SAMPLE_ROUTES, '--request', CSBS_REQUEST], {
      [LOCAL_DEFAULTS.portVariables.simulator]: port,
    });

    // Assess
    expect(run.stderr).toContain(
      `checking the local stack's Huawei simulator http://127.0.0.1:${port}, started by npm start`,
    );
    expect(run.stdout).toContain(summary(N + 1, N + 1));
    expect(run.code).toBe(0);
  });

  it('an endpoint that is not a URL: INVALID configuration, exit 1, nothing sent; an AK without SK: usage, exit 2', async () => {
    // Prepare
    const sim = await simulator();

    // Act
    const badUrl = await doctor(sim, [], { DR_ENDPOINT_DWS: 'dws.example' });
    const noSk = await runIn(['doctor', '--routes', SAMPLE_ROUTES], { HUAWEICLOUD_SDK_AK: KEYS.ak });

    // Assess
    expect(badUrl.code).toBe(1);
    expect(badUrl.stdout).toContain('INVALID: configuration: 1 problem');
    expect(badUrl.stdout).toContain('endpoints.dws: not a URL');
    expect(noSk.code).toBe(2);
    expect(noSk.stderr).toContain('set HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK');
    expect(sim.calls).toEqual([]);
  });

  it('a routes file without routes and no request: nothing to check, exit 3, nothing sent', async () => {
    // Prepare
    const sim = await simulator();
    const empty = join(mkdtempSync(join(tmpdir(), 'dr-relay-doctor-')), 'routes.yml');
    writeFileSync(empty, 'routes: []\n');

    // Act
    const run = await runIn(['doctor', '--routes', empty], envFor(sim));

    // Assess
    expect(run.code).toBe(3);
    expect(run.stdout.trim()).toBe('0 targets: 0 ok, 0 would fail');
    expect(sim.calls).toEqual([]);
  });

  it('is in the usage, and `doctor --help` prints its own', async () => {
    // Act
    const help = await runIn(['--help'], {});
    const own = await runIn(['doctor', '--help'], {});

    // Assess
    expect(help.stdout).toMatch(
      /^ {2}dr-relay doctor \[--routes file\] \[--request file…\] \[--json\] +readiness: read \(GET only\)/m,
    );
    expect(own.stdout).toContain('usage: dr-relay doctor [--routes file] [--request file…] [--json]');
    expect(own.code).toBe(0);
  });
});
