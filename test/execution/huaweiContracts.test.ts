/**
 * The real Huawei contracts (issue: "Real Huawei contracts"), specified end to end through the
 * executor, the signed client and the independent simulator:
 * DCS v2 by default and v1.0 by configuration, DCS.4097 reconciled, a 204 read as "no records",
 * our record found on a later page, CSBS refused without its mandatory fields, CBR restored once
 * under duplicates and followed to its end by its task, and a 500 that follows the effect never
 * leading to a second effective call, for every action.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cbrRestore as cbrAction } from '../../lib/actions/cbr.ts';
import { type ActionRequest, parseActionRequest } from '../../lib/actions/request.ts';
import type { ActionSettings } from '../../lib/actions/types.ts';
import { ValidationError } from '../../lib/errors.ts';
import { Executor } from '../../lib/execution/executor.ts';
import { HuaweiClient } from '../../lib/huawei/client.ts';
import type { Log } from '../../lib/log.ts';
import {
  type RouteId,
  type Simulator,
  type SimulatorOptions,
  startSimulator,
} from '../../tools/simulator/index.ts';
import { MemoryStatusStore } from '../fixtures/memoryStore.ts';

const KEYS = { ak: 'CONTRACTTESTAK', sk: 'contract-test-secret' };
const PROJECT = '89cd04f168b84af6be287f71730fdb4b';
const DR = 'e59d6b86-9072-46eb-a996-13f8b44994c1';
const INSTANCE = '3f1a2b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b';
const BACKUP = '7c6b5a49-3827-4165-9453-021f3e4d5c6b';
const OTHER_BACKUP = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const CHECKPOINT = '11111111-2222-4333-8444-555555555555';
const ITEM = '66666666-7777-4888-9999-aaaaaaaaaaaa';
const SERVER = 'bbbbbbbb-cccc-4ddd-8eee-ffffffffffff';
const VOLUME = 'cccccccc-dddd-4eee-8fff-000000000000';

const base = { region: 'cn-north-4', project_id: PROJECT };
const dws = (action: string) => parseActionRequest({ ...base, action, params: { disaster_recovery_id: DR } });
const dcsRestore = parseActionRequest({
  ...base,
  action: 'dcs.restore',
  params: { instance_id: INSTANCE, backup_id: BACKUP },
});
const csbsParams = {
  checkpoint_id: CHECKPOINT,
  parameters: {
    checkpoint_item_id: ITEM,
    power_on: true,
    targets: { server_id: SERVER, volumes: [{ backup_id: BACKUP, volume_id: VOLUME }] },
  },
};
const csbsRestore = parseActionRequest({ ...base, action: 'csbs.restore', params: csbsParams });
const CBR_BACKUP = '3e1d5c7b-9a2f-4e4d-8b6c-0f2e4a6c8b1d';
const CBR_OTHER_BACKUP = '4f2e6d8c-0b3a-4f5e-9c7d-1a3f5b7d9c2e';
const CBR_DISK_BACKUP = '8a0c2e4f-6b1d-4c3e-9f5a-1b3d5f7a9c2e';
const cbrParams = (backup = CBR_BACKUP) => ({
  backup_id: backup,
  server_id: SERVER,
  power_on: true,
  mappings: [{ backup_id: CBR_DISK_BACKUP, volume_id: VOLUME }],
});
const cbrRestore = parseActionRequest({ ...base, action: 'cbr.restore', params: cbrParams() });
/** The CBR server backup (and another backup of the same server), available. */
const seedCbr = (target: Simulator = sim, init: { restoreFails?: true } = {}) => {
  for (const backup of [CBR_BACKUP, CBR_OTHER_BACKUP])
    target.seed.cbrBackup(PROJECT, backup, {
      resourceId: SERVER,
      disks: [{ backupId: CBR_DISK_BACKUP, volumeId: VOLUME }],
      ...init,
    });
};

