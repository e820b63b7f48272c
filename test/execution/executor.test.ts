/**
 * The executor, specified against the real Huawei simulator and the real signed client:
 * one remote call per request, reconciliation instead of blind retries, every outcome recorded.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ActionRequest, parseActionRequest } from '../../lib/actions/request.ts';
import {
  AlreadyDeadLetteredError,
  RetryLaterError,
  UnconfirmedOutcomeError,
} from '../../lib/execution/errors.ts';
import { type AutomationMode, Executor } from '../../lib/execution/executor.ts';
import { HuaweiClient } from '../../lib/huawei/client.ts';
import { HuaweiApiError } from '../../lib/huawei/errors.ts';
import type { Log } from '../../lib/log.ts';
import { type Simulator, startSimulator } from '../../tools/simulator/index.ts';
import { MemoryStatusStore } from '../fixtures/memoryStore.ts';

const KEYS = { ak: 'EXECUTORTESTAK', sk: 'executor-test-secret' };
const PROJECT = '89cd04f168b84af6be287f71730fdb4b';
const DR = 'e59d6b86-9072-46eb-a996-13f8b44994c1';
const INSTANCE = '3f1a2b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b';
const BACKUP = '7c6b5a49-3827-4165-9453-021f3e4d5c6b';
const CHECKPOINT = '11111111-2222-4333-8444-555555555555';
const ITEM = '66666666-7777-4888-9999-aaaaaaaaaaaa';
const SERVER = 'bbbbbbbb-cccc-4ddd-8eee-ffffffffffff';

const failover = parseActionRequest({
  action: 'dws.dr.failover',
  region: 'cn-north-4',
  project_id: PROJECT,
  params: { disaster_recovery_id: DR },
});
const dcsRestore = parseActionRequest({
  action: 'dcs.restore',
  region: 'cn-north-4',
  project_id: PROJECT,
  params: { instance_id: INSTANCE, backup_id: BACKUP },
});
const csbsRestore = parseActionRequest({
  action: 'csbs.restore',
  region: 'cn-north-4',
  project_id: PROJECT,
  params: {
    checkpoint_id: CHECKPOINT,
    parameters: {
      checkpoint_item_id: ITEM,
      power_on: true,
      targets: { server_id: SERVER, volumes: [{ backup_id: BACKUP, volume_id: INSTANCE }] },
    },
  },
});

const silent: Log = { info: () => undefined, warn: () => undefined, error: () => undefined };

let sim: Simulator;
let client: HuaweiClient;
let store: MemoryStatusStore;

beforeEach(async () => {
  sim = await startSimulator({ credentials: [KEYS], hangMs: 2_000, transitionMs: 60_000, restoreMs: 60_000 });
  client = new HuaweiClient({ credentials: KEYS, timeoutMs: 300 });
  store = new MemoryStatusStore();
  sim.seed.drPair(PROJECT, DR, { status: 'running' });
  sim.seed.dcsInstance(PROJECT, INSTANCE, { mode: 'ha' });
  sim.seed.csbsCheckpointItem(PROJECT, ITEM, { checkpointId: CHECKPOINT, serverId: SERVER });
});
afterEach(async () => {
  client.close();
  await sim.close();
});

const executor = (mode: AutomationMode = 'on') =>
  new Executor({
    client,
    store,
    mode,
    log: silent,
    endpoints: { dws: sim.url, csbs: sim.url, dcs: sim.url },
  });
const job = (request: ActionRequest, attempt = 1, key = 'req-1') => ({ key, request, attempt });
const effects = (route: string) => sim.calls.filter((c) => c.route === route && c.effectApplied).length;
const callsTo = (route: string) => sim.calls.filter((c) => c.route === route).length;

describe('a request that goes through', () => {
  it('reads the DR detail, fails over once, and records succeeded with the remote id', async () => {
    const outcome = await executor().execute(job(failover));

    expect(outcome).toEqual({ status: 'succeeded', remote: { disaster_recovery_id: DR } });
    expect(sim.calls.map((c) => c.route)).toEqual(['dws.dr.show', 'dws.dr.failover']);
    expect(await store.get('req-1')).toMatchObject({
      status: 'succeeded',
      action: 'dws.dr.failover',
      target: `dws:${PROJECT}/${DR}`,
      remote: { disaster_recovery_id: DR },
      call: { state: 'answered' },
    });
  });

  it('keeps the restore id DCS returns', async () => {
    const outcome = await executor().execute(job(dcsRestore));

    expect(outcome.status).toBe('succeeded');
    expect(outcome.status === 'succeeded' && outcome.remote['restore_id']).toMatch(/[0-9a-f-]{36}/);
    expect(effects('dcs.restore')).toBe(1);
  });
});

describe('safety switches and preflight', () => {
  it('skips a failover the DR status does not allow, naming the status, without calling', async () => {
    sim.seed.drPair(PROJECT, DR, { status: 'unstart' });

    const outcome = await executor().execute(job(failover));

    expect(outcome).toMatchObject({ status: 'skipped', reason: expect.stringContaining('unstart') });
    expect(callsTo('dws.dr.failover')).toBe(0);
    expect((await store.get('req-1'))?.status).toBe('skipped');
  });

  it('calls nothing and completes nothing when automation is off: the request waits (transient)', async () => {
    const error = await executor('off')
      .execute(job(failover))
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(RetryLaterError);
    expect(error).toMatchObject({ kind: 'transient', unconfirmed: false });
    expect((await store.get('req-1'))?.status).not.toBe('skipped');
    expect(sim.calls).toHaveLength(0);
  });

  it('follows the mode the job carries (the stored setting) over its own', async () => {
    const outcome = await executor('on').execute({ ...job(dcsRestore), mode: 'dry-run' });

    expect(outcome).toMatchObject({ status: 'skipped', dryRun: { method: 'POST' } });
    expect(callsTo('dcs.restore')).toBe(0);
  });

  it('in dry-run reports the exact call it would make and never sends it', async () => {
    const outcome = await executor('dry-run').execute(job(dcsRestore));

    expect(outcome).toMatchObject({
      status: 'skipped',
      dryRun: {
        method: 'POST',
        url: `${sim.url}/v2/${PROJECT}/instances/${INSTANCE}/restores`,
        body: { backup_id: BACKUP },
      },
    });
    expect(callsTo('dcs.restore')).toBe(0);
  });
});

describe('ambiguous outcomes are reconciled, never retried blindly', () => {
  it('a time-out after the failover took effect is confirmed by the DR detail: succeeded, one call', async () => {
    sim.faults.add({ route: 'dws.dr.failover', kind: 'timeout', when: 'after' });

    const outcome = await executor().execute(job(failover));

    expect(outcome).toMatchObject({
      status: 'succeeded',
      reconciled: expect.stringContaining('failovering'),
    });
    expect(effects('dws.dr.failover')).toBe(1);
    expect(callsTo('dws.dr.failover')).toBe(1);
  });

  it('a reset before the effect: retry later, and the next attempt checks the state before calling again', async () => {
    sim.faults.add({ route: 'dcs.restore', kind: 'reset', when: 'before', times: 1 });

    await expect(executor().execute(job(dcsRestore))).rejects.toBeInstanceOf(RetryLaterError);
    expect((await store.get('req-1'))?.call?.state).toBe('sending');

    const listsBefore = callsTo('dcs.restores.list');
    const outcome = await executor().execute(job(dcsRestore, 2));

    expect(outcome.status).toBe('succeeded');
    expect(callsTo('dcs.restores.list')).toBe(listsBefore + 1);
    expect(effects('dcs.restore')).toBe(1);
  });

  it('an attempt that finds an earlier unconfirmed call already applied succeeds without calling again', async () => {
    sim.faults.add({ route: 'dcs.restore', kind: 'timeout', when: 'after', times: 1 });
    const removeListFault = sim.faults.add({ route: 'dcs.restores.list', kind: 'status', status: 503 });
    await expect(executor().execute(job(dcsRestore))).rejects.toBeInstanceOf(RetryLaterError);
    removeListFault();

    const outcome = await executor().execute(job(dcsRestore, 2));

    expect(outcome).toMatchObject({
      status: 'succeeded',
      reconciled: expect.stringMatching(/restore \S+ is (waiting|restoring)/),
    });
    expect(callsTo('dcs.restore')).toBe(1);
  });

  it('a CSBS time-out whose checkpoint item stays available cannot be confirmed: dead-letter material, not a retry', async () => {
    // "available" is both "never started" and "already finished": CSBS gives no way to tell.
    sim.faults.add({ route: 'csbs.restore', kind: 'timeout', when: 'before' });

    const error = await executor()
      .execute(job(csbsRestore))
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(UnconfirmedOutcomeError);
    expect((error as UnconfirmedOutcomeError).kind).toBe('ambiguous');
    expect((error as Error).message).toContain('Check the resource before redriving');
    await expect(executor().execute(job(csbsRestore, 2))).rejects.toBeInstanceOf(UnconfirmedOutcomeError);
    expect(effects('csbs.restore')).toBe(0);
  });

  it('calls again when the operator verified an unconfirmable earlier call did not take effect', async () => {
    sim.faults.add({ route: 'csbs.restore', kind: 'timeout', when: 'before', times: 1 });
    await expect(executor().execute(job(csbsRestore))).rejects.toBeInstanceOf(UnconfirmedOutcomeError);

    const outcome = await executor().execute({
      ...job(csbsRestore, 1),
      redrive: true,
      verifiedNotApplied: true,
    });

    expect(outcome.status).toBe('succeeded');
    expect(effects('csbs.restore')).toBe(1);
  });

  it('a CSBS time-out after the effect is confirmed by the checkpoint item restoring', async () => {
    sim.faults.add({ route: 'csbs.restore', kind: 'timeout', when: 'after' });

    const outcome = await executor().execute(job(csbsRestore));

    expect(outcome).toMatchObject({ status: 'succeeded', reconciled: 'checkpoint item is restoring' });
    expect(effects('csbs.restore')).toBe(1);
  });
});

describe('crashes between recording an outcome and storing it', () => {
  it('return the recorded outcome and never call again (the claim was lost, the status was not)', async () => {
    await executor().execute(job(dcsRestore));
    const before = callsTo('dcs.restore');

    const again = await executor().execute(job(dcsRestore, 2));

    expect(again).toMatchObject({ status: 'succeeded', remote: { restore_id: expect.any(String) } });
    expect(callsTo('dcs.restore')).toBe(before);
  });

  it('even for a redrive', async () => {
    await executor().execute(job(dcsRestore));

    await executor().execute({ ...job(dcsRestore, 1), redrive: true });

    expect(callsTo('dcs.restore')).toBe(1);
  });
});

describe('state reads that get no answer', () => {
  it('are transient (a read has no effect): retried, never dead-lettered as ambiguous', async () => {
    sim.faults.add({ route: 'dws.dr.show', kind: 'timeout', when: 'before', times: 1 });

    const error = await executor()
      .execute(job(failover))
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(RetryLaterError);
    expect(error).toMatchObject({ kind: 'transient', unconfirmed: false });
    expect(callsTo('dws.dr.failover')).toBe(0);
  });
});

describe('busy and failed answers', () => {
  it('a busy resource (another restore running) is not our effect: retry later, call marked answered', async () => {
    await executor().execute(job(dcsRestore, 1, 'someone-else'));
    const other = parseActionRequest({
      ...dcsRestore,
      params: { ...dcsRestore.params, backup_id: CHECKPOINT },
    });

    const error = await executor()
      .execute(job(other))
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(RetryLaterError);
    expect((error as Error).message).toContain('DCS.4097');
    expect((await store.get('req-1'))?.call?.state).toBe('answered');
  });

  it('a permanent error (DWS.0015, 403: not found or no permission) is rethrown as permanent with the Huawei code', async () => {
    const unknown = parseActionRequest({ ...failover, params: { disaster_recovery_id: ITEM } });

    const error = await executor()
      .execute(job(unknown))
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(HuaweiApiError);
    expect(error).toMatchObject({ kind: 'permanent', httpStatus: 403, errorCode: 'DWS.0015' });
  });

  it('a 503 is transient and leaves the call marked answered (nothing happened remotely)', async () => {
    sim.faults.add({ route: 'dcs.restore', kind: 'status', status: 503 });

    const error = await executor()
      .execute(job(dcsRestore))
      .catch((e: unknown) => e);

    expect(error).toMatchObject({ kind: 'transient', httpStatus: 503 });
    expect((await store.get('req-1'))?.call?.state).toBe('answered');
    expect(effects('dcs.restore')).toBe(0);
  });
});

describe('cooldowns (alarm-driven requests)', () => {
  const holders = new Map<string, string>();
  const cooldowns = {
    claim: async (target: string, holder: string, _seconds: number, route?: string) => {
      const current = holders.get(target);
      if (current && current !== holder)
        return { granted: false as const, holder: current, until: 'later', ...(route ? { route } : {}) };
      holders.set(target, holder);
      return { granted: true as const, until: 'later' };
    },
    release: async (target: string, holder: string) => {
      if (holders.get(target) === holder) holders.delete(target);
    },
  };
  const withCooldowns = () =>
    new Executor({
      client,
      store,
      mode: 'on',
      log: silent,
      cooldowns,
      endpoints: { dws: sim.url, csbs: sim.url, dcs: sim.url },
    });

  it('lets one request act on a target and skips another within the window, naming the holder', async () => {
    holders.clear();
    const cooldown = { seconds: 3600, route: 'redis-restore' };
    const otherBackup = parseActionRequest({
      ...dcsRestore,
      params: { ...dcsRestore.params, backup_id: CHECKPOINT },
    });
    const first = await withCooldowns().execute({ ...job(dcsRestore, 1, 'alarm:one'), cooldown });
    const second = await withCooldowns().execute({ ...job(otherBackup, 1, 'alarm:two'), cooldown });

    expect(first.status).toBe('succeeded');
    expect(second).toMatchObject({ status: 'skipped', reason: expect.stringContaining('alarm:one') });
    expect(second).toMatchObject({ reason: expect.stringContaining('route redis-restore') });
    expect(callsTo('dcs.restore')).toBe(1);
  });

  it('is checked before the DWS preflight, so a second failover names the cooldown, not the DR status', async () => {
    holders.clear();
    const cooldown = { seconds: 3600, route: 'dws-prod' };
    await withCooldowns().execute({ ...job(failover, 1, 'alarm:one'), cooldown });

    const second = await withCooldowns().execute({ ...job(failover, 1, 'alarm:two'), cooldown });

    expect(second).toMatchObject({ status: 'skipped', reason: expect.stringContaining('cooldown') });
    expect(callsTo('dws.dr.show')).toBe(1);
  });

  it('is given back when the preflight refuses, so the next alarm may act', async () => {
    holders.clear();
    sim.seed.drPair(PROJECT, DR, { status: 'unstart' });
    const cooldown = { seconds: 3600, route: 'dws-prod' };

    const first = await withCooldowns().execute({ ...job(failover, 1, 'alarm:one'), cooldown });

    expect(first).toMatchObject({ status: 'skipped', reason: expect.stringContaining('unstart') });
    expect(holders.size).toBe(0);
  });

  it("respects another route's claim even for a route without cooldown (cooldown_seconds: 0)", async () => {
    holders.clear();
    await withCooldowns().execute({
      ...job(failover, 1, 'alarm:one'),
      cooldown: { seconds: 3600, route: 'a' },
    });

    const second = await withCooldowns().execute({
      ...job(failover, 1, 'alarm:two'),
      cooldown: { seconds: 0, route: 'no-cooldown' },
    });

    expect(second).toMatchObject({ status: 'skipped', reason: expect.stringContaining('alarm:one') });
    expect(callsTo('dws.dr.failover')).toBe(1);
  });

  it('claims nothing in dry-run', async () => {
    holders.clear();
    const dryRun = new Executor({
      client,
      store,
      mode: 'dry-run',
      log: silent,
      cooldowns,
      endpoints: { dws: sim.url, csbs: sim.url, dcs: sim.url },
    });

    await dryRun.execute({ ...job(failover, 1, 'alarm:one'), cooldown: { seconds: 3600, route: 'r' } });

    expect(holders.size).toBe(0);
  });

  it('is not consulted for requests without a cooldown (queued requests)', async () => {
    holders.clear();
    holders.set(`dws:${PROJECT}/${DR}`, 'someone-else');

    const outcome = await withCooldowns().execute(job(failover));

    expect(outcome.status).toBe('succeeded');
  });
});

describe('dead-lettered requests', () => {
  it('a duplicate delivery of a dead-lettered request does not run; a redrive does', async () => {
    await store.set('req-1', { status: 'dead_lettered', action: 'dcs.restore' });

    await expect(executor().execute(job(dcsRestore))).rejects.toBeInstanceOf(AlreadyDeadLetteredError);
    expect(sim.calls).toHaveLength(0);

    const outcome = await executor().execute({ ...job(dcsRestore), redrive: true });
    expect(outcome.status).toBe('succeeded');
  });
});
