/**
 * Following an accepted operation to its end (lib/operations/tracker.ts): the state machine of
 * delayed checks, on the in-memory status store (held to the same contract as DynamoDB's), with the
 * progress read and the queue replaced by recorders.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { type ActionRequest, parseActionRequest } from '../../lib/actions/request.ts';
import type { OperationObservation } from '../../lib/actions/types.ts';
import type { OperationCheck } from '../../lib/operations/check.ts';
import { type OperationEvent, OperationTracker } from '../../lib/operations/tracker.ts';
import { startedOperation } from '../../lib/store/status.ts';
import { MemoryStatusStore } from '../fixtures/memoryStore.ts';

const request: ActionRequest = parseActionRequest({
  action: 'dcs.restore',
  region: 'cn-north-4',
  project_id: '89cd04f168b84af6be287f71730fdb4b',
  request_id: 'alarm:redis-restore:0123456789abcdef0123456789abcdef',
  params: {
    instance_id: '3f1a2b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b',
    backup_id: '7c6b5a49-3827-4165-9453-021f3e4d5c6b',
  },
});
const KEY = request.request_id!;
const T0 = Date.parse('2026-12-07T10:00:00Z');

let store: MemoryStatusStore;
let clock: number;
let sees: OperationObservation[];
let scheduled: { check: OperationCheck; delay: number }[];
let told: OperationEvent[];

const tracker = (timeLimitSeconds?: number) =>
  new OperationTracker({
    store,
    observe: async () => {
      const next = sees.shift();
      if (!next) throw new Error('progress read failed: connect ECONNREFUSED');
      return next;
    },
    schedule: async (check, delay) => {
      scheduled.push({ check, delay });
    },
    notify: async (event) => {
      told.push(event);
    },
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    policy: { baseSeconds: 5, maxSeconds: 900, hardLimitFactor: 6, timeLimitSeconds },
    now: () => new Date(clock),
  });
/** Runs the last scheduled check, `minutes` later. */
const runNext = async (t: OperationTracker, minutes = 1, receiveCount = 1) => {
  clock += minutes * 60_000;
  const next = scheduled.at(-1)!;
  return t.check(next.check, receiveCount);
};

beforeEach(async () => {
  clock = T0;
  store = new MemoryStatusStore({ now: () => new Date(clock) });
  await store.set(KEY, {
    status: 'succeeded',
    action: 'dcs.restore',
    target: 'dcs:p/i',
    remote: { restore_id: 'r-1' },
  });
  sees = [];
  scheduled = [];
  told = [];
});

