/**
 * Drives an SQS Lambda handler the way Lambda's event source mapping does, against any SQS endpoint:
 * long-poll batches, invoke the handler with an SQSEvent and a Lambda-like context, delete the records
 * not named in `batchItemFailures` (ReportBatchItemFailures), leave everything for redelivery when the
 * handler throws or answers with an invalid response. Visibility and redrive stay the queue's job.
 * Owns: that loop. Must not touch: what the handler does with a record.
 */
import { randomUUID } from 'node:crypto';
import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | undefined>;

export interface BatchReport {
  /** When the handler was invoked (epoch ms). */
  readonly startedAt: number;
  readonly records: readonly SQSRecord[];
  /** messageIds removed from the queue (processed). */
  readonly deleted: readonly string[];
  /** messageIds left for redelivery. */
  readonly retried: readonly string[];
  readonly error?: unknown;
}

export interface PollerOptions {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly handler: SqsHandler;
  readonly batchSize?: number;
  readonly concurrency?: number;
  readonly functionTimeoutMs?: number;
  readonly functionName?: string;
  readonly onBatch?: (report: BatchReport) => void | Promise<void>;
}

const toRecord = (message: Message, queueArn: string): SQSRecord => ({
  messageId: message.MessageId ?? '',
  receiptHandle: message.ReceiptHandle ?? '',
  body: message.Body ?? '',
  attributes: {
    ApproximateReceiveCount: message.Attributes?.ApproximateReceiveCount ?? '1',
    SentTimestamp: message.Attributes?.SentTimestamp ?? String(Date.now()),
    SenderId: message.Attributes?.SenderId ?? 'local',
    ApproximateFirstReceiveTimestamp:
      message.Attributes?.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
  },
  messageAttributes: Object.fromEntries(
    Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
      name,
      {
        dataType: value.DataType ?? 'String',
        ...(value.StringValue === undefined ? {} : { stringValue: value.StringValue }),
        ...(value.BinaryValue === undefined
          ? {}
          : { binaryValue: Buffer.from(value.BinaryValue).toString('base64') }),
        stringListValues: [],
        binaryListValues: [],
      },
    ]),
  ),
  md5OfBody: message.MD5OfBody ?? '',
  eventSource: 'aws:sqs',
  eventSourceARN: queueArn,
  awsRegion: queueArn.split(':')[3] ?? 'us-east-1',
});

/** A Lambda-like context whose remaining time counts down from now. */
export const lambdaContext = (functionName: string, timeoutMs: number): Context => {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
};

/** Which records to delete, per Lambda's rules for a partial batch response. */
const failedIds = (records: readonly SQSRecord[], response: SQSBatchResponse | undefined): Set<string> => {
  const all = new Set(records.map((r) => r.messageId));
  const failures = response?.batchItemFailures ?? [];
  const ids = failures.map((f) => f.itemIdentifier);
  // An empty or unknown identifier makes Lambda treat the whole batch as failed.
  return ids.some((id) => !id || !all.has(id)) ? all : new Set(ids);
};

export class SqsPoller {
  readonly #options: PollerOptions;
  #running = false;
  #loops: Promise<void>[] = [];

  constructor(options: PollerOptions) {
    this.#options = options;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    const concurrency = this.#options.concurrency ?? 2;
    this.#loops = Array.from({ length: concurrency }, () => this.#loop());
  }

  /** Stops polling and waits for the batches in flight to finish. */
  async stop(): Promise<void> {
    this.#running = false;
    await Promise.all(this.#loops);
  }

  async #loop(): Promise<void> {
    while (this.#running) {
      try {
        await this.pollOnce();
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }

  /** One receive + invoke + delete cycle; returns how many records it handled. */
  async pollOnce(waitTimeSeconds = 1): Promise<number> {
    const { sqs, queueUrl, queueArn, handler } = this.#options;
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: this.#options.batchSize ?? 10,
        WaitTimeSeconds: waitTimeSeconds,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
    );
    if (Messages.length === 0) return 0;
    const records = Messages.map((m) => toRecord(m, queueArn));
    const startedAt = Date.now();
    const context = lambdaContext(
      this.#options.functionName ?? 'dr-relay-local-requests',
      this.#options.functionTimeoutMs ?? 60_000,
    );
    let failed: Set<string>;
    let error: unknown;
    try {
      failed = failedIds(records, await handler({ Records: records }, context));
    } catch (thrown) {
      error = thrown;
      failed = new Set(records.map((r) => r.messageId));
    }
    const done = records.filter((r) => !failed.has(r.messageId));
    if (done.length > 0) {
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: done.map((r, i) => ({ Id: String(i), ReceiptHandle: r.receiptHandle })),
        }),
      );
    }
    await this.#options.onBatch?.({
      startedAt,
      records,
      deleted: done.map((r) => r.messageId),
      retried: [...failed],
      ...(error === undefined ? {} : { error }),
    });
    return records.length;
  }
}
