/**
 * Approval routes on the local stack (issue 12): dynalite, fauxqs (queues and the SNS topic), the
 * Huawei simulator, the webhook and request handlers unmodified; `dr-relay` runs as a child process
 * against it, as an operator would. The simulator's call log is the witness of what reached Huawei.
 *   - an Alertmanager alert on a route with approval.required gives `awaiting_approval` and 0 calls,
 *     its re-notifications still 0; an unsigned or wrongly signed approval is refused (401) and
 *     changes nothing; `approve` gives exactly 1 failover, a second `approve` answers already decided;
 *   - `deny` gives 0 calls (and a resolution before it is noted on the request, not cancelling it);
 *   - an approval after the DR pair went to a status that does not allow failover is skipped with it;
 *   - the timer, with the shortest timeout a route may have (60 s: honest, nothing in lib is
 *     shortened for tests; the real delayed SQS message fires): `cancel` gives 0 calls and gives the
 *     target back (another alarm on it then acts; one during the wait attached), `proceed` exactly 1;
 *   - the approvers are told once per event on the notification topic (read through the local
 *     notification queue), the request notice with the exact approve and deny commands.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signatureHeader } from '../../lib/http/signature.ts';
import type { StatusRecord } from '../../lib/store/status.ts';
import { statusStore } from '../../tools/local/driver.ts';
import {
  LOCAL_ALERT_TOKEN,
  LOCAL_HMAC_SECRET,
  type LocalStack,
  startLocalStack,
} from '../../tools/local/stack.ts';
import { PROJECT, uuidOf } from '../../tools/local/workload.ts';
import { runBin } from '../cli/helpers.ts';

/** One DR pair per scenario, so each call count is its own. */
const DR = {
  approve: uuidOf('approval/approve'),
  deny: uuidOf('approval/deny'),
  recovered: uuidOf('approval/recovered'),
  cancel: uuidOf('approval/cancel'),
  proceed: uuidOf('approval/proceed'),
} as const;

const route = (
  name: string,
  alarm: string,
  dr: string,
  approval?: { timeout: number; onTimeout: 'cancel' | 'proceed'; approvers?: string[] },
) => `
  - name: ${name}
    match: { source: alertmanager, alarm: ${alarm} }
    action: dws.dr.failover
    region: cn-north-4
    project_id: ${PROJECT}
    params: { disaster_recovery_id: ${dr} }
    cooldown_seconds: 3600${
      approval
        ? `
    approval:
      required: true
      timeout_seconds: ${approval.timeout}
      on_timeout: ${approval.onTimeout}${approval.approvers ? `\n      approvers: [${approval.approvers.join(', ')}]` : ''}`
        : ''
    }
`;
const APPROVERS = { timeout: 1800, onTimeout: 'cancel' as const, approvers: ['alice', 'ops-bot'] };
const ROUTES = `routes:${[
  route('approve-alert', 'ApproveAlert', DR.approve, APPROVERS),
  route('deny-alert', 'DenyAlert', DR.deny, APPROVERS),
  route('recovered-alert', 'RecoveredAlert', DR.recovered, APPROVERS),
  // 60 s is the shortest timeout a route may have.
  route('cancel-alert', 'CancelAlert', DR.cancel, { timeout: 60, onTimeout: 'cancel' }),
  route('cancel-attach', 'CancelAttach', DR.cancel, { timeout: 60, onTimeout: 'cancel' }),
  route('cancel-followup', 'CancelFollowUp', DR.cancel),
  route('proceed-alert', 'ProceedAlert', DR.proceed, { timeout: 60, onTimeout: 'proceed' }),
].join('')}`;

interface Notice {
  readonly subject: string;
  readonly message: string;
}

let stack: LocalStack;
let cliEnv: Record<string, string>;
const notices: Notice[] = [];
let collecting = true;
let collector: Promise<void> | undefined;

/** Reads the local notification queue all along (and deletes what it read), as `npm start` does. */
const collect = async () => {
  while (collecting) {
    const { Messages = [] } = await stack.sqs
      .send(
        new ReceiveMessageCommand({
          QueueUrl: stack.urls.notificationQueueUrl,
          WaitTimeSeconds: 1,
          MaxNumberOfMessages: 10,
        }),
      )
      .catch(() => ({ Messages: [] }));
    for (const m of Messages) {
      const note = JSON.parse(m.Body ?? '{}') as { Subject?: string; Message?: string };
      notices.push({ subject: note.Subject ?? '', message: note.Message ?? '' });
    }
    if (Messages.length > 0)
      await stack.sqs
        .send(
          new DeleteMessageBatchCommand({
            QueueUrl: stack.urls.notificationQueueUrl,
            Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })),
          }),
        )
        .catch(() => undefined);
  }
};

