/**
 * `dr-relay status` and the operation: the operation's rows (state and how long, observed,
 * progress, the provider's error, times), and `--wait`: reading until the operation ends (a small
 * HTTP server answers a scripted sequence of statuses, signed reads checked with
 * lib/http/signature.ts), quiet without a terminal, a live line on one, the exit codes (0 completed,
 * 1 failed or dead-lettered, 3 stalled, skipped or timed out), the tolerance of a failing read or a
 * request not known yet, `--table --wait`, and the usage errors.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { operationHeadline, statusLines } from '../../cli/status.ts';
import { durationText, endOf, liveLine, parseDuration } from '../../cli/wait.ts';
import { verifySignature } from '../../lib/http/signature.ts';
import { runIn, runInTerminal, STAGE_ENV } from './inProcess.ts';

const SECRET = 'test-hmac-secret-wait-0123456789';
const dynamo = mockClient(DynamoDBClient);

/** What the fake API answers, read by read (the last one repeats). */
let script: { status: number; body: unknown }[] = [];
let reads = 0;
let unsigned = 0;
let server: Server;
let api = '';

beforeAll(async () => {
  server = createServer((request, response) => {
    const signed = verifySignature(
      request.headers['x-dr-signature'] as string | undefined,
      '',
      [SECRET],
      Math.floor(Date.now() / 1000),
      undefined,
      { method: request.method ?? '', path: (request.url ?? '').split('?')[0] ?? '', v1: false },
    ).ok;
    if (!signed) unsigned += 1;
    const reply = script[Math.min(reads, script.length - 1)] ?? { status: 500, body: {} };
    reads += 1;
    response.writeHead(reply.status, { 'content-type': 'application/json' }).end(JSON.stringify(reply.body));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  script = [];
  reads = 0;
  unsigned = 0;
  dynamo.reset();
});

const env = () => ({ ...STAGE_ENV, DR_API_URL: api, WEBHOOK_HMAC_SECRETS: SECRET });
const FAST = ['--interval', '50ms'];

const TARGET = 'dcs:89cd04f168b84af6be287f71730fdb4b/3f1a2b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b';
const base = {
  request_id: 'ops-1',
  action: 'dcs.restore',
  target: TARGET,
  status: 'succeeded',
  attempts: 1,
  remote: { restore_id: 'r-1' },
  updated_at: '2026-11-23T17:12:40.000Z',
};
const STARTED = '2026-11-23T17:12:30.000Z';
const running = (progress = '45.00') => ({
  ...base,
  operation: {
    state: 'running',
    observed: 'restore record is restoring',
    progress,
    started_at: STARTED,
    checked_at: '2026-11-23T17:12:35.000Z',
  },
});
const ended = (state: 'completed' | 'failed', extra: Record<string, string> = {}) => ({
  ...base,
  operation: {
    state,
    observed: state === 'completed' ? 'restore record is succeed' : 'restore record is failed',
    progress: state === 'completed' ? '100.00' : '45.00',
    ...extra,
    started_at: STARTED,
    checked_at: '2026-11-23T17:12:42.000Z',
    finished_at: '2026-11-23T17:12:42.000Z',
  },
});
const stalled = () => ({
  ...base,
  operation: {
    state: 'stalled',
    observed: 'restore record is restoring',
    progress: '0.00',
    started_at: STARTED,
    checked_at: '2026-11-23T18:15:00.000Z',
  },
});
const ok = (body: unknown) => ({ status: 200, body });
const NOT_FOUND = {
  status: 404,
  body: { title: 'Not Found', status: 404, detail: 'no request with this id' },
};

describe('status: the operation', () => {
  it('shows the operation after the request: state and how long, observed, progress, error, times', async () => {
    // Prepare
    script = [ok(ended('failed', { error: 'dcs.08.0002' }))];

    // Act
    const run = await runIn(['status', 'ops-1'], env());

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      [
        'request_id   ops-1',
        'action       dcs.restore',
        `target       ${TARGET}`,
        'status       succeeded',
        'attempts     1',
        'remote       restore_id=r-1',
        'operation    failed after 12s',
        'observed     restore record is failed',
        'progress     45.00%',
        'op_error     dcs.08.0002',
        `started_at   ${STARTED}`,
        'finished_at  2026-11-23T17:12:42.000Z',
        'updated_at   2026-11-23T17:12:40.000Z',
        '',
      ].join('\n'),
    );
    expect(unsigned).toBe(0);
  });

  it('an operation not finished: how long so far, and when it was last checked', () => {
    // Prepare
    const now = Date.parse('2026-11-23T17:13:35.000Z');

    // Act
    const lines = statusLines(running('12.50'), now);
    const stalledLine = operationHeadline(stalled().operation, Date.parse('2026-11-23T18:15:30.000Z'));

    // Assess
    expect(lines).toContain('operation   running for 1m05s');
    expect(lines).toContain('progress    12.50%');
    expect(lines).toContain('checked_at  2026-11-23T17:12:35.000Z');
    expect(lines.some((l) => l.startsWith('finished_at'))).toBe(false);
    expect(stalledLine).toBe('stalled: not done after 1h03m');
  });

  it('--json carries the operation object as the API gives it', async () => {
    // Prepare
    script = [ok(ended('completed'))];

    // Act
    const run = await runIn(['status', 'ops-1', '--json'], env());

    // Assess
    expect(JSON.parse(run.stdout)).toEqual({ found: true, from: 'api', ...ended('completed') });
  });
});

describe('status --wait', () => {
  it('reads until the operation completes: exit 0, only the final view printed when stdout is not a terminal', async () => {
    // Prepare
    script = [
      ok({ ...base, status: 'queued', operation: undefined }),
      ok(running()),
      ok(running('80.00')),
      ok(ended('completed')),
    ];

    // Act
    const run = await runIn(['status', 'ops-1', '--wait', ...FAST], env());

    // Assess
    expect(run.code).toBe(0);
    expect(reads).toBe(4);
    expect(run.stdout).toMatch(/^operation +completed after 12s$/m);
    expect(run.stdout).toMatch(/^progress +100\.00%$/m);
    expect(run.stdout.match(/^request_id/gm)).toHaveLength(1);
    expect(run.stderr).toBe('');
    expect(unsigned).toBe(0);
  });

  it('on a terminal, draws a live line while it waits and clears it before the final view', async () => {
    // Prepare
    script = [ok({ ...base, status: 'in_progress', attempts: 1 }), ok(running()), ok(ended('completed'))];

    // Act
    const run = await runInTerminal(['status', 'ops-1', '--wait', ...FAST], env());

    // Assess
    expect(run.code).toBe(0);
    expect(run.live).toHaveLength(3);
    expect(run.live[0]).toMatch(/^dcs\.restore: in_progress \(attempt 1\) \(timeout in (29m5\ds|30m00s)\)$/);
    expect(run.live[1]).toMatch(
      /^dcs\.restore: running for \S+, 45\.00%: restore record is restoring \(timeout in (29m5\ds|30m00s)\)$/,
    );
    expect(run.live.at(-1)).toBe('');
    expect(run.stdout).toMatch(/^operation +completed after 12s$/m);
  });

  it.each([
    [
      'failed: exit 1',
      () => ended('failed', { error: 'dcs.08.0002' }),
      1,
      'docs/operations.md#a-failed-operation',
    ],
    ['stalled: exit 3', stalled, 3, 'docs/operations.md#a-stalled-operation'],
    ['dead-lettered: exit 1', () => ({ ...base, status: 'dead_lettered' }), 1, 'its call was never accepted'],
    [
      'skipped: exit 3',
      () => ({ ...base, status: 'skipped', reason: 'DR status is running' }),
      3,
      'nothing was done',
    ],
  ])('ends %s, and says so on stderr', async (_name, body, code, note) => {
    // Prepare
    script = [ok(running()), ok(body())];

    // Act
    const run = await runIn(['status', 'ops-1', '--wait', ...FAST], env());

    // Assess
    expect(run.code).toBe(code);
    expect(run.stderr).toContain(note);
    expect(run.stdout).toMatch(/^request_id +ops-1$/m);
  });

  it('times out while the operation runs: exit 3, the last view, and --json says timed_out', async () => {
    // Prepare
    script = [ok(running())];

    // Act
    const run = await runIn(['status', 'ops-1', '--wait', '--timeout', '1s', ...FAST], env());
    const json = await runIn(['status', 'ops-1', '--wait', '--timeout', '1s', '--json', ...FAST], env());

    // Assess
    expect(run.code).toBe(3);
    expect(run.stdout).toMatch(/^operation +running for /m);
    expect(run.stderr).toMatch(/^dr-relay: timed out after 1s; the operation may still end/m);
    expect(json.code).toBe(3);
    expect(JSON.parse(json.stdout)).toMatchObject({
      found: true,
      from: 'api',
      status: 'succeeded',
      operation: { state: 'running' },
      wait: { outcome: 'timed_out', seconds: 1 },
    });
  });

  it('an operation that already ended: one read, at once', async () => {
    // Prepare
    script = [ok(ended('completed'))];

    // Act
    const run = await runIn(['status', 'ops-1', '--wait', '--json'], env());

    // Assess
    expect(run.code).toBe(0);
    expect(reads).toBe(1);
    expect(JSON.parse(run.stdout).wait).toEqual({ outcome: 'completed', seconds: 0 });
  });

  it('tolerates a few failing reads (a blip) and a request not known yet (sent to the queue, not picked up)', async () => {
    // Prepare
    const blip = { status: 503, body: { title: 'Service Unavailable', status: 503 } };
    script = [NOT_FOUND, NOT_FOUND, ok(running()), blip, blip, ok(ended('completed'))];

    // Act
    const run = await runIn(['status', 'ops-1', '--wait', ...FAST], env());

    // Assess
    expect(run.code).toBe(0);
    expect(reads).toBe(6);
  });

  it('gives up on reads that keep failing (exit 1), on a request that stays unknown (exit 1), and waits on no refused first read', async () => {
    // Prepare
    const refused = { status: 401, body: { title: 'Unauthorized', status: 401, detail: 'no' } };
    script = [ok(running()), refused];

    // Act
    const failing = await runIn(['status', 'ops-1', '--wait', ...FAST], env());
    const failingReads = reads;
    reads = 0;
    script = [NOT_FOUND];
    const unknown = await runIn(['status', 'ops-9', '--wait', '--timeout', '1s', ...FAST], env());
    reads = 0;
    script = [refused];
    const first = await runIn(['status', 'ops-1', '--wait', ...FAST], env());

    // Assess
    expect(failing.code).toBe(1);
    expect(failingReads).toBe(6);
    expect(failing.stdout).toContain('HTTP 401 Unauthorized: no');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('dr-relay: unknown request ops-9');
    expect(first.code).toBe(1);
    expect(reads).toBe(1);
  });

  it('--table --wait reads the record until its operation ends, shown without the tracker bookkeeping', async () => {
    // Prepare
    const item = (operation: Record<string, unknown>) => ({
      Item: marshall({
        id: 'req#ops-1',
        ...base,
        created_at: '2026-11-23T17:12:29.000Z',
        call: { state: 'answered', sent_at: '2026-11-23T17:12:30.000Z' },
        operation: { ...operation, checks: 3, seen_running: true, notified_end: true },
      }),
    });
    dynamo
      .on(GetItemCommand)
      .resolvesOnce(item(running().operation))
      .resolves(item(ended('completed').operation));

    // Act
    const run = await runIn(['status', 'ops-1', '--table', '--wait', '--json', ...FAST], env());

    // Assess
    expect(run.code).toBe(0);
    expect(dynamo.commandCalls(GetItemCommand)).toHaveLength(2);
    const shown = JSON.parse(run.stdout);
    expect(shown.operation).toEqual(ended('completed').operation);
    expect(shown.wait.outcome).toBe('completed');
    expect(shown.call).toBeUndefined();
  });

  it('usage errors (exit 2): --timeout or --interval without --wait, a timeout that is not a duration', async () => {
    // Act
    const noWait = await runIn(['status', 'ops-1', '--timeout', '5m'], env());
    const bad = await runIn(['status', 'ops-1', '--wait', '--timeout', 'soon'], env());
    const tiny = await runIn(['status', 'ops-1', '--wait', '--interval', '1ms'], env());

    // Assess
    expect(noWait.code).toBe(2);
    expect(noWait.stderr).toContain('--timeout and --interval go with --wait');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--timeout must be a duration such as 30m, 90s or 1h');
    expect(tiny.code).toBe(2);
    expect(reads).toBe(0);
  });

  it('status --help documents --wait and its exit codes', async () => {
    // Act
    const run = await runIn(['status', '--help'], env());

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      'usage: dr-relay status <request_id> [--table] [--json] [--wait [--timeout 30m]]',
    );
    expect(run.stdout).toContain('exit codes with --wait: 0 the operation completed; 1 it failed');
    expect(run.stdout).toContain('3 it stalled (past its time limit)');
  });
});