const silent: Log = { info: () => undefined, warn: () => undefined, error: () => undefined };

let sim: Simulator;
let client: HuaweiClient;
let store: MemoryStatusStore;

beforeEach(async () => {
  sim = await startSimulator({ credentials: [KEYS], hangMs: 2_000, transitionMs: 60_000, restoreMs: 60_000 });
  client = new HuaweiClient({ credentials: KEYS, timeoutMs: 300 });
  store = new MemoryStatusStore();
  sim.seed.dcsInstance(PROJECT, INSTANCE, { mode: 'ha' });
  sim.seed.csbsCheckpointItem(PROJECT, ITEM, { checkpointId: CHECKPOINT, serverId: SERVER });
});
afterEach(async () => {
  client.close();
  await sim.close();
});

const executor = (settings?: ActionSettings) =>
  new Executor({
    client,
    store,
    mode: 'on',
    log: silent,
    endpoints: { dws: sim.url, csbs: sim.url, dcs: sim.url, cbr: sim.url },
    ...(settings ? { settings } : {}),
  });
const job = (request: ActionRequest, attempt = 1, key = 'req-1') => ({ key, request, attempt });
const effects = (route: RouteId) => sim.calls.filter((c) => c.route === route && c.effectApplied).length;
const callsTo = (route: RouteId) => sim.calls.filter((c) => c.route === route);

describe('DCS API versions', () => {
  it('restores through /v2 by default', async () => {
    // Act
    const outcome = await executor().execute(job(dcsRestore));
    // Assess
    expect(outcome.status).toBe('succeeded');
    expect(callsTo('dcs.restore').map((c) => c.path)).toEqual([
      `/v2/${PROJECT}/instances/${INSTANCE}/restores`,
    ]);
  });

  it('restores through /v1.0 when configured, and reconciles with the v1.0 record list', async () => {
    // Prepare: the answer is lost after the effect, so the records are read on v1.0 too
    sim.faults.add({ route: 'dcs.restore', kind: 'timeout', when: 'after', times: 1 });
    // Act
    const outcome = await executor({ dcsApiVersion: 'v1.0' }).execute(job(dcsRestore));
    // Assess
    expect(outcome).toMatchObject({ status: 'succeeded', reconciled: expect.stringContaining('restore') });
    expect(callsTo('dcs.restore').map((c) => c.path)).toEqual([
      `/v1.0/${PROJECT}/instances/${INSTANCE}/restores`,
    ]);
    expect(callsTo('dcs.restores.list').every((c) => c.path.startsWith('/v1.0/'))).toBe(true);
    expect(effects('dcs.restore')).toBe(1);
  });

  it('reconciles a v1.0 numeric busy code (111400097) like DCS.4097', async () => {
    // Prepare: another request's restore of the same backup is already running
    await executor({ dcsApiVersion: 'v1.0' }).execute(job(dcsRestore, 1, 'first'));
    // Act
    const outcome = await executor({ dcsApiVersion: 'v1.0' }).execute(job(dcsRestore, 1, 'second'));
    // Assess
    expect(callsTo('dcs.restore').map((c) => c.errorCode)).toEqual([undefined, '111400097']);
    expect(outcome).toMatchObject({ status: 'succeeded', reconciled: expect.any(String) });
    expect(effects('dcs.restore')).toBe(1);
  });
});

