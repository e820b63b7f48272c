/**
 * `dr-relay approve` / `dr-relay deny`, and the approval in `dr-relay status`: the CLI in this
 * process against the real request routes (lib/http/requests.ts, signature checked) behind a small
 * HTTP server, decisions taken by a real ApprovalDesk over the in-memory status store. Exit 0 when
 * recorded, 1 when refused (the problem printed), 2 usage.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { statusLines } from '../../cli/status.ts';
import { ApprovalDesk } from '../../lib/approval/desk.ts';
import type { ApprovalEvent } from '../../lib/approval/event.ts';
import { requestRoutes } from '../../lib/http/requests.ts';
import { createRouter } from '../../lib/http/router.ts';
import { MemoryStatusStore } from '../fixtures/memoryStore.ts';
import { DR_ID, dwsFailoverRequest, PROJECT_ID } from '../fixtures/requests.ts';
import { runIn } from './inProcess.ts';

const SECRET = 'test-hmac-secret-approve-0123456789';
const KEY = 'alarm:dws-approval:0123456789abcdef0123456789abcdef';
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

let server: Server;
let api = '';
let store: MemoryStatusStore;
let desk: ApprovalDesk;
const scheduled: ApprovalEvent[] = [];
const paths: string[] = [];

beforeAll(async () => {
  server = createServer(async (request, response) => {
    let body = '';
    for await (const chunk of request) body += chunk;
    const [path = '', query = ''] = (request.url ?? '').split('?');
    paths.push(`${request.method} ${path}`);
    const router = createRouter(
      requestRoutes({
        hmacSecrets: async () => [SECRET],
        queue: { send: async () => undefined },
        store,
        idempotencyKeys: {
          begin: async () => ({ kind: 'new' }),
          complete: async () => undefined,
          abandon: async () => undefined,
        },
        approvals: desk,
        now: () => new Date(),
        log: quiet,
      }),
    );
    const answer = await router(
      {
        method: request.method ?? 'GET',
        path,
        headers: Object.fromEntries(
          Object.entries(request.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : v]),
        ),
        query: Object.fromEntries(new URLSearchParams(query)),
        body,
      },
      { remainingMs: () => 20_000 },
    );
    response.writeHead(answer.statusCode, answer.headers).end(answer.body);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** Each test: a fresh store with one request awaiting approval (approvers alice and ops-bot). */
beforeEach(async () => {
  scheduled.length = 0;
  paths.length = 0;
  store = new MemoryStatusStore();
  desk = new ApprovalDesk({
    store,
    schedule: async (event) => {
      scheduled.push(event);
    },
    log: quiet,
  });
  await desk.propose(
    KEY,
    { ...dwsFailoverRequest, request_id: KEY },
    {
      name: 'dws-approval',
      cooldown_seconds: 3600,
      approval: {
        required: true,
        timeout_seconds: 1800,
        on_timeout: 'cancel',
        approvers: ['alice', 'ops-bot'],
      },
    },
    'alertmanager DWSPrimaryDown (alarm)',
  );
});

const env = (secret = SECRET) => ({ DR_API_URL: api, WEBHOOK_HMAC_SECRETS: secret });

describe('dr-relay approve', () => {
  it('records the approval via cli, signed, and prints the decision and the request (exit 0)', async () => {
    // Act
    const run = await runIn(['approve', KEY, '--by', 'alice', '--reason', 'confirmed outage'], env());

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^recorded: approve by alice at \S+ via cli: confirmed outage$/m);
    expect(run.stdout).toMatch(/^status +queued$/m);
    expect(run.stdout).toMatch(/^decision +approve by alice at \S+ via cli: confirmed outage$/m);
    expect(run.stderr).toContain(`next: dr-relay status ${KEY} --wait`);
    expect(paths).toEqual([`POST /v1/requests/${encodeURIComponent(KEY)}/approval`]);
    expect((await store.get(KEY))?.approval?.decision).toMatchObject({
      decision: 'approve',
      by: 'alice',
      reason: 'confirmed outage',
      via: 'cli',
    });
    expect(scheduled.map((e) => e.event)).toEqual(['timer', 'decided']);
  });

  it('answers a second decision with the one already recorded (exit 1), changing nothing', async () => {
    // Prepare
    await runIn(['approve', KEY, '--by', 'alice'], env());
    const before = structuredClone(store.records.get(KEY));

    // Act
    const again = await runIn(['approve', KEY, '--by', 'ops-bot'], env());
    const deny = await runIn(['deny', KEY, '--by', 'ops-bot', '--reason', 'too late'], env());

    // Assess
    for (const run of [again, deny]) {
      expect(run.code).toBe(1);
      expect(run.stdout).toContain('REFUSED: already decided: approve by alice');
      expect(run.stdout).toMatch(/^recorded decision: approve by alice at \S+ via cli$/m);
      expect(run.stdout).toContain('HTTP 409 Conflict');
    }
    expect(store.records.get(KEY)).toEqual(before);
  });

  it("is refused for someone not among the route's approvers (exit 1)", async () => {
    // Act
    const run = await runIn(['approve', KEY, '--by', 'mallory'], env());

    // Assess
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("REFUSED: mallory is not among the route's approvers");
    expect((await store.get(KEY))?.status).toBe('awaiting_approval');
  });

  it('is refused for an unknown request (exit 1) and when signed with another secret (exit 1, nothing changed)', async () => {
    // Act
    const unknown = await runIn(['approve', 'no-such-request', '--by', 'alice'], env());
    const unsigned = await runIn(['approve', KEY, '--by', 'alice'], env('not-the-secret'));

    // Assess
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toContain('REFUSED: no request no-such-request');
    expect(unsigned.code).toBe(1);
    expect(unsigned.stdout).toContain('HTTP 401 Unauthorized');
    expect((await store.get(KEY))?.status).toBe('awaiting_approval');
  });

  it('--json prints the request with its approval, or the problem and the recorded decision', async () => {
    // Act
    const ok = await runIn(['approve', KEY, '--by', 'alice', '--json'], env());
    const refused = await runIn(['approve', KEY, '--by', 'alice', '--json'], env());

    // Assess
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({
      ok: true,
      http_status: 200,
      request_id: KEY,
      status: 'queued',
      approval: { decision: { decision: 'approve', by: 'alice', via: 'cli' } },
    });
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout)).toMatchObject({
      ok: false,
      request_id: KEY,
      problem: { status: 409, detail: 'already decided: approve by alice' },
      decision: { decision: 'approve', by: 'alice' },
    });
  });
});

