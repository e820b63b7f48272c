/**
 * The operations CLI end to end: the local stack runs in this process (fauxqs, dynalite, the Huawei
 * simulator, the request handler and the HTTP API) and `dr-relay` runs as a child process pointed at
 * it through the environment, as an operator would run it against a deployed stage.
 *   (a) send -> queue -> handler -> simulator; status shows succeeded with the remote restore_id;
 *   (b) a permanent failure is listed (table and --json), the cause is fixed, `dlq redrive` runs it
 *       again exactly once, and redriving or sending it again calls nothing;
 *   (c) the three other bodies (raw request, Lambda failure record, garbage), redrive --all leaving
 *       the unredrivable ones in place, and purge (refused without --yes).
 * The simulator's call log is the witness of what reached Huawei.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ActionRequest, parseActionRequestJson } from '../../lib/actions/request.ts';
import type { StatusRecord } from '../../lib/store/status.ts';
import { statusStore, waitForEmptyQueue } from '../../tools/local/driver.ts';
import { LOCAL_HMAC_SECRET, type LocalStack, startLocalStack } from '../../tools/local/stack.ts';
import { PROJECT, resourceOf, seedFor, uuidOf } from '../../tools/local/workload.ts';
import { ROOT, runBin } from '../cli/helpers.ts';

let stack: LocalStack;
let env: Record<string, string>;
let dir: string;

beforeAll(async () => {
  stack = await startLocalStack({
    concurrency: 2,
    visibilityTimeoutSeconds: 10,
    env: { DR_MAX_ATTEMPTS: '3', DR_BACKOFF_BASE_SECONDS: '1', DR_BACKOFF_MAX_SECONDS: '2' },
    simulator: { seed: 11 },
  });
  env = {
    AWS_ENDPOINT_URL_SQS: stack.urls.sqs,
    AWS_ENDPOINT_URL_DYNAMODB: stack.urls.dynamodb,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    REQUEST_QUEUE_URL: stack.urls.requestQueueUrl,
    DEAD_LETTER_QUEUE_URL: stack.urls.deadLetterQueueUrl,
    STATE_TABLE: stack.urls.stateTable,
    DR_API_URL: stack.urls.api,
    WEBHOOK_HMAC_SECRETS: LOCAL_HMAC_SECRET,
  };
  dir = await mkdtemp(join(tmpdir(), 'dr-relay-cli-'));
}, 30_000);
afterAll(async () => stack?.stop());

const cli = (...args: string[]) => runBin(args, { env });

/** Writes a request file; returns its path. */
const requestFile = (name: string, request: ActionRequest): string => {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(request, null, 2));
  return path;
};

const dcsRequest = (label: string): ActionRequest => ({
  action: 'dcs.restore',
  region: 'cn-north-4',
  project_id: PROJECT,
  request_id: `cli-${label}`,
  params: { instance_id: uuidOf(`cli/${label}/instance`), backup_id: uuidOf(`cli/${label}/backup`) },
});

/** dcs.restore calls that took effect on the request's instance. */
const effects = (request: ActionRequest) =>
  stack.simulator.calls.filter(
    (c) => c.route === request.action && c.resourceId === resourceOf(request) && c.effectApplied,
  );

const waitForStatus = async (key: string, status: string, timeoutMs = 20_000): Promise<StatusRecord> => {
  const store = statusStore(stack);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const record = await store.get(key);
    if (record?.status === status) return record;
    if (Date.now() > deadline)
      throw new Error(`${key}: still ${record?.status ?? 'unknown'} after ${timeoutMs} ms, wanted ${status}`);
    await new Promise((r) => setTimeout(r, 200));
  }
};

interface ListedLetter {
  id: string;
  kind: string;
  body_type: string;
  action?: string;
  target?: string;
  idempotency_key?: string;
  http_status?: number;
  error_code?: string;
  redrivable: boolean;
  not_redrivable?: string;
}

const listJson = async (): Promise<ListedLetter[]> => {
  const run = await cli('dlq', 'list', '--json');
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout).dead_letters as ListedLetter[];
};

/** Whether this build serves POST /v1/requests (the HTTP API is being written alongside the CLI). */
const apiServesRequests = async (): Promise<boolean> => {
  const response = await fetch(`${stack.urls.api}/v1/requests`, { method: 'POST', body: '{}' });
  const body = await response.text();
  return !(response.status === 404 && body.includes('no route'));
};

