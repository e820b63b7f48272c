/**
 * The webhook's hand-off (lib/intake/alarmHandOff.ts): alarms are routed, their episode claimed as a
 * `queued` status record, and their action put on the request queue with the route's context;
 * nothing is executed here.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseActionRequest } from '../../lib/actions/request.ts';
import { type AlarmAction, AlarmActionSchema } from '../../lib/intake/alarmAction.ts';
import { AlarmHandOff } from '../../lib/intake/alarmHandOff.ts';
import { parseRoutes } from '../../lib/routing/routes.ts';
import { parseAlertmanagerWebhook } from '../../lib/sources/index.ts';
import { MemoryStatusStore } from '../fixtures/memoryStore.ts';

const routes = parseRoutes(readFileSync('events/routes/routes.yml', 'utf8'));
const firing = parseAlertmanagerWebhook(
  JSON.parse(readFileSync('events/alarms/alertmanager-firing.json', 'utf8')),
);
const primaryDown = firing.filter((s) => s.name === 'DWSPrimaryDown');
const invocation = { remainingMs: () => 20_000 };

const setup = (
  options: { routes?: typeof routes; holderOf?: (target: string) => Promise<string | undefined> } = {},
) => {
  const sent: AlarmAction[] = [];
  const store = new MemoryStatusStore();
  const counts: string[] = [];
  const handOff = new AlarmHandOff({
    routes: options.routes ?? routes,
    queue: {
      sendAlarmAction: async (action) => {
        sent.push(action);
      },
    },
    store,
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    count: (metric) => counts.push(metric),
    ...(options.holderOf ? { holderOf: options.holderOf } : {}),
  });
  return { handOff, sent, store, counts };
};

describe('AlarmHandOff', () => {
  it("queues the matching route's action with its cooldown, route and alarm, and records it queued", async () => {
    // Prepare
    const { handOff, sent, store } = setup();
    // Act
    const results = await handOff.process(primaryDown, invocation);
    // Assess
    expect(results).toEqual([
      expect.objectContaining({
        route: 'dws-prod-failover',
        result: 'queued',
        key: expect.stringMatching(/^alarm:/),
      }),
    ]);
    const key = (results[0] as { key: string }).key;
    expect(sent).toHaveLength(1);
    const action = AlarmActionSchema.parse(sent[0]);
    expect(parseActionRequest(action.request)).toMatchObject({ action: 'dws.dr.failover', request_id: key });
    expect(action).toMatchObject({ route: 'dws-prod-failover', cooldown_seconds: 3600 });
    expect(action.alarm).toMatchObject({ source: 'alertmanager', name: 'DWSPrimaryDown', state: 'alarm' });
    expect(action.alarm?.raw).toEqual(primaryDown[0]!.raw);
    expect((await store.get(key))?.status).toBe('queued');
  });

  it('queues a re-notification again while the episode has not started (a lost send is never lost)', async () => {
    // Prepare
    const { handOff, sent } = setup();
    await handOff.process(primaryDown, invocation);
    // Act
    const again = await handOff.process(primaryDown, invocation);
    // Assess: the same key twice; the request function's idempotency makes it one call
    expect(again[0]).toMatchObject({ result: 'queued' });
    expect(new Set(sent.map((a) => (a.request as { request_id: string }).request_id)).size).toBe(1);
  });

  it('answers "in progress" for a re-notification of an episode being executed, and queues nothing', async () => {
    // Prepare
    const { handOff, sent, store } = setup();
    const [first] = await handOff.process(primaryDown, invocation);
    const key = (first as { key: string }).key;
    await store.set(key, { status: 'in_progress' });
    // Act
    const again = await handOff.process(primaryDown, invocation);
    // Assess
    expect(again[0]).toMatchObject({ result: 'in_progress_elsewhere', key });
    expect(sent).toHaveLength(1);
  });

  it.each(['succeeded', 'skipped', 'dead_lettered'] as const)(
    'reports an episode that ended %s, and queues nothing',
    async (status) => {
      // Prepare
      const { handOff, sent, store } = setup();
      const [first] = await handOff.process(primaryDown, invocation);
      await store.set((first as { key: string }).key, { status });
      // Act
      const again = await handOff.process(primaryDown, invocation);
      // Assess
      expect(again[0]).toMatchObject({ result: 'ended_earlier', status });
      expect(sent).toHaveLength(1);
    },
  );

  it('queues nothing for a signal no route matches, or one a route ignores (resolved)', async () => {
    // Prepare
    const { handOff, sent, counts } = setup();
    const resolved = parseAlertmanagerWebhook(
      JSON.parse(readFileSync('events/alarms/alertmanager-resolved.json', 'utf8')),
    );
    // Act
    const results = await handOff.process(
      [...firing.filter((s) => s.name !== 'DWSPrimaryDown'), ...resolved],
      invocation,
    );
    // Assess
    expect(results.every((r) => r.result === 'no_route' || r.result === 'ignored')).toBe(true);
    expect(sent).toHaveLength(0);
    expect(counts).toContain('SignalsUnrouted');
  });

  describe('a route that asks for approval', () => {
    const approvalRoutes = routes.map((route) =>
      route.name === 'dws-prod-failover'
        ? { ...route, approval: { required: true, timeout_seconds: 1800, on_timeout: 'cancel' as const } }
        : route,
    );
    const resolved = parseAlertmanagerWebhook(
      JSON.parse(readFileSync('events/alarms/alertmanager-resolved.json', 'utf8')),
    ).filter((s) => s.name === 'DWSPrimaryDown');
    /** The episode proposed as the request function does it: awaiting approval. */
    const proposed = async (store: MemoryStatusStore, key: string, alarm?: string) => {
      await store.requestApproval(
        key,
        { action: 'dws.dr.failover', target: 'dws:p/dr' },
        {
          required: true,
          deadline: '2099-01-01T00:00:00.000Z',
          on_timeout: 'cancel',
          route: 'dws-prod-failover',
          cooldown_seconds: 3600,
          request: '{}',
          ...(alarm ? { alarm } : {}),
        },
      );
    };

    it('hands the action over with the approval (the request function proposes it)', async () => {
      // Prepare
      const { handOff, sent } = setup({ routes: approvalRoutes });
      // Act
      const results = await handOff.process(primaryDown, invocation);
      // Assess
      expect(results[0]).toMatchObject({ result: 'queued' });
      expect(AlarmActionSchema.parse(sent[0]).approval).toEqual({
        required: true,
        timeout_seconds: 1800,
        on_timeout: 'cancel',
      });
    });

    it('notes the resolution on the pending request without cancelling it, once', async () => {
      // Prepare
      const { handOff, sent, store } = setup({ routes: approvalRoutes });
      const [first] = await handOff.process(primaryDown, invocation);
      const key = (first as { key: string }).key;
      await proposed(store, key);
      // Act
      const results = await handOff.process(resolved, invocation);
      const again = await handOff.process(resolved, invocation);
      // Assess
      expect(results[0]).toMatchObject({
        result: 'ignored',
        reason: `state ok is not in on: [alarm]; resolution noted on ${key}`,
      });
      expect(again[0]).toMatchObject({ result: 'ignored', reason: 'state ok is not in on: [alarm]' });
      const record = await store.get(key);
      expect(record?.status).toBe('awaiting_approval');
      expect(record?.approval?.resolved_at).toBe(resolved[0]!.occurred_at);
      expect(record?.approval?.decision).toBeUndefined();
      expect(sent).toHaveLength(1);
    });

    it("notes a resolution that arrives as a new episode (as Cloud Eye's and CloudWatch's do) on the request holding the target", async () => {
      // Prepare
      let holder: string | undefined;
      const { handOff, store } = setup({ routes: approvalRoutes, holderOf: async () => holder });
      const [first] = await handOff.process(primaryDown, invocation);
      holder = (first as { key: string }).key;
      await proposed(store, holder, 'alertmanager DWSPrimaryDown (alarm)');
      const newEpisode = resolved.map((signal) => ({ ...signal, episode: `${signal.episode}/resolved` }));
      // Act
      const results = await handOff.process(newEpisode, invocation);
      // Assess
      expect(results[0]).toMatchObject({
        result: 'ignored',
        reason: `state ok is not in on: [alarm]; resolution noted on ${holder}`,
      });
      expect((await store.get(holder))?.approval?.resolved_at).toBe(resolved[0]!.occurred_at);
    });

    it('notes nothing on a request already decided, nor for an episode never proposed', async () => {
      // Prepare
      const { handOff, store } = setup({ routes: approvalRoutes });
      const [first] = await handOff.process(primaryDown, invocation);
      const key = (first as { key: string }).key;
      await proposed(store, key);
      await store.decideApproval(
        key,
        { decision: 'deny', by: 'alice', at: '2026-01-01T00:00:00.000Z', via: 'cli' },
        'denied by alice',
      );
      const other = setup({ routes: approvalRoutes });
      // Act
      const decided = await handOff.process(resolved, invocation);
      const never = await other.handOff.process(resolved, invocation);
      // Assess
      expect(decided[0]).toMatchObject({ result: 'ignored', reason: 'state ok is not in on: [alarm]' });
      expect((await store.get(key))?.approval?.resolved_at).toBeUndefined();
      expect(never[0]).toMatchObject({ result: 'ignored', reason: 'state ok is not in on: [alarm]' });
      expect(other.store.records.size).toBe(0);
    });
  });
});
