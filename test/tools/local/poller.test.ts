/**
 * The local stand-in for Lambda's SQS event source mapping, against a real fauxqs queue: the event and
 * context the handler gets, which records a (partial) batch response deletes, what a throw or an
 * invalid response leaves for redelivery, the report of each batch, and a stop that waits for the
 * batch in flight.
 */
import { createHash } from 'node:crypto';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  type MessageAttributeValue,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchItemFailure, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { buildApp } from 'fauxqs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sqsClient } from '../../../lib/runtime/aws.ts';
import { type BatchReport, type SqsHandler, SqsPoller } from '../../../tools/local/poller.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let fauxqs: ReturnType<typeof buildApp>;
let sqs: SQSClient;
let queues = 0;
const running: SqsPoller[] = [];

beforeAll(async () => {
  fauxqs = buildApp({ logger: false });
  const endpoint = await fauxqs.listen({ port: 0, host: '127.0.0.1' });
  sqs = sqsClient({
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((poller) => poller.stop()));
});

afterAll(async () => {
  sqs.destroy();
  await fauxqs.close();
});

/** A fresh queue per test, so that no test sees another's messages. */
const newQueue = async (visibilityTimeoutSeconds = 30): Promise<{ queueUrl: string; queueArn: string }> => {
  queues += 1;
  const { QueueUrl: queueUrl = '' } = await sqs.send(
    new CreateQueueCommand({
      QueueName: `poller-test-${queues}`,
      Attributes: { VisibilityTimeout: String(visibilityTimeoutSeconds) },
    }),
  );
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  return { queueUrl, queueArn: Attributes?.QueueArn ?? '' };
};

const send = async (
  queueUrl: string,
  body: string,
  attributes?: Record<string, MessageAttributeValue>,
): Promise<string> => {
  const { MessageId = '' } = await sqs.send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: body,
      ...(attributes ? { MessageAttributes: attributes } : {}),
    }),
  );
  return MessageId;
};

const sendAll = async (queueUrl: string, count: number): Promise<string[]> => {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1) ids.push(await send(queueUrl, `message ${i}`));
  return ids;
};

/** Messages waiting (visible) and in flight (received, not yet deleted, not yet visible again). */
const depth = async (queueUrl: string): Promise<{ visible: number; inFlight: number }> => {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return {
    visible: Number(Attributes['ApproximateNumberOfMessages']),
    inFlight: Number(Attributes['ApproximateNumberOfMessagesNotVisible']),
  };
};

/** A handler that records every invocation and answers with `respond(event)`. */
const recorder = (
  respond: (event: SQSEvent) => SQSBatchResponse | undefined = () => ({ batchItemFailures: [] }),
) => {
  const calls: { event: SQSEvent; context: Context; remainingMs: number }[] = [];
  const handler: SqsHandler = async (event, context) => {
    calls.push({ event, context, remainingMs: context.getRemainingTimeInMillis() });
    return respond(event);
  };
  return { handler, calls };
};

const idsOf = (event: SQSEvent | undefined): string[] => (event?.Records ?? []).map((r) => r.messageId);

const sorted = (ids: readonly string[]): string[] => [...ids].sort();

