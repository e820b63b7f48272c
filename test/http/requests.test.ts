/**
 * The request routes as HTTP: `POST /v1/requests` (signed, size / type / JSON / field checks,
 * Idempotency-Key), `GET /v1/requests/{request_id}` and `POST /v1/requests/{request_id}/approval`
 * (a signed decision on a request that awaits approval). The queue is a recorder, the status store
 * the in-memory one, decisions go to a real ApprovalDesk over that store (its queue a recorder);
 * Idempotency-Keys live in a real DynamoDB (dynalite).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActionRequest } from '../../lib/actions/request.ts';
import { ApprovalDesk } from '../../lib/approval/desk.ts';
import type { ApprovalEvent } from '../../lib/approval/event.ts';
import { MAX_REQUEST_BODY_BYTES, requestRoutes } from '../../lib/http/requests.ts';
import { createRouter } from '../../lib/http/router.ts';
import { signatureHeader } from '../../lib/http/signature.ts';
import type { HttpResponse } from '../../lib/http/types.ts';
import { IdempotencyKeyStore } from '../../lib/store/idempotencyKeys.ts';
import type { RequestStatus } from '../../lib/store/status.ts';
import { type LocalTable, startLocalTable } from '../fixtures/dynalite.ts';
import { MemoryStatusStore } from '../fixtures/memoryStore.ts';
import {
  DR_ID,
  dwsFailoverRequest,
  dwsStartRequest,
  PROJECT_ID,
  sampleRequest,
} from '../fixtures/requests.ts';

const SECRET = 'whsec-7c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f';
const PREVIOUS_SECRET = 'whsec-0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d';
const START = new Date('2026-11-23T10:00:00Z');
const invocation = { remainingMs: () => 25_000 };

let local: LocalTable;
beforeAll(async () => {
  local = await startLocalTable('requests-route-test');
});
afterAll(async () => {
  await local.stop();
});

let keyCounter = 0;
/** A key no other test uses (they share one table). */
const freshKey = () => {
  keyCounter += 1;
  return `"key-${Date.now()}-${keyCounter}"`;
};

const setup = (
  options: { secrets?: readonly string[]; enqueue?: (r: ActionRequest) => Promise<void> } = {},
) => {
  const clock = { now: START };
  const store = new MemoryStatusStore({ now: () => clock.now });
  const enqueued: ActionRequest[] = [];
  const logged: { level: string; message: string; extra: unknown[] }[] = [];
  const record =
    (level: string) =>
    (message: string, ...extra: Record<string, unknown>[]) =>
      logged.push({ level, message, extra });
  const scheduled: { event: ApprovalEvent; delaySeconds: number }[] = [];
  const desk = new ApprovalDesk({
    store,
    schedule: async (event, delaySeconds) => {
      scheduled.push({ event, delaySeconds });
    },
    log: { info: record('info'), warn: record('warn'), error: record('error') },
    now: () => clock.now,
  });
  const idempotencyKeys = new IdempotencyKeyStore({
    client: local.client,
    table: local.table,
    ttlSeconds: 86_400,
    now: () => clock.now,
  });
  const router = createRouter(
    requestRoutes({
      hmacSecrets: async () => options.secrets ?? [SECRET, PREVIOUS_SECRET],
      queue: {
        send:
          options.enqueue ??
          (async (request) => {
            enqueued.push(request);
          }),
      },
      store,
      idempotencyKeys,
      approvals: desk,
      now: () => clock.now,
      log: { info: record('info'), warn: record('warn'), error: record('error') },
    }),
  );
  const seconds = () => Math.floor(clock.now.getTime() / 1000);
  const signedHeaders = (body: string, extra: Record<string, string> = {}) => ({
    'content-type': 'application/json',
    'x-dr-signature': signatureHeader(SECRET, body, seconds()),
    ...extra,
  });
  const send = (
    method: 'GET' | 'POST',
    path: string,
    body: string,
    headers: Record<string, string | undefined>,
  ) => router({ method, path, headers, query: {}, body }, invocation);
  const post = (body: string, headers: Record<string, string | undefined> = signedHeaders(body)) =>
    send('POST', '/v1/requests', body, headers);
  const get = (
    path: string,
    headers: Record<string, string | undefined> = {
      'x-dr-signature': signatureHeader(SECRET, '', seconds(), { method: 'GET', path }),
    },
  ) => send('GET', path, '', headers);
  /** A decision, signed v2 over its method and path unless `headers` are given. */
  const approve = (
    requestId: string,
    body: string,
    headers: Record<string, string | undefined> = {
      'content-type': 'application/json',
      'x-dr-signature': signatureHeader(SECRET, body, seconds(), {
        method: 'POST',
        path: `/v1/requests/${requestId}/approval`,
      }),
    },
  ) => send('POST', `/v1/requests/${requestId}/approval`, body, headers);
  return {
    clock,
    store,
    enqueued,
    logged,
    router,
    signedHeaders,
    post,
    get,
    seconds,
    desk,
    scheduled,
    approve,
  };
};

