/**
 * Running the CLI in this process (runCli with captured output and a given environment), for tests
 * that mock AWS clients (aws-sdk-client-mock) and so cannot use a child process; and the SQS
 * messages those tests put in a mocked dead-letter queue. Owns: test plumbing only.
 */
import type { Message } from '@aws-sdk/client-sqs';
import { runCli } from '../../cli/commands.ts';
import type { DeadLetter } from '../../lib/deadLetters/deadLetter.ts';
import { ROOT, type Run } from './helpers.ts';

export const DLQ_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/dr-relay-dev-dead-letters';
export const REQUEST_QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/dr-relay-dev-requests';
/** A deployed stage, as the functions see it (no local-stack default). */
export const STAGE_ENV = {
  AWS_REGION: 'eu-west-1',
  REQUEST_QUEUE_URL,
  DEAD_LETTER_QUEUE_URL: DLQ_URL,
  STATE_TABLE: 'dr-relay-dev-state',
};

export const runIn = async (
  argv: readonly string[],
  env: Record<string, string> = STAGE_ENV,
  cwd = ROOT,
): Promise<Run> => {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    env,
    cwd,
  });
  return {
    code,
    stdout: out.map((l) => `${l}\n`).join(''),
    stderr: err.map((l) => `${l}\n`).join(''),
  };
};

/** As runIn, with stdout a terminal: what was drawn on the live line too ('' = cleared). */
export const runInTerminal = async (
  argv: readonly string[],
  env: Record<string, string> = STAGE_ENV,
): Promise<Run & { live: string[] }> => {
  const out: string[] = [];
  const err: string[] = [];
  const live: string[] = [];
  const code = await runCli(argv, {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    env,
    cwd: ROOT,
    stdoutIsTty: true,
    live: (line) => live.push(line),
  });
  return {
    code,
    stdout: out.map((l) => `${l}\n`).join(''),
    stderr: err.map((l) => `${l}\n`).join(''),
    live,
  };
};

export const PROJECT = '89cd04f168b84af6be287f71730fdb4b';
export const INSTANCE = '3f1a2b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b';
export const DCS_TARGET = `dcs:${PROJECT}/${INSTANCE}`;

export const dcsRequest = (requestId = 'ops-restore-1') => ({
  action: 'dcs.restore' as const,
  region: 'cn-north-4',
  project_id: PROJECT,
  request_id: requestId,
  params: { instance_id: INSTANCE, backup_id: '7c6b5a49-3827-4165-9453-021f3e4d5c6b' },
});

export const permanentLetter = (requestId = 'ops-restore-1'): DeadLetter => ({
  type: 'dr-relay.dead-letter',
  version: 1,
  idempotency_key: requestId,
  action: 'dcs.restore',
  target: DCS_TARGET,
  request: dcsRequest(requestId),
  source: { type: 'sqs', queue_url: REQUEST_QUEUE_URL, message_id: 'f00d' },
  reason: `permanent: POST /v1.0/${PROJECT}/instances/${INSTANCE}/restores -> 404 DCS.4204: The instance does not exist.`,
  error: {
    kind: 'permanent',
    message: `POST /v1.0/${PROJECT}/instances/${INSTANCE}/restores -> 404 DCS.4204: The instance does not exist.`,
    http_status: 404,
    error_code: 'DCS.4204',
    error_msg: 'The instance does not exist.',
    huawei_request_id: 'abc123',
  },
  attempts: 1,
  first_failure_at: '2026-11-23T17:12:29.300Z',
  last_failure_at: '2026-11-23T17:12:29.300Z',
  dead_lettered_at: '2026-11-23T17:12:29.300Z',
});

export const lambdaFailure = {
  version: '1.0',
  timestamp: '2026-11-23T16:00:00.000Z',
  requestContext: {
    requestId: 'c0ffee00-0000-4000-8000-000000000001',
    functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:dr-relay-dev-alarms:$LATEST',
    condition: 'RetriesExhausted',
    approximateInvokeCount: 3,
  },
  requestPayload: { unexpected: 'not an alarm event this CLI recognises' },
  responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
  responsePayload: { errorType: 'TypeError', errorMessage: 'Cannot read properties of undefined' },
};

/** An SQS message as ReceiveMessage returns it. */
export const message = (id: string, body: unknown, sentAt = Date.parse('2026-11-23T18:00:00Z')): Message => ({
  MessageId: id,
  ReceiptHandle: `rh-${id}`,
  Body: typeof body === 'string' ? body : JSON.stringify(body),
  Attributes: { SentTimestamp: String(sentAt), ApproximateReceiveCount: '2' },
});
