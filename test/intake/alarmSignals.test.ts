/**
 * The alarm pipeline: signals -> routes -> one idempotent job per (route, episode), retried within
 * the invocation's time, dead-lettered with the alarm and the route when it cannot be done.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import type { DeadLetter } from '../../lib/deadLetters/deadLetter.ts';
import { InProgressElsewhereError, RetryLaterError } from '../../lib/execution/errors.ts';
import type { Job, Outcome } from '../../lib/execution/executor.ts';
import { HuaweiApiError } from '../../lib/huawei/errors.ts';
import type { AlarmAction } from '../../lib/intake/alarmAction.ts';
import {
  type AlarmPipelineDeps,
  OperationsNotFollowedError,
  processSignals,
} from '../../lib/intake/alarmSignals.ts';
import { parseRoutes } from '../../lib/routing/routes.ts';
import { parseAlertmanagerWebhook, parseCloudWatchEvent } from '../../lib/sources/index.ts';
import { MemoryStatusStore } from '../fixtures/memoryStore.ts';

const routes = parseRoutes(readFileSync('events/routes/routes.yml', 'utf8'));
const firing = parseAlertmanagerWebhook(
  JSON.parse(readFileSync('events/alarms/alertmanager-firing.json', 'utf8')),
);
const resolved = parseAlertmanagerWebhook(
  JSON.parse(readFileSync('events/alarms/alertmanager-resolved.json', 'utf8')),
);
const primaryDown = firing.filter((s) => s.name === 'DWSPrimaryDown');

const setup = (run: (job: Job) => Promise<Outcome>, overrides: Partial<AlarmPipelineDeps> = {}) => {
  const letters: DeadLetter[] = [];
  const counts: string[] = [];
  const sleeps: number[] = [];
  const deps: AlarmPipelineDeps = {
    routes,
    run: vi.fn(run),
    deadLetters: {
      queue: {
        send: async (letter: DeadLetter) => {
          letters.push(letter);
          return 'id';
        },
      },
      store: new MemoryStatusStore(),
      log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    },
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    count: (metric) => counts.push(metric),
    backoff: { baseSeconds: 1, maxSeconds: 4 },
    maxAttempts: 4,
    remainingMs: () => 60_000,
    attemptBudgetMs: 5_000,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...overrides,
  };
  return { deps, letters, counts, sleeps };
};
const succeeded: Outcome = { status: 'succeeded', remote: { disaster_recovery_id: 'x' } };

describe('routing signals to actions', () => {
  it('runs the matching route once with a key derived from the route and the episode, and its cooldown', async () => {
    const { deps } = setup(async () => succeeded);

    const results = await processSignals(primaryDown, deps);

    expect(results).toEqual([
      expect.objectContaining({ route: 'dws-prod-failover', result: 'executed', outcome: succeeded }),
    ]);
    const job = vi.mocked(deps.run).mock.calls[0]?.[0];
    expect(job?.key).toMatch(/^alarm:dws-prod-failover:[0-9a-f]{32}$/);
    expect(job?.request).toMatchObject({ action: 'dws.dr.failover', request_id: job?.key });
    expect(job?.cooldown).toEqual({ seconds: 3600, route: 'dws-prod-failover' });
  });

  it('counts and logs a signal that matches no route, without error', async () => {
    const { deps, counts } = setup(async () => succeeded);

    const results = await processSignals(firing, deps);

    expect(results).toContainEqual({
      signal: 'alertmanager:DWSReplicationLagHigh:alarm',
      result: 'no_route',
    });
    expect(counts).toContain('SignalsUnrouted');
  });

  it("ignores a resolved alert (state ok is not in the route's on), naming the reason", async () => {
    const { deps } = setup(async () => succeeded);

    const results = await processSignals(
      resolved.filter((s) => s.name === 'DWSPrimaryDown'),
      deps,
    );

    expect(results[0]).toMatchObject({ result: 'ignored', reason: expect.stringContaining('ok') });
    expect(deps.run).not.toHaveBeenCalled();
  });
});

describe('an alarm resolving while its request awaits approval (a route that asks a person first)', () => {
  const ROUTE = 'dws-prod-failover-cloudwatch';
  const approvalRoutes = routes.map((route) =>
    route.name === ROUTE
      ? { ...route, approval: { required: true, timeout_seconds: 900, on_timeout: 'cancel' as const } }
      : route,
  );
  const cloudWatch = (file: string) =>
    parseCloudWatchEvent(JSON.parse(readFileSync(`events/alarms/${file}`, 'utf8')));
  const [alarm] = cloudWatch('cloudwatch-eventbridge-alarm.json');
  const ok = cloudWatch('cloudwatch-eventbridge-ok.json');

  /** The request the alarm proposed, awaiting approval under its own episode key, holding the target. */
  const proposed = async (store: MemoryStatusStore, alarmName: string) => {
    const key = 'alarm:dws-prod-failover-cloudwatch:0123456789abcdef0123456789abcdef';
    await store.requestApproval(
      key,
      { action: 'dws.dr.failover', target: 'dws:p/d' },
      {
        required: true,
        deadline: '2026-12-07T11:00:00.000Z',
        on_timeout: 'cancel',
        route: ROUTE,
        cooldown_seconds: 3600,
        request: '{}',
        alarm: `cloudwatch ${alarmName} (alarm)`,
      },
    );
    return key;
  };

  it('finds the pending request through the target it holds (the OK is a new episode) and notes the resolution', async () => {
    // Prepare
    const store = new MemoryStatusStore();
    const key = await proposed(store, alarm?.name ?? '');
    const { deps } = setup(async () => succeeded, {
      routes: approvalRoutes,
      resolutions: { store, holderOf: async () => key },
    });

    // Act
    const [result] = await processSignals(ok, deps);

    // Assess
    expect(result).toMatchObject({
      result: 'ignored',
      reason: expect.stringContaining(`resolution noted on ${key}`),
    });
    expect(await store.get(key)).toMatchObject({
      status: 'awaiting_approval',
      approval: { resolved_at: ok[0]?.occurred_at },
    });
    expect(deps.run).not.toHaveBeenCalled();
  });

  it('leaves alone a pending request on the target that another alarm proposed', async () => {
    // Prepare
    const store = new MemoryStatusStore();
    const key = await proposed(store, 'SomeOtherAlarm');
    const { deps } = setup(async () => succeeded, {
      routes: approvalRoutes,
      resolutions: { store, holderOf: async () => key },
    });

    // Act
    const [result] = await processSignals(ok, deps);

    // Assess
    expect((result as { reason: string }).reason).not.toContain('resolution noted');
    expect((await store.get(key))?.approval?.resolved_at).toBeUndefined();
  });

  it('looks nothing up for a route that does not ask for approval', async () => {
    // Prepare
    const holderOf = vi.fn(async () => undefined);
    const { deps } = setup(async () => succeeded, {
      resolutions: { store: new MemoryStatusStore(), holderOf },
    });

    // Act
    await processSignals(ok, deps);

    // Assess
    expect(holderOf).not.toHaveBeenCalled();
  });
});

