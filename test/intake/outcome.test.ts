/**
 * The one outcome policy both entry paths share (lib/intake/outcome.ts): what a failed run becomes.
 * The queue record handler and the alarm pipeline only act on its answer.
 */
import { describe, expect, it } from 'vitest';
import { type DrRelayError, ValidationError } from '../../lib/errors.ts';
import {
  AlreadyDeadLetteredError,
  InProgressElsewhereError,
  RequestConflictError,
  RetryLaterError,
  UnconfirmedOutcomeError,
} from '../../lib/execution/errors.ts';
import { HuaweiApiError } from '../../lib/huawei/errors.ts';
import { decideOutcome, type OutcomeContext } from '../../lib/intake/outcome.ts';

const context = (overrides: Partial<OutcomeContext> = {}): OutcomeContext => ({
  key: 'k-1',
  attempt: 1,
  maxAttempts: 3,
  backoff: { baseSeconds: 2, maxSeconds: 60 },
  ...overrides,
});
const throttled = () =>
  new HuaweiApiError('429', 'transient', { phase: 'response', httpStatus: 429, retryAfterMs: 30_000 });

describe('decideOutcome', () => {
  it('calls a key another delivery holds "in progress elsewhere": that delivery owns the call', () => {
    expect(decideOutcome(new InProgressElsewhereError('k-1'), context())).toEqual({
      kind: 'in_progress_elsewhere',
    });
  });

  it('calls a dead-lettered request a duplicate of its dead letter', () => {
    expect(decideOutcome(new AlreadyDeadLetteredError('k-1'), context())).toEqual({
      kind: 'duplicate_of_dead_letter',
    });
  });

  it("dead-letters a request_id reused for another request as permanent, naming the id, and keeps the key's record", () => {
    const disposition = decideOutcome(new RequestConflictError('k-1'), context());

    expect(disposition).toMatchObject({ kind: 'dead_letter', keepStatus: true });
    const error = (disposition as { error: DrRelayError }).error;
    expect(error.kind).toBe('permanent');
    expect(error.message).toBe('request_id k-1 was already used for a different request');
  });

  it('retries a transient failure with attempts left, after the backoff', () => {
    const disposition = decideOutcome(
      new HuaweiApiError('503', 'transient', { phase: 'response', httpStatus: 503 }),
      context({ attempt: 2 }),
    );

    expect(disposition).toMatchObject({ kind: 'retry', summary: { kind: 'transient', http_status: 503 } });
    // attempt 2, base 2 s: 4 s scaled by a jitter in [0.5, 1].
    const { delaySeconds } = disposition as { delaySeconds: number };
    expect(delaySeconds).toBeGreaterThanOrEqual(2);
    expect(delaySeconds).toBeLessThanOrEqual(4);
  });

  it("waits at least a throttling answer's Retry-After", () => {
    const disposition = decideOutcome(throttled(), context());

    expect(disposition).toMatchObject({ kind: 'retry', delaySeconds: 30 });
  });

  it('dead-letters a transient failure on the last attempt', () => {
    const error = throttled();

    expect(decideOutcome(error, context({ attempt: 3 }))).toEqual({ kind: 'dead_letter', error });
  });

  it('dead-letters a transient failure when the path cannot wait that long (alarm invocation out of time)', () => {
    const error = throttled();
    const asked: number[] = [];

    const disposition = decideOutcome(
      error,
      context({
        canWait: (seconds) => {
          asked.push(seconds);
          return false;
        },
      }),
    );

    expect(disposition).toEqual({ kind: 'dead_letter', error });
    expect(asked).toEqual([30]);
  });

  it('turns an unconfirmed call that runs out of attempts into an ambiguous dead letter', () => {
    const error = new RetryLaterError('no answer, state shows nothing yet', { unconfirmed: true });

    const disposition = decideOutcome(error, context({ attempt: 3 }));

    expect(disposition.kind).toBe('dead_letter');
    const final = (disposition as { error: unknown }).error;
    expect(final).toBeInstanceOf(UnconfirmedOutcomeError);
    expect((final as UnconfirmedOutcomeError).kind).toBe('ambiguous');
    expect((final as Error).cause).toBe(error);
  });

  it('keeps a confirmed-nothing retry transient on the last attempt (no ambiguity to report)', () => {
    const error = new RetryLaterError('busy', { unconfirmed: false });

    expect(decideOutcome(error, context({ attempt: 3 }))).toEqual({ kind: 'dead_letter', error });
  });

  it.each([
    ['permanent', new ValidationError('bad', [{ path: 'params', message: 'required' }])],
    ['ambiguous', new UnconfirmedOutcomeError('cannot tell', 'unknown')],
  ])('dead-letters a %s failure at once, even with attempts left', (_, error) => {
    expect(decideOutcome(error, context({ attempt: 1 }))).toEqual({ kind: 'dead_letter', error });
  });
});

describe('decideOutcome for a path that can hand over (the alarms function)', () => {
  it('hands a transient failure it cannot wait for to the request queue, instead of dead-lettering it', () => {
    const disposition = decideOutcome(throttled(), context({ canWait: () => false, canHandOff: true }));

    expect(disposition).toMatchObject({ kind: 'hand_off', summary: { kind: 'transient', http_status: 429 } });
  });

  it('still dead-letters a permanent failure, and a transient one out of attempts', () => {
    const permanent = new ValidationError('bad', [{ path: 'params', message: 'required' }]);

    expect(decideOutcome(permanent, context({ canWait: () => false, canHandOff: true })).kind).toBe(
      'dead_letter',
    );
    expect(
      decideOutcome(throttled(), context({ attempt: 3, canWait: () => false, canHandOff: true })).kind,
    ).toBe('dead_letter');
  });
});
