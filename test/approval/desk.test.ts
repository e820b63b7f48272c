/**
 * ApprovalDesk (lib/approval/desk.ts): a route that asks a person first. The alarm proposes (status
 * awaiting_approval, the target's cooldown claimed for the wait, the timer set, the approvers told),
 * re-notifications and other alarms on the target attach, the first decision wins, the timer cancels
 * or proceeds at the deadline, and every notice goes out once. The status store is the in-memory
 * one (held to the DynamoDB store's contract); cooldowns, the queue (schedule), the preview read and
 * the notifications are fakes that record what they were asked.
 */
import { describe, expect, it } from 'vitest';
import type { ActionRequest } from '../../lib/actions/request.ts';
import { ApprovalDesk, type ApprovalNotice } from '../../lib/approval/desk.ts';
import type { ApprovalEvent } from '../../lib/approval/event.ts';
import type { Approval } from '../../lib/routing/schema.ts';
import type { CooldownClaim } from '../../lib/store/cooldowns.ts';
import { MemoryStatusStore } from '../fixtures/memoryStore.ts';
import { DR_ID, dwsFailoverRequest, PROJECT_ID } from '../fixtures/requests.ts';

const START = new Date('2026-12-07T10:00:00.000Z');
const TARGET = `dws:${PROJECT_ID}/${DR_ID}`;
const KEY = 'alarm:dws-approval:0123456789abcdef0123456789abcdef';
const OTHER_KEY = 'alarm:dws-approval-grafana:fedcba9876543210fedcba9876543210';
const CALL = `POST https://dws.cn-north-4.myhuaweicloud.com/v2/${PROJECT_ID}/disaster-recovery/${DR_ID}/failover`;

const requestFor = (key: string): ActionRequest => ({ ...dwsFailoverRequest, request_id: key });

/** The cooldown store's rule: granted when free, expired, or to its own holder again. */
class FakeCooldowns {
  readonly held = new Map<string, { holder: string; until: number; route?: string | undefined }>();
  readonly claims: { target: string; holder: string; seconds: number; route?: string | undefined }[] = [];
  readonly releases: { target: string; holder: string }[] = [];
  readonly #now: () => Date;
  constructor(now: () => Date) {
    this.#now = now;
  }

  async claim(target: string, holder: string, seconds: number, route?: string): Promise<CooldownClaim> {
    this.claims.push({ target, holder, seconds, route });
    const now = this.#now().getTime();
    const current = this.held.get(target);
    if (current && current.until > now && current.holder !== holder)
      return {
        granted: false,
        holder: current.holder,
        until: new Date(current.until).toISOString(),
        ...(current.route ? { route: current.route } : {}),
      };
    this.held.set(target, { holder, until: now + seconds * 1000, route });
    return { granted: true, until: new Date(now + seconds * 1000).toISOString() };
  }

  async release(target: string, holder: string): Promise<void> {
    this.releases.push({ target, holder });
    if (this.held.get(target)?.holder === holder) this.held.delete(target);
  }
}

const setup = (
  options: {
    approval?: Partial<Approval>;
    preview?: (r: ActionRequest) => Promise<{ call: string; state?: string }>;
    /** Throws on the first n sends (a queue that cannot be reached). */
    failSends?: number;
  } = {},
) => {
  const clock = { now: START };
  const now = () => clock.now;
  const store = new MemoryStatusStore({ now });
  const cooldowns = new FakeCooldowns(now);
  const scheduled: { event: ApprovalEvent; delaySeconds: number }[] = [];
  const notices: ApprovalNotice[] = [];
  const previews: ActionRequest[] = [];
  const logged: string[] = [];
  let failed = 0;
  const desk = new ApprovalDesk({
    store,
    cooldowns,
    schedule: async (event, delaySeconds) => {
      if ((options.failSends ?? 0) > failed) {
        failed += 1;
        throw new Error('SendMessage failed');
      }
      scheduled.push({ event, delaySeconds });
    },
    preview:
      options.preview ??
      (async (request) => {
        previews.push(request);
        return { call: CALL, state: 'the preflight allows it now' };
      }),
    notify: async (notice) => {
      notices.push(notice);
    },
    log: {
      info: (message) => logged.push(message),
      warn: (message) => logged.push(message),
      error: (message) => logged.push(message),
    },
    now,
  });
  const approval: Approval = {
    required: true,
    timeout_seconds: 1800,
    on_timeout: 'cancel',
    ...options.approval,
  };
  const route = { name: 'dws-approval', cooldown_seconds: 3600, approval };
  const propose = (key = KEY, routeName = route.name) =>
    desk.propose(key, requestFor(key), { ...route, name: routeName }, 'alertmanager DWSPrimaryDown (alarm)');
  const advance = (seconds: number) => {
    clock.now = new Date(clock.now.getTime() + seconds * 1000);
  };
  return { clock, advance, store, cooldowns, scheduled, notices, previews, logged, desk, route, propose };
};

