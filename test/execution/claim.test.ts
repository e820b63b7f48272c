/**
 * Rule 1 on a real DynamoDB (dynalite) and the simulator: the executor claims each key in the
 * status record itself (the guarantees Powertools idempotency gave, in the one item):
 *   one call per key, and the recorded outcome replayed to every later delivery;
 *   duplicates at the same moment: one calls, the others are "in progress elsewhere";
 *   another request under a key in use is refused, and the key's record is left alone;
 *   a failed attempt gives the key back at once; a crashed one's claim lapses with its invocation;
 *   the common request costs three round trips: the claim, the call, the outcome.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ActionRequest, parseActionRequest } from '../../lib/actions/request.ts';
import { InProgressElsewhereError, RequestConflictError } from '../../lib/execution/errors.ts';
import { type AutomationMode, Executor, requestHash } from '../../lib/execution/executor.ts';
import { HuaweiClient } from '../../lib/huawei/client.ts';
import type { Log } from '../../lib/log.ts';
import { DynamoStatusStore } from '../../lib/store/status.ts';
import { type Simulator, startSimulator } from '../../tools/simulator/index.ts';
import { type LocalTable, startLocalTable } from '../fixtures/dynalite.ts';

const KEYS = { ak: 'CLAIMTESTAK', sk: 'claim-test-secret' };
const PROJECT = '89cd04f168b84af6be287f71730fdb4b';
const BACKUP = '7c6b5a49-3827-4165-9453-021f3e4d5c6b';
const DR = 'e59d6b86-9072-46eb-a996-13f8b44994c1';
const silent: Log = { info: () => undefined, warn: () => undefined, error: () => undefined };

let sim: Simulator;
let table: LocalTable;
let client: HuaweiClient;
let store: DynamoStatusStore;
/** DynamoDB requests sent through the table's client, by command name. */
const dynamoCalls: string[] = [];

beforeAll(async () => {
  sim = await startSimulator({ credentials: [KEYS] });
  sim.seed.drPair(PROJECT, DR, { status: 'running' });
  table = await startLocalTable('claim-test');
  table.client.middlewareStack.add(
    (next, context) => (args) => {
      dynamoCalls.push(context.commandName ?? 'unknown');
      return next(args);
    },
    { step: 'initialize', name: 'countDynamoCalls' },
  );
  client = new HuaweiClient({ credentials: KEYS });
  store = new DynamoStatusStore({ client: table.client, table: table.table, ttlSeconds: 3600 });
});
afterAll(async () => {
  client.close();
  await table.stop();
  await sim.close();
});

const executor = (mode: AutomationMode = 'on') =>
  new Executor({ client, store, mode, log: silent, endpoints: { dcs: sim.url, dws: sim.url } });

/** A DCS instance of its own for each test: a restore keeps an instance busy for a while. */
const freshInstance = (): string => {
  const id = randomUUID();
  sim.seed.dcsInstance(PROJECT, id, { mode: 'ha' });
  return id;
};

const dcsRestore = (instance: string, remark?: string): ActionRequest =>
  parseActionRequest({
    action: 'dcs.restore',
    region: 'cn-north-4',
    project_id: PROJECT,
    params: { instance_id: instance, backup_id: BACKUP, ...(remark ? { remark } : {}) },
  });

const restoresOf = (instance: string) =>
  sim.calls.filter((c) => c.route === 'dcs.restore' && c.resourceId === instance && c.effectApplied);