describe('dr-relay deny', () => {
  it('records the denial with its reason (exit 0): the request ends skipped', async () => {
    // Act
    const run = await runIn(
      ['deny', KEY, '--by', 'ops-bot', '--reason', 'false alarm: probe flapped'],
      env(),
    );

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^recorded: deny by ops-bot at \S+ via cli: false alarm: probe flapped$/m);
    expect(run.stdout).toMatch(/^status +skipped$/m);
    expect(run.stderr).toContain('nothing is called');
    expect((await store.get(KEY))?.reason).toBe('denied by ops-bot: false alarm: probe flapped');
  });
});

describe('approve / deny: usage (exit 2, nothing sent)', () => {
  it.each([
    [['approve', KEY], '--by <name> is required'],
    [['deny', KEY, '--by', 'alice'], 'deny: --reason "…" is required'],
    [['deny', KEY, '--by', 'alice', '--reason', '   '], 'deny: --reason "…" is required'],
    [['approve', KEY, '--by', 'alice smith'], '--by must be 1-64 characters'],
    [
      ['approve', KEY, '--by', 'alice', '--reason', 'x'.repeat(501)],
      '--reason must be at most 500 characters',
    ],
    [['approve', '--by', 'alice'], 'missing argument'],
    [['approve', KEY, 'extra', '--by', 'alice'], 'unexpected argument'],
  ])('%j', async (argv, message) => {
    // Act
    const run = await runIn(argv, env());

    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(paths).toEqual([]);
  });
});

describe('dr-relay status: the approval', () => {
  it('shows a pending approval: route, deadline, on_timeout, approvers, alarm and the commands', async () => {
    // Act
    const run = await runIn(['status', KEY], env());

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^status +awaiting_approval$/m);
    expect(run.stdout).toMatch(
      /^approval +route dws-approval; deadline \S+; on_timeout cancel \(then it is cancelled\)$/m,
    );
    expect(run.stdout).toMatch(/^approvers +alice, ops-bot$/m);
    expect(run.stdout).toMatch(/^alarm +alertmanager DWSPrimaryDown \(alarm\)$/m);
    expect(run.stdout).toContain(
      `pending: dr-relay approve ${KEY} --by <name> | dr-relay deny ${KEY} --by <name> --reason "…"`,
    );
  });

  it('shows the decision: who, when, why and via, and --json carries the approval', async () => {
    // Prepare
    await runIn(['deny', KEY, '--by', 'alice', '--reason', 'false alarm'], env());

    // Act
    const text = await runIn(['status', KEY], env());
    const json = await runIn(['status', KEY, '--json'], env());

    // Assess
    expect(text.stdout).toMatch(/^decision +deny by alice at \S+ via cli: false alarm$/m);
    expect(JSON.parse(json.stdout).approval).toMatchObject({
      deadline: expect.any(String),
      on_timeout: 'cancel',
      approvers: ['alice', 'ops-bot'],
      decision: { decision: 'deny', by: 'alice', reason: 'false alarm', via: 'cli' },
    });
  });

  it('statusLines: attached episodes, the resolution, and a route without approvers', () => {
    // Act
    const lines = statusLines({
      request_id: KEY,
      action: 'dws.dr.failover',
      target: `dws:${PROJECT_ID}/${DR_ID}`,
      status: 'awaiting_approval',
      approval: {
        deadline: '2026-12-07T10:30:00.000Z',
        on_timeout: 'proceed',
        route: 'dws-approval',
        attached: ['alarm:other:1', 'alarm:other:2'],
        resolved_at: '2026-12-07T10:12:00.000Z',
      },
    }).join('\n');

    // Assess
    expect(lines).toMatch(
      /^approval +route dws-approval; deadline 2026-12-07T10:30:00.000Z; on_timeout proceed \(then it runs\)$/m,
    );
    expect(lines).toMatch(/^approvers +anyone who can sign a request$/m);
    expect(lines).toMatch(/^attached +alarm:other:1, alarm:other:2$/m);
    expect(lines).toMatch(/^resolved_at +2026-12-07T10:12:00.000Z \(the alarm resolved; not cancelled\)$/m);
  });
});