const bodyOf = (response: HttpResponse) => JSON.parse(response.body) as Record<string, unknown>;
const problemOf = (response: HttpResponse) =>
  bodyOf(response) as {
    type: string;
    title: string;
    status: number;
    detail?: string;
    issues?: { path: string }[];
  };
const expectProblem = (response: HttpResponse, status: number) => {
  expect(response.statusCode).toBe(status);
  expect(response.headers['content-type']).toBe('application/problem+json');
  const body = problemOf(response);
  expect(body).toMatchObject({ type: 'about:blank', status });
  expect(response.body).not.toMatch(/\n\s+at |Error:|node_modules|\.ts:\d+/);
  expect(response.body).not.toContain(SECRET);
  expect(response.body).not.toContain(PREVIOUS_SECRET);
  return body;
};
const FAILOVER = JSON.stringify(dwsFailoverRequest);

describe('POST /v1/requests: accepted', () => {
  it('answers 202 with the request id, records it as queued and enqueues exactly the request', async () => {
    // Prepare
    const { post, enqueued, store } = setup();

    // Act
    const response = await post(FAILOVER);

    // Assess
    expect(response.statusCode).toBe(202);
    expect(response.headers['content-type']).toBe('application/json');
    expect(bodyOf(response)).toEqual({ request_id: dwsFailoverRequest.request_id, status: 'queued' });
    expect(response.headers['location']).toBe(
      `/v1/requests/${encodeURIComponent(dwsFailoverRequest.request_id ?? '')}`,
    );
    expect(enqueued).toEqual([dwsFailoverRequest]);
    expect(store.records.get(dwsFailoverRequest.request_id ?? '')).toMatchObject({
      status: 'queued',
      action: 'dws.dr.failover',
      target: `dws:${PROJECT_ID}/${DR_ID}`,
      attempts: 0,
    });
  });

  it('names a request without request_id by the hash of its content', async () => {
    const { post, store } = setup();

    const response = await post(JSON.stringify(dwsStartRequest));

    expect(bodyOf(response)['request_id']).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect([...store.records.keys()]).toEqual([bodyOf(response)['request_id']]);
  });

  it('enqueues the normalised request (ids lower-cased by validation)', async () => {
    const { post, enqueued } = setup();
    const upper = { ...sampleRequest('dws.dr.start'), project_id: PROJECT_ID.toUpperCase() };

    const response = await post(JSON.stringify(upper));

    expect(response.statusCode).toBe(202);
    expect(enqueued).toEqual([dwsStartRequest]);
  });

  it('accepts a request signed with the previous secret while both are configured', async () => {
    const { post, seconds, enqueued } = setup();

    const response = await post(FAILOVER, {
      'content-type': 'application/json',
      'x-dr-signature': signatureHeader(PREVIOUS_SECRET, FAILOVER, seconds()),
    });

    expect(response.statusCode).toBe(202);
    expect(enqueued).toHaveLength(1);
  });

  it.each(['application/json; charset=utf-8', 'Application/JSON', 'application/json ; charset=UTF-8'])(
    'accepts Content-Type %s',
    async (contentType) => {
      const { post, signedHeaders } = setup();

      const response = await post(FAILOVER, signedHeaders(FAILOVER, { 'content-type': contentType }));

      expect(response.statusCode).toBe(202);
    },
  );

  it('accepts a body of exactly 64 KiB', async () => {
    const { post } = setup();
    const body = FAILOVER.padEnd(MAX_REQUEST_BODY_BYTES, ' ');

    const response = await post(body);

    expect(Buffer.byteLength(body)).toBe(65_536);
    expect(response.statusCode).toBe(202);
  });
});

