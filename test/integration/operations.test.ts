/**
 * Every operation followed to its end, on the local stack (dynalite, fauxqs, the Huawei simulator,
 * handlers/requests.ts driven like Lambda's SQS event source mapping), with simulator operations
 * that take seconds and checks 1 s then every 2 s (DR_OPERATION_CHECK_BASE_SECONDS,
 * DR_OPERATION_CHECK_MAX_SECONDS) and a time limit of LIMIT_SECONDS for every action
 * (DR_OPERATION_TIME_LIMIT_SECONDS):
 *   - each action of the catalogue reaches `operation.state = completed` (recovery after a failover);
 *   - a DCS restore whose record ends `failed` and a CSBS item that ends `error` reach `failed`, with
 *     the provider's error in the record and in the notification;
 *   - a restore that never ends reaches `stalled`;
 *   - the request handler stopped for a while with checks pending loses nothing;
 *   - `dr-relay status --wait` (the real binary, through the local HTTP API) exits 0 / 1 / 3;
 *   - each request id is told once per event on the operations topic (read through the local
 *     notification queue, as `npm start` reads it).
 */
import { DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ActionRequest, idempotencyKey } from '../../lib/actions/request.ts';
import type { OperationRecord, StatusRecord } from '../../lib/store/status.ts';
import { queueDepth, sendBodies, statusStore } from '../../tools/local/driver.ts';
import { LOCAL_HMAC_SECRET, type LocalStack, startLocalStack } from '../../tools/local/stack.ts';
import { PROJECT, requestFor, seedFor, uuidOf } from '../../tools/local/workload.ts';
import { runBin } from '../cli/helpers.ts';

const LIMIT_SECONDS = 10;
/** The ends of an operation (`stalled` is not one: a stalled operation can still end). */
const ENDED = ['completed', 'failed'] as const;

interface Notice {
  readonly subject: string;
  readonly message: string;
  /** completed | failed | stalled, from the first line; undefined for another notification. */
  readonly event?: string;
  readonly requestId?: string;
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
      const message = note.Message ?? '';
      const event = /^\S+ on \S+ (completed|failed|stalled) after /.exec(message)?.[1];
      const requestId = /^request: (\S+)/m.exec(message)?.[1];
      notices.push({
        subject: note.Subject ?? '',
        message,
        ...(event ? { event } : {}),
        ...(requestId ? { requestId } : {}),
      });
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
  stack = await startLocalStack({
    concurrency: 2,
    visibilityTimeoutSeconds: 10,
    env: {
      DR_OPERATION_CHECK_BASE_SECONDS: '1',
      DR_OPERATION_CHECK_MAX_SECONDS: '2',
      DR_OPERATION_TIME_LIMIT_SECONDS: String(LIMIT_SECONDS),
    },
    simulator: { transitionMs: 1500, restoreMs: 2000, seed: 7 },
  });
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
}, 30_000);
afterAll(async () => {
  collecting = false;
  await collector;
  await stack?.stop();
});

const send = (...requests: ActionRequest[]) =>
  sendBodies(
    stack.sqs,
    stack.urls.requestQueueUrl,
    requests.map((r) => JSON.stringify(r)),
  );