describe('(a) send, then status', () => {
  it('send (signed POST /v1/requests) of the DCS sample: succeeded with its restore_id, one effect', async (ctx) => {
    if (!(await apiServesRequests())) ctx.skip();
    const sample = 'events/requests/dcs-restore.json';
    const request = parseActionRequestJson(readFileSync(join(ROOT, sample), 'utf8'));
    seedFor(stack.simulator, request);

    const sent = await cli('send', sample, '--json');

    expect(sent.code, sent.stdout + sent.stderr).toBe(0);
    const answer = JSON.parse(sent.stdout);
    expect(answer).toMatchObject({ ok: true, via: 'api', status: 'queued' });
    expect(answer.request_id).toMatch(/^sha256:[0-9a-f]{64}$/);
    const record = await waitForStatus(answer.request_id, 'succeeded');
    const status = await cli('status', answer.request_id);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/^status +succeeded$/m);
    expect(status.stdout).toContain(`restore_id=${record.remote?.['restore_id']}`);
    expect(record.remote?.['restore_id']).toBeTruthy();
    expect(effects(request)).toHaveLength(1);
  }, 60_000);

  it('send --queue: message id and idempotency key; status (API and --table) shows succeeded', async () => {
    const request = dcsRequest('queued');
    seedFor(stack.simulator, request);

    const sent = await cli('send', requestFile('queued.json', request), '--queue');

    expect(sent.code, sent.stderr).toBe(0);
    expect(sent.stdout).toMatch(/^message_id +\S+$/m);
    expect(sent.stdout).toMatch(/^idempotency_key +cli-queued$/m);
    const record = await waitForStatus('cli-queued', 'succeeded');
    const restoreId = record.remote?.['restore_id'];
    expect(restoreId).toBeTruthy();
    const table = await cli('status', 'cli-queued', '--table', '--json');
    expect(table.code, table.stderr).toBe(0);
    expect(JSON.parse(table.stdout)).toMatchObject({
      found: true,
      from: 'table',
      request_id: 'cli-queued',
      status: 'succeeded',
      remote: { restore_id: restoreId },
    });
    if (await apiServesRequests()) {
      const api = await cli('status', 'cli-queued');
      expect(api.code, api.stderr).toBe(0);
      expect(api.stdout).toMatch(/^status +succeeded$/m);
      expect(api.stdout).toContain(`restore_id=${restoreId}`);
    }
    expect(effects(request)).toHaveLength(1);
  }, 60_000);

  it('an invalid file: exit 1 with every problem, nothing sent; an unknown request: exit 1', async () => {
    // Calls, not reads: the operations of the requests above are still being checked (GETs).
    const calls = () => stack.simulator.calls.filter((c) => c.method !== 'GET').length;
    const queued = calls();
    const bad = await cli('send', 'events/requests/invalid-request.json', '--queue');
    const unknown = await cli('status', 'cli-never-sent', '--table');

    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(
      /^INVALID: events\/requests\/invalid-request\.json: \d+ problems; nothing sent/,
    );
    expect(bad.stdout).toContain('params.instance_id');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('unknown request cli-never-sent');
    expect(calls()).toBe(queued);
  }, 30_000);
});