describe('POST /v1/requests: refused', () => {
  it.each<[string, (s: ReturnType<typeof setup>) => Record<string, string | undefined>, RegExp]>([
    ['a missing signature', () => ({ 'content-type': 'application/json' }), /missing/],
    [
      'a malformed signature',
      () => ({ 'content-type': 'application/json', 'x-dr-signature': 't=now,v1=abc' }),
      /malformed/,
    ],
    [
      'a signature by an unknown secret',
      (s) => ({
        'content-type': 'application/json',
        'x-dr-signature': signatureHeader('whsec-not-ours-000000000000000000', FAILOVER, s.seconds()),
      }),
      /does not match/,
    ],
    [
      'a signature of another body',
      (s) => ({
        'content-type': 'application/json',
        'x-dr-signature': signatureHeader(SECRET, '{}', s.seconds()),
      }),
      /does not match/,
    ],
    [
      'a stale timestamp (301 s old)',
      (s) => ({
        'content-type': 'application/json',
        'x-dr-signature': signatureHeader(SECRET, FAILOVER, s.seconds() - 301),
      }),
      /300 s in the past/,
    ],
    [
      'a future timestamp (301 s ahead)',
      (s) => ({
        'content-type': 'application/json',
        'x-dr-signature': signatureHeader(SECRET, FAILOVER, s.seconds() + 301),
      }),
      /300 s in the future/,
    ],
  ])('answers 401 for %s, saying what is wrong, and queues nothing', async (_case, headersFor, detail) => {
    // Prepare
    const s = setup();

    // Act
    const response = await s.post(FAILOVER, headersFor(s));

    // Assess
    const problem = expectProblem(response, 401);
    expect(problem.detail).toMatch(detail);
    expect(response.headers['www-authenticate']).toBe('DR-Signature');
    expect(s.enqueued).toEqual([]);
    expect(s.store.records.size).toBe(0);
    expect(JSON.stringify(s.logged)).not.toContain(SECRET);
  });

  it('refuses a captured signed request replayed after the window', async () => {
    // Prepare
    const { post, signedHeaders, clock, enqueued } = setup();
    const captured = signedHeaders(FAILOVER);
    const first = await post(FAILOVER, captured);

    // Act
    clock.now = new Date(START.getTime() + 301_000);
    const replayed = await post(FAILOVER, captured);

    // Assess
    expect(first.statusCode).toBe(202);
    expectProblem(replayed, 401);
    expect(enqueued).toHaveLength(1);
  });

  it('answers 413 for a body over 64 KiB, before anything else', async () => {
    const { post, enqueued } = setup();
    const body = FAILOVER.padEnd(MAX_REQUEST_BODY_BYTES + 1, ' ');

    const signed = await post(body);
    const unsigned = await post(body, { 'content-type': 'text/plain' });

    expectProblem(signed, 413);
    expectProblem(unsigned, 413);
    expect(enqueued).toEqual([]);
  });

  it('counts bytes, not characters, for the limit', async () => {
    const { post } = setup();
    const body = JSON.stringify({ ...dwsStartRequest, pad: 'é'.repeat(MAX_REQUEST_BODY_BYTES / 2) });

    expectProblem(await post(body), 413);
  });

  it.each([
    ['text/plain', 'text/plain'],
    ['form data', 'application/x-www-form-urlencoded'],
    ['a JSON look-alike', 'application/jsonp'],
    ['no Content-Type', undefined],
  ])('answers 415 for %s, before checking the signature', async (_case, contentType) => {
    const { post, signedHeaders, enqueued } = setup();

    const signed = await post(FAILOVER, signedHeaders(FAILOVER, { 'content-type': contentType as string }));
    const unsigned = await post(FAILOVER, { 'content-type': contentType });

    expectProblem(signed, 415);
    expectProblem(unsigned, 415);
    expect(enqueued).toEqual([]);
  });

  it('answers 400 for a body that is not JSON', async () => {
    const { post, enqueued } = setup();

    const problem = expectProblem(await post('{"action": "dws.dr.failover",'), 400);

    expect(problem.title).toBe('Invalid JSON');
    expect(enqueued).toEqual([]);
  });

  it('answers 400 listing every invalid field', async () => {
    // Prepare
    const { post, enqueued, store } = setup();
    const body = JSON.stringify({
      action: 'dws.dr.failover',
      region: 'nowhere',
      project_id: 'not-hex',
      params: { disaster_recovery_id: 'not-a-uuid', priority: 1 },
      extra: true,
    });

    // Act
    const response = await post(body);

    // Assess
    const problem = expectProblem(response, 400);
    expect(problem.issues?.map((i) => i.path)).toEqual([
      'region',
      'project_id',
      'params.disaster_recovery_id',
      'params.priority',
      'extra',
    ]);
    expect(enqueued).toEqual([]);
    expect(store.records.size).toBe(0);
  });

  it('answers 400 naming `action` for an unknown action', async () => {
    const { post } = setup();

    const problem = expectProblem(await post(JSON.stringify({ ...dwsStartRequest, action: 'rm.rf' })), 400);

    expect(problem.issues?.map((i) => i.path)).toEqual(['action']);
  });

  it('answers 503 (and logs it) when no HMAC secret is configured', async () => {
    const { post, logged, enqueued } = setup({ secrets: [] });

    expectProblem(await post(FAILOVER), 503);

    expect(logged.filter((l) => l.level === 'error')).toHaveLength(1);
    expect(enqueued).toEqual([]);
  });
});