describe('wait: durations, ends and the live line', () => {
  it('parses 30m, 90s, 1h, 500ms, 1.5h and bare seconds; refuses the rest', () => {
    expect(parseDuration('30m')).toBe(1_800_000);
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('1h')).toBe(3_600_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('1.5h')).toBe(5_400_000);
    expect(parseDuration('45')).toBe(45_000);
    for (const bad of ['', 'soon', '-5s', '0', '5 d', '1d', 'm'])
      expect(parseDuration(bad), bad).toBeUndefined();
  });

  it('writes durations as 12s, 4m05s, 1h02m', () => {
    expect(durationText(12_900)).toBe('12s');
    expect(durationText(245_000)).toBe('4m05s');
    expect(durationText(3_720_000)).toBe('1h02m');
  });

  it('an end is the operation’s completed, failed or stalled, or a request dead-lettered or skipped', () => {
    expect(endOf(running())).toBeUndefined();
    expect(endOf({ ...base, status: 'queued' })).toBeUndefined();
    expect(endOf({ ...base, status: 'failed' })).toBeUndefined();
    expect(endOf(base)).toBeUndefined();
    expect(endOf(ended('completed'))).toBe('completed');
    expect(endOf(stalled())).toBe('stalled');
    expect(endOf({ ...base, status: 'dead_lettered' })).toBe('dead_lettered');
  });

  it('the live line names the action, where it stands and the time left', () => {
    const now = Date.parse('2026-11-23T17:12:42.000Z');
    expect(liveLine(running(), now, 61_000)).toBe(
      'dcs.restore: running for 12s, 45.00%: restore record is restoring (timeout in 1m01s)',
    );
    expect(liveLine(base, now, 5000)).toBe('dcs.restore: accepted; following the operation (timeout in 5s)');
  });
});
