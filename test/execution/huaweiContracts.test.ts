/**
 * The real Huawei contracts (issue: "Real Huawei contracts"), specified end to end through the
 * executor, the signed client and the independent simulator:
 * DCS v2 by default and v1.0 by configuration, DCS.4097 reconciled, a 204 read as "no records",
 * our record found on a later page, CSBS refused without its mandatory fields, and a 500 that
 * follows the effect never leading to a second effective call, for every action.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ActionRequest, parseActionRequest } from '../../lib/actions/request.ts';
import type { ActionSettings } from '../../lib/actions/types.ts';
import { ValidationError } from '../../lib/errors.ts';
import { Executor } from '../../lib/execution/executor.ts';
import { HuaweiClient } from '../../lib/huawei/client.ts';
import type { Log } from '../../lib/log.ts';
import { type RouteId, type Simulator, startSimulator } from '../../tools/simulator/index.ts';
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
    endpoints: { dws: sim.url, csbs: sim.url, dcs: sim.url },
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
