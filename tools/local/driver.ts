/**
 * Driving the local stack from outside, as a client would: send messages, wait for every request's
 * outcome, read the dead letters. Used by the demo, the integration tests and the soak.
 */
import {
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { type ActionRequest, idempotencyKey } from '../../lib/actions/request.ts';
import { type DeadLetter, DeadLetterSchema } from '../../lib/deadLetters/deadLetter.ts';
import { DynamoStatusStore, type StatusRecord } from '../../lib/store/status.ts';
import type { LocalStack } from './stack.ts';

export const TERMINAL = new Set(['succeeded', 'skipped', 'dead_lettered']);

/** Sends raw bodies in batches of 10, several batches concurrently (so duplicates race). */
export const sendBodies = async (
  sqs: SQSClient,
  queueUrl: string,
  bodies: readonly string[],
): Promise<void> => {
  const batches: string[][] = [];
  for (let i = 0; i < bodies.length; i += 10) batches.push(bodies.slice(i, i + 10));
  await Promise.all(
    batches.map((batch, b) =>
      sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: batch.map((body, i) => ({ Id: `${b}-${i}`, MessageBody: body })),
        }),
      ),
    ),
  );
};

export const statusStore = (stack: LocalStack) =>
  new DynamoStatusStore({ client: stack.dynamodb, table: stack.urls.stateTable, ttlSeconds: 3600 });

/** Messages in the queue: visible, in flight and delayed. */
export const queueDepth = async (sqs: SQSClient, queueUrl: string): Promise<number> => {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ],
    }),
  );
  return (
    Number(Attributes.ApproximateNumberOfMessages ?? 0) +
    Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0) +
    Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0)
  );
};

/**
 * Waits until every request has a terminal status and the request queue is empty; returns the statuses.
 * A status seen terminal is not read again while the queue still holds work, but the answer is always
 * one fresh read taken after the queue drained: a redriven request starts from its old terminal
 * status (dead_lettered), so a status cached before its redelivery ran would be stale.
 */
export const waitForOutcomes = async (
  stack: LocalStack,
  requests: readonly ActionRequest[],
  timeoutMs: number,
): Promise<Map<string, StatusRecord | undefined>> => {
  const store = statusStore(stack);
  const deadline = Date.now() + timeoutMs;
  const statuses = new Map<string, StatusRecord | undefined>();
  const read = async (all: boolean) => {
    for (const request of requests) {
      const key = idempotencyKey(request);
      const known = statuses.get(key);
      if (all || !known || !TERMINAL.has(known.status)) statuses.set(key, await store.get(key));
    }
  };
  const allTerminal = () => [...statuses.values()].every((s) => s !== undefined && TERMINAL.has(s.status));
  for (;;) {
    await read(false);
    if (allTerminal() && (await queueDepth(stack.sqs, stack.urls.requestQueueUrl)) === 0) {
      await read(true);
      if (allTerminal()) return statuses;
    }
    if (Date.now() > deadline) return statuses;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
};

/** Waits for the request queue to drain (invalid messages leave no status record). */
export const waitForEmptyQueue = async (stack: LocalStack, timeoutMs: number): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while ((await queueDepth(stack.sqs, stack.urls.requestQueueUrl)) > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
};

/** Reads every dead letter currently in the queue (hidden for a minute, not deleted). */
export const readDeadLetters = async (stack: LocalStack): Promise<DeadLetter[]> => {
  const letters: DeadLetter[] = [];
  for (;;) {
    const { Messages = [] } = await stack.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: stack.urls.deadLetterQueueUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 60,
        WaitTimeSeconds: 0,
      }),
    );
    if (Messages.length === 0) return letters;
    for (const m of Messages) letters.push(DeadLetterSchema.parse(JSON.parse(m.Body ?? '{}')));
  }
};
