/**
 * The StatusStore port's specification, one for every implementation: what `get`, `set`, `begin`,
 * `createQueued`, the operation's writes and the approval's writes do to a status record, as the
 * DynamoDB store (the reference) does it.
 * Run by test/store/statusStore.contract.test.ts against each store; storage details that only one
 * store has (the req#<id> key, the TTL attribute) stay in that store's own tests.
 */
import { describe, expect, it } from 'vitest';
import type {
  ApprovalDecision,
  ApprovalRecord,
  StatusChange,
  StatusRecord,
  StatusStore,
} from '../../lib/store/status.ts';

/** Builds an empty-or-shared store whose clock is `now`; request ids are never reused across tests. */
export type MakeStatusStore = (now: () => Date) => StatusStore;

const T1 = new Date('2026-11-23T17:00:00.000Z');
const T2 = new Date('2026-11-23T17:05:30.250Z');
const T3 = new Date('2026-11-23T18:00:00.999Z');
const TARGET = 'dws:89cd04f168b84af6be287f71730fdb4b/e59d6b86-9072-46eb-a996-13f8b44994c1';
const SENDING = { state: 'sending', sent_at: T1.toISOString() } as const;
const ANSWERED = { state: 'answered', sent_at: T1.toISOString() } as const;

export const describeStatusStoreContract = (name: string, makeStore: MakeStatusStore): void => {
  describe(name, () => {
    let ids = 0;
    /** A store whose clock the test moves by hand, and a request id no other test uses. */
    const fixture = () => {
      const clock = { now: T1 };
      const store = makeStore(() => clock.now);
      ids += 1;
      return { store, clock, requestId: `contract-${name}-${ids}` };
    };

    describe('get', () => {
      it('answers undefined for an id it never stored', async () => {
        // Prepare
        const { store, requestId } = fixture();
        // Act
        const record = await store.get(requestId);
        // Assess
        expect(record).toBeUndefined();
      });

      it('hands out a copy: changing what it returned does not change the record', async () => {
        // Prepare
        const { store, requestId } = fixture();
        await store.set(requestId, { status: 'in_progress', action: 'dcs.restore', remote: { a: '1' } });
        const read = await store.get(requestId);
        // Act
        if (read?.remote) read.remote['a'] = 'changed';
        // Assess
        expect((await store.get(requestId))?.remote).toStrictEqual({ a: '1' });
      });
    });

    describe('set', () => {
      it.each(['failed', 'dead_lettered'] as const)(
        'never lets a failure (%s) replace an outcome a duplicate recorded meanwhile: the record stays, and is returned',
        async (failure) => {
          // Prepare
          const { store, clock, requestId } = fixture();
          await store.set(requestId, {
            status: 'succeeded',
            action: 'dcs.restore',
            remote: { restore_id: 'r' },
          });
          const recorded = await store.get(requestId);
          clock.now = T2;
          // Act
          const answer = await store.set(requestId, { status: failure, attempts: 3, failure: true });
          // Assess
          expect(answer).toEqual(recorded);
          expect(await store.get(requestId)).toEqual(recorded);
        },
      );

      it('lets a failure replace a status that is not an outcome', async () => {
        // Prepare
        const { store, requestId } = fixture();
        await store.set(requestId, { status: 'in_progress', action: 'dcs.restore' });
        // Act
        const answer = await store.set(requestId, { status: 'failed', attempts: 2 });
        // Assess
        expect(answer).toMatchObject({ status: 'failed', attempts: 2 });
      });

      it('creates the record with request_id, created_at = updated_at = now, and 0 attempts when none are given', async () => {
        // Prepare
        const { store, requestId } = fixture();
        // Act
        const stored = await store.set(requestId, {
          status: 'in_progress',
          action: 'dws.dr.failover',
          target: TARGET,
        });
        // Assess
        const expected: StatusRecord = {
          request_id: requestId,
          action: 'dws.dr.failover',
          target: TARGET,
          status: 'in_progress',
          attempts: 0,
          created_at: T1.toISOString(),
          updated_at: T1.toISOString(),
        };
        expect(stored).toStrictEqual(expected);
        expect(await store.get(requestId)).toStrictEqual(expected);
      });

      it('creates a readable record with action "unknown" when the first change names no action', async () => {
        // Prepare
        const { store, requestId } = fixture();
        // Act
        const stored = await store.set(requestId, { status: 'failed', attempts: 1 });
        // Assess
        expect(stored).toMatchObject({ status: 'failed', action: 'unknown', attempts: 1 });
        expect(await store.get(requestId)).toStrictEqual(stored);
      });

      it('replaces the "unknown" action once a change names one, and keeps it when later changes do not', async () => {
        // Prepare
        const { store, requestId } = fixture();
        await store.set(requestId, { status: 'failed' });
        // Act
        const named = await store.set(requestId, { status: 'in_progress', action: 'dcs.restore' });
        const unnamed = await store.set(requestId, { status: 'succeeded' });
        // Assess
        expect([named.action, unnamed.action]).toStrictEqual(['dcs.restore', 'dcs.restore']);
      });

      it('keeps created_at and every field the change does not name, and moves updated_at', async () => {
        // Prepare
        const { store, clock, requestId } = fixture();
        await store.set(requestId, {
          status: 'in_progress',
          action: 'dcs.restore',
          target: TARGET,
          attempts: 2,
          remote: { restore_id: 'r-1' },
          reason: 'first reason',
          error: { kind: 'transient', message: '503' },
          call: ANSWERED,
        });
        clock.now = T2;
        // Act
        const stored = await store.set(requestId, { status: 'succeeded' });
        // Assess
        const expected: StatusRecord = {
          request_id: requestId,
          action: 'dcs.restore',
          target: TARGET,
          status: 'succeeded',
          attempts: 2,
          remote: { restore_id: 'r-1' },
          reason: 'first reason',
          error: { kind: 'transient', message: '503' },
          call: ANSWERED,
          created_at: T1.toISOString(),
          updated_at: T2.toISOString(),
        };
        expect(stored).toStrictEqual(expected);
        expect(await store.get(requestId)).toStrictEqual(expected);
      });

      it('leaves a field alone when the change carries it as undefined', async () => {
        // Prepare
        const { store, clock, requestId } = fixture();
        await store.set(requestId, {
          status: 'failed',
          action: 'csbs.restore',
          target: TARGET,
          reason: 'kept',
          attempts: 3,
          call: ANSWERED,
        });
        clock.now = T2;
        // Act
        const stored = await store.set(requestId, {
          status: 'in_progress',
          action: undefined,
          target: undefined,
          reason: undefined,
          attempts: undefined,
          call: undefined,
        });
        // Assess
        expect(stored).toMatchObject({
          status: 'in_progress',
          action: 'csbs.restore',
          target: TARGET,
          reason: 'kept',
          attempts: 3,
          call: ANSWERED,
        });
      });

      it('replaces call, remote and error as a whole, and drops their fields given as undefined', async () => {
        // Prepare
        const { store, clock, requestId } = fixture();
        await store.set(requestId, {
          status: 'in_progress',
          action: 'dws.dr.failover',
          remote: { a: '1', b: '2' },
          error: { kind: 'ambiguous', message: 'timeout', http_status: 504, error_code: 'APIGW.0504' },
          call: { ...SENDING, before: '{"status":"running"}' },
        });
        clock.now = T2;
        // Act
        const stored = await store.set(requestId, {
          status: 'failed',
          remote: { c: '3' },
          error: { kind: 'transient', message: '503', http_status: undefined },
          call: { ...ANSWERED, before: undefined },
        });
        // Assess
        const expected = {
          remote: { c: '3' },
          error: { kind: 'transient', message: '503' },
          call: ANSWERED,
        };
        expect(stored).toMatchObject(expected);
        expect(stored.call).toStrictEqual(ANSWERED);
        expect(stored.error).toStrictEqual(expected.error);
        expect(await store.get(requestId)).toStrictEqual(stored);
      });

      it('sets first_failure_at once and last_failure_at on each failure, and keeps both after', async () => {
        // Prepare
        const { store, clock, requestId } = fixture();
        // Act
        const first = await store.set(requestId, {
          status: 'failed',
          action: 'dcs.restore',
          attempts: 1,
          failure: true,
        });
        clock.now = T2;
        const second = await store.set(requestId, { status: 'failed', attempts: 2, failure: true });
        clock.now = T3;
        const succeeded = await store.set(requestId, { status: 'succeeded' });
        // Assess
        const failureTimes = (record: StatusRecord) => [record.first_failure_at, record.last_failure_at];
        expect(failureTimes(first)).toStrictEqual([T1.toISOString(), T1.toISOString()]);
        expect(failureTimes(second)).toStrictEqual([T1.toISOString(), T2.toISOString()]);
        expect(failureTimes(succeeded)).toStrictEqual([T1.toISOString(), T2.toISOString()]);
        expect([second.attempts, succeeded.attempts]).toStrictEqual([2, 2]);
        expect(succeeded.updated_at).toBe(T3.toISOString());
      });

      it.each([
        { failure: false as const, label: 'failure: false' },
        { failure: undefined, label: 'no failure flag' },
      ])('writes no failure timestamps, and no failure field, with $label', async ({ failure }) => {
        // Prepare
        const { store, requestId } = fixture();
        // Act
        const stored = await store.set(requestId, { status: 'failed', action: 'dcs.restore', failure });
        // Assess
        expect(stored).not.toHaveProperty('first_failure_at');
        expect(stored).not.toHaveProperty('last_failure_at');
        expect(stored).not.toHaveProperty('failure');
        expect(await store.get(requestId)).toStrictEqual(stored);
      });

      it('keeps no hold on the change: changing it afterwards does not change the record', async () => {
        // Prepare
        const { store, requestId } = fixture();
        const change = {
          status: 'in_progress',
          action: 'dcs.restore',
          remote: { a: '1' },
        } satisfies StatusChange;
        await store.set(requestId, change);
        // Act
        change.remote['a'] = 'changed';
        // Assess
        expect((await store.get(requestId))?.remote).toStrictEqual({ a: '1' });
      });
    });

    describe('begin', () => {
      it('starts on an unknown id: prior undefined, the change written as set would write it', async () => {
        // Prepare
        const { store, requestId } = fixture();
        // Act
        const begun = await store.begin(
          requestId,
          { status: 'in_progress', action: 'dcs.restore', target: TARGET, attempts: 1, call: SENDING },
          { reopen: false },
        );
        // Assess
        expect(begun).toStrictEqual({ started: true, prior: undefined });
        const expected: StatusRecord = {
          request_id: requestId,
          action: 'dcs.restore',
          target: TARGET,
          status: 'in_progress',
          attempts: 1,
          call: SENDING,
          created_at: T1.toISOString(),
          updated_at: T1.toISOString(),
        };
        expect(await store.get(requestId)).toStrictEqual(expected);
      });

      it.each([
        { status: 'queued', call: undefined },
        { status: 'in_progress', call: undefined },
        { status: 'in_progress', call: ANSWERED },
        { status: 'failed', call: ANSWERED },
        { status: 'failed', call: undefined },
      ] as const)(
        'starts over a $status record with call $call.state, returning the record as it was',
        async ({ status, call }) => {
          // Prepare
          const { store, clock, requestId } = fixture();
          await store.set(requestId, {
            status,
            call,
            action: 'dcs.restore',
            attempts: 1,
            reason: 'earlier',
            failure: true,
          });
          const before = await store.get(requestId);
          clock.now = T2;
          // Act
          const begun = await store.begin(
            requestId,
            { status: 'in_progress', attempts: 2 },
            { reopen: false },
          );
          // Assess
          expect(begun).toStrictEqual({ started: true, prior: before });
          expect(await store.get(requestId)).toStrictEqual({
            ...before,
            status: 'in_progress',
            attempts: 2,
            updated_at: T2.toISOString(),
          });
        },
      );

      it('sets the failure timestamps when the change carries failure: true', async () => {
        // Prepare
        const { store, requestId } = fixture();
        // Act
        await store.begin(
          requestId,
          { status: 'in_progress', action: 'dcs.restore', failure: true },
          { reopen: false },
        );
        // Assess
        expect(await store.get(requestId)).toMatchObject({
          first_failure_at: T1.toISOString(),
          last_failure_at: T1.toISOString(),
        });
      });

      it.each([
        { status: 'in_progress', call: SENDING, reopen: false },
        { status: 'in_progress', call: SENDING, reopen: true },
        { status: 'failed', call: SENDING, reopen: true },
        { status: 'succeeded', call: undefined, reopen: false },
        { status: 'succeeded', call: ANSWERED, reopen: true },
        { status: 'skipped', call: undefined, reopen: false },
        { status: 'skipped', call: undefined, reopen: true },
        { status: 'dead_lettered', call: undefined, reopen: false },
        { status: 'dead_lettered', call: ANSWERED, reopen: false },
        { status: 'dead_lettered', call: SENDING, reopen: true },
      ] as const)(
        'is refused over a $status record with call $call.state (reopen $reopen), changing nothing',
        async ({ status, call, reopen }) => {
          // Prepare
          const { store, clock, requestId } = fixture();
          await store.set(requestId, { status, call, action: 'dcs.restore', attempts: 1 });
          const before = await store.get(requestId);
          clock.now = T2;
          // Act
          const begun = await store.begin(
            requestId,
            { status: 'in_progress', attempts: 2, call: { state: 'sending', sent_at: T2.toISOString() } },
            { reopen },
          );
          // Assess
          expect(begun).toStrictEqual({ started: false });
          expect(await store.get(requestId)).toStrictEqual(before);
        },
      );

      it('reopens a dead-lettered request when asked to (a redrive), returning it as it was', async () => {
        // Prepare
        const { store, clock, requestId } = fixture();
        await store.set(requestId, {
          status: 'dead_lettered',
          action: 'dcs.restore',
          attempts: 5,
          call: ANSWERED,
        });
        const before = await store.get(requestId);
        clock.now = T2;
        // Act
        const begun = await store.begin(requestId, { status: 'in_progress', attempts: 1 }, { reopen: true });
        // Assess
        expect(begun).toStrictEqual({ started: true, prior: before });
        expect(await store.get(requestId)).toMatchObject({ status: 'in_progress', attempts: 1 });
      });

      it('checks and writes in one step: of two concurrent attempts that mark the call sending, one starts', async () => {
        // Prepare
        const { store, requestId } = fixture();
        const attempt = (n: number) =>
          store.begin(
            requestId,
            { status: 'in_progress', action: 'dcs.restore', attempts: n, call: SENDING },
            {
              reopen: false,
            },
          );
        // Act
        const results = await Promise.all([attempt(1), attempt(2)]);
        // Assess
        expect(results.filter((result) => result.started)).toHaveLength(1);
      });
    });

    describe('begin with a claim (lease and request hash), and release', () => {
      const lease = (owner: string, until: Date) => ({ owner, until: until.getTime() });
      const IN_PROGRESS: StatusChange = { status: 'in_progress', action: 'dcs.restore', attempts: 1 };

      it('takes the lease and remembers the request hash with the change', async () => {
        // Prepare
        const { store, requestId } = fixture();
        // Act
        const begun = await store.begin(requestId, IN_PROGRESS, {
          reopen: false,
          lease: lease('a', T2),
          requestHash: 'h1',
        });
        // Assess
        expect(begun).toStrictEqual({ started: true, prior: undefined });
        expect(await store.get(requestId)).toMatchObject({
          status: 'in_progress',
          lease_owner: 'a',
          lease_until: T2.getTime(),
          request_hash: 'h1',
        });
      });

      it('refuses while another lease runs, and starts once it has lapsed', async () => {
        // Prepare
        const { store, clock, requestId } = fixture();
        await store.begin(requestId, IN_PROGRESS, {
          reopen: false,
          lease: lease('a', T2),
          requestHash: 'h1',
        });
        // Act
        const during = await store.begin(requestId, IN_PROGRESS, {
          reopen: false,
          lease: lease('b', T3),
          requestHash: 'h1',
        });
        clock.now = T3;
        const after = await store.begin(requestId, IN_PROGRESS, {
          reopen: false,
          lease: lease('b', new Date(T3.getTime() + 1000)),
          requestHash: 'h1',
        });
        // Assess
        expect(during).toStrictEqual({ started: false });
        expect(after.started).toBe(true);
        expect(await store.get(requestId)).toMatchObject({ lease_owner: 'b' });
      });

      it('refuses another request hash under the key, even with no lease held', async () => {
        // Prepare
        const { store, requestId } = fixture();
        await store.begin(requestId, IN_PROGRESS, {
          reopen: false,
          lease: lease('a', T2),
          requestHash: 'h1',
        });
        await store.release(requestId, 'a');
        // Act
        const other = await store.begin(requestId, IN_PROGRESS, {
          reopen: false,
          lease: lease('b', T2),
          requestHash: 'h2',
        });
        // Assess
        expect(other).toStrictEqual({ started: false });
        expect(await store.get(requestId)).toMatchObject({ request_hash: 'h1' });
      });

      it('resume starts over an earlier call still sending (the caller reconciles it); without resume it is refused', async () => {
        // Prepare
        const { store, requestId } = fixture();
        await store.set(requestId, { status: 'in_progress', action: 'dcs.restore', call: SENDING });
        // Act
        const plain = await store.begin(requestId, IN_PROGRESS, { reopen: false, lease: lease('a', T2) });
        const resumed = await store.begin(requestId, IN_PROGRESS, {
          reopen: false,
          lease: lease('a', T2),
          resume: true,
        });
        // Assess
        expect(plain).toStrictEqual({ started: false });
        expect(resumed).toMatchObject({ started: true, prior: { call: SENDING } });
      });

      it('resume still refuses a request that has its outcome', async () => {
        // Prepare
        const { store, requestId } = fixture();
        await store.set(requestId, { status: 'succeeded', action: 'dcs.restore', remote: { id: 'r' } });
        // Act
        const resumed = await store.begin(requestId, IN_PROGRESS, {
          reopen: true,
          lease: lease('a', T2),
          resume: true,
        });
        // Assess
        expect(resumed).toStrictEqual({ started: false });
      });

      it('release ends the lease of its owner only', async () => {
        // Prepare
        const { store, requestId } = fixture();
        await store.begin(requestId, IN_PROGRESS, { reopen: false, lease: lease('a', T2) });
        // Act
        await store.release(requestId, 'someone else');
        const stillHeld = await store.get(requestId);
        await store.release(requestId, 'a');
        const released = await store.get(requestId);
        // Assess
        expect(stillHeld).toMatchObject({ lease_owner: 'a' });
        expect(released?.lease_owner).toBeUndefined();
        expect(released?.lease_until).toBeUndefined();
        expect(released).toMatchObject({ status: 'in_progress' });
      });

      it('a change with release writes the outcome and ends the lease in one write', async () => {
        // Prepare
        const { store, requestId } = fixture();
        await store.begin(requestId, IN_PROGRESS, {
          reopen: false,
          lease: lease('a', T2),
          requestHash: 'h1',
        });
        // Act
        const stored = await store.set(requestId, {
          status: 'succeeded',
          remote: { id: 'r' },
          release: true,
        });
        // Assess
        expect(stored).toMatchObject({ status: 'succeeded', request_hash: 'h1' });
        expect(stored.lease_owner).toBeUndefined();
        expect((await store.get(requestId))?.lease_until).toBeUndefined();
      });
    });

    describe('createQueued', () => {
      it('creates a queued record with no attempts, and answers true', async () => {
        // Prepare
        const { store, requestId } = fixture();
        // Act
        const created = await store.createQueued(requestId, 'csbs.restore', TARGET);
        // Assess
        expect(created).toBe(true);
        const expected: StatusRecord = {
          request_id: requestId,
          action: 'csbs.restore',
          target: TARGET,
          status: 'queued',
          attempts: 0,
          created_at: T1.toISOString(),
          updated_at: T1.toISOString(),
        };
        expect(await store.get(requestId)).toStrictEqual(expected);
      });

      it('answers false and changes nothing the second time', async () => {
        // Prepare
        const { store, clock, requestId } = fixture();
        await store.createQueued(requestId, 'csbs.restore', TARGET);
        const before = await store.get(requestId);
        clock.now = T2;
        // Act
        const created = await store.createQueued(requestId, 'dcs.restore', 'dcs:other');
        // Assess
        expect(created).toBe(false);
        expect(await store.get(requestId)).toStrictEqual(before);
      });

      it('answers false and leaves a record that set already wrote', async () => {
        // Prepare
        const { store, clock, requestId } = fixture();
        const written = await store.set(requestId, {
          status: 'succeeded',
          action: 'dws.dr.failover',
          attempts: 1,
        });
        clock.now = T2;
        // Act
        const created = await store.createQueued(requestId, 'dws.dr.failover', TARGET);
        // Assess
        expect(created).toBe(false);
        expect(await store.get(requestId)).toStrictEqual(written);
      });

      it('lets a later set keep its created_at, action and target', async () => {
        // Prepare
        const { store, clock, requestId } = fixture();
        await store.createQueued(requestId, 'dcs.restore', TARGET);
        clock.now = T2;
        // Act
        const stored = await store.set(requestId, { status: 'in_progress', attempts: 1 });
        // Assess
        expect(stored).toStrictEqual({
          request_id: requestId,
          status: 'in_progress',
          action: 'dcs.restore',
          target: TARGET,
          attempts: 1,
          created_at: T1.toISOString(),
          updated_at: T2.toISOString(),
        });
      });

      it('lets begin start the queued request', async () => {
        // Prepare
        const { store, requestId } = fixture();
        await store.createQueued(requestId, 'dcs.restore', TARGET);
        const before = await store.get(requestId);
        // Act
        const begun = await store.begin(requestId, { status: 'in_progress', attempts: 1 }, { reopen: false });
        // Assess
        expect(begun).toStrictEqual({ started: true, prior: before });
      });

      it('creates once when asked concurrently: exactly one call answers true', async () => {
        // Prepare
        const { store, requestId } = fixture();
        // Act
        const answers = await Promise.all([
          store.createQueued(requestId, 'dcs.restore', TARGET),
          store.createQueued(requestId, 'dcs.restore', TARGET),
        ]);
        // Assess
        expect(answers.filter(Boolean)).toHaveLength(1);
      });
    });

    describe('setOperation and claimNotice (following an operation)', () => {
      const running = (checks: number) => ({
        state: 'running' as const,
        observed: `check ${checks}`,
        started_at: T1.toISOString(),
        checked_at: T1.toISOString(),
        checks,
      });

      it('starts an operation once, only on a succeeded request', async () => {
        // Prepare
        const { store, requestId } = fixture();
        // Act
        const onNothing = await store.setOperation(requestId, running(0), 'none');
        await store.set(requestId, { status: 'in_progress' });
        const onUnfinished = await store.setOperation(requestId, running(0), 'none');
        await store.set(requestId, { status: 'succeeded' });
        const first = await store.setOperation(requestId, running(0), 'none');
        const second = await store.setOperation(requestId, { ...running(0), observed: 'again' }, 'none');
        // Assess
        expect([onNothing, onUnfinished, first, second]).toEqual([false, false, true, false]);
        expect((await store.get(requestId))?.operation).toStrictEqual(running(0));
      });

      it('advances only from the expected check: a duplicate check changes nothing', async () => {
        // Prepare
        const { store, requestId } = fixture();
        await store.set(requestId, { status: 'succeeded' });
        await store.setOperation(requestId, running(0), 'none');
        // Act
        const applied = await store.setOperation(requestId, running(1), 0);
        const duplicate = await store.setOperation(requestId, { ...running(1), observed: 'dup' }, 0);
        // Assess
        expect([applied, duplicate]).toEqual([true, false]);
        expect((await store.get(requestId))?.operation?.observed).toBe('check 1');
      });

      it('lets each notice be claimed once, and keeps the operation as it was', async () => {
        // Prepare
        const { store, requestId } = fixture();
        await store.set(requestId, { status: 'succeeded' });
        const none = await store.claimNotice(requestId, 'end');
        await store.setOperation(requestId, running(0), 'none');
        // Act
        const claims = await Promise.all([
          store.claimNotice(requestId, 'end'),
          store.claimNotice(requestId, 'end'),
          store.claimNotice(requestId, 'stall'),
        ]);
        // Assess
        expect(none).toBe(false);
        expect(claims.filter(Boolean)).toHaveLength(2);
        expect((await store.get(requestId))?.operation).toStrictEqual({
          ...running(0),
          notified_end: true,
          notified_stall: true,
        });
      });
    });

    describe('requestApproval, decideApproval, noteApproval, claimApprovalNotice (a route that asks a person first)', () => {
      const approval: ApprovalRecord = {
        required: true,
        deadline: T3.toISOString(),
        on_timeout: 'cancel',
        approvers: ['alice', 'ops-bot'],
        route: 'dws-approval',
        cooldown_seconds: 3600,
        request: '{"action":"dws.dr.failover"}',
        alarm: 'alertmanager DWSPrimaryDown (alarm)',
      };
      const base = { action: 'dws.dr.failover', target: TARGET };
      const approve: ApprovalDecision = {
        decision: 'approve',
        by: 'alice',
        at: T2.toISOString(),
        via: 'cli',
      };
      const deny: ApprovalDecision = {
        decision: 'deny',
        by: 'ops-bot',
        at: T2.toISOString(),
        reason: 'false alarm',
        via: 'api',
      };

      it('proposes an unknown request: awaiting_approval with the approval, 0 attempts; once', async () => {
        // Prepare
        const { store, requestId, clock } = fixture();
        // Act
        const first = await store.requestApproval(requestId, base, approval);
        clock.now = T2;
        const second = await store.requestApproval(requestId, base, { ...approval, route: 'other' });
        // Assess
        expect([first, second]).toEqual([true, false]);
        expect(await store.get(requestId)).toStrictEqual({
          request_id: requestId,
          action: 'dws.dr.failover',
          target: TARGET,
          status: 'awaiting_approval',
          attempts: 0,
          approval,
          created_at: T1.toISOString(),
          updated_at: T1.toISOString(),
        });
      });

      it('proposes a queued request (the webhook recorded it), keeping its created_at; never one that started', async () => {
        // Prepare
        const { store, requestId, clock } = fixture();
        const started = `${requestId}-started`;
        await store.createQueued(requestId, base.action, base.target);
        await store.set(started, { status: 'in_progress', ...base });
        clock.now = T2;
        // Act
        const queued = await store.requestApproval(requestId, base, approval);
        const inProgress = await store.requestApproval(started, base, approval);
        // Assess
        expect([queued, inProgress]).toEqual([true, false]);
        expect(await store.get(requestId)).toMatchObject({
          status: 'awaiting_approval',
          created_at: T1.toISOString(),
          updated_at: T2.toISOString(),
        });
        expect((await store.get(started))?.status).toBe('in_progress');
        expect((await store.get(started))?.approval).toBeUndefined();
      });

      it('proposes once when asked concurrently', async () => {
        // Prepare
        const { store, requestId } = fixture();
        // Act
        const answers = await Promise.all([
          store.requestApproval(requestId, base, approval),
          store.requestApproval(requestId, base, approval),
          store.requestApproval(requestId, base, approval),
        ]);
        // Assess
        expect(answers.filter(Boolean)).toHaveLength(1);
      });

      it('records the first decision only: approve queues the request, a later deny changes nothing', async () => {
        // Prepare
        const { store, requestId, clock } = fixture();
        await store.requestApproval(requestId, base, approval);
        clock.now = T2;
        // Act
        const first = await store.decideApproval(requestId, approve, 'approved by alice');
        clock.now = T3;
        const second = await store.decideApproval(requestId, deny, 'denied by ops-bot: false alarm');
        // Assess
        expect([first, second]).toEqual([true, false]);
        expect(await store.get(requestId)).toMatchObject({
          status: 'queued',
          reason: 'approved by alice',
          approval: { ...approval, decision: approve },
          updated_at: T2.toISOString(),
        });
      });

      it('ends a denied or cancelled request skipped, with the decision and its reason', async () => {
        // Prepare
        const { store, requestId } = fixture();
        const cancelled = `${requestId}-cancelled`;
        await store.requestApproval(requestId, base, approval);
        await store.requestApproval(cancelled, base, approval);
        const timeout: ApprovalDecision = {
          decision: 'cancel',
          by: 'timeout',
          at: T3.toISOString(),
          via: 'timer',
        };
        // Act
        await store.decideApproval(requestId, deny, 'denied by ops-bot: false alarm');
        await store.decideApproval(cancelled, timeout, 'approval timed out (on_timeout: cancel)');
        // Assess
        expect(await store.get(requestId)).toMatchObject({
          status: 'skipped',
          reason: 'denied by ops-bot: false alarm',
          approval: { decision: deny },
        });
        expect(await store.get(cancelled)).toMatchObject({
          status: 'skipped',
          approval: { decision: timeout },
        });
      });

      it('decides nothing on a request that does not await approval, and lets one of two racing decisions win', async () => {
        // Prepare
        const { store, requestId } = fixture();
        const plain = `${requestId}-plain`;
        await store.createQueued(plain, base.action, base.target);
        await store.requestApproval(requestId, base, approval);
        // Act
        const onPlain = await store.decideApproval(plain, approve, 'approved by alice');
        const race = await Promise.all([
          store.decideApproval(requestId, approve, 'approved by alice'),
          store.decideApproval(requestId, deny, 'denied by ops-bot: false alarm'),
        ]);
        // Assess
        expect(onPlain).toBe(false);
        expect((await store.get(plain))?.status).toBe('queued');
        expect(race.filter(Boolean)).toHaveLength(1);
        const decided = await store.get(requestId);
        expect(decided?.approval?.decision).toStrictEqual(race[0] ? approve : deny);
        expect(decided?.status).toBe(race[0] ? 'queued' : 'skipped');
      });

      it('notes attached episodes in order and the resolution, leaving the rest as it was', async () => {
        // Prepare
        const { store, requestId } = fixture();
        await store.requestApproval(requestId, base, approval);
        // Act
        await store.noteApproval(requestId, { attached: 'alarm:other:1' });
        await store.noteApproval(requestId, { attached: 'alarm:other:2', resolved_at: T2.toISOString() });
        // Assess
        expect(await store.get(requestId)).toMatchObject({
          status: 'awaiting_approval',
          approval: {
            ...approval,
            attached: ['alarm:other:1', 'alarm:other:2'],
            resolved_at: T2.toISOString(),
          },
          updated_at: T1.toISOString(),
        });
      });

      it('notes nothing on a request without an approval, and creates no record for an unknown one', async () => {
        // Prepare
        const { store, requestId } = fixture();
        const unknown = `${requestId}-unknown`;
        await store.createQueued(requestId, base.action, base.target);
        // Act
        await store.noteApproval(requestId, { attached: 'alarm:other:1' });
        await store.noteApproval(unknown, { resolved_at: T2.toISOString() });
        // Assess
        expect((await store.get(requestId))?.approval).toBeUndefined();
        expect(await store.get(unknown)).toBeUndefined();
      });

      it('lets each approval notice be claimed once, only on a request with an approval', async () => {
        // Prepare
        const { store, requestId } = fixture();
        await store.createQueued(requestId, base.action, base.target);
        const none = await store.claimApprovalNotice(requestId, 'requested');
        const proposed = `${requestId}-proposed`;
        await store.requestApproval(proposed, base, approval);
        // Act
        const claims = await Promise.all([
          store.claimApprovalNotice(proposed, 'requested'),
          store.claimApprovalNotice(proposed, 'requested'),
          store.claimApprovalNotice(proposed, 'decided'),
        ]);
        // Assess
        expect(none).toBe(false);
        expect(claims.filter(Boolean)).toHaveLength(2);
        expect((await store.get(proposed))?.approval).toStrictEqual({
          ...approval,
          notified_requested: true,
          notified_decided: true,
        });
      });
    });
  });
};