describe('(b) a permanent failure: listed, fixed, redriven once', () => {
  const request = dcsRequest('missing-instance');
  let messageId = '';
  let letterBody: unknown;

  it('a DCS restore on an unknown instance is dead-lettered at once and listed (table and --json)', async () => {
    const sent = await cli('send', requestFile('missing.json', request), '--queue');
    expect(sent.code, sent.stderr).toBe(0);
    await waitForStatus('cli-missing-instance', 'dead_lettered');

    const table = await cli('dlq', 'list');
    const listed = await listJson();

    expect(table.code, table.stderr).toBe(0);
    const header = table.stdout.split('\n')[0];
    expect(header).toMatch(/^WHEN +ACTION +TARGET +KIND +HTTP +CODE +MESSAGE +ATTEMPTS +ID$/);
    const target = `dcs:${PROJECT}/${resourceOf(request)}`;
    const row = table.stdout.split('\n').find((l) => l.includes(target));
    expect(row).toMatch(
      /dcs\.restore +dcs:\S+ +permanent +404 +DCS\.3022 +The instance does not exist\. +1 +\S+$/,
    );
    expect(table.stdout).toMatch(/^\d+ dead letters? \(.*permanent.*\) in /m);
    const letter = listed.find((l) => l.idempotency_key === 'cli-missing-instance');
    expect(letter).toMatchObject({
      kind: 'permanent',
      body_type: 'dead-letter',
      action: 'dcs.restore',
      target,
      http_status: 404,
      error_code: 'DCS.3022',
      redrivable: true,
    });
    messageId = letter!.id;
    expect(row).toContain(messageId);
    // Listing removed nothing: it is listed again at once.
    expect((await listJson()).map((l) => l.id)).toContain(messageId);
    expect(effects(request)).toHaveLength(0);
  }, 60_000);

  it('dlq show finds it by message id, idempotency key and source message id, and an unknown id exits 1', async () => {
    const byId = await cli('dlq', 'show', messageId);
    const byKey = await cli('dlq', 'show', 'cli-missing-instance', '--json');
    const missing = await cli('dlq', 'show', 'no-such-message');

    expect(byId.code, byId.stderr).toBe(0);
    expect(byId.stdout).toMatch(new RegExp(`^message id +${messageId}$`, 'm'));
    expect(byId.stdout).toMatch(/^kind +permanent \(dr-relay dead letter\)$/m);
    expect(byId.stdout).toContain('"error_code": "DCS.3022"');
    // Three lists before it: the fourth look says so, and claims no more than the one attempt.
    expect(byId.stdout).toMatch(/^attempts +1$/m);
    expect(byId.stdout).toMatch(/^looked at +4 times \(SQS counts every read .*not delivery attempts\)$/m);
    expect(byId.stdout).not.toMatch(/received|deliver(ed|ies) \d/i);
    expect(byKey.code, byKey.stderr).toBe(0);
    const shown = JSON.parse(byKey.stdout);
    expect(shown.messages).toHaveLength(1);
    expect(shown.messages[0].id).toBe(messageId);
    expect(shown.messages[0].body.request).toEqual(request);
    expect(shown.messages[0].attributes).toMatchObject({ error_kind: 'permanent', action: 'dcs.restore' });
    letterBody = shown.messages[0].body;
    const sourceId = shown.messages[0].body.source.message_id as string;
    const bySource = await cli('dlq', 'show', sourceId, '--json');
    expect(bySource.code, bySource.stderr).toBe(0);
    expect(JSON.parse(bySource.stdout).messages.map((m: { id: string }) => m.id)).toEqual([messageId]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(
      'no dead letter has the message id, idempotency key or source message id "no-such-message"',
    );
  }, 30_000);

  it('the SNS notification names an id that dlq show finds', async () => {
    const summaries: string[] = [];
    for (let i = 0; i < 10 && !summaries.some((m) => m.includes('cli-missing-instance')); i++) {
      const { Messages = [] } = await stack.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: stack.urls.notificationQueueUrl,
          WaitTimeSeconds: 1,
          MaxNumberOfMessages: 10,
        }),
      );
      summaries.push(
        ...Messages.map((m) => (JSON.parse(m.Body ?? '{}') as { Message?: string }).Message ?? ''),
      );
    }
    const summary = summaries.find((m) => m.includes('dcs.restore cli-missing-instance was dead-lettered'));
    const inspect = /^inspect: npx dr-relay dlq show (\S+)$/m.exec(summary ?? '')?.[1];

    const shown = await cli('dlq', 'show', inspect ?? '(none)');

    expect(inspect, summaries.join('\n---\n')).toBe(messageId);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(new RegExp(`^message id +${messageId}$`, 'm'));
  }, 30_000);

  it('after the fix, dlq redrive --id runs it once: succeeded, one effect, gone from the list', async () => {
    seedFor(stack.simulator, request);

    const dry = await cli('dlq', 'redrive', '--id', messageId, '--dry-run');
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toBe('dry run: 1 would be redriven, 0 would be left in place; nothing was changed\n');
    expect((await listJson()).map((l) => l.id)).toContain(messageId);

    const run = await cli('dlq', 'redrive', '--id', messageId);

    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stderr).toContain('redriven 1/1 dcs.restore cli-missing-instance');
    expect(run.stdout).toBe('1 redriven, 0 left in place\n');
    const record = await waitForStatus('cli-missing-instance', 'succeeded');
    expect(record.remote?.['restore_id']).toBeTruthy();
    expect(effects(request)).toHaveLength(1);
    const listed = await listJson();
    expect(listed.map((l) => l.id)).not.toContain(messageId);
    expect(listed.map((l) => l.idempotency_key)).not.toContain('cli-missing-instance');
    const status = await cli('status', 'cli-missing-instance', '--table');
    expect(status.stdout).toMatch(/^status +succeeded$/m);
    expect(status.stdout).toContain(`restore_id=${record.remote?.['restore_id']}`);
  }, 60_000);

  it('sending it again, or redriving a copy of its dead letter, calls nothing', async () => {
    const again = await cli('send', requestFile('missing.json', request), '--queue');
    expect(again.code, again.stderr).toBe(0);
    await waitForEmptyQueue(stack, 20_000);
    // A copy of the dead letter, back in the dead-letter queue, redriven by its idempotency key.
    await stack.sqs.send(
      new SendMessageCommand({
        QueueUrl: stack.urls.deadLetterQueueUrl,
        MessageBody: JSON.stringify(letterBody),
      }),
    );
    const copy = await cli('dlq', 'redrive', '--id', 'cli-missing-instance');
    expect(copy.code, copy.stdout + copy.stderr).toBe(0);
    expect(copy.stdout).toBe('1 redriven, 0 left in place\n');
    await new Promise((r) => setTimeout(r, 500));
    await waitForEmptyQueue(stack, 20_000);

    expect((await statusStore(stack).get('cli-missing-instance'))?.status).toBe('succeeded');
    expect(effects(request)).toHaveLength(1);
    expect((await listJson()).map((l) => l.idempotency_key)).not.toContain('cli-missing-instance');
  }, 60_000);
});