describe('following the operation an alarm started', () => {
  it('starts it with the outcome it just recorded, or starts it anew on a replay', async () => {
    // Prepare
    const start = vi.fn(async () => undefined);
    const fresh = setup(async () => succeeded, { operations: { start } });
    const replay = setup(async () => ({ ...succeeded, replayed: true as const }), { operations: { start } });

    // Act
    await processSignals(primaryDown, fresh.deps);
    await processSignals(primaryDown, replay.deps);

    // Assess
    expect(start.mock.calls.map((call) => (call as unknown[])[2])).toEqual([
      { recorded: true },
      { recorded: false },
    ]);
  });

  it('fails the invocation after every signal is handled when it cannot start, so the event comes again; never a dead letter', async () => {
    // Prepare
    const { deps, letters } = setup(async () => succeeded, {
      operations: {
        start: async () => {
          throw new Error('SQS SendMessage throttled');
        },
      },
    });

    // Act
    const handled = processSignals(primaryDown, deps);

    // Assess
    await expect(handled).rejects.toBeInstanceOf(OperationsNotFollowedError);
    expect(deps.run).toHaveBeenCalledTimes(1);
    expect(letters).toHaveLength(0);
  });
});

describe('failures', () => {
  const unavailable = () =>
    new HuaweiApiError('POST /x -> 503 APIGW.0503', 'transient', {
      phase: 'response',
      httpStatus: 503,
      errorCode: 'APIGW.0503',
    });

  it('retries a transient failure with backoff within the invocation, then succeeds', async () => {
    let calls = 0;
    const { deps, sleeps, letters } = setup(async () => {
      calls += 1;
      if (calls < 3) throw unavailable();
      return succeeded;
    });

    const [result] = await processSignals(primaryDown, deps);

    expect(result).toMatchObject({ result: 'executed' });
    expect(sleeps).toHaveLength(2);
    expect(letters).toHaveLength(0);
  });

  it('dead-letters with the alarm and the route once attempts run out', async () => {
    const { deps, letters } = setup(async () => {
      throw unavailable();
    });

    const [result] = await processSignals(primaryDown, deps);

    expect(result).toMatchObject({ result: 'dead_lettered' });
    expect(letters[0]).toMatchObject({
      route: 'dws-prod-failover',
      alarm: { source: 'alertmanager', name: 'DWSPrimaryDown', episode: primaryDown[0]?.episode },
      attempts: 4,
      error: { kind: 'transient', http_status: 503 },
      source: { type: 'alarm' },
    });
  });

  it('stops retrying when the invocation has no time left for another attempt', async () => {
    const { deps, letters, sleeps } = setup(
      async () => {
        throw unavailable();
      },
      { remainingMs: () => 4_000 },
    );

    await processSignals(primaryDown, deps);

    expect(sleeps).toHaveLength(0);
    expect(letters[0]?.attempts).toBe(1);
  });

  it('hands the action to the request queue when the invocation has no time left, instead of dead-lettering it', async () => {
    // Prepare
    const queued: AlarmAction[] = [];
    const { deps, letters, sleeps, counts } = setup(
      async () => {
        throw unavailable();
      },
      {
        remainingMs: () => 4_000,
        queue: {
          sendAlarmAction: async (action) => {
            queued.push(action);
          },
        },
      },
    );
    // Act
    const results = await processSignals(primaryDown, deps);
    // Assess: the same key (the episode's), the route's cooldown, the alarm; nothing dead-lettered
    expect(results).toEqual([expect.objectContaining({ route: 'dws-prod-failover', result: 'queued' })]);
    expect(sleeps).toHaveLength(0);
    expect(letters).toHaveLength(0);
    expect(counts).toContain('ActionsQueued');
    const job = vi.mocked(deps.run).mock.calls[0]?.[0];
    expect(queued).toEqual([
      expect.objectContaining({
        route: 'dws-prod-failover',
        cooldown_seconds: 3600,
        request: job?.request,
        alarm: expect.objectContaining({ name: 'DWSPrimaryDown' }),
      }),
    ]);
  });

  it('dead-letters a permanent failure at once', async () => {
    const { deps, letters } = setup(async () => {
      throw new HuaweiApiError('404', 'permanent', { phase: 'response', httpStatus: 404 });
    });

    await processSignals(primaryDown, deps);

    expect(letters[0]).toMatchObject({ attempts: 1, error: { kind: 'permanent' } });
  });

  it('dead-letters an unconfirmed retry that runs out as ambiguous', async () => {
    const { deps, letters } = setup(async () => {
      throw new RetryLaterError('no answer', { unconfirmed: true });
    });

    await processSignals(primaryDown, deps);

    expect(letters[0]?.error.kind).toBe('ambiguous');
  });

  it('hands an episode held by another delivery to the request queue, which looks again until its outcome is recorded', async () => {
    const queued: AlarmAction[] = [];
    const { deps, letters } = setup(
      async () => {
        throw new InProgressElsewhereError('episode');
      },
      { queue: { sendAlarmAction: async (action) => void queued.push(action) } },
    );

    const [result] = await processSignals(primaryDown, deps);

    expect(result).toMatchObject({ result: 'queued' });
    expect(queued).toHaveLength(1);
    expect(queued[0]?.request).toEqual(vi.mocked(deps.run).mock.calls[0]?.[0].request);
    expect(letters).toHaveLength(0);
  });

  it('leaves a duplicate delivery in progress elsewhere to that delivery', async () => {
    const { deps, letters } = setup(async () => {
      throw new InProgressElsewhereError('episode');
    });

    const [result] = await processSignals(primaryDown, deps);

    expect(result).toMatchObject({ result: 'in_progress_elsewhere' });
    expect(letters).toHaveLength(0);
  });
});