describe('DCS restore records', () => {
  it('a duplicate restore that reaches DCS while the first runs gets DCS.4097 and ends succeeded, one effect', async () => {
    // Prepare
    const first = await executor().execute(job(dcsRestore, 1, 'first'));
    // Act
    const second = await executor().execute(job(dcsRestore, 1, 'second'));
    // Assess
    expect(callsTo('dcs.restore').map((c) => c.errorCode)).toEqual([undefined, 'DCS.4097']);
    expect(second).toMatchObject({
      status: 'succeeded',
      remote: first.status === 'succeeded' ? first.remote : {},
    });
    expect(effects('dcs.restore')).toBe(1);
  });

  it('reads an empty record list (204, no body) as "no records", then calls once', async () => {
    // Prepare: the first attempt's call is reset before it reaches DCS, so the next one reconciles
    sim.faults.add({ route: 'dcs.restore', kind: 'reset', when: 'before', times: 1 });
    await expect(executor().execute(job(dcsRestore))).rejects.toMatchObject({ kind: 'transient' });
    // Act
    const outcome = await executor().execute(job(dcsRestore, 2));
    // Assess
    // Both reads (the first attempt's reconciliation, the second's check before calling) found none.
    const lists = callsTo('dcs.restores.list').map((c) => c.status);
    expect(lists.length).toBeGreaterThan(0);
    expect(new Set(lists)).toEqual(new Set([204]));
    expect(outcome.status).toBe('succeeded');
    expect(effects('dcs.restore')).toBe(1);
  });

  it('finds our record on a later page and never calls again', async () => {
    // Prepare: 1,500 older restores of another backup, listed oldest first: ours is on page 2
    await sim.close();
    sim = await startSimulator({
      credentials: [KEYS],
      hangMs: 2_000,
      restoreMs: 60_000,
      dcsRecordOrder: 'oldest-first',
    });
    const longAgo = Date.now() - 30 * 86_400_000;
    sim.seed.dcsInstance(PROJECT, INSTANCE, {
      mode: 'ha',
      history: Array.from({ length: 1500 }, (_, i) => ({
        backupId: OTHER_BACKUP,
        createdAt: longAgo + i * 1000,
      })),
    });
    sim.faults.add({ route: 'dcs.restore', kind: 'timeout', when: 'after', times: 1 });
    // Act
    const outcome = await executor().execute(job(dcsRestore));
    // Assess
    expect(outcome).toMatchObject({ status: 'succeeded', reconciled: expect.stringContaining('restore') });
    expect(callsTo('dcs.restores.list').map((c) => c.path)).toEqual([
      `/v2/${PROJECT}/instances/${INSTANCE}/restores?offset=0&limit=1000`,
      `/v2/${PROJECT}/instances/${INSTANCE}/restores?offset=1000&limit=1000`,
    ]);
    expect(effects('dcs.restore')).toBe(1);
  });
});

describe('CSBS as the API checks it', () => {
  const without = (path: string[]): unknown => {
    const params = structuredClone(csbsParams) as Record<string, unknown>;
    let node = params;
    for (const step of path.slice(0, -1)) node = node[step] as Record<string, unknown>;
    delete node[path.at(-1)!];
    return { ...base, action: 'csbs.restore', params };
  };

  it.each([
    [['checkpoint_id'], 'params.checkpoint_id'],
    [['parameters', 'checkpoint_item_id'], 'params.parameters.checkpoint_item_id'],
    [['parameters', 'power_on'], 'params.parameters.power_on'],
    [['parameters', 'targets', 'server_id'], 'params.parameters.targets.server_id'],
    [['parameters', 'targets', 'volumes'], 'params.parameters.targets.volumes'],
  ])('refuses a request without %j, naming %s, before any call', (path, named) => {
    // Act
    const error = (() => {
      try {
        parseActionRequest(without(path));
      } catch (e) {
        return e;
      }
    })();
    // Assess
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((i) => i.path)).toEqual([named]);
    expect(sim.calls).toHaveLength(0);
  });

  it.each(['CSBS.6015', 'CSBS.2003', 'CSBS.4000'])(
    'reconciles the busy answer %s by reading the checkpoint item',
    async (code) => {
      // Prepare
      sim.faults.add({
        route: 'csbs.restore',
        kind: 'status',
        status: 400,
        body: { error_code: code, error_msg: 'busy' },
      });
      // Act
      const error = await executor()
        .execute(job(csbsRestore))
        .catch((e: unknown) => e);
      // Assess: refused, so not our effect; the item was read, and the request waits for it
      expect(error).toMatchObject({ kind: 'transient', unconfirmed: false });
      expect((error as Error).message).toContain(code);
      expect(callsTo('csbs.checkpoint_item.show')).toHaveLength(1);
      expect(effects('csbs.restore')).toBe(0);
    },
  );
});

