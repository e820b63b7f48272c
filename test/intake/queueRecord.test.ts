/**
 * The decision table for one SQS record: executed, retried with backoff, or dead-lettered with
 * full context. Nothing is dropped: a record is only removed once its outcome is recorded.
 */
import { ChangeMessageVisibilityCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { idempotencyKey, parseActionRequest } from '../../lib/actions/request.ts';
import { type DeadLetter, DeadLetterQueue, DeadLetterSchema } from '../../lib/deadLetters/deadLetter.ts';
import {
  AlreadyDeadLetteredError,
  InProgressElsewhereError,
  RequestConflictError,
  RetryLaterError,
  UnconfirmedOutcomeError,
} from '../../lib/execution/errors.ts';
import type { Job } from '../../lib/execution/executor.ts';
import { HuaweiApiError } from '../../lib/huawei/errors.ts';
import {
  makeRecordHandler,
  REDRIVE_ATTRIBUTE,
  type RecordHandlerDeps,
  RetryScheduledError,
} from '../../lib/intake/queueRecord.ts';
import { MemoryStatusStore } from '../fixtures/memoryStore.ts';

const QUEUE = 'https://sqs.eu-west-1.amazonaws.com/123456789012/dr-relay-dev-requests';
const DLQ = 'https://sqs.eu-west-1.amazonaws.com/123456789012/dr-relay-dev-dead-letters';
const request = parseActionRequest({
  action: 'dws.dr.failover',
  region: 'cn-north-4',
  project_id: '89cd04f168b84af6be287f71730fdb4b',
  request_id: 'failover-prod-1',
  params: { disaster_recovery_id: 'e59d6b86-9072-46eb-a996-13f8b44994c1' },
});

const sqsRecord = (
  body: string,
  receiveCount = 1,
  attributes: SQSRecord['messageAttributes'] = {},
): SQSRecord => ({
  messageId: 'm-1',
  receiptHandle: 'rh-1',
  body,
  attributes: {
    ApproximateReceiveCount: String(receiveCount),
    SentTimestamp: '1700000000000',
    SenderId: 'x',
    ApproximateFirstReceiveTimestamp: '1700000000000',
  },
  messageAttributes: attributes,
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:dr-relay-dev-requests',
  awsRegion: 'eu-west-1',
});

const silentLog = { info: () => undefined, warn: () => undefined, error: () => undefined };
const sqsMock = mockClient(SQSClient);
let store: MemoryStatusStore;
let run: ReturnType<typeof vi.fn<(job: Job) => Promise<never>>>;

const handler = (overrides: Partial<RecordHandlerDeps> = {}) => {
  const sqs = new SQSClient({ region: 'eu-west-1' });
  return makeRecordHandler({
    run: run as unknown as (job: Job) => Promise<never>,
    store,
    deadLetters: { queue: new DeadLetterQueue(sqs, DLQ), store, log: silentLog },
    sqs,
    queueUrl: QUEUE,
    maxAttempts: 4,
    backoff: { baseSeconds: 2, maxSeconds: 900 },
    log: silentLog,
    ...overrides,
  });
};
const deadLetters = (): DeadLetter[] =>
  sqsMock.commandCalls(SendMessageCommand).map((c) => JSON.parse(c.args[0].input.MessageBody ?? '{}'));
const visibilityChanges = () =>
  sqsMock.commandCalls(ChangeMessageVisibilityCommand).map((c) => c.args[0].input);

beforeEach(() => {
  sqsMock.reset();
  sqsMock.on(SendMessageCommand).resolves({ MessageId: 'dl-1' });
  sqsMock.on(ChangeMessageVisibilityCommand).resolves({});
  store = new MemoryStatusStore();
  run = vi.fn();
});

describe('a valid request', () => {
  it('is executed with its idempotency key and receive count, and reported done', async () => {
    run.mockResolvedValue({ status: 'succeeded', remote: { disaster_recovery_id: 'x' } } as never);

    const result = await handler()(sqsRecord(JSON.stringify(request), 2));

    expect(result).toEqual({
      result: 'executed',
      outcome: { status: 'succeeded', remote: { disaster_recovery_id: 'x' } },
    });
    expect(run).toHaveBeenCalledWith({ key: 'failover-prod-1', request, attempt: 2, mode: 'on' }, undefined);
    expect(deadLetters()).toHaveLength(0);
  });

  it('carries the operator\'s "verified not applied" only with a redrive', async () => {
    run.mockResolvedValue({ status: 'succeeded', remote: {} } as never);
    const verified = { dr_relay_verified_not_applied: { dataType: 'String', stringValue: '1' } };

    await handler()(sqsRecord(JSON.stringify(request), 1, verified));
    await handler()(
      sqsRecord(JSON.stringify(request), 1, {
        ...verified,
        [REDRIVE_ATTRIBUTE]: { dataType: 'String', stringValue: '1' },
      }),
    );

    expect(run.mock.calls[0]?.[0]).not.toHaveProperty('verifiedNotApplied');
    expect(run.mock.calls[1]?.[0]).toMatchObject({ redrive: true, verifiedNotApplied: true });
  });

  it('is marked as a redrive when the operator redrove it', async () => {
    run.mockResolvedValue({ status: 'succeeded', remote: {} } as never);

    await handler()(
      sqsRecord(JSON.stringify(request), 1, {
        [REDRIVE_ATTRIBUTE]: { dataType: 'String', stringValue: '1' },
      }),
    );

    expect(run.mock.calls[0]?.[0]).toMatchObject({ redrive: true });
  });
});

describe('a dead letter moved back to the request queue (SQS DLQ redrive)', () => {
  it('runs the request it carries as a redrive, with the same idempotency key', async () => {
    run.mockRejectedValueOnce(new HuaweiApiError('404', 'permanent', { phase: 'response', httpStatus: 404 }));
    await handler()(sqsRecord(JSON.stringify(request)));
    const [letter] = deadLetters();
    run.mockResolvedValue({ status: 'succeeded', remote: {} } as never);

    await handler()(sqsRecord(JSON.stringify(letter)));

    expect(run.mock.calls[1]?.[0]).toEqual({
      key: 'failover-prod-1',
      request,
      attempt: 1,
      redrive: true,
      mode: 'on',
    });
  });

  it('of an invalid message is judged again on its raw body (and dead-lettered again)', async () => {
    await handler()(sqsRecord('{"action": 1}'));
    const [letter] = deadLetters();

    await handler()(sqsRecord(JSON.stringify(letter)));

    expect(run).not.toHaveBeenCalled();
    expect(deadLetters()[1]).toMatchObject({ raw_body: '{"action": 1}', attempts: 1 });
  });
});

describe('an invalid message', () => {
  it('is dead-lettered on the first receive, naming every bad field, without executing', async () => {
    const body = JSON.stringify({
      ...request,
      region: 'nowhere',
      params: { disaster_recovery_id: 'not-a-uuid', x: 1 },
    });

    const result = await handler()(sqsRecord(body));

    expect(result).toMatchObject({ result: 'dead_lettered' });
    expect(run).not.toHaveBeenCalled();
    const [letter] = deadLetters();
    expect(letter).toMatchObject({ raw_body: body, attempts: 1, error: { kind: 'permanent' } });
    expect(letter?.error.issues?.map((i) => i.path)).toEqual([
      'region',
      'params.disaster_recovery_id',
      'params.x',
    ]);
    expect(letter?.reason).toContain('params.disaster_recovery_id');
  });

  it('that is not JSON is dead-lettered the same way', async () => {
    await handler()(sqsRecord('{not json'));

    expect(deadLetters()[0]?.error.issues?.[0]?.path).toBe('(body)');
  });
});

describe('a transient failure', () => {
  const throttled = new HuaweiApiError('POST /x -> 429 APIGW.0308: throttled', 'transient', {
    phase: 'response',
    httpStatus: 429,
    errorCode: 'APIGW.0308',
    retryAfterMs: 30_000,
  });

  it('with attempts left: visibility set to the backoff (Retry-After as a floor), status failed, record retried', async () => {
    run.mockRejectedValue(throttled);

    const error = await handler()(sqsRecord(JSON.stringify(request), 1)).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(RetryScheduledError);
    expect(visibilityChanges()).toEqual([{ QueueUrl: QUEUE, ReceiptHandle: 'rh-1', VisibilityTimeout: 30 }]);
    expect(await store.get('failover-prod-1')).toMatchObject({
      status: 'failed',
      error: { http_status: 429 },
    });
    expect(deadLetters()).toHaveLength(0);
  });

  it('backs off exponentially with the receive count', async () => {
    run.mockRejectedValue(new RetryLaterError('busy', { unconfirmed: false }));

    const delays: number[] = [];
    for (const count of [1, 2, 3]) {
      const error = (await handler()(sqsRecord(JSON.stringify(request), count)).catch(
        (e: unknown) => e,
      )) as RetryScheduledError;
      delays.push(error.delaySeconds);
    }

    expect(delays[0]).toBeGreaterThanOrEqual(1);
    expect(delays[0]).toBeLessThanOrEqual(2);
    expect(delays[1]).toBeGreaterThanOrEqual(2);
    expect(delays[1]).toBeLessThanOrEqual(4);
    expect(delays[2]).toBeGreaterThanOrEqual(4);
    expect(delays[2]).toBeLessThanOrEqual(8);
  });

  it('on the last attempt: dead-lettered with the Huawei details, attempts and failure times', async () => {
    run.mockRejectedValue(throttled);
    await handler()(sqsRecord(JSON.stringify(request), 1)).catch(() => undefined);

    const result = await handler()(sqsRecord(JSON.stringify(request), 4));

    expect(result).toMatchObject({ result: 'dead_lettered' });
    const [letter] = deadLetters();
    expect(letter).toMatchObject({
      idempotency_key: 'failover-prod-1',
      action: 'dws.dr.failover',
      target: 'dws:89cd04f168b84af6be287f71730fdb4b/e59d6b86-9072-46eb-a996-13f8b44994c1',
      request,
      attempts: 4,
      error: { kind: 'transient', http_status: 429, error_code: 'APIGW.0308' },
      source: { type: 'sqs', queue_url: QUEUE, message_id: 'm-1' },
    });
    expect(Date.parse(letter?.first_failure_at ?? '')).toBeLessThanOrEqual(
      Date.parse(letter?.last_failure_at ?? ''),
    );
    expect((await store.get('failover-prod-1'))?.status).toBe('dead_lettered');
  });
});

describe('permanent and unconfirmed failures', () => {
  it('a retry whose call was never confirmed is dead-lettered as ambiguous once attempts run out', async () => {
    run.mockRejectedValue(new RetryLaterError('no answer; no effect seen', { unconfirmed: true }));

    await handler()(sqsRecord(JSON.stringify(request), 4));

    expect(deadLetters()[0]).toMatchObject({
      error: { kind: 'ambiguous' },
      reason: expect.stringContaining('attempts exhausted'),
    });
  });

  it.each([
    [
      'a 404',
      new HuaweiApiError('404 DWS.0015', 'permanent', {
        phase: 'response',
        httpStatus: 404,
        errorCode: 'DWS.0015',
      }),
    ],
    [
      'an unconfirmable outcome',
      new UnconfirmedOutcomeError('cannot confirm', 'checkpoint item is available'),
    ],
  ])('%s is dead-lettered on the first attempt', async (_name, error) => {
    run.mockRejectedValue(error);

    const result = await handler()(sqsRecord(JSON.stringify(request), 1));

    expect(result).toMatchObject({ result: 'dead_lettered' });
    expect(deadLetters()[0]).toMatchObject({ attempts: 1, error: { kind: error.kind } });
    expect(visibilityChanges()).toHaveLength(0);
  });

  it("a request_id reused for a different request is dead-lettered as permanent, the key's record untouched", async () => {
    await store.set(idempotencyKey(request), {
      status: 'succeeded',
      action: request.action,
      remote: { id: 'r' },
    });
    const recorded = await store.get(idempotencyKey(request));
    run.mockRejectedValue(new RequestConflictError(idempotencyKey(request)));

    await handler()(sqsRecord(JSON.stringify(request)));

    expect(deadLetters()[0]?.reason).toContain('already used for a different request');
    expect(await store.get(idempotencyKey(request))).toEqual(recorded);
  });
});

describe('duplicates', () => {
  it('of a request in progress elsewhere are looked at again shortly, not executed', async () => {
    run.mockRejectedValue(new InProgressElsewhereError(idempotencyKey(request)));

    await expect(handler()(sqsRecord(JSON.stringify(request)))).rejects.toBeInstanceOf(RetryScheduledError);
    expect(visibilityChanges()[0]?.VisibilityTimeout).toBe(5);
    expect(deadLetters()).toHaveLength(0);
  });

  it('that meet a claim held by another delivery look again shortly and write no status', async () => {
    run.mockRejectedValue(new InProgressElsewhereError(idempotencyKey(request)));

    await expect(handler()(sqsRecord(JSON.stringify(request)))).rejects.toBeInstanceOf(RetryScheduledError);
    expect(visibilityChanges()[0]?.VisibilityTimeout).toBe(5);
    expect(await store.get('failover-prod-1')).toBeUndefined();
  });

  it('of a dead-lettered request are dropped without a second dead letter', async () => {
    run.mockRejectedValue(new AlreadyDeadLetteredError(idempotencyKey(request)));

    const result = await handler()(sqsRecord(JSON.stringify(request)));

    expect(result).toEqual({ result: 'duplicate_of_dead_letter' });
    expect(deadLetters()).toHaveLength(0);
  });
});

describe('never lost', () => {
  it('a failed dead-letter send leaves the status failed (not dead_lettered), so the retry dead-letters again', async () => {
    run.mockRejectedValue(new HuaweiApiError('404', 'permanent', { phase: 'response', httpStatus: 404 }));
    sqsMock.on(SendMessageCommand).rejectsOnce(new Error('throttled')).resolves({ MessageId: 'dl-2' });

    await expect(handler()(sqsRecord(JSON.stringify(request)))).rejects.toThrow('throttled');
    expect((await store.get('failover-prod-1'))?.status).toBe('failed');

    const retried = await handler()(sqsRecord(JSON.stringify(request), 2));

    expect(retried).toMatchObject({ result: 'dead_lettered' });
    expect((await store.get('failover-prod-1'))?.status).toBe('dead_lettered');
  });

  it('when the dead-letter queue cannot be reached the record fails, so SQS delivers it again', async () => {
    sqsMock.on(SendMessageCommand).rejects(new Error('connect ECONNREFUSED'));

    await expect(handler()(sqsRecord('{not json'))).rejects.toThrow('ECONNREFUSED');
  });
});

describe('an alarm action handed over by the webhook', () => {
  const alarm = {
    source: 'alertmanager' as const,
    shape: 'alertmanager/v4' as const,
    name: 'DWSPrimaryDown',
    state: 'alarm' as const,
    episode: 'fp-1',
    labels: { cluster: 'prod' },
    occurred_at: '2026-12-07T10:00:00.000Z',
    raw: { fingerprint: 'fp-1' },
  };
  const envelope = (inner: unknown) =>
    JSON.stringify({
      type: 'dr-relay.alarm-action',
      version: 1,
      request: inner,
      route: 'dws-prod-failover',
      cooldown_seconds: 3600,
      alarm,
    });

  it("runs its request with the route's cooldown", async () => {
    // Prepare
    run.mockResolvedValue({ status: 'succeeded', remote: {} } as never);
    // Act
    const result = await handler()(sqsRecord(envelope(request)));
    // Assess
    expect(result.result).toBe('executed');
    expect(run).toHaveBeenCalledWith(
      {
        key: 'failover-prod-1',
        request,
        attempt: 1,
        cooldown: { seconds: 3600, route: 'dws-prod-failover' },
        mode: 'on',
      },
      undefined,
    );
  });

  it('names the alarm and the route in its dead letter', async () => {
    // Prepare
    run.mockRejectedValue(
      new HuaweiApiError('403', 'permanent', { phase: 'response', httpStatus: 403 }) as never,
    );
    // Act
    await handler()(sqsRecord(envelope(request)));
    // Assess
    expect(deadLetters()).toEqual([
      expect.objectContaining({
        route: 'dws-prod-failover',
        alarm: expect.objectContaining({ name: 'DWSPrimaryDown' }),
      }),
    ]); // A dead letter the CLI and operators can read, naming where it came from
    expect(DeadLetterSchema.safeParse(deadLetters()[0]).success).toBe(true);
    expect(deadLetters()[0]?.source).toEqual({ type: 'alarm', queue_url: QUEUE, message_id: 'm-1' });
  });

  it('dead-letters an invalid request inside it at once, naming the field, with the alarm', async () => {
    // Act
    const result = await handler()(sqsRecord(envelope({ ...request, params: {} })));
    // Assess
    expect(result.result).toBe('dead_lettered');
    expect(run).not.toHaveBeenCalled();
    expect(deadLetters()[0]).toMatchObject({
      route: 'dws-prod-failover',
      error: { issues: [expect.objectContaining({ path: 'params.disaster_recovery_id' })] },
    });
  });
});

describe('a route that asks for approval (lib/approval/desk.ts decides; this runs what was approved)', () => {
  const alarm = {
    source: 'alertmanager' as const,
    shape: 'alertmanager/v4' as const,
    name: 'DWSPrimaryDown',
    state: 'alarm' as const,
    episode: 'fp-1',
    labels: { cluster: 'prod' },
    occurred_at: '2026-12-07T10:00:00.000Z',
    raw: { fingerprint: 'fp-1' },
  };
  const approval = { required: true, timeout_seconds: 1800, on_timeout: 'cancel' as const };
  const proposal = JSON.stringify({
    type: 'dr-relay.alarm-action',
    version: 1,
    request,
    route: 'dws-approval',
    cooldown_seconds: 3600,
    alarm,
    approval,
  });
  const event = (kind: 'timer' | 'decided') =>
    JSON.stringify({ type: 'dr-relay.approval-event', version: 1, key: 'failover-prod-1', event: kind });
  const job = { key: 'failover-prod-1', request, cooldown: { seconds: 3600, route: 'dws-approval' } };
  const withDesk = (onEvent: (e: unknown) => Promise<typeof job | undefined>, mode: 'on' | 'off' = 'on') => {
    const sqs = new SQSClient({ region: 'eu-west-1' });
    const approvals = {
      propose: vi.fn(async () => 'awaiting_approval' as const),
      onEvent: vi.fn(onEvent),
    };
    const handle = makeRecordHandler({
      run: run as unknown as (job: Job) => Promise<never>,
      store,
      deadLetters: { queue: new DeadLetterQueue(sqs, DLQ), store, log: silentLog },
      sqs,
      queueUrl: QUEUE,
      maxAttempts: 4,
      backoff: { baseSeconds: 2, maxSeconds: 900 },
      log: silentLog,
      mode: async () => mode,
      pauseRecheckSeconds: 30,
      approvals,
    });
    return { handle, approvals };
  };

  it('proposes the alarm action (key, request, route, alarm) and runs nothing', async () => {
    // Prepare
    const { handle, approvals } = withDesk(async () => undefined);
    // Act
    const result = await handle(sqsRecord(proposal));
    // Assess
    expect(result).toEqual({ result: 'awaiting_approval' });
    expect(approvals.propose).toHaveBeenCalledWith(
      'failover-prod-1',
      request,
      { name: 'dws-approval', cooldown_seconds: 3600, approval },
      'alertmanager DWSPrimaryDown (alarm)',
    );
    expect(run).not.toHaveBeenCalled();
  });

  it('proposes even while automation is off (nothing runs before a decision anyway)', async () => {
    // Prepare
    const { handle, approvals } = withDesk(async () => undefined, 'off');
    // Act
    const result = await handle(sqsRecord(proposal));
    // Assess
    expect(result).toEqual({ result: 'awaiting_approval' });
    expect(approvals.propose).toHaveBeenCalledTimes(1);
    expect(sqsMock.commandCalls(SendMessageCommand)).toHaveLength(0);
  });

  it('hands the timer and a decision to the desk, and runs nothing when it returns no job', async () => {
    // Prepare
    const { handle, approvals } = withDesk(async () => undefined);
    // Act
    const results = [await handle(sqsRecord(event('timer'))), await handle(sqsRecord(event('decided')))];
    // Assess
    expect(results).toEqual([{ result: 'approval_event' }, { result: 'approval_event' }]);
    expect(approvals.onEvent.mock.calls.map((c) => (c[0] as { event: string }).event)).toEqual([
      'timer',
      'decided',
    ]);
    expect(run).not.toHaveBeenCalled();
  });

  it('runs an approved job through the usual path, with the route cooldown, without proposing it again', async () => {
    // Prepare
    run.mockResolvedValue({ status: 'succeeded', remote: {} } as never);
    const { handle, approvals } = withDesk(async () => job);
    // Act
    const result = await handle(sqsRecord(event('decided'), 2));
    // Assess
    expect(result.result).toBe('executed');
    expect(approvals.propose).not.toHaveBeenCalled();
    expect(run).toHaveBeenCalledWith(
      {
        key: 'failover-prod-1',
        request,
        attempt: 2,
        cooldown: { seconds: 3600, route: 'dws-approval' },
        mode: 'on',
      },
      undefined,
    );
  });

  it('while automation is off, puts the approved run back on the queue (not the event), so it runs once on', async () => {
    // Prepare
    const { handle } = withDesk(async () => job, 'off');
    // Act
    const result = await handle(sqsRecord(event('decided')));
    // Assess
    expect(result).toEqual({ result: 'paused', recheckSeconds: 30 });
    expect(run).not.toHaveBeenCalled();
    const [put] = sqsMock
      .commandCalls(SendMessageCommand)
      .map((c) => JSON.parse(c.args[0].input.MessageBody ?? '{}'));
    expect(put).toMatchObject({
      type: 'dr-relay.alarm-action',
      request,
      route: 'dws-approval',
      cooldown_seconds: 3600,
      approved: true,
    });
  });
});

describe('the automation mode (stored setting)', () => {
  const withMode = (mode: 'on' | 'dry-run' | 'off') =>
    handler({ mode: async () => mode, pauseRecheckSeconds: 30 });

  it('off: runs nothing and puts the message back, delayed, unchanged, with its attributes (nothing consumed, nothing lost)', async () => {
    // Prepare
    const redrive = { [REDRIVE_ATTRIBUTE]: { dataType: 'String', stringValue: '1' } };
    // Act
    const result = await withMode('off')(sqsRecord(JSON.stringify(request), 3, redrive));
    // Assess
    expect(result).toEqual({ result: 'paused', recheckSeconds: 30 });
    expect(run).not.toHaveBeenCalled();
    expect(sqsMock.commandCalls(SendMessageCommand).map((c) => c.args[0].input)).toEqual([
      {
        QueueUrl: QUEUE,
        MessageBody: JSON.stringify(request),
        DelaySeconds: 30,
        MessageAttributes: { [REDRIVE_ATTRIBUTE]: { DataType: 'String', StringValue: '1' } },
      },
    ]);
    expect(await store.get('failover-prod-1')).toBeUndefined();
  });

  it('dry-run: runs under the dry-run key space, so a later real run of the same request_id still acts', async () => {
    // Prepare
    run.mockResolvedValue({ status: 'skipped', reason: 'dry-run' } as never);
    // Act
    await withMode('dry-run')(sqsRecord(JSON.stringify(request)));
    await withMode('on')(sqsRecord(JSON.stringify(request)));
    // Assess
    expect(run.mock.calls.map((c) => [c[0].key, c[0].mode])).toEqual([
      ['dry-run:failover-prod-1', 'dry-run'],
      ['failover-prod-1', 'on'],
    ]);
  });
});

describe('following the operation after a success', () => {
  it('starts it with the key and request that succeeded', async () => {
    // Prepare
    run.mockResolvedValue({ status: 'succeeded', remote: {} } as never);
    const started: string[] = [];
    const operations = {
      start: async (key: string) => void started.push(key),
      check: async () => 'done' as const,
    };
    // Act
    const result = await handler({ operations })(sqsRecord(JSON.stringify(request)));
    // Assess
    expect(result.result).toBe('executed');
    expect(started).toEqual(['failover-prod-1']);
  });

  it('when it cannot start, retries shortly: never a failed status, never a dead letter for a call that succeeded', async () => {
    // Prepare
    run.mockResolvedValue({ status: 'succeeded', remote: {} } as never);
    await store.set('failover-prod-1', { status: 'succeeded', action: request.action });
    const operations = {
      start: async () => {
        throw new Error('SendMessage: connect ECONNREFUSED');
      },
      check: async () => 'done' as const,
    };
    // Act
    const error = await handler({ operations })(sqsRecord(JSON.stringify(request))).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(RetryScheduledError);
    expect(visibilityChanges()).toEqual([expect.objectContaining({ VisibilityTimeout: 5 })]);
    expect((await store.get('failover-prod-1'))?.status).toBe('succeeded');
    expect(deadLetters()).toEqual([]);
  });
});