describe('SqsPoller.pollOnce: the event and the context', () => {
  it('returns 0 and invokes nothing when the queue is empty', async () => {
    // Prepare
    const { queueUrl, queueArn } = await newQueue();
    const { handler, calls } = recorder();
    const reports: BatchReport[] = [];
    const poller = new SqsPoller({ sqs, queueUrl, queueArn, handler, onBatch: (r) => void reports.push(r) });
    // Act
    const handled = await poller.pollOnce(0);
    // Assess
    expect(handled).toBe(0);
    expect(calls).toHaveLength(0);
    expect(reports).toHaveLength(0);
  });

  it('hands the handler an SQSEvent whose record is shaped like Lambda’s', async () => {
    // Prepare
    const { queueUrl, queueArn } = await newQueue();
    const body = JSON.stringify({ action: 'dws.dr.failover', n: 1 });
    const messageId = await send(queueUrl, body, {
      origin: { DataType: 'String', StringValue: 'unit-test' },
      priority: { DataType: 'Number', StringValue: '42' },
    });
    const { handler, calls } = recorder();
    const poller = new SqsPoller({ sqs, queueUrl, queueArn, handler });
    // Act
    const handled = await poller.pollOnce(0);
    // Assess
    expect(handled).toBe(1);
    expect(calls).toHaveLength(1);
    const event = calls[0]?.event;
    expect(Object.keys(event ?? {})).toStrictEqual(['Records']);
    expect(event?.Records).toHaveLength(1);
    const record = event?.Records[0];
    expect(record).toMatchObject({
      messageId,
      receiptHandle: expect.stringMatching(/.+/),
      body,
      md5OfBody: createHash('md5').update(body).digest('hex'),
      eventSource: 'aws:sqs',
      eventSourceARN: queueArn,
      awsRegion: 'us-east-1',
    });
    expect(record?.attributes.ApproximateReceiveCount).toBe('1');
    expect(record?.attributes.SentTimestamp).toMatch(/^\d{13}$/);
    expect(record?.attributes.ApproximateFirstReceiveTimestamp).toMatch(/^\d{13}$/);
    expect(record?.messageAttributes).toStrictEqual({
      origin: { stringValue: 'unit-test', dataType: 'String', stringListValues: [], binaryListValues: [] },
      priority: { stringValue: '42', dataType: 'Number', stringListValues: [], binaryListValues: [] },
    });
  });

  it('gives a message without attributes an empty messageAttributes map', async () => {
    // Prepare
    const { queueUrl, queueArn } = await newQueue();
    await send(queueUrl, 'plain');
    const { handler, calls } = recorder();
    const poller = new SqsPoller({ sqs, queueUrl, queueArn, handler });
    // Act
    await poller.pollOnce(0);
    // Assess
    expect(calls[0]?.event.Records[0]?.messageAttributes).toStrictEqual({});
  });

  it('passes a Lambda-like context: function name, a fresh request id, the time left', async () => {
    // Prepare
    const { queueUrl, queueArn } = await newQueue();
    await sendAll(queueUrl, 2);
    const { handler, calls } = recorder();
    const poller = new SqsPoller({
      sqs,
      queueUrl,
      queueArn,
      handler,
      batchSize: 1,
      functionName: 'poller-under-test',
      functionTimeoutMs: 5_000,
    });
    // Act
    await poller.pollOnce(0);
    await poller.pollOnce(0);
    // Assess
    expect(calls).toHaveLength(2);
    const [first, second] = calls;
    expect(first?.context.functionName).toBe('poller-under-test');
    expect(first?.context.awsRequestId).toMatch(UUID);
    expect(second?.context.awsRequestId).toMatch(UUID);
    expect(second?.context.awsRequestId).not.toBe(first?.context.awsRequestId);
    for (const call of calls) {
      expect(call.remainingMs).toBeGreaterThan(0);
      expect(call.remainingMs).toBeLessThanOrEqual(5_000);
    }
  });

  it('defaults to the local function name and a 60 s function time-out', async () => {
    // Prepare
    const { queueUrl, queueArn } = await newQueue();
    await send(queueUrl, 'x');
    const { handler, calls } = recorder();
    const poller = new SqsPoller({ sqs, queueUrl, queueArn, handler });
    // Act
    await poller.pollOnce(0);
    // Assess
    expect(calls[0]?.context.functionName).toBe('dr-relay-local-requests');
    expect(calls[0]?.remainingMs).toBeGreaterThan(55_000);
    expect(calls[0]?.remainingMs).toBeLessThanOrEqual(60_000);
  });

  it('counts receives: ApproximateReceiveCount is 1, then 2 after a redelivery', async () => {
    // Prepare
    const { queueUrl, queueArn } = await newQueue(1);
    const messageId = await send(queueUrl, 'redeliver me');
    const failing = new SqsPoller({
      sqs,
      queueUrl,
      queueArn,
      handler: async () => {
        throw new Error('crash');
      },
    });
    await failing.pollOnce(0);
    const { handler, calls } = recorder();
    const poller = new SqsPoller({ sqs, queueUrl, queueArn, handler });
    // Act: a long poll that returns once the 1 s visibility has run out
    const handled = await poller.pollOnce(5);
    // Assess
    expect(handled).toBe(1);
    const record = calls[0]?.event.Records[0];
    expect(record?.messageId).toBe(messageId);
    expect(record?.body).toBe('redeliver me');
    expect(record?.attributes.ApproximateReceiveCount).toBe('2');
  });

  it.each([
    { batchSize: 2, sent: 5, most: 2 },
    { batchSize: 1, sent: 3, most: 1 },
    { batchSize: undefined, sent: 12, most: 10 },
  ])(
    'receives at most $most records per batch with batchSize $batchSize',
    async ({ batchSize, sent, most }) => {
      // Prepare
      const { queueUrl, queueArn } = await newQueue();
      const ids = await sendAll(queueUrl, sent);
      const { handler, calls } = recorder();
      const poller = new SqsPoller({ sqs, queueUrl, queueArn, handler, ...(batchSize ? { batchSize } : {}) });
      // Act
      const sizes: number[] = [];
      for (let handled = await poller.pollOnce(0); handled > 0; handled = await poller.pollOnce(0)) {
        sizes.push(handled);
      }
      // Assess
      expect(sizes[0]).toBe(most);
      expect(Math.max(...sizes)).toBe(most);
      expect(sizes.reduce((a, b) => a + b, 0)).toBe(sent);
      expect(sorted(calls.flatMap((c) => idsOf(c.event)))).toStrictEqual(sorted(ids));
      expect(await depth(queueUrl)).toStrictEqual({ visible: 0, inFlight: 0 });
    },
  );
});

