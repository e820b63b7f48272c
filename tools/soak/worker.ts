/**
 * The soak worker, run as a child process that the soak SIGKILLs mid-batch and restarts: the
 * backend's environment, handlers/requests.ts unmodified, driven by the local SqsPoller with a short
 * function time-out (so Powertools' in-progress claims expire like a timed-out Lambda's). It reports
 * each batch when it is handed to the handler and when it is done (deleted / left for redelivery).
 * Owns: that reporting. Must not touch: the handler, the poller's Lambda semantics.
 */
import type { SQSEvent } from 'aws-lambda';
import { idempotencyKey, parseActionRequest } from '../../lib/actions/request.ts';
import { sqsClient } from '../../lib/runtime/aws.ts';
import { LOCAL } from '../local/constants.ts';
import { type SqsHandler, SqsPoller } from '../local/poller.ts';
import { report, serveCommands } from './child.ts';
import type { WorkerCommands, WorkerConfig, WorkerEvent } from './protocol.ts';

const config = JSON.parse(process.argv[2] ?? '{}') as WorkerConfig;
Object.assign(process.env, config.env);
const { handler } = await import('../../handlers/requests.ts');

const sqs = sqsClient({
  region: config.env['AWS_REGION'] ?? LOCAL.region,
  endpoint: config.env['AWS_ENDPOINT_URL_SQS'] ?? '',
  credentials: LOCAL.credentials,
});

/** The idempotency key of a request-queue body (an ActionRequest or a dead-letter record), for the reports. */
const keyOf = (body: string): string => {
  try {
    const value = JSON.parse(body) as { idempotency_key?: unknown; type?: unknown };
    if (value.type === 'dr-relay.dead-letter') return String(value.idempotency_key ?? '');
    return idempotencyKey(parseActionRequest(value));
  } catch {
    return '';
  }
};

let next = 0;
const batches = new WeakMap<object, number>();
const reported: SqsHandler = (event: SQSEvent, context) => {
  const batch = ++next;
  batches.set(event.Records, batch);
  const start: WorkerEvent = {
    type: 'batch-start',
    batch,
    records: event.Records.map((r) => [
      r.messageId,
      Number(r.attributes.ApproximateReceiveCount) || 1,
      keyOf(r.body),
    ]),
  };
  report(start);
  return handler(event, context);
};

const poller = new SqsPoller({
  sqs,
  queueUrl: config.queueUrl,
  queueArn: config.queueArn,
  handler: reported,
  concurrency: config.concurrency,
  functionTimeoutMs: config.functionTimeoutMs,
  onBatch: ({ records, deleted, retried, error }) => {
    const end: WorkerEvent = {
      type: 'batch-end',
      batch: batches.get(records) ?? 0,
      deleted: deleted.length,
      retried: retried.length,
      ...(error === undefined ? {} : { error: String((error as Error).message ?? error) }),
    };
    report(end);
  },
});

const handlers: {
  [C in keyof WorkerCommands]: (args: WorkerCommands[C]['args']) => WorkerCommands[C]['result'];
} = { stop: () => null };
serveCommands(handlers, async () => {
  await poller.stop();
  sqs.destroy();
});
poller.start();
report({ type: 'ready' });