const timer = (key = KEY): ApprovalEvent => ({
  type: 'dr-relay.approval-event',
  version: 1,
  key,
  event: 'timer',
});
const decided = (key = KEY): ApprovalEvent => ({
  type: 'dr-relay.approval-event',
  version: 1,
  key,
  event: 'decided',
});

describe('ApprovalDesk.propose', () => {
  it('records the request awaiting approval, holds the target for the wait and its cooldown, sets the timer and tells the approvers once', async () => {
    // Prepare
    const { propose, store, cooldowns, scheduled, notices, previews } = setup({
      approval: { approvers: ['alice', 'ops-bot'] },
    });

    // Act
    const result = await propose();

    // Assess
    expect(result).toBe('awaiting_approval');
    const record = await store.get(KEY);
    expect(record).toMatchObject({
      status: 'awaiting_approval',
      action: 'dws.dr.failover',
      target: TARGET,
      approval: {
        required: true,
        deadline: '2026-12-07T10:30:00.000Z',
        on_timeout: 'cancel',
        approvers: ['alice', 'ops-bot'],
        route: 'dws-approval',
        cooldown_seconds: 3600,
        alarm: 'alertmanager DWSPrimaryDown (alarm)',
      },
    });
    expect(JSON.parse(record!.approval!.request)).toEqual(requestFor(KEY));
    expect(record?.approval?.decision).toBeUndefined();
    expect(cooldowns.claims).toEqual([
      { target: TARGET, holder: KEY, seconds: 1800 + 3600, route: 'dws-approval' },
    ]);
    expect(scheduled).toEqual([{ event: timer(), delaySeconds: 900 }]);
    expect(previews).toEqual([requestFor(KEY)]);
    expect(notices).toEqual([
      {
        event: 'requested',
        request_id: KEY,
        action: 'dws.dr.failover',
        target: TARGET,
        route: 'dws-approval',
        alarm: 'alertmanager DWSPrimaryDown (alarm)',
        deadline: '2026-12-07T10:30:00.000Z',
        on_timeout: 'cancel',
        call: CALL,
        state: 'the preflight allows it now',
      },
    ]);
  });

  it('sets the timer at the deadline when it is within SQS’s longest delay', async () => {
    // Prepare
    const { propose, scheduled } = setup({ approval: { timeout_seconds: 120 } });

    // Act
    await propose();

    // Assess
    expect(scheduled).toEqual([{ event: timer(), delaySeconds: 120 }]);
  });

  it('attaches a re-notification of the episode to its pending request: no second request, timer, claim or notice', async () => {
    // Prepare
    const { propose, store, cooldowns, scheduled, notices } = setup();
    await propose();

    // Act
    const again = await propose();
    const third = await propose();

    // Assess
    expect([again, third]).toEqual(['attached', 'attached']);
    expect(store.records.size).toBe(1);
    expect((await store.get(KEY))?.status).toBe('awaiting_approval');
    expect(cooldowns.claims).toHaveLength(1);
    expect(scheduled).toHaveLength(1);
    expect(notices).toHaveLength(1);
  });

  it('finishes a proposal that stopped before its notice (a crash, a failed send) when it is delivered again', async () => {
    // Prepare: the timer could not be sent, so the first proposal stopped after recording it
    const { propose, scheduled, notices, cooldowns } = setup({ failSends: 1 });
    await expect(propose()).rejects.toThrow('SendMessage failed');
    expect(notices).toHaveLength(0);

    // Act: SQS delivers the same proposal again
    const again = await propose();

    // Assess: the target still held by it, the timer set and the approvers told, once
    expect(again).toBe('awaiting_approval');
    expect(cooldowns.claims.map((c) => c.holder)).toEqual([KEY, KEY]);
    expect(scheduled).toEqual([{ event: timer(), delaySeconds: 900 }]);
    expect(notices.map((n) => n.event)).toEqual(['requested']);
  });

  it('attaches another episode on the same target to the pending request, which stays the only one', async () => {
    // Prepare
    const { propose, store, scheduled, notices } = setup();
    await propose();

    // Act
    const other = await propose(OTHER_KEY, 'dws-approval-grafana');

    // Assess
    expect(other).toBe('attached');
    expect((await store.get(KEY))?.approval?.attached).toEqual([OTHER_KEY]);
    expect((await store.get(KEY))?.status).toBe('awaiting_approval');
    expect(await store.get(OTHER_KEY)).toMatchObject({
      status: 'skipped',
      reason: `attached to the pending request ${KEY} on the same target`,
      approval: { decision: { decision: 'cancel', by: 'dr-relay', via: 'timer' } },
    });
    expect(scheduled.map((s) => s.event.key)).toEqual([KEY]);
    expect(notices.map((n) => n.request_id)).toEqual([KEY]);
  });

  it('skips an episode whose target was acted on by a request that is not pending (its cooldown)', async () => {
    // Prepare
    const { propose, store, cooldowns, notices } = setup();
    await cooldowns.claim(TARGET, 'alarm:earlier:1', 3600, 'earlier');

    // Act
    const result = await propose();

    // Assess
    expect(result).toBe('attached');
    expect(await store.get(KEY)).toMatchObject({
      status: 'skipped',
      reason: `cooldown: ${TARGET} was acted on by alarm:earlier:1`,
    });
    expect(notices).toEqual([]);
  });

  it('still asks when the target cannot be read, saying so', async () => {
    // Prepare
    const { propose, notices, store } = setup({
      preview: async () => {
        throw new Error('connect ECONNREFUSED');
      },
    });

    // Act
    const result = await propose();

    // Assess
    expect(result).toBe('awaiting_approval');
    expect((await store.get(KEY))?.status).toBe('awaiting_approval');
    expect(notices[0]).toMatchObject({
      call: 'unknown',
      state: 'the target could not be read: connect ECONNREFUSED',
    });
  });
});