describe('SqsPoller.pollOnce: what is deleted and what is retried', () => {
  it.each([
    { answer: 'an empty batchItemFailures', response: { batchItemFailures: [] } as SQSBatchResponse },
    { answer: 'undefined', response: undefined },
    { answer: 'an empty object', response: {} as SQSBatchResponse },
    {
      answer: 'a null batchItemFailures',
      response: { batchItemFailures: null } as unknown as SQSBatchResponse,
    },
  ])('deletes every record when the handler answers $answer', async ({ response }) => {
    // Prepare
    const { queueUrl, queueArn } = await newQueue();
    const ids = await sendAll(queueUrl, 3);
    const reports: BatchReport[] = [];
    const { handler } = recorder(() => response);
    const poller = new SqsPoller({ sqs, queueUrl, queueArn, handler, onBatch: (r) => void reports.push(r) });
    // Act
    await poller.pollOnce(0);
    // Assess
    expect(await depth(queueUrl)).toStrictEqual({ visible: 0, inFlight: 0 });
    expect(reports).toHaveLength(1);
    expect(sorted(reports[0]?.deleted ?? [])).toStrictEqual(sorted(ids));
    expect(reports[0]?.retried).toStrictEqual([]);
  });

  it('keeps only the record named in batchItemFailures, which comes back after its visibility', async () => {
    // Prepare
    const { queueUrl, queueArn } = await newQueue(1);
    const ids = await sendAll(queueUrl, 3);
    const failedId = ids[1] ?? '';
    const reports: BatchReport[] = [];
    const { handler } = recorder(() => ({ batchItemFailures: [{ itemIdentifier: failedId }] }));
    const poller = new SqsPoller({ sqs, queueUrl, queueArn, handler, onBatch: (r) => void reports.push(r) });
    // Act
    await poller.pollOnce(0);
    const afterBatch = await depth(queueUrl);
    const again = recorder();
    const redelivery = new SqsPoller({ sqs, queueUrl, queueArn, handler: again.handler });
    const handledAgain = await redelivery.pollOnce(5);
    // Assess
    expect(afterBatch).toStrictEqual({ visible: 0, inFlight: 1 });
    expect(sorted(reports[0]?.deleted ?? [])).toStrictEqual(sorted([ids[0] ?? '', ids[2] ?? '']));
    expect(reports[0]?.retried).toStrictEqual([failedId]);
    expect(handledAgain).toBe(1);
    expect(idsOf(again.calls[0]?.event)).toStrictEqual([failedId]);
    expect(again.calls[0]?.event.Records[0]?.attributes.ApproximateReceiveCount).toBe('2');
    expect(await depth(queueUrl)).toStrictEqual({ visible: 0, inFlight: 0 });
  });

  it('leaves the whole batch for redelivery when the handler throws, and reports the error', async () => {
    // Prepare
    const { queueUrl, queueArn } = await newQueue();
    const ids = await sendAll(queueUrl, 3);
    const crash = new Error('handler crashed');
    const reports: BatchReport[] = [];
    const poller = new SqsPoller({
      sqs,
      queueUrl,
      queueArn,
      handler: async () => {
        throw crash;
      },
      onBatch: (r) => void reports.push(r),
    });
    // Act
    const handled = await poller.pollOnce(0);
    // Assess
    expect(handled).toBe(3);
    expect(await depth(queueUrl)).toStrictEqual({ visible: 0, inFlight: 3 });
    expect(reports).toHaveLength(1);
    expect(reports[0]?.error).toBe(crash);
    expect(reports[0]?.deleted).toStrictEqual([]);
    expect(sorted(reports[0]?.retried ?? [])).toStrictEqual(sorted(ids));
  });

  it.each<{ answer: string; failures: (ids: readonly string[]) => SQSBatchItemFailure[] }>([
    { answer: 'an unknown itemIdentifier', failures: () => [{ itemIdentifier: 'not-a-message-id' }] },
    { answer: 'an empty itemIdentifier', failures: () => [{ itemIdentifier: '' }] },
    {
      answer: 'a known and an unknown itemIdentifier',
      failures: (ids) => [{ itemIdentifier: ids[0] ?? '' }, { itemIdentifier: 'not-a-message-id' }],
    },
    {
      answer: 'a null itemIdentifier',
      failures: () => [{ itemIdentifier: null } as unknown as SQSBatchItemFailure],
    },
    { answer: 'a failure without itemIdentifier', failures: () => [{} as SQSBatchItemFailure] },
  ])(
    'treats the whole batch as failed when the response names $answer: nothing deleted',
    async ({ failures }) => {
      // Prepare
      const { queueUrl, queueArn } = await newQueue();
      const ids = await sendAll(queueUrl, 3);
      const reports: BatchReport[] = [];
      const { handler } = recorder((event) => ({ batchItemFailures: failures(idsOf(event)) }));
      const poller = new SqsPoller({
        sqs,
        queueUrl,
        queueArn,
        handler,
        onBatch: (r) => void reports.push(r),
      });
      // Act
      await poller.pollOnce(0);
      // Assess
      expect(await depth(queueUrl)).toStrictEqual({ visible: 0, inFlight: 3 });
      expect(reports[0]?.deleted).toStrictEqual([]);
      expect(sorted(reports[0]?.retried ?? [])).toStrictEqual(sorted(ids));
      expect(reports[0]).not.toHaveProperty('error');
    },
  );

  it('reports startedAt, the records, and what was deleted and retried to onBatch', async () => {
    // Prepare
    const { queueUrl, queueArn } = await newQueue();
    const ids = await sendAll(queueUrl, 2);
    const reports: BatchReport[] = [];
    const { handler, calls } = recorder(() => ({ batchItemFailures: [{ itemIdentifier: ids[0] ?? '' }] }));
    const poller = new SqsPoller({ sqs, queueUrl, queueArn, handler, onBatch: (r) => void reports.push(r) });
    const before = Date.now();
    // Act
    await poller.pollOnce(0);
    // Assess
    const after = Date.now();
    expect(reports).toHaveLength(1);
    const report = reports[0];
    expect(report?.startedAt).toBeGreaterThanOrEqual(before);
    expect(report?.startedAt).toBeLessThanOrEqual(after);
    expect(report?.records).toStrictEqual(calls[0]?.event.Records);
    expect(report?.deleted).toStrictEqual([ids[1]]);
    expect(report?.retried).toStrictEqual([ids[0]]);
    expect(report).not.toHaveProperty('error');
  });

  it('waits for an asynchronous onBatch before resolving', async () => {
    // Prepare
    const { queueUrl, queueArn } = await newQueue();
    await send(queueUrl, 'x');
    let reported = false;
    const { handler } = recorder();
    const poller = new SqsPoller({
      sqs,
      queueUrl,
      queueArn,
      handler,
      onBatch: async () => {
        await new Promise((resolve) => setTimeout(resolve, 50));
        reported = true;
      },
    });
    // Act
    await poller.pollOnce(0);
    // Assess
    expect(reported).toBe(true);
  });
});