beforeAll(async () => {
  const routesFile = join(mkdtempSync(join(tmpdir(), 'dr-relay-approval-')), 'routes.yml');
  writeFileSync(routesFile, ROUTES);
  stack = await startLocalStack({
    env: { DR_ROUTES_FILE: routesFile, DR_SETTINGS_MAX_AGE_SECONDS: '0' },
    // Failovers stay under way: no operation ends in the middle of a scenario.
    simulator: { transitionMs: 600_000 },
  });
  for (const dr of Object.values(DR)) stack.simulator.seed.drPair(PROJECT, dr, { status: 'running' });
  cliEnv = {
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
  collector = collect();
}, 60_000);
afterAll(async () => {
  collecting = false;
  await collector;
  await stack?.stop();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const until = async (what: string, check: () => Promise<boolean> | boolean, timeoutMs = 30_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
};
const recordOf = async (key: string): Promise<StatusRecord | undefined> => statusStore(stack).get(key);
const statusOf = async (key: string) => (await recordOf(key))?.status;
/** Every POST that reached the DR pair (accepted or not): the calls dr-relay made to act on it. */
const calls = (dr: string) =>
  stack.simulator.calls.filter((c) => c.resourceId === dr && c.method === 'POST').length;
const cli = (...args: string[]) => runBin(args, { env: cliEnv });
const noticesFor = (key: string) => notices.filter((n) => n.message.includes(key));

/** One Alertmanager notification with one alert named `name`, firing or resolved. */
const alert = (name: string, options: { resolved?: boolean; startsAt?: string } = {}) => {
  const body = JSON.parse(readFileSync('events/alarms/alertmanager-firing.json', 'utf8'));
  const [first] = body.alerts;
  const startsAt = options.startsAt ?? '2026-12-07T10:00:00Z';
  body.status = options.resolved ? 'resolved' : 'firing';
  body.alerts = [
    {
      ...first,
      status: body.status,
      labels: { ...first.labels, alertname: name },
      startsAt,
      endsAt: options.resolved ? '2026-12-07T10:20:00Z' : '0001-01-01T00:00:00Z',
      fingerprint: undefined,
    },
  ];
  return JSON.stringify(body);
};
/** Posts the alert; returns the request ids the webhook answered with. */
const postAlert = async (name: string, options: { resolved?: boolean; startsAt?: string } = {}) => {
  const response = await fetch(`${stack.urls.api}/v1/alerts/alertmanager`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${LOCAL_ALERT_TOKEN}` },
    body: alert(name, options),
  });
  expect(response.status).toBe(202);
  return ((await response.json()) as { request_ids: string[] }).request_ids;
};
/** Fires the alert and waits until its request awaits approval; returns its request id. */
const proposed = async (name: string): Promise<string> => {
  const [key] = await postAlert(name);
  await until(`${name} to await approval`, async () => (await statusOf(key!)) === 'awaiting_approval');
  return key!;
};
const decisionPath = (key: string) => `/v1/requests/${encodeURIComponent(key)}/approval`;
const postDecision = (key: string, body: string, signature?: string) =>
  fetch(`${stack.urls.api}${decisionPath(key)}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(signature === undefined ? {} : { 'x-dr-signature': signature }),
    },
    body,
  });

describe('a route that asks for approval', () => {
  it('an alert gives awaiting_approval and no call; its re-notifications still none; the approvers are told the exact commands', async () => {
    // Act
    const key = await proposed('ApproveAlert');
    const again = await postAlert('ApproveAlert');
    const third = await postAlert('ApproveAlert');
    await sleep(2_000);

    // Assess
    expect([again, third]).toEqual([[key], [key]]);
    expect(await recordOf(key)).toMatchObject({
      status: 'awaiting_approval',
      action: 'dws.dr.failover',
      target: `dws:${PROJECT}/${DR.approve}`,
      approval: {
        on_timeout: 'cancel',
        approvers: ['alice', 'ops-bot'],
        route: 'approve-alert',
        alarm: 'alertmanager ApproveAlert (alarm)',
      },
    });
    expect(calls(DR.approve)).toBe(0);
    await until('the approval request notice', () => noticesFor(key).length > 0);
    const [notice] = noticesFor(key);
    expect(notice!.subject).toBe('dr-relay: Approval requested: dws.dr.failover, route approve-alert');
    const lines = notice!.message.split('\n');
    expect(lines).toEqual([
      `Approval requested: dws.dr.failover on dws:${PROJECT}/${DR.approve}.`,
      `would call: POST ${stack.simulator.url}/v2/${PROJECT}/disaster-recovery/${DR.approve}/failover`,
      'target now: the preflight allows it now',
      'route: approve-alert; alarm: alertmanager ApproveAlert (alarm)',
      expect.stringMatching(/^deadline: \S+Z; then: it is cancelled \(on_timeout: cancel\)$/),
      `approve: npx dr-relay approve ${key} --by <name> [--reason "…"]`,
      `deny:    npx dr-relay deny ${key} --by <name> --reason "…"`,
    ]);
  }, 60_000);

  it('an unsigned or wrongly signed approval is refused (401) and changes nothing', async () => {
    // Prepare
    const [key] = await postAlert('ApproveAlert');
    const before = await recordOf(key!);
    const body = JSON.stringify({ decision: 'approve', by: 'alice' });
    const t = Math.floor(Date.now() / 1000);

    // Act
    const unsigned = await postDecision(key!, body);
    const wrongSecret = await postDecision(
      key!,
      body,
      signatureHeader('not-the-secret', body, t, { method: 'POST', path: decisionPath(key!) }),
    );
    const otherRequest = await postDecision(
      key!,
      body,
      signatureHeader(LOCAL_HMAC_SECRET, body, t, { method: 'POST', path: decisionPath('another-request') }),
    );
    await sleep(1_500);

    // Assess
    expect([unsigned.status, wrongSecret.status, otherRequest.status]).toEqual([401, 401, 401]);
    expect(await recordOf(key!)).toEqual(before);
    expect(calls(DR.approve)).toBe(0);
  }, 30_000);

  it('approve (CLI) gives exactly one failover; a second approve answers that it was already decided', async () => {
    // Prepare
    const [key] = await postAlert('ApproveAlert');

    // Act
    const approved = await cli('approve', key!, '--by', 'alice', '--reason', 'primary confirmed down');
    await until('the failover', async () => (await statusOf(key!)) === 'succeeded');
    const second = await cli('approve', key!, '--by', 'ops-bot');
    const status = await cli('status', key!);
    await sleep(2_000);

    // Assess
    expect(approved.code).toBe(0);
    expect(approved.stdout).toMatch(/^recorded: approve by alice at \S+ via cli: primary confirmed down$/m);
    expect(second.code).toBe(1);
    expect(second.stdout).toContain('already decided: approve by alice');
    expect(calls(DR.approve)).toBe(1);
    expect(stack.simulator.drPair(PROJECT, DR.approve)?.['status']).not.toBe('running');
    expect(status.stdout).toMatch(/^status +succeeded$/m);
    expect(status.stdout).toMatch(/^decision +approve by alice at \S+ via cli: primary confirmed down$/m);
    await until('the decided notice', () => noticesFor(key!).length >= 2);
    expect(noticesFor(key!).map((n) => n.message.split('\n')[0])).toEqual([
      `Approval requested: dws.dr.failover on dws:${PROJECT}/${DR.approve}.`,
      `Approval approved: dws.dr.failover on dws:${PROJECT}/${DR.approve}.`,
    ]);
    expect(noticesFor(key!)[1]!.message).toMatch(
      /^decision: approve by alice at \S+ via cli \(primary confirmed down\)$/m,
    );
  }, 60_000);

  it('deny gives no call; a resolution before it is noted on the request and cancels nothing', async () => {
    // Prepare
    const key = await proposed('DenyAlert');

    // Act
    await postAlert('DenyAlert', { resolved: true });
    await until(
      'the resolution noted',
      async () => (await recordOf(key))?.approval?.resolved_at !== undefined,
    );
    const stillPending = await statusOf(key);
    const denied = await cli('deny', key, '--by', 'ops-bot', '--reason', 'the probe flapped');
    await until('the denied notice', () => noticesFor(key).length >= 2);
    await sleep(2_000);

    // Assess
    expect(stillPending).toBe('awaiting_approval');
    expect(denied.code).toBe(0);
    expect(await recordOf(key)).toMatchObject({
      status: 'skipped',
      reason: 'denied by ops-bot: the probe flapped',
      approval: {
        resolved_at: '2026-12-07T10:20:00.000Z',
        decision: { decision: 'deny', by: 'ops-bot', reason: 'the probe flapped', via: 'cli' },
      },
    });
    expect(calls(DR.deny)).toBe(0);
    expect(noticesFor(key).map((n) => n.message.split('\n')[0])).toEqual([
      `Approval requested: dws.dr.failover on dws:${PROJECT}/${DR.deny}.`,
      `Approval denied: dws.dr.failover on dws:${PROJECT}/${DR.deny}.`,
    ]);
  }, 60_000);

  it('an approval after the DR pair went to a status that does not allow failover is skipped with that status (API)', async () => {
    // Prepare
    const key = await proposed('RecoveredAlert');
    stack.simulator.seed.drPair(PROJECT, DR.recovered, { status: 'unstart' });
    const body = JSON.stringify({ decision: 'approve', by: 'alice' });

    // Act
    const answer = await postDecision(
      key,
      body,
      signatureHeader(LOCAL_HMAC_SECRET, body, Math.floor(Date.now() / 1000), {
        method: 'POST',
        path: decisionPath(key),
      }),
    );
    await until('the approved request to end', async () => (await statusOf(key)) === 'skipped');

    // Assess
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({
      status: 'queued',
      approval: { decision: { decision: 'approve', by: 'alice', via: 'api' } },
    });
    expect((await recordOf(key))?.reason).toMatch(/^DR status is unstart; failover is allowed only from /);
    expect(calls(DR.recovered)).toBe(0);
  }, 60_000);
});

describe('the timer (a 60 s timeout, the shortest a route may have)', () => {
  it('cancel: no call and the target given back (an alarm during the wait attached); proceed: exactly one call', async () => {
    // Prepare
    const cancelKey = await proposed('CancelAlert');
    const proceedKey = await proposed('ProceedAlert');
    const [attachedKey] = await postAlert('CancelAttach');
    await until(
      'the other alarm on the target to attach',
      async () => (await statusOf(attachedKey!)) === 'skipped',
    );

    // Act: the deadline passes; the delayed timer message decides
    await until(
      'both timeouts',
      async () => (await statusOf(cancelKey)) === 'skipped' && (await statusOf(proceedKey)) === 'succeeded',
      120_000,
    );
    const [followUp] = await postAlert('CancelFollowUp');
    await until('the follow-up alarm to act', async () => (await statusOf(followUp!)) === 'succeeded');
    await sleep(2_000);

    // Assess
    expect(await recordOf(attachedKey!)).toMatchObject({
      reason: `attached to the pending request ${cancelKey} on the same target`,
    });
    expect(await recordOf(cancelKey)).toMatchObject({
      reason: 'approval timed out (on_timeout: cancel)',
      approval: { attached: [attachedKey], decision: { decision: 'cancel', by: 'timeout', via: 'timer' } },
    });
    expect(await recordOf(proceedKey)).toMatchObject({
      approval: { decision: { decision: 'approve', by: 'timeout', via: 'timer' } },
    });
    expect(calls(DR.proceed)).toBe(1);
    // The one call on the cancelled route's pair is the follow-up's, made after the target was given back.
    expect(calls(DR.cancel)).toBe(1);
    expect(noticesFor(cancelKey).map((n) => n.message.split('\n')[0])).toEqual([
      `Approval requested: dws.dr.failover on dws:${PROJECT}/${DR.cancel}.`,
      `Approval cancelled: dws.dr.failover on dws:${PROJECT}/${DR.cancel}.`,
    ]);
    expect(noticesFor(proceedKey).map((n) => n.message.split('\n')[0])).toEqual([
      `Approval requested: dws.dr.failover on dws:${PROJECT}/${DR.proceed}.`,
      `Approval approved: dws.dr.failover on dws:${PROJECT}/${DR.proceed}.`,
    ]);
  }, 180_000);
});