describe('ApprovalDesk.decide', () => {
  it('records the first decision, queues the request and hands the decision to the request function', async () => {
    // Prepare
    const { propose, desk, store, scheduled, advance } = setup();
    await propose();
    advance(60);

    // Act
    const result = await desk.decide(KEY, {
      decision: 'approve',
      by: 'alice',
      reason: 'confirmed outage',
      via: 'cli',
    });

    // Assess
    expect(result.ok).toBe(true);
    const decision = {
      decision: 'approve',
      by: 'alice',
      at: '2026-12-07T10:01:00.000Z',
      reason: 'confirmed outage',
      via: 'cli',
    };
    expect(await store.get(KEY)).toMatchObject({
      status: 'queued',
      reason: 'approved by alice: confirmed outage',
      approval: { decision },
    });
    if (result.ok) expect(result.record.approval?.decision).toEqual(decision);
    expect(scheduled.at(-1)).toEqual({ event: decided(), delaySeconds: 0 });
  });

  it('answers 409 with the recorded decision to every later one, and changes nothing', async () => {
    // Prepare
    const { propose, desk, store, scheduled } = setup();
    await propose();
    await desk.decide(KEY, { decision: 'approve', by: 'alice', via: 'api' });
    const before = await store.get(KEY);
    const events = scheduled.length;

    // Act
    const again = await desk.decide(KEY, { decision: 'approve', by: 'alice', via: 'api' });
    const deny = await desk.decide(KEY, { decision: 'deny', by: 'bob', reason: 'too late', via: 'cli' });

    // Assess
    for (const result of [again, deny]) {
      expect(result).toMatchObject({ ok: false, status: 409, message: 'already decided: approve by alice' });
      if (!result.ok)
        expect(result.record?.approval?.decision).toMatchObject({ decision: 'approve', by: 'alice' });
    }
    expect(await store.get(KEY)).toEqual(before);
    expect(scheduled).toHaveLength(events);
  });

  it('lets exactly one of two racing decisions win', async () => {
    // Prepare
    const { propose, desk, store } = setup();
    await propose();

    // Act
    const results = await Promise.all([
      desk.decide(KEY, { decision: 'approve', by: 'alice', via: 'api' }),
      desk.decide(KEY, { decision: 'deny', by: 'bob', reason: 'no', via: 'api' }),
    ]);

    // Assess
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok)).toEqual([expect.objectContaining({ status: 409 })]);
    expect((await store.get(KEY))?.approval?.decision?.by).toBe(results[0]!.ok ? 'alice' : 'bob');
  });

  it('refuses a decision after the deadline (409), leaving the timer to decide', async () => {
    // Prepare
    const { propose, desk, store, scheduled, advance } = setup();
    await propose();
    advance(1801);

    // Act
    const result = await desk.decide(KEY, { decision: 'approve', by: 'alice', via: 'cli' });

    // Assess
    expect(result).toMatchObject({
      ok: false,
      status: 409,
      message: 'the approval timed out at 2026-12-07T10:30:00.000Z',
    });
    expect((await store.get(KEY))?.status).toBe('awaiting_approval');
    expect(scheduled.map((s) => s.event.event)).toEqual(['timer']);
  });

  it('accepts a decision at the deadline itself', async () => {
    // Prepare
    const { propose, desk, advance } = setup();
    await propose();
    advance(1800);

    // Act
    const result = await desk.decide(KEY, {
      decision: 'deny',
      by: 'alice',
      reason: 'false alarm',
      via: 'cli',
    });

    // Assess
    expect(result.ok).toBe(true);
  });

  it("refuses someone not among the route's approvers (403) and accepts one who is", async () => {
    // Prepare
    const { propose, desk, store } = setup({ approval: { approvers: ['alice', 'ops-bot'] } });
    await propose();

    // Act
    const mallory = await desk.decide(KEY, { decision: 'approve', by: 'mallory', via: 'api' });
    const untouched = await store.get(KEY);
    const bot = await desk.decide(KEY, { decision: 'approve', by: 'ops-bot', via: 'api' });

    // Assess
    expect(mallory).toMatchObject({
      ok: false,
      status: 403,
      message: "mallory is not among the route's approvers",
    });
    expect(untouched?.status).toBe('awaiting_approval');
    expect(bot.ok).toBe(true);
  });

  it('answers 404 for an unknown request and 409 for one that never awaited approval', async () => {
    // Prepare
    const { desk, store } = setup();
    await store.createQueued('plain-1', 'dws.dr.failover', TARGET);

    // Act
    const unknown = await desk.decide('nope', { decision: 'approve', by: 'alice', via: 'api' });
    const plain = await desk.decide('plain-1', { decision: 'approve', by: 'alice', via: 'api' });

    // Assess
    expect(unknown).toMatchObject({ ok: false, status: 404, message: 'no request nope' });
    expect(plain).toMatchObject({
      ok: false,
      status: 409,
      message: 'request plain-1 does not await approval',
    });
    expect((await store.get('plain-1'))?.status).toBe('queued');
  });
});