describe('POST /v1/requests: Idempotency-Key', () => {
  it('answers a completed key with the original answer, exactly, without enqueuing again', async () => {
    // Prepare
    const { post, signedHeaders, enqueued, clock } = setup();
    const key = freshKey();
    const first = await post(FAILOVER, signedHeaders(FAILOVER, { 'idempotency-key': key }));
    clock.now = new Date(START.getTime() + 60_000);

    // Act
    const again = await post(FAILOVER, signedHeaders(FAILOVER, { 'idempotency-key': key }));

    // Assess
    expect(first.statusCode).toBe(202);
    expect(again).toEqual(first);
    expect(enqueued).toHaveLength(1);
  });

  it('answers 422 for a key reused with a different body', async () => {
    const { post, signedHeaders, enqueued } = setup();
    const key = freshKey();
    const other = JSON.stringify(dwsStartRequest);
    await post(FAILOVER, signedHeaders(FAILOVER, { 'idempotency-key': key }));

    const reused = await post(other, signedHeaders(other, { 'idempotency-key': key }));

    expectProblem(reused, 422);
    expect(enqueued).toEqual([dwsFailoverRequest]);
  });

  it('answers 409 while the first request with the key is still being handled', async () => {
    // Prepare
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let entered = () => {};
    const enqueuing = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const enqueued: ActionRequest[] = [];
    const { post, signedHeaders } = setup({
      enqueue: async (request) => {
        entered();
        await gate;
        enqueued.push(request);
      },
    });
    const key = freshKey();
    const first = post(FAILOVER, signedHeaders(FAILOVER, { 'idempotency-key': key }));
    await enqueuing; // the first holds the key and is stuck sending

    // Act
    const concurrent = await post(FAILOVER, signedHeaders(FAILOVER, { 'idempotency-key': key }));
    release();

    // Assess
    expectProblem(concurrent, 409);
    expect((await first).statusCode).toBe(202);
    expect(enqueued).toHaveLength(1);
  });

  it('gives the key back when enqueuing fails (the call fails), so a retry with the key goes through', async () => {
    // Prepare
    let failures = 1;
    const enqueued: ActionRequest[] = [];
    const { post, signedHeaders, store } = setup({
      enqueue: async (request) => {
        if (failures-- > 0) throw new Error('SQS unavailable');
        enqueued.push(request);
      },
    });
    const key = freshKey();

    // Act
    const failed = post(FAILOVER, signedHeaders(FAILOVER, { 'idempotency-key': key }));
    await expect(failed).rejects.toThrow('SQS unavailable');
    const retried = await post(FAILOVER, signedHeaders(FAILOVER, { 'idempotency-key': key }));

    // Assess
    expect(retried.statusCode).toBe(202);
    expect(bodyOf(retried)).toEqual({ request_id: dwsFailoverRequest.request_id, status: 'queued' });
    expect(enqueued).toEqual([dwsFailoverRequest]);
    expect(store.records.size).toBe(1);
  });

  it.each([
    ['an empty key', '""'],
    ['a key over 255 characters', `"${'k'.repeat(256)}"`],
    ['two keys', '"a", "b"'],
  ])('answers 400 for %s', async (_case, key) => {
    const { post, signedHeaders, enqueued } = setup();

    expectProblem(await post(FAILOVER, signedHeaders(FAILOVER, { 'idempotency-key': key })), 400);

    expect(enqueued).toEqual([]);
  });

  it('does not consume a key on a refused request', async () => {
    const { post, signedHeaders } = setup();
    const key = freshKey();
    await post(FAILOVER, { 'content-type': 'application/json', 'idempotency-key': key });
    await post('{"not": "valid"}', signedHeaders('{"not": "valid"}', { 'idempotency-key': key }));

    const accepted = await post(FAILOVER, signedHeaders(FAILOVER, { 'idempotency-key': key }));

    expect(accepted.statusCode).toBe(202);
  });
});