describe('a 500 after the effect is ambiguous, never retried blindly', () => {
  /** Recovery is allowed only after a failover: do one, on a simulator whose transitions are quick. */
  const afterFailover = async () => {
    await sim.close();
    sim = await startSimulator({ credentials: [KEYS], hangMs: 2_000, transitionMs: 5 });
    sim.seed.drPair(PROJECT, DR, { status: 'running' });
    await executor().execute(job(dws('dws.dr.failover'), 1, 'the-failover'));
    await new Promise((resolve) => setTimeout(resolve, 20));
  };
  const cases: [string, ActionRequest, RouteId, () => unknown][] = [
    [
      'dws.dr.start',
      dws('dws.dr.start'),
      'dws.dr.start',
      () => sim.seed.drPair(PROJECT, DR, { status: 'unstart' }),
    ],
    [
      'dws.dr.failover',
      dws('dws.dr.failover'),
      'dws.dr.failover',
      () => sim.seed.drPair(PROJECT, DR, { status: 'running' }),
    ],
    ['dws.dr.recovery', dws('dws.dr.recovery'), 'dws.dr.recovery', afterFailover],
    ['csbs.restore', csbsRestore, 'csbs.restore', () => undefined],
    ['dcs.restore', dcsRestore, 'dcs.restore', () => undefined],
    ['cbr.restore', cbrRestore, 'cbr.restore', () => seedCbr()],
  ];

  it.each(cases)(
    '%s: confirmed by reading the state, one effective call over two attempts',
    async (_id, request, route, seed) => {
      // Prepare
      await seed();
      sim.faults.add({ route, kind: 'status', status: 500, when: 'after', times: 1 });
      // Act
      const first = await executor()
        .execute(job(request))
        .catch((e: unknown) => e);
      const second = await executor()
        .execute(job(request, 2))
        .catch((e: unknown) => e);
      // Assess
      expect(callsTo(route).map((c) => c.status)).toEqual([500]);
      expect(effects(route)).toBe(1);
      expect(first).toMatchObject({ status: 'succeeded', reconciled: expect.any(String) });
      expect(second).toMatchObject({ status: 'succeeded' });
    },
  );

  it('a 502 from the gateway after the effect is ambiguous too', async () => {
    // Prepare
    sim.faults.add({ route: 'dcs.restore', kind: 'status', status: 502, when: 'after', times: 1 });
    // Act
    const outcome = await executor().execute(job(dcsRestore));
    // Assess
    expect(outcome).toMatchObject({ status: 'succeeded', reconciled: expect.any(String) });
    expect(effects('dcs.restore')).toBe(1);
  });

  it('a 503 stays a refusal: retried later, nothing read, nothing happened', async () => {
    // Prepare
    sim.faults.add({ route: 'dcs.restore', kind: 'status', status: 503 });
    // Act
    const error = await executor()
      .execute(job(dcsRestore))
      .catch((e: unknown) => e);
    // Assess
    expect(error).toMatchObject({ kind: 'transient', httpStatus: 503 });
    expect(callsTo('dcs.restores.list')).toHaveLength(0);
    expect(effects('dcs.restore')).toBe(0);
  });
});