/** Waits until the request's operation is in one of `states`; returns its record. */
const operationIn = async (
  request: ActionRequest,
  states: readonly OperationRecord['state'][],
  timeoutMs = 30_000,
): Promise<StatusRecord & { operation: OperationRecord }> => {
  const store = statusStore(stack);
  const key = idempotencyKey(request);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const record = await store.get(key);
    if (record?.operation && states.includes(record.operation.state))
      return record as StatusRecord & { operation: OperationRecord };
    if (Date.now() > deadline)
      throw new Error(
        `${request.action} ${key}: ${record?.status ?? 'no record'}, operation ${JSON.stringify(record?.operation)} after ${timeoutMs} ms; wanted ${states.join(' | ')}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
};

const noticesOf = (request: ActionRequest, event?: string) =>
  notices.filter(
    (n) => n.requestId === idempotencyKey(request) && (event === undefined || n.event === event),
  );

/** Waits for the request's notice of `event` (the record is written before the notice is sent). */
const noticeOf = async (request: ActionRequest, event: string, timeoutMs = 10_000): Promise<Notice> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = noticesOf(request, event)[0];
    if (found) return found;
    if (Date.now() > deadline)
      throw new Error(
        `no ${event} notice for ${idempotencyKey(request)}; got:\n${notices.map((n) => n.message).join('\n---\n')}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
};

const seconds = (operation: OperationRecord) =>
  (Date.parse(operation.finished_at ?? operation.checked_at) - Date.parse(operation.started_at)) / 1000;

const dcs = (label: string): ActionRequest => ({
  action: 'dcs.restore',
  region: 'cn-north-4',
  project_id: PROJECT,
  request_id: `ops-${label}`,
  params: { instance_id: uuidOf(`ops/${label}/instance`), backup_id: uuidOf(`ops/${label}/backup`) },
});

const csbs = (label: string): ActionRequest => ({
  action: 'csbs.restore',
  region: 'cn-north-4',
  project_id: PROJECT,
  request_id: `ops-${label}`,
  params: {
    checkpoint_id: uuidOf(`ops/${label}/checkpoint`),
    parameters: {
      checkpoint_item_id: uuidOf(`ops/${label}/item`),
      power_on: true,
      targets: {
        server_id: uuidOf(`ops/${label}/server`),
        volumes: [{ backup_id: uuidOf(`ops/${label}/vb`), volume_id: uuidOf(`ops/${label}/volume`) }],
      },
    },
  },
});

/** How long each action took, accepted to completed (the status record's times), for the report. */
const timings: Record<string, number> = {};

describe('each action reaches completed', () => {
  // dws.dr.start, dws.dr.failover, csbs.restore, dcs.restore, (dws.dr.failover), cbr.restore
  const requests = [0, 1, 2, 3, 5].map((n) => requestFor('ops', n));
  const failover = requests[1]!;
  const recovery: ActionRequest = {
    action: 'dws.dr.recovery',
    region: failover.region,
    project_id: failover.project_id,
    request_id: 'ops-recovery',
    params: {
      disaster_recovery_id: (failover.params as { disaster_recovery_id: string }).disaster_recovery_id,
    },
  };

  it('start, failover, CSBS, DCS and CBR restores: completed, told once each; then recovery of the pair that failed over', async () => {
    // Prepare
    for (const request of requests) seedFor(stack.simulator, request);

    // Act: every request sent twice (a duplicate delivery: one call, one operation, one notice).
    await send(...requests, ...requests);
    const ends = await Promise.all(requests.map((r) => operationIn(r, ENDED)));
    await send(recovery);
    const recovered = await operationIn(recovery, ENDED);

    // Assess
    for (const [i, record] of [...ends, recovered].entries()) {
      const request = [...requests, recovery][i]!;
      expect(record.operation.state, `${request.action}: ${record.operation.observed}`).toBe('completed');
      expect(record.operation.finished_at).toBeDefined();
      expect(record.operation.error).toBeUndefined();
      timings[request.action] = seconds(record.operation);
      const notice = await noticeOf(request, 'completed');
      expect(notice.message).toMatch(
        new RegExp(`^${request.action.replaceAll('.', '\\.')} on ${record.target} completed after \\d+s`),
      );
    }
    expect(recovered.operation.observed).toContain('was stopped');
    expect(stack.simulator.drPair(PROJECT, recovery.params.disaster_recovery_id as string)).toMatchObject({
      status: 'running',
    });
    console.log(
      `accepted -> completed on the local stack (checks after 1 s, then every 2 s): ${Object.entries(timings)
        .map(([action, s]) => `${action} ${s.toFixed(1)} s`)
        .join(', ')}`,
    );
  }, 60_000);
});

describe('operations that fail or never end', () => {
  it('a DCS restore whose record ends failed, and a CSBS item that ends in error: failed, with the provider error in the record and the notice', async () => {
    // Prepare
    const badDcs = dcs('dcs-fails');
    const badCsbs = csbs('csbs-fails');
    seedFor(stack.simulator, badDcs);
    stack.simulator.seed.dcsInstance(PROJECT, (badDcs.params as { instance_id: string }).instance_id, {
      restoreFails: 'dcs.08.0007',
    });
    const item = badCsbs.params as {
      checkpoint_id: string;
      parameters: { checkpoint_item_id: string; targets: { server_id: string } };
    };
    stack.simulator.seed.csbsCheckpointItem(PROJECT, item.parameters.checkpoint_item_id, {
      checkpointId: item.checkpoint_id,
      serverId: item.parameters.targets.server_id,
      restoreFails: true,
    });

    // Act
    await send(badDcs, badCsbs);
    const [dcsEnd, csbsEnd] = await Promise.all([operationIn(badDcs, ENDED), operationIn(badCsbs, ENDED)]);
    const [dcsNotice, csbsNotice] = await Promise.all([
      noticeOf(badDcs, 'failed'),
      noticeOf(badCsbs, 'failed'),
    ]);

    // Assess
    expect(dcsEnd.status).toBe('succeeded');
    expect(dcsEnd.operation).toMatchObject({
      state: 'failed',
      error: 'DCS restore failed: dcs.08.0007',
      observed: expect.stringMatching(/ is failed$/),
    });
    expect(dcsNotice.message).toContain('error: DCS restore failed: dcs.08.0007');
    expect(dcsNotice.message).toContain('docs/operations.md#a-failed-operation');
    expect(dcsNotice.subject).toMatch(/^dr-relay: dcs\.restore failed \(\d+s\)$/);
    expect(csbsEnd.operation).toMatchObject({
      state: 'failed',
      observed: 'checkpoint item is error',
      error: 'checkpoint item status error',
    });
    expect(csbsNotice.message).toContain('error: checkpoint item status error');
    expect(csbsNotice.message).toContain(`request: ops-csbs-fails (npx dr-relay status ops-csbs-fails)`);
  }, 40_000);

  it(`a restore that never ends: stalled past the time limit (${LIMIT_SECONDS} s), told once, still checked`, async () => {
    // Prepare
    const hung = dcs('never-ends');
    stack.simulator.seed.dcsInstance(PROJECT, (hung.params as { instance_id: string }).instance_id, {
      restoreMs: Number.POSITIVE_INFINITY,
    });

    // Act
    await send(hung);
    const running = await operationIn(hung, ['running']);
    const stalled = await operationIn(hung, ['stalled', 'completed', 'failed'], 30_000);
    const notice = await noticeOf(hung, 'stalled');
    await new Promise((resolve) => setTimeout(resolve, 4500));
    const later = await operationIn(hung, ['stalled']);

    // Assess
    expect(running.operation.state).toBe('running');
    expect(stalled.operation.state).toBe('stalled');
    expect(seconds(stalled.operation)).toBeGreaterThan(LIMIT_SECONDS);
    expect(stalled.operation.finished_at).toBeUndefined();
    expect(stalled.operation.observed).toMatch(/ is restoring$/);
    expect(notice.message).toContain('docs/operations.md#a-stalled-operation');
    expect(later.operation.checks).toBeGreaterThan(stalled.operation.checks);
    expect(later.operation.abandoned).toBeUndefined();
    expect(noticesOf(hung, 'stalled')).toHaveLength(1);
  }, 45_000);
});

describe('the request handler stopped while checks are pending', () => {
  it('loses nothing: the checks wait on the queue, the operations end meanwhile, and each is still seen ended and told once', async () => {
    // Prepare: restores of 6 s, so they are still running when the handler stops.
    const requests = [dcs('paused-1'), dcs('paused-2'), csbs('paused-3')];
    for (const request of requests.slice(0, 2))
      stack.simulator.seed.dcsInstance(PROJECT, (request.params as { instance_id: string }).instance_id, {
        restoreMs: 6000,
      });
    const item = requests[2]!.params as {
      checkpoint_id: string;
      parameters: { checkpoint_item_id: string; targets: { server_id: string } };
    };
    stack.simulator.seed.csbsCheckpointItem(PROJECT, item.parameters.checkpoint_item_id, {
      checkpointId: item.checkpoint_id,
      serverId: item.parameters.targets.server_id,
      restoreMs: 6000,
    });
    await send(...requests);
    await Promise.all(requests.map((r) => operationIn(r, ['running'])));

    // Act: no handler for 8 s; the restores end meanwhile, their checks wait on the queue.
    await stack.poller.stop();
    const pending = await queueDepth(stack.sqs, stack.urls.requestQueueUrl);
    await new Promise((resolve) => setTimeout(resolve, 8000));
    const meanwhile = await Promise.all(requests.map((r) => statusStore(stack).get(idempotencyKey(r))));
    stack.poller.start();
    const ends = await Promise.all(requests.map((r) => operationIn(r, ENDED)));

    // Assess
    expect(pending).toBeGreaterThanOrEqual(requests.length);
    expect(meanwhile.map((r) => r?.operation?.state)).toEqual(['running', 'running', 'running']);
    expect(ends.map((r) => r.operation.state)).toEqual(['completed', 'completed', 'completed']);
    for (const request of requests) await noticeOf(request, 'completed');
  }, 45_000);
});

describe('dr-relay status --wait', () => {
  it('exits 0 for an operation that completes, 1 for one that fails, 3 for one that stalls or a wait that times out', async () => {
    // Prepare
    const good = dcs('wait-completes');
    const bad = dcs('wait-fails');
    const hung = dcs('wait-stalls');
    seedFor(stack.simulator, good);
    stack.simulator.seed.dcsInstance(PROJECT, (bad.params as { instance_id: string }).instance_id, {
      restoreFails: true,
    });
    stack.simulator.seed.dcsInstance(PROJECT, (hung.params as { instance_id: string }).instance_id, {
      restoreMs: Number.POSITIVE_INFINITY,
    });
    await send(good, bad, hung);

    // Act
    const wait = (id: string, ...extra: string[]) =>
      runBin(['status', id, '--wait', '--timeout', '60s', ...extra], { env: cliEnv });
    const [completed, failed, stalled, timedOut] = await Promise.all([
      wait('ops-wait-completes'),
      wait('ops-wait-fails'),
      wait('ops-wait-stalls', '--json'),
      runBin(['status', 'ops-wait-stalls', '--wait', '--timeout', '2s'], { env: cliEnv }),
    ]);

    // Assess
    expect(completed.code, completed.stderr).toBe(0);
    expect(completed.stdout).toMatch(/^operation +completed after \d+s$/m);
    expect(completed.stdout).toMatch(/^progress +100\.00%$/m);
    expect(completed.stdout.match(/^request_id/gm)).toHaveLength(1);
    expect(failed.code, failed.stderr).toBe(1);
    expect(failed.stdout).toMatch(/^op_error +DCS restore failed: dcs\.08\.0002$/m);
    expect(failed.stderr).toContain('docs/operations.md#a-failed-operation');
    expect(stalled.code, stalled.stderr).toBe(3);
    expect(JSON.parse(stalled.stdout)).toMatchObject({
      found: true,
      from: 'api',
      request_id: 'ops-wait-stalls',
      status: 'succeeded',
      operation: { state: 'stalled', observed: expect.stringMatching(/ is restoring$/) },
      wait: { outcome: 'stalled' },
    });
    expect(JSON.parse(stalled.stdout).operation).not.toHaveProperty('checks');
    expect(timedOut.code).toBe(3);
    expect(timedOut.stderr).toContain('dr-relay: timed out after 2s');
  }, 60_000);
});

describe('notifications', () => {
  it('each request id is told once per event: no duplicate notice', async () => {
    // Prepare: time for any late duplicate to arrive.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const operationNotices = notices.filter((n) => n.event !== undefined);

    // Act
    const counts = new Map<string, number>();
    for (const n of operationNotices) {
      const key = `${n.requestId} ${n.event}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }

    // Assess
    expect(operationNotices.length).toBeGreaterThanOrEqual(15);
    expect([...counts].filter(([, n]) => n !== 1)).toEqual([]);
    expect(operationNotices.every((n) => n.requestId !== undefined)).toBe(true);
  }, 20_000);
});