describe('OperationTracker', () => {
  it('starts the operation as running and schedules its first check a few seconds later', async () => {
    // Act
    await tracker().start(KEY, request, { recorded: false });
    // Assess
    expect((await store.get(KEY))?.operation).toMatchObject({ state: 'running', checks: 0 });
    expect(scheduled).toEqual([{ check: expect.objectContaining({ key: KEY, seq: 0 }), delay: 5 }]);
  });

  it('only schedules the first check when the executor recorded the started operation with the success', async () => {
    // Prepare
    await store.set(KEY, { status: 'succeeded', operation: startedOperation(new Date(clock).toISOString()) });
    const recorded = await store.get(KEY);
    // Act
    await tracker().start(KEY, request, { recorded: true });
    // Assess
    expect(await store.get(KEY)).toEqual(recorded);
    expect(scheduled).toEqual([{ check: expect.objectContaining({ key: KEY, seq: 0 }), delay: 5 }]);
  });

  it('follows it check by check, backing off, until it completes; tells once, with how long it took', async () => {
    // Prepare
    const t = tracker();
    await t.start(KEY, request, { recorded: false });
    sees = [
      { state: 'running', observed: 'restore r-1 is waiting' },
      { state: 'running', observed: 'restore r-1 is restoring', progress: '40%' },
      { state: 'completed', observed: 'restore r-1 is succeed', progress: '100%' },
    ];
    // Act
    await runNext(t);
    await runNext(t);
    await runNext(t);
    // Assess
    expect(scheduled.map((s) => [s.check.seq, s.delay])).toEqual([
      [0, 5],
      [1, 10],
      [2, 20],
    ]);
    expect((await store.get(KEY))?.operation).toMatchObject({
      state: 'completed',
      observed: 'restore r-1 is succeed',
      progress: '100%',
      finished_at: new Date(T0 + 3 * 60_000).toISOString(),
    });
    expect(told).toEqual([
      expect.objectContaining({
        event: 'completed',
        request_id: KEY,
        action: 'dcs.restore',
        target: 'dcs:p/i',
        seconds: 180,
        route: 'redis-restore',
      }),
    ]);
  });

  it('records a failure with the provider error, and tells once', async () => {
    // Prepare
    const t = tracker();
    await t.start(KEY, request, { recorded: false });
    sees = [{ state: 'failed', observed: 'restore r-1 is failed', error: 'DCS restore failed: dcs.08.0002' }];
    // Act
    await runNext(t);
    // Assess
    expect((await store.get(KEY))?.operation).toMatchObject({
      state: 'failed',
      error: 'DCS restore failed: dcs.08.0002',
    });
    expect(told).toEqual([
      expect.objectContaining({ event: 'failed', error: 'DCS restore failed: dcs.08.0002' }),
    ]);
  });

  it('drops a duplicate check: it changes nothing and schedules nothing', async () => {
    // Prepare
    const t = tracker();
    await t.start(KEY, request, { recorded: false });
    sees = [{ state: 'running', observed: 'restoring' }];
    const first = scheduled[0]!.check;
    await t.check(first, 1);
    const after = await store.get(KEY);
    // Act
    const again = await t.check(first, 1);
    // Assess
    expect(again).toBe('duplicate');
    expect(await store.get(KEY)).toStrictEqual(after);
    expect(scheduled).toHaveLength(2);
  });

  it('after a crash between its write and the next check, the redelivered check re-sends the next one', async () => {
    // Prepare: check 0 applied, but the next check was never sent (crash)
    const t = tracker();
    await t.start(KEY, request, { recorded: false });
    sees = [{ state: 'running', observed: 'restoring' }];
    const first = scheduled[0]!.check;
    await t.check(first, 1);
    scheduled.length = 0;
    // Act: SQS delivers check 0 again (receive count 2)
    await t.check(first, 2);
    // Assess
    expect(scheduled.map((s) => s.check.seq)).toEqual([1]);
  });

  it('calls a running operation stalled past its time limit, tells once, and keeps checking at the slow rate', async () => {
    // Prepare
    const t = tracker(120);
    await t.start(KEY, request, { recorded: false });
    sees = [
      { state: 'running', observed: 'restoring' },
      { state: 'running', observed: 'restoring' },
      { state: 'running', observed: 'restoring' },
    ];
    // Act
    await runNext(t, 1);
    await runNext(t, 2);
    await runNext(t, 1);
    // Assess
    expect((await store.get(KEY))?.operation?.state).toBe('stalled');
    expect(told.map((e) => e.event)).toEqual(['stalled']);
    expect(scheduled).toHaveLength(4);
  });

  it('stops checking past the hard limit (6x the time limit), and stays stalled', async () => {
    // Prepare
    const t = tracker(60);
    await t.start(KEY, request, { recorded: false });
    sees = [{ state: 'running', observed: 'restoring' }];
    // Act
    await runNext(t, 7);
    // Assess
    expect((await store.get(KEY))?.operation).toMatchObject({ state: 'stalled', abandoned: true });
    expect(scheduled).toHaveLength(1);
  });

  it('treats a failed progress read as "still running" and checks again later', async () => {
    // Prepare
    const t = tracker();
    await t.start(KEY, request, { recorded: false });
    sees = [];
    // Act
    await runNext(t);
    // Assess
    expect((await store.get(KEY))?.operation).toMatchObject({
      state: 'running',
      observed: expect.stringContaining('the progress read failed'),
    });
    expect(scheduled).toHaveLength(2);
  });

  it('starts once however often the request is redelivered; only re-sends the first check while it is due', async () => {
    // Prepare
    const t = tracker();
    await t.start(KEY, request, { recorded: false });
    sees = [{ state: 'running', observed: 'restoring' }];
    await runNext(t);
    const before = scheduled.length;
    // Act
    await t.start(KEY, request, { recorded: false });
    // Assess
    expect(scheduled).toHaveLength(before);
    expect((await store.get(KEY))?.operation?.checks).toBe(1);
  });

  it('follows nothing for a request that did not succeed (skipped, dry run)', async () => {
    // Prepare
    await store.set(KEY, { status: 'skipped', reason: 'dry-run' });
    // Act
    await tracker().start(KEY, request, { recorded: false });
    // Assess
    expect((await store.get(KEY))?.operation).toBeUndefined();
    expect(scheduled).toHaveLength(0);
  });
});