describe('POST /v1/requests: resending without a key', () => {
  it('keeps one status record and queues again while the request is not finished', async () => {
    const { post, enqueued, store } = setup();

    const first = await post(FAILOVER);
    const second = await post(FAILOVER);

    expect(bodyOf(second)).toEqual(bodyOf(first));
    expect(store.records.size).toBe(1);
    expect(enqueued).toHaveLength(2);
  });

  it.each<RequestStatus>(['succeeded', 'skipped', 'dead_lettered'])(
    'does not queue a request already %s again, and answers 202 with that status',
    async (status) => {
      // Prepare
      const { post, enqueued, store } = setup();
      await post(FAILOVER);
      await store.set(dwsFailoverRequest.request_id ?? '', { status });

      // Act
      const resent = await post(FAILOVER);

      // Assess
      expect(resent.statusCode).toBe(202);
      expect(bodyOf(resent)).toEqual({ request_id: dwsFailoverRequest.request_id, status });
      expect(enqueued).toHaveLength(1);
      expect(store.records.size).toBe(1);
    },
  );
});

describe('GET /v1/requests/{request_id}', () => {
  it('answers a signed request with the public projection of the status, without internal fields', async () => {
    // Prepare
    const { post, get, store } = setup();
    const accepted = await post(JSON.stringify(dwsStartRequest));
    const requestId = bodyOf(accepted)['request_id'] as string;
    await store.set(requestId, {
      status: 'succeeded',
      attempts: 2,
      remote: { disaster_recovery_id: DR_ID },
      reason: 'applied after a timeout',
      error: { kind: 'ambiguous', message: 'timed out' },
      call: { state: 'answered', sent_at: '2026-11-23T10:00:01.000Z' },
      failure: true,
    });
    const stored = store.records.get(requestId);

    // Act
    const response = await get(accepted.headers['location'] ?? '');

    // Assess
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/json');
    expect(response.headers['cache-control']).toBe('no-store');
    expect(bodyOf(response)).toEqual({
      request_id: requestId,
      action: 'dws.dr.start',
      target: `dws:${PROJECT_ID}/${DR_ID}`,
      status: 'succeeded',
      attempts: 2,
      remote: { disaster_recovery_id: DR_ID },
      error: { kind: 'ambiguous', message: 'timed out' },
      reason: 'applied after a timeout',
      updated_at: stored?.updated_at,
    });
  });

  it('shows the followed operation: state, observed, progress, error and times, without the tracker bookkeeping', async () => {
    // Prepare
    const { post, get, store } = setup();
    const accepted = await post(JSON.stringify(dwsStartRequest));
    const requestId = bodyOf(accepted)['request_id'] as string;
    await store.set(requestId, { status: 'succeeded', attempts: 1, remote: { disaster_recovery_id: DR_ID } });
    await store.setOperation(
      requestId,
      {
        state: 'failed',
        observed: 'DR status is start_failed',
        progress: '40%',
        error: 'DR status start_failed',
        started_at: '2026-11-23T10:00:02.000Z',
        checked_at: '2026-11-23T10:00:40.000Z',
        finished_at: '2026-11-23T10:00:40.000Z',
        checks: 4,
        seen_running: true,
      },
      'none',
    );
    await store.claimNotice(requestId, 'end');

    // Act
    const response = await get(accepted.headers['location'] ?? '');

    // Assess
    expect(response.statusCode).toBe(200);
    expect(bodyOf(response)['operation']).toEqual({
      state: 'failed',
      observed: 'DR status is start_failed',
      progress: '40%',
      error: 'DR status start_failed',
      started_at: '2026-11-23T10:00:02.000Z',
      checked_at: '2026-11-23T10:00:40.000Z',
      finished_at: '2026-11-23T10:00:40.000Z',
    });
  });

  it('shows a running operation without the fields it does not have yet', async () => {
    // Prepare
    const { post, get, store } = setup();
    const accepted = await post(FAILOVER);
    const requestId = bodyOf(accepted)['request_id'] as string;
    await store.set(requestId, { status: 'succeeded', attempts: 1 });
    await store.setOperation(
      requestId,
      {
        state: 'running',
        observed: 'accepted by the provider',
        started_at: '2026-11-23T10:00:02.000Z',
        checked_at: '2026-11-23T10:00:02.000Z',
        checks: 0,
      },
      'none',
    );

    // Act
    const response = await get(`/v1/requests/${requestId}`);
    const queued = await post(JSON.stringify(dwsStartRequest));
    const notStarted = await get(queued.headers['location'] ?? '');

    // Assess
    expect(bodyOf(response)['operation']).toEqual({
      state: 'running',
      observed: 'accepted by the provider',
      started_at: '2026-11-23T10:00:02.000Z',
      checked_at: '2026-11-23T10:00:02.000Z',
    });
    expect(bodyOf(notStarted)).not.toHaveProperty('operation');
  });

  it('answers 401 to an unsigned or wrongly signed request', async () => {
    const { post, get, seconds } = setup();
    await post(FAILOVER);
    const path = `/v1/requests/${dwsFailoverRequest.request_id}`;

    expectProblem(await get(path, {}), 401);
    const scope = { method: 'GET', path };
    expectProblem(await get(path, { 'x-dr-signature': signatureHeader(SECRET, 'x', seconds(), scope) }), 401);
    expectProblem(
      await get(path, { 'x-dr-signature': signatureHeader(SECRET, '', seconds() - 301, scope) }),
      401,
    );
  });

  it('refuses a GET signed with the legacy v1 scheme (it covers no path), naming v2', async () => {
    const { post, get, seconds } = setup();
    await post(FAILOVER);
    const path = `/v1/requests/${dwsFailoverRequest.request_id}`;

    const problem = expectProblem(
      await get(path, { 'x-dr-signature': signatureHeader(SECRET, '', seconds()) }),
      401,
    );

    expect(problem.detail).toContain('v2');
  });

  it('refuses a GET signature replayed on another request id (v2 covers the path)', async () => {
    const { post, get, seconds } = setup();
    await post(FAILOVER);
    const captured = signatureHeader(SECRET, '', seconds(), {
      method: 'GET',
      path: '/v1/requests/someone-else',
    });

    expectProblem(
      await get(`/v1/requests/${dwsFailoverRequest.request_id}`, { 'x-dr-signature': captured }),
      401,
    );
  });

  it('accepts a POST signed with v2 over its method and path, and refuses a v2 POST signature made for a GET', async () => {
    const { post, seconds } = setup();
    const t = seconds();

    const good = await post(FAILOVER, {
      'content-type': 'application/json',
      'x-dr-signature': signatureHeader(SECRET, FAILOVER, t, { method: 'POST', path: '/v1/requests' }),
    });
    const wrongMethod = await post(FAILOVER, {
      'content-type': 'application/json',
      'x-dr-signature': signatureHeader(SECRET, FAILOVER, t, { method: 'GET', path: '/v1/requests' }),
    });

    expect(good.statusCode).toBe(202);
    expectProblem(wrongMethod, 401);
  });

  it('answers 404 for an unknown request', async () => {
    const { get } = setup();

    const problem = expectProblem(await get('/v1/requests/never-sent'), 404);

    expect(problem.title).toBe('Not Found');
  });
});