describe('(c) the other bodies, redrive --all, purge', () => {
  const raw = dcsRequest('raw-redrive-policy');
  const lambdaFailure = {
    version: '1.0',
    timestamp: '2026-11-23T17:00:00.000Z',
    requestContext: {
      requestId: 'c0ffee00-0000-4000-8000-000000000001',
      functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:dr-relay-dev-alarms:$LATEST',
      condition: 'RetriesExhausted',
      approximateInvokeCount: 3,
    },
    requestPayload: JSON.parse(
      readFileSync(join(ROOT, 'events/alarms/cloudwatch-eventbridge-alarm.json'), 'utf8'),
    ),
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    responsePayload: { errorType: 'Error', errorMessage: 'the state table is unavailable' },
  };

  it('lists a raw request, a Lambda failure record and an unknown body; redrive --all moves only the request', async () => {
    seedFor(stack.simulator, raw);
    for (const body of [JSON.stringify(raw), JSON.stringify(lambdaFailure), 'this is not JSON']) {
      await stack.sqs.send(
        new SendMessageCommand({ QueueUrl: stack.urls.deadLetterQueueUrl, MessageBody: body }),
      );
    }

    const table = await cli('dlq', 'list');
    const listed = await listJson();

    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/dcs\.restore +dcs:\S+ +redrive-policy /);
    expect(table.stdout).toMatch(
      /2026-11-23T17:00:00Z +alarm event +alarm DWSPrimaryDown-prod +lambda-failure +- +- +RetriesExhausted: Error: the state table is unavailable +3 /,
    );
    expect(table.stdout).toMatch(/ +- +- +unknown +- +- +body is not JSON +- +\S+$/m);
    expect(listed.map((l) => l.kind).sort()).toEqual(['lambda-failure', 'redrive-policy', 'unknown']);

    const dry = await cli('dlq', 'redrive', '--all', '--dry-run');
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toBe('dry run: 1 would be redriven, 2 would be left in place; nothing was changed\n');
    expect(await listJson()).toHaveLength(3);

    const all = await cli('dlq', 'redrive', '--all', '--json');

    expect(all.code, all.stdout + all.stderr).toBe(0);
    const report = JSON.parse(all.stdout);
    expect(report.redriven).toEqual([
      expect.objectContaining({ kind: 'redrive-policy', idempotency_key: 'cli-raw-redrive-policy' }),
    ]);
    expect(report.left_in_place.map((l: { kind: string }) => l.kind).sort()).toEqual([
      'lambda-failure',
      'unknown',
    ]);
    expect(report.left_in_place.find((l: { kind: string }) => l.kind === 'lambda-failure').reason).toContain(
      'Lambda on-failure record',
    );
    expect(all.stderr).toMatch(
      /left in place \d\/3 alarm event alarm DWSPrimaryDown-prod: a Lambda on-failure record/,
    );
    await waitForStatus('cli-raw-redrive-policy', 'succeeded');
    expect(effects(raw)).toHaveLength(1);
    expect((await listJson()).map((l) => l.kind).sort()).toEqual(['lambda-failure', 'unknown']);

    const lambdaId = listed.find((l) => l.kind === 'lambda-failure')!.id;
    const refused = await cli('dlq', 'redrive', '--id', lambdaId);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('0 redriven, 1 left in place\n');
  }, 60_000);

  it('purge: refused without --yes (exit 2, says what it would delete); --yes empties the queue', async () => {
    const refused = await cli('dlq', 'purge');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      `deletes every message (about 2 messages) in the dead-letter queue ${stack.urls.deadLetterQueueUrl}`,
    );
    expect(refused.stderr).toContain('dr-relay dlq purge --yes');
    expect(await listJson()).toHaveLength(2);

    const purged = await cli('dlq', 'purge', '--yes');

    expect(purged.code, purged.stderr).toBe(0);
    expect(purged.stdout).toContain(`purged ${stack.urls.deadLetterQueueUrl}`);
    const empty = await cli('dlq', 'list');
    expect(empty.code).toBe(0);
    expect(empty.stdout).toBe('no dead letters\n');
  }, 30_000);
});