describe('ApprovalDesk.onEvent: the timer', () => {
  it('at the deadline with on_timeout cancel: skipped ("approval timed out"), the cooldown given back, told once', async () => {
    // Prepare
    const { propose, desk, store, cooldowns, notices, advance } = setup({
      approval: { on_timeout: 'cancel' },
    });
    await propose();
    advance(1800);

    // Act
    const job = await desk.onEvent(timer());
    const duplicate = await desk.onEvent(timer());

    // Assess
    expect(job).toBeUndefined();
    expect(duplicate).toBeUndefined();
    expect(await store.get(KEY)).toMatchObject({
      status: 'skipped',
      reason: 'approval timed out (on_timeout: cancel)',
      approval: {
        decision: { decision: 'cancel', by: 'timeout', at: '2026-12-07T10:30:00.000Z', via: 'timer' },
      },
    });
    expect(cooldowns.releases).toContainEqual({ target: TARGET, holder: KEY });
    expect(cooldowns.held.has(TARGET)).toBe(false);
    expect(notices.map((n) => n.event)).toEqual(['requested', 'cancelled']);
  });

  it('after a cancel, another alarm on the target can act (it is not held)', async () => {
    // Prepare
    const { propose, desk, cooldowns, advance } = setup();
    await propose();
    advance(1800);
    await desk.onEvent(timer());

    // Act
    const claim = await cooldowns.claim(TARGET, 'alarm:next:1', 3600, 'next');

    // Assess
    expect(claim.granted).toBe(true);
  });

  it('at the deadline with on_timeout proceed: approved by timeout, and the job returned to run with the route’s cooldown', async () => {
    // Prepare
    const { propose, desk, store, cooldowns, notices, advance } = setup({
      approval: { on_timeout: 'proceed' },
    });
    await propose();
    advance(1800);

    // Act
    const job = await desk.onEvent(timer());

    // Assess
    expect(job).toEqual({
      key: KEY,
      request: requestFor(KEY),
      cooldown: { seconds: 3600, route: 'dws-approval' },
    });
    expect(await store.get(KEY)).toMatchObject({
      status: 'queued',
      reason: 'approved by timeout (on_timeout: proceed)',
      approval: { decision: { decision: 'approve', by: 'timeout', via: 'timer' } },
    });
    expect(cooldowns.releases).toEqual([]);
    expect(notices.at(-1)).toMatchObject({
      event: 'approved',
      decision: { decision: 'approve', by: 'timeout', via: 'timer' },
    });
  });

  it('before the deadline sets itself again for what is left (at most 900 s at a time), deciding nothing', async () => {
    // Prepare
    const { propose, desk, store, scheduled, advance, notices } = setup({
      approval: { timeout_seconds: 3600 },
    });
    await propose();

    // Act
    advance(900);
    const first = await desk.onEvent(timer());
    advance(2000);
    const second = await desk.onEvent(timer());

    // Assess
    expect([first, second]).toEqual([undefined, undefined]);
    expect(scheduled.map((s) => s.delaySeconds)).toEqual([900, 900, 700]);
    expect(scheduled.every((s) => s.event.event === 'timer')).toBe(true);
    expect((await store.get(KEY))?.status).toBe('awaiting_approval');
    expect(notices.map((n) => n.event)).toEqual(['requested']);
  });

  it('after a person decided, the timer changes nothing', async () => {
    // Prepare
    const { propose, desk, store, advance } = setup({ approval: { on_timeout: 'proceed' } });
    await propose();
    await desk.decide(KEY, { decision: 'deny', by: 'alice', reason: 'false alarm', via: 'cli' });
    await desk.onEvent(decided());
    advance(1800);

    // Act
    const job = await desk.onEvent(timer());

    // Assess
    expect(job).toBeUndefined();
    expect((await store.get(KEY))?.approval?.decision).toMatchObject({ decision: 'deny', by: 'alice' });
  });
});