describe('the claim in the status record', () => {
  it('makes one call for a key, and replays the recorded outcome to a later delivery', async () => {
    // Prepare
    const instance = freshInstance();
    const request = dcsRestore(instance, 'once');
    const before = restoresOf(instance).length;

    // Act
    const first = await executor().execute({ key: 'claim-once', request, attempt: 1 });
    const again = await executor().execute({ key: 'claim-once', request, attempt: 2 });

    // Assess
    expect(first).toMatchObject({ status: 'succeeded' });
    expect(again).toEqual({ ...first, replayed: true });
    expect(restoresOf(instance).length - before).toBe(1);
    const record = await store.get('claim-once');
    expect(record).toMatchObject({ status: 'succeeded', request_hash: requestHash(request) });
    expect(record?.lease_owner).toBeUndefined();
    expect(record?.operation).toMatchObject({ state: 'running', checks: 0 });
  });

  it('replays a dry run as skipped, with its reason, and calls nothing', async () => {
    // Prepare
    const request = parseActionRequest({
      action: 'dws.dr.failover',
      region: 'cn-north-4',
      project_id: PROJECT,
      params: { disaster_recovery_id: DR },
    });

    // Act
    const first = await executor('dry-run').execute({ key: 'claim-dry', request, attempt: 1 });
    const again = await executor('dry-run').execute({ key: 'claim-dry', request, attempt: 2 });

    // Assess
    expect(first).toMatchObject({ status: 'skipped', dryRun: { method: 'POST' } });
    expect(again).toEqual({
      status: 'skipped',
      reason: (first as { reason: string }).reason,
      replayed: true,
    });
    expect(sim.calls.filter((c) => c.route === 'dws.dr.failover')).toHaveLength(0);
  });

  it('lets one of twenty simultaneous deliveries call; the others are in progress elsewhere or replay', async () => {
    // Prepare
    const instance = freshInstance();
    const request = dcsRestore(instance, 'race');
    sim.faults.add({ route: 'dcs.restore', kind: 'latency', latencyMs: 150, times: 1 });
    const before = restoresOf(instance).length;

    // Act
    const settled = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        executor().execute({ key: 'claim-race', request, attempt: i + 1 }),
      ),
    );

    // Assess
    expect(restoresOf(instance).length - before).toBe(1);
    const fresh = settled.filter((s) => s.status === 'fulfilled' && s.value.replayed !== true);
    expect(fresh).toHaveLength(1);
    for (const s of settled) {
      if (s.status === 'rejected') expect(s.reason).toBeInstanceOf(InProgressElsewhereError);
      else expect(s.value.status).toBe('succeeded');
    }
    expect(settled.some((s) => s.status === 'rejected')).toBe(true);
  });

  it('refuses another request under a key in use, and leaves that key record as it was', async () => {
    // Prepare
    const instance = freshInstance();
    const original = dcsRestore(instance, 'original');
    await executor().execute({ key: 'claim-conflict', request: original, attempt: 1 });
    const recorded = await store.get('claim-conflict');
    const before = restoresOf(instance).length;

    // Act
    const other = executor().execute({
      key: 'claim-conflict',
      request: dcsRestore(instance, 'another'),
      attempt: 1,
    });

    // Assess
    await expect(other).rejects.toBeInstanceOf(RequestConflictError);
    expect(await store.get('claim-conflict')).toEqual(recorded);
    expect(restoresOf(instance).length).toBe(before);
  });

  it('gives the key back when an attempt fails, so the next delivery runs at once', async () => {
    // Prepare
    const instance = freshInstance();
    const request = dcsRestore(instance, 'fails once');
    sim.faults.add({ route: 'dcs.restore', kind: 'status', status: 503, when: 'before', times: 1 });

    // Act
    const first = executor().execute({ key: 'claim-release', request, attempt: 1 });
    await expect(first).rejects.toThrow();
    const afterFailure = await store.get('claim-release');
    const second = await executor().execute({ key: 'claim-release', request, attempt: 2 });

    // Assess
    expect(afterFailure?.lease_owner).toBeUndefined();
    expect(second).toMatchObject({ status: 'succeeded' });
    expect(second.replayed).toBeUndefined();
  });

  it('gives the key back when the claim write took effect but its answer was lost', async () => {
    // Prepare
    const instance = freshInstance();
    const request = dcsRestore(instance, 'lost answer');
    const lossy = new Executor({
      client,
      store: {
        get: (id) => store.get(id),
        set: (id, change) => store.set(id, change),
        release: (id, owner) => store.release(id, owner),
        begin: async (id, change, options) => {
          await store.begin(id, change, options);
          throw new Error('socket hang up');
        },
      },
      mode: 'on',
      log: silent,
      endpoints: { dcs: sim.url },
    });

    // Act
    await expect(lossy.execute({ key: 'claim-lost-answer', request, attempt: 1 })).rejects.toThrow(
      'socket hang up',
    );
    const afterLoss = await store.get('claim-lost-answer');

    // Assess
    expect(afterLoss?.lease_owner).toBeUndefined();
    expect(afterLoss?.call?.state).toBe('sending'); // nothing called: the next attempt reads the state first
    expect(restoresOf(instance)).toHaveLength(0);
  });

  it('gives the key back when the careful start claimed it but its answer was lost', async () => {
    // Prepare: the first write refused (as when an earlier call is unconfirmed), then the careful
    // start's claim takes effect and its answer is lost.
    const instance = freshInstance();
    const request = dcsRestore(instance, 'lost careful answer');
    const lossy = new Executor({
      client,
      store: {
        get: (id) => store.get(id),
        set: (id, change) => store.set(id, change),
        release: (id, owner) => store.release(id, owner),
        begin: async (id, change, options) => {
          if (!options.resume) return { started: false };
          await store.begin(id, change, options);
          throw new Error('socket hang up');
        },
      },
      mode: 'on',
      log: silent,
      endpoints: { dcs: sim.url },
    });

    // Act
    await expect(lossy.execute({ key: 'claim-lost-careful', request, attempt: 1 })).rejects.toThrow(
      'socket hang up',
    );
    const afterLoss = await store.get('claim-lost-careful');

    // Assess
    expect(afterLoss?.status).toBe('in_progress');
    expect(afterLoss?.lease_owner).toBeUndefined();
    expect(restoresOf(instance)).toHaveLength(0);
  });

  it("keeps a crashed attempt's key until its invocation would have ended, then reconciles instead of calling again", async () => {
    // Prepare: what a crashed attempt leaves: the key claimed with 300 ms of its invocation left,
    // the call marked sending, the call made (it took effect), and no outcome.
    const instance = freshInstance();
    const request = dcsRestore(instance, 'crashed');
    const sentAt = new Date().toISOString();
    await store.begin(
      'claim-crash',
      {
        status: 'in_progress',
        action: request.action,
        attempts: 1,
        call: { state: 'sending', sent_at: sentAt },
      },
      {
        reopen: false,
        lease: { owner: 'the-crashed-attempt', until: Date.now() + 300 },
        requestHash: requestHash(request),
      },
    );
    await client.send({
      method: 'POST',
      url: `${sim.url}/v2/${PROJECT}/instances/${instance}/restores`,
      projectId: PROJECT,
      body: { backup_id: BACKUP, remark: 'crashed' },
    });
    const calls = restoresOf(instance).length;

    // Act
    const early = executor().execute({ key: 'claim-crash', request, attempt: 2 });
    await expect(early).rejects.toBeInstanceOf(InProgressElsewhereError);
    await new Promise((resolve) => setTimeout(resolve, 350));
    const late = await executor().execute({ key: 'claim-crash', request, attempt: 3 });

    // Assess
    expect(late).toMatchObject({ status: 'succeeded', reconciled: expect.any(String) });
    expect(restoresOf(instance).length).toBe(calls);
  });

  it('ends a claim with the invocation: the lease is the time Lambda gives it', async () => {
    // Prepare
    const instance = freshInstance();
    const request = dcsRestore(instance, 'lease');
    const timed = executor();
    timed.registerContext({ getRemainingTimeInMillis: () => 42_000 });
    sim.faults.add({ route: 'dcs.restore', kind: 'latency', latencyMs: 200, times: 1 });

    // Act
    const running = timed.execute({ key: 'claim-lease', request, attempt: 1 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const held = await store.get('claim-lease');
    await running;

    // Assess
    expect((held?.lease_until ?? 0) - Date.now()).toBeGreaterThan(40_000);
    expect((held?.lease_until ?? 0) - Date.now()).toBeLessThanOrEqual(42_000);
  });

  it('costs three round trips in the common case: the claim, the call, the outcome', async () => {
    // Prepare
    const instance = freshInstance();
    const request = dcsRestore(instance, 'three');
    dynamoCalls.length = 0;
    const calls = sim.calls.length;

    // Act
    await executor().execute({ key: 'claim-three', request, attempt: 1 });

    // Assess
    expect(dynamoCalls).toEqual(['UpdateItemCommand', 'UpdateItemCommand']);
    expect(sim.calls.length - calls).toBe(1);
  });
});