describe('POST /v1/requests/{request_id}/approval', () => {
  const KEY = 'alarm:dws-approval:0123456789abcdef0123456789abcdef';
  const proposed = async (
    desk: ApprovalDesk,
    approval: { approvers?: string[]; timeout_seconds?: number } = {},
  ) => {
    await desk.propose(
      KEY,
      { ...dwsFailoverRequest, request_id: KEY },
      {
        name: 'dws-approval',
        cooldown_seconds: 3600,
        approval: { required: true, timeout_seconds: 1800, on_timeout: 'cancel', ...approval },
      },
      'alertmanager DWSPrimaryDown (alarm)',
    );
  };
  const APPROVE = JSON.stringify({
    decision: 'approve',
    by: 'alice',
    reason: 'confirmed outage',
    via: 'cli',
  });

  it('records the decision and answers 200 with the public status and its approval', async () => {
    // Prepare
    const { desk, approve, scheduled, store } = setup();
    await proposed(desk, { approvers: ['alice'] });

    // Act
    const response = await approve(KEY, APPROVE);

    // Assess
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    const body = bodyOf(response);
    expect(body).toMatchObject({
      request_id: KEY,
      status: 'queued',
      reason: 'approved by alice: confirmed outage',
    });
    expect(body['approval']).toEqual({
      required: true,
      deadline: '2026-11-23T10:30:00.000Z',
      on_timeout: 'cancel',
      approvers: ['alice'],
      route: 'dws-approval',
      alarm: 'alertmanager DWSPrimaryDown (alarm)',
      decision: {
        decision: 'approve',
        by: 'alice',
        at: START.toISOString(),
        reason: 'confirmed outage',
        via: 'cli',
      },
    });
    expect(scheduled.map((s) => s.event.event)).toEqual(['timer', 'decided']);
    expect(store.records.get(KEY)?.approval?.decision?.via).toBe('cli');
  });

  it('records via api when the body does not say', async () => {
    // Prepare
    const { desk, approve } = setup();
    await proposed(desk);
    const body = JSON.stringify({ decision: 'deny', by: 'ops-bot', reason: 'false alarm' });

    // Act
    const response = await approve(KEY, body);

    // Assess
    expect(response.statusCode).toBe(200);
    expect(bodyOf(response)).toMatchObject({
      status: 'skipped',
      approval: { decision: { decision: 'deny', by: 'ops-bot', via: 'api' } },
    });
  });

  it('answers 401 to an unsigned, wrongly signed, stale or misdirected decision, and changes nothing', async () => {
    // Prepare
    const { desk, approve, store, scheduled, seconds } = setup();
    await proposed(desk);
    const before = structuredClone(store.records.get(KEY));
    const path = `/v1/requests/${KEY}/approval`;
    const json = { 'content-type': 'application/json' };

    // Act
    const answers = [
      await approve(KEY, APPROVE, json),
      await approve(KEY, APPROVE, {
        ...json,
        'x-dr-signature': signatureHeader('not-the-secret', APPROVE, seconds(), { method: 'POST', path }),
      }),
      await approve(KEY, APPROVE, {
        ...json,
        'x-dr-signature': signatureHeader(SECRET, APPROVE.replace('alice', 'mallory'), seconds(), {
          method: 'POST',
          path,
        }),
      }),
      await approve(KEY, APPROVE, {
        ...json,
        'x-dr-signature': signatureHeader(SECRET, APPROVE, seconds() - 301, { method: 'POST', path }),
      }),
      await approve(KEY, APPROVE, {
        ...json,
        'x-dr-signature': signatureHeader(SECRET, APPROVE, seconds(), {
          method: 'POST',
          path: '/v1/requests/someone-else/approval',
        }),
      }),
      // v1 signs only t and the body, which names no request: replayable on any request's path.
      await approve(KEY, APPROVE, { ...json, 'x-dr-signature': signatureHeader(SECRET, APPROVE, seconds()) }),
    ];

    // Assess
    for (const answer of answers) {
      expectProblem(answer, 401);
      expect(answer.headers['www-authenticate']).toBe('DR-Signature');
    }
    expect(store.records.get(KEY)).toEqual(before);
    expect(scheduled.map((s) => s.event.event)).toEqual(['timer']);
  });

  it.each([
    ['not JSON', '{"decision":', '(body)'],
    ['an unknown decision', '{"decision":"maybe","by":"alice"}', 'decision'],
    ['no decision', '{"by":"alice"}', 'decision'],
    ['no by', '{"decision":"approve"}', 'by'],
    ['a by with spaces', '{"decision":"approve","by":"alice smith"}', 'by'],
    ['an empty reason', '{"decision":"deny","by":"alice","reason":""}', 'reason'],
    ['an unknown via', '{"decision":"approve","by":"alice","via":"email"}', 'via'],
    ['an unknown field', '{"decision":"approve","by":"alice","when":"now"}', 'when'],
  ])('answers 400 naming the field for %s, and changes nothing', async (_, body, field) => {
    // Prepare
    const { desk, approve, store } = setup();
    await proposed(desk);
    const before = structuredClone(store.records.get(KEY));

    // Act
    const response = await approve(KEY, body);

    // Assess
    const problem = expectProblem(response, 400);
    expect(problem.issues?.map((i) => i.path)).toContain(field);
    expect(store.records.get(KEY)).toEqual(before);
  });

  it('answers 415 for a body not sent as JSON', async () => {
    // Prepare
    const { desk, approve, seconds } = setup();
    await proposed(desk);

    // Act
    const response = await approve(KEY, APPROVE, {
      'content-type': 'text/plain',
      'x-dr-signature': signatureHeader(SECRET, APPROVE, seconds()),
    });

    // Assess
    expectProblem(response, 415);
  });

  it('answers 409 with the recorded decision to a second decision', async () => {
    // Prepare
    const { desk, approve, store } = setup();
    await proposed(desk);
    await approve(KEY, APPROVE);
    const before = structuredClone(store.records.get(KEY));

    // Act
    const response = await approve(KEY, JSON.stringify({ decision: 'deny', by: 'bob', reason: 'no' }));

    // Assess
    const problem = expectProblem(response, 409);
    expect(problem).toMatchObject({
      title: 'Conflict',
      detail: 'already decided: approve by alice',
      decision: { decision: 'approve', by: 'alice', via: 'cli' },
    });
    expect(store.records.get(KEY)).toEqual(before);
  });

  it('answers 409 after the deadline, 403 to someone not among the approvers, 404 for an unknown request', async () => {
    // Prepare
    const { desk, approve, clock } = setup();
    await proposed(desk, { approvers: ['alice'] });
    const stranger = JSON.stringify({ decision: 'approve', by: 'mallory' });

    // Act
    const forbidden = await approve(KEY, stranger);
    const unknown = await approve('never-proposed', APPROVE);
    clock.now = new Date(START.getTime() + 1801_000);
    const late = await approve(KEY, APPROVE);

    // Assess
    expect(expectProblem(forbidden, 403).detail).toBe("mallory is not among the route's approvers");
    expect(expectProblem(unknown, 404).detail).toBe('no request never-proposed');
    expect(expectProblem(late, 409).detail).toBe('the approval timed out at 2026-11-23T10:30:00.000Z');
  });

  it('GET shows a pending approval without the stored request or the notice bookkeeping', async () => {
    // Prepare
    const { desk, get } = setup();
    await proposed(desk);

    // Act
    const response = await get(`/v1/requests/${KEY}`);

    // Assess
    expect(response.statusCode).toBe(200);
    expect(bodyOf(response)).toMatchObject({ status: 'awaiting_approval' });
    expect(bodyOf(response)['approval']).toEqual({
      required: true,
      deadline: '2026-11-23T10:30:00.000Z',
      on_timeout: 'cancel',
      route: 'dws-approval',
      alarm: 'alertmanager DWSPrimaryDown (alarm)',
    });
  });
});
