/**
 * A failed delivery writes its failure after giving the key back. A duplicate delivery may claim
 * the key in between and record a success: the failure must not replace it, or the failed
 * delivery's retry would find the key open and call a second time (the status record is the claim).
 */
import { ChangeMessageVisibilityCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, expect, it } from 'vitest';
import { parseActionRequest } from '../../lib/actions/request.ts';
import { DeadLetterQueue } from '../../lib/deadLetters/deadLetter.ts';
import { Executor } from '../../lib/execution/executor.ts';
import type { HuaweiClient } from '../../lib/huawei/client.ts';
import { HuaweiApiError } from '../../lib/huawei/errors.ts';
import { makeRecordHandler, type RecordResult } from '../../lib/intake/queueRecord.ts';
import type { StatusChange } from '../../lib/store/status.ts';
import { MemoryStatusStore } from '../fixtures/memoryStore.ts';

const PROJECT = '89cd04f168b84af6be287f71730fdb4b';
const request = parseActionRequest({
  action: 'dcs.restore',
  region: 'cn-north-4',
  project_id: PROJECT,
  request_id: 'race-1',
  params: {
    instance_id: '3f1a2b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b',
    backup_id: '7c6b5a49-3827-4165-9453-021f3e4d5c6b',
  },
});
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
const sqsRecord = (messageId: string, receiveCount = 1): SQSRecord => ({
  messageId,
  receiptHandle: messageId,
  body: JSON.stringify(request),
  attributes: {
    ApproximateReceiveCount: String(receiveCount),
    SentTimestamp: '0',
    SenderId: 'sender',
    ApproximateFirstReceiveTimestamp: '0',
  },
  messageAttributes: {},
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:eu-west-1:000000000000:requests',
  awsRegion: 'eu-west-1',
});

const sqsMock = mockClient(SQSClient);
afterEach(() => sqsMock.reset());

it("a duplicate's success recorded between a failed delivery's release and its failure write stands: no second call", async () => {
  // Prepare: the first POST fails (503), every later one is accepted.
  sqsMock.on(SendMessageCommand).resolves({ MessageId: 'm' }).on(ChangeMessageVisibilityCommand).resolves({});
  const store = new MemoryStatusStore();
  let posts = 0;
  const client = {
    send: async (call: { method: string }) => {
      if (call.method !== 'POST') return { status: 200, body: {} };
      posts += 1;
      if (posts === 1) throw new HuaweiApiError('503', 'transient', { phase: 'response', httpStatus: 503 });
      return { status: 200, body: { restore_id: 'restore-1' } };
    },
  } as unknown as Pick<HuaweiClient, 'send'>;
  const executor = new Executor({
    client,
    store,
    mode: 'on',
    log: silent,
    endpoints: { dcs: 'https://dcs.test' },
  });
  let duplicate: Promise<RecordResult> | undefined;
  // The duplicate runs exactly between the first delivery's release and its `failed` write.
  const racing = {
    get: store.get.bind(store),
    begin: store.begin.bind(store),
    release: store.release.bind(store),
    set: async (key: string, change: StatusChange) => {
      if (change.status === 'failed' && !duplicate) {
        duplicate = handle(sqsRecord('m-2'));
        await duplicate;
      }
      return store.set(key, change);
    },
  };
  const sqs = new SQSClient({ region: 'eu-west-1' });
  const handle = makeRecordHandler({
    run: (job, signal) => executor.execute(job, signal),
    store: racing,
    deadLetters: { queue: new DeadLetterQueue(sqs, 'dlq'), store: racing, log: silent },
    sqs,
    queueUrl: 'requests',
    maxAttempts: 5,
    backoff: { baseSeconds: 1, maxSeconds: 2 },
    log: silent,
  });

  // Act
  await handle(sqsRecord('m-1')).catch(() => undefined);
  const retried = await handle(sqsRecord('m-1', 2));

  // Assess
  expect(await duplicate).toMatchObject({ result: 'executed', outcome: { status: 'succeeded' } });
  expect((await store.get('race-1'))?.status).toBe('succeeded');
  expect(retried).toMatchObject({ result: 'executed', outcome: { status: 'succeeded', replayed: true } });
  expect(posts).toBe(2);
});