describe('SqsPoller.start / stop', () => {
  it('stop() waits for the batch in flight, and no batch starts after it', async () => {
    // Prepare
    const { queueUrl, queueArn } = await newQueue();
    const firstId = await send(queueUrl, 'slow');
    const reports: BatchReport[] = [];
    const invocations: string[][] = [];
    let completedAt = 0;
    let entered: () => void = () => undefined;
    const inFlight = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const poller = new SqsPoller({
      sqs,
      queueUrl,
      queueArn,
      handler: async (event) => {
        invocations.push(idsOf(event));
        entered();
        await new Promise((resolve) => setTimeout(resolve, 300));
        completedAt = performance.now();
        return { batchItemFailures: [] };
      },
      onBatch: (r) => void reports.push(r),
    });
    running.push(poller);
    poller.start();
    await inFlight;
    // Act
    const stopCalledAt = performance.now();
    await poller.stop();
    const stoppedAt = performance.now();
    const afterStop = await depth(queueUrl);
    await send(queueUrl, 'sent after stop');
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    // Assess
    expect(completedAt).toBeGreaterThan(stopCalledAt);
    expect(stoppedAt).toBeGreaterThanOrEqual(completedAt);
    expect(reports).toHaveLength(1);
    expect(reports[0]?.deleted).toStrictEqual([firstId]);
    expect(afterStop).toStrictEqual({ visible: 0, inFlight: 0 });
    expect(invocations).toStrictEqual([[firstId]]);
    expect(await depth(queueUrl)).toStrictEqual({ visible: 1, inFlight: 0 });
  });
});