describe('CBR restore through the executor', () => {
  /** The simulator's clock: real time, moved on by hand (a restore takes 60 s of it). */
  let skew = 0;
  const settle = (ms: number) => {
    skew += ms;
  };
  /** A simulator on that clock, the CBR backups seeded. */
  const restart = async (options: Partial<SimulatorOptions> = {}, init: { restoreFails?: true } = {}) => {
    await sim.close();
    skew = 0;
    sim = await startSimulator({
      credentials: [KEYS],
      hangMs: 2_000,
      restoreMs: 60_000,
      now: () => Date.now() + skew,
      ...options,
    });
    seedCbr(sim, init);
  };

  it('restores once, keeping the job id; a duplicate of the same request makes no second call', async () => {
    // Prepare
    seedCbr();
    // Act
    const first = await executor().execute(job(cbrRestore));
    const duplicate = await executor().execute(job(cbrRestore, 2));
    // Assess
    const job_id = String(sim.cbrTasks(PROJECT)[0]?.['id']);
    expect(first).toStrictEqual({ status: 'succeeded', remote: { job_id } });
    expect(duplicate).toStrictEqual({ ...first, replayed: true });
    expect(callsTo('cbr.backup.show')).toHaveLength(1); // the preflight, once
    expect(callsTo('cbr.restore').map((c) => c.path)).toEqual([
      `/v3/${PROJECT}/backups/${CBR_BACKUP}/restore`,
    ]);
    expect(callsTo('cbr.restore')[0]?.body).toStrictEqual({
      restore: {
        mappings: [{ backup_id: CBR_DISK_BACKUP, volume_id: VOLUME }],
        power_on: true,
        server_id: SERVER,
      },
    });
    expect(effects('cbr.restore')).toBe(1);
  });

  it('skips another request for the same backup while it restores (the preflight), without calling', async () => {
    // Prepare
    seedCbr();
    await executor().execute(job(cbrRestore, 1, 'first'));
    // Act
    const second = await executor().execute(job(cbrRestore, 1, 'second'));
    // Assess
    expect(second).toStrictEqual({
      status: 'skipped',
      reason: 'backup status is waiting_restore; a restore can start only from available',
    });
    expect(callsTo('cbr.restore')).toHaveLength(1);
    expect(effects('cbr.restore')).toBe(1);
  });

  it('reconciles BackupService.2010 (the server is being restored from another backup): not ours, retried later', async () => {
    // Prepare: the server is being restored from another backup of it
    seedCbr();
    const other = parseActionRequest({ ...base, action: 'cbr.restore', params: cbrParams(CBR_OTHER_BACKUP) });
    await executor().execute(job(other, 1, 'other'));
    // Act
    const error = await executor()
      .execute(job(cbrRestore, 1, 'ours'))
      .catch((e: unknown) => e);
    // Assess: refused, so not our effect; the backup and its tasks were read, and the request waits
    expect(callsTo('cbr.restore').map((c) => c.errorCode)).toEqual([undefined, 'BackupService.2010']);
    expect(error).toMatchObject({ kind: 'transient', unconfirmed: false });
    expect((error as Error).message).toContain('BackupService.2010');
    expect((error as Error).message).toContain(`no restore task of it since`);
    expect(callsTo('cbr.operation_logs.list')).toHaveLength(1);
    expect(effects('cbr.restore')).toBe(1);
  });

  it('after a 500 that follows the effect, finds our task and its job id, with no second call', async () => {
    // Prepare
    seedCbr();
    sim.faults.add({ route: 'cbr.restore', kind: 'status', status: 500, when: 'after', times: 1 });
    // Act
    const outcome = await executor().execute(job(cbrRestore));
    // Assess
    const job_id = String(sim.cbrTasks(PROJECT)[0]?.['id']);
    expect(outcome).toStrictEqual({
      status: 'succeeded',
      remote: { job_id },
      reconciled: `restore task ${job_id} of backup ${CBR_BACKUP} is waiting`,
    });
    expect(callsTo('cbr.restore').map((c) => [c.status, c.errorCode])).toEqual([[500, 'BackupService.9910']]);
    expect(effects('cbr.restore')).toBe(1);
  });

  it('after the answer is lost and the restore already ended, still finds it by its task: no second call', async () => {
    // Prepare: the answer is lost, the first reconciliation cannot read the tasks, and the restore
    // ends before the next attempt reads the state again
    await restart();
    sim.faults.add({ route: 'cbr.restore', kind: 'reset', when: 'after', times: 1 });
    sim.faults.add({ route: 'cbr.operation_logs.list', kind: 'status', status: 503, times: 1 });
    const first = await executor()
      .execute(job(cbrRestore))
      .catch((e: unknown) => e);
    settle(61_000);
    // Act
    const second = await executor().execute(job(cbrRestore, 2));
    // Assess
    expect(first).toMatchObject({ kind: 'transient', unconfirmed: true });
    expect(sim.cbrBackup(PROJECT, CBR_BACKUP)?.['status']).toBe('available');
    expect(second).toMatchObject({ status: 'succeeded', remote: { job_id: expect.any(String) } });
    expect(effects('cbr.restore')).toBe(1);
    expect(callsTo('cbr.restore')).toHaveLength(1);
  });

  it('calls once when a reset before the effect left nothing: no task, the backup available', async () => {
    // Prepare
    seedCbr();
    sim.faults.add({ route: 'cbr.restore', kind: 'reset', when: 'before', times: 1 });
    await expect(executor().execute(job(cbrRestore))).rejects.toMatchObject({ kind: 'transient' });
    // Act
    const outcome = await executor().execute(job(cbrRestore, 2));
    // Assess
    expect(outcome.status).toBe('succeeded');
    expect(callsTo('cbr.restore').map((c) => c.effectApplied)).toEqual([false, true]);
  });

  it.each<[string, { restoreFails?: true }, string, string | undefined]>([
    ['completed', {}, 'success', undefined],
    [
      'failed',
      { restoreFails: true },
      'failed',
      'CBR restore failed: BackupService.9910: Restoring the backup failed.',
    ],
  ])('ends %s as the simulated task says (read by its job id)', async (state, init, status, error) => {
    // Prepare
    await restart({}, init);
    const outcome = await executor().execute(job(cbrRestore));
    const remote = outcome.status === 'succeeded' ? outcome.remote : {};
    const running = await executor().observe(cbrRestore, { remote, seenRunning: false });
    settle(61_000);
    // Act: the task as the simulator answers it, judged by the catalogue
    const answer = await client.send({
      method: 'GET',
      url: `${sim.url}/v3/${PROJECT}/operation-logs/${remote['job_id']}`,
      projectId: PROJECT,
    });
    const judged = cbrAction.operation.judge(answer.body, {
      request: cbrRestore as Extract<ActionRequest, { action: 'cbr.restore' }>,
      remote,
      seenRunning: true,
    });
    const observed = await executor().observe(cbrRestore, { remote, seenRunning: true });
    // Assess
    expect(running.state).toBe('running');
    expect(judged).toStrictEqual({
      state,
      observed: `restore task ${remote['job_id']} is ${status}`,
      ...(error === undefined ? {} : { error }),
    });
    expect(observed).toStrictEqual(judged);
  });

  it('without a job id in the answer (as documented), follows the restore by its backup’s task', async () => {
    // Prepare
    await restart({ cbrRestoreAnswer: 'empty' }, { restoreFails: true });
    const outcome = await executor().execute(job(cbrRestore));
    settle(61_000);
    // Act
    const observed = await executor().observe(cbrRestore, { remote: {}, seenRunning: true });
    // Assess
    expect(outcome).toStrictEqual({ status: 'succeeded', remote: {} });
    expect(observed).toMatchObject({
      state: 'failed',
      observed: expect.stringContaining('(found by its backup: no job id)'),
      error: expect.stringContaining('BackupService.9910'),
    });
    expect(callsTo('cbr.operation_logs.list').length).toBeGreaterThan(0);
  });
});