describe('ApprovalDesk.onEvent: decided', () => {
  it('approve: the job is returned (the preflight runs again when it runs), the approvers told once', async () => {
    // Prepare
    const { propose, desk, notices, cooldowns } = setup();
    await propose();
    await desk.decide(KEY, { decision: 'approve', by: 'alice', reason: 'confirmed', via: 'cli' });

    // Act
    const job = await desk.onEvent(decided());
    const redelivered = await desk.onEvent(decided());

    // Assess: both return the job; the executor's idempotency makes it one call
    expect(job).toEqual({
      key: KEY,
      request: requestFor(KEY),
      cooldown: { seconds: 3600, route: 'dws-approval' },
    });
    expect(redelivered).toEqual(job);
    expect(notices.map((n) => n.event)).toEqual(['requested', 'approved']);
    expect(notices[1]).toMatchObject({
      request_id: KEY,
      decision: { decision: 'approve', by: 'alice', reason: 'confirmed', via: 'cli' },
    });
    expect(cooldowns.releases).toEqual([]);
  });

  it('deny: nothing to run, the cooldown given back, the approvers told once', async () => {
    // Prepare
    const { propose, desk, notices, cooldowns, store } = setup();
    await propose();
    await desk.decide(KEY, { decision: 'deny', by: 'alice', reason: 'false alarm', via: 'api' });

    // Act
    const job = await desk.onEvent(decided());
    await desk.onEvent(decided());

    // Assess
    expect(job).toBeUndefined();
    expect((await store.get(KEY))?.status).toBe('skipped');
    expect((await store.get(KEY))?.reason).toBe('denied by alice: false alarm');
    expect(cooldowns.held.has(TARGET)).toBe(false);
    expect(notices.map((n) => n.event)).toEqual(['requested', 'denied']);
  });

  it('ignores an event for a request it does not know or that never awaited approval', async () => {
    // Prepare
    const { desk, store, notices } = setup();
    await store.createQueued('plain-1', 'dws.dr.failover', TARGET);

    // Act
    const unknown = await desk.onEvent(decided('nope'));
    const plain = await desk.onEvent(timer('plain-1'));

    // Assess
    expect([unknown, plain]).toEqual([undefined, undefined]);
    expect(notices).toEqual([]);
  });
});
