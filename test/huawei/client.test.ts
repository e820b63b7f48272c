import http from 'node:http';
import type { AddressInfo, LookupFunction } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DrRelayError } from '../../lib/errors.ts';
import { HuaweiClient, type HuaweiClientOptions } from '../../lib/huawei/client.ts';
import { errorFromResponse, HuaweiApiError } from '../../lib/huawei/errors.ts';
import { canonicalRequest, signature } from '../../lib/huawei/signer.ts';

const AK = 'QTWAOYTTINDUT2QVKYUC';
const SK = 'MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc';
const TOKEN = 'gQpjbi1ub3J0aC00TOKENsecret+/=value';
const PROJECT = '0b3e2a0f9b00d4b52fbcc0105c9f1234';
const FIXED_NOW = new Date('2024-01-01T00:00:00Z');
const FAILOVER_PATH = `/v2/${PROJECT}/disaster-recovery/dr-1/failover`;

interface Received {
  readonly method: string;
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

const readBody = (req: http.IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });

let server: http.Server;
let port: number;
let handler: Handler;
let received: Received[];
let connections: number;
/** Resolved each time the server has read a whole request body. */
let bodyWaiters: (() => void)[];
let client: HuaweiClient | undefined;

const nextBody = (): Promise<void> => new Promise((resolve) => bodyWaiters.push(resolve));

/** Reads the whole body, records the request, then lets `then` answer (or not). */
const afterBody =
  (then: (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void): Handler =>
  (req, res) => {
    void readBody(req).then((body) => {
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      for (const waiter of bodyWaiters.splice(0)) waiter();
      then(req, res, body);
    });
  };

const answer = (status: number, body: string, headers: Record<string, string> = {}): Handler =>
  afterBody((_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(body);
  });

const base = (): string => `http://127.0.0.1:${port}`;

const newClient = (options: Partial<HuaweiClientOptions> = {}): HuaweiClient => {
  client = new HuaweiClient({
    credentials: { ak: AK, sk: SK, securityToken: TOKEN },
    now: () => FIXED_NOW,
    ...options,
  });
  return client;
};

/** Re-verifies, as a server would, the signature of what was received over the wire. */
const verifySignature = (r: Received, sk: string) => {
  const match = /^SDK-HMAC-SHA256 Access=([^,]+), SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
    String(r.headers.authorization),
  );
  if (!match) return { ok: false, ak: undefined, signedHeaders: undefined };
  const names = (match[2] ?? '').split(';');
  const signed = Object.fromEntries(names.map((name) => [name, String(r.headers[name])]));
  const { canonical, signedHeaders } = canonicalRequest(
    r.method,
    `http://${r.headers.host}${r.url}`,
    signed,
    r.body,
  );
  return {
    ok: signature(canonical, signed['x-sdk-date'] ?? '', sk) === match[3],
    ak: match[1],
    signedHeaders,
  };
};

/** Awaits a failure, checks it is a HuaweiApiError and that no secret leaks from it. */
const failure = async (promise: Promise<unknown>): Promise<HuaweiApiError> => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HuaweiApiError);
  const e = error as HuaweiApiError;
  const cause = e.cause as { message?: unknown } | undefined;
  for (const text of [
    JSON.stringify(e),
    e.message,
    e.stack ?? '',
    String(cause?.message ?? ''),
    String(e.cause),
  ]) {
    expect(text).not.toContain(SK);
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain('Signature=');
  }
  return e;
};

beforeAll(async () => {
  server = http.createServer((req, res) => handler(req, res));
  server.on('connection', () => {
    connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  received = [];
  connections = 0;
  bodyWaiters = [];
  handler = answer(200, '{}');
});

afterEach(() => {
  client?.close();
  client = undefined;
  server.closeAllConnections();
});

describe('HuaweiClient: a 2xx answer', () => {
  it('sends a signed POST that the server can verify, and returns the parsed answer', async () => {
    // Prepare
    handler = answer(200, '{"disaster_recovery":{"id":"dr-1"}}', { 'X-Request-Id': 'req-123' });
    const c = newClient({ credentials: { ak: AK, sk: SK } });
    const body = { a: 1, nested: { b: [1, 2] }, s: 'é€' };

    // Act
    const response = await c.send({
      method: 'POST',
      url: `${base()}${FAILOVER_PATH}`,
      projectId: PROJECT,
      body,
    });

    // Assess
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ disaster_recovery: { id: 'dr-1' } });
    expect(response.rawBody).toBe('{"disaster_recovery":{"id":"dr-1"}}');
    expect(response.requestId).toBe('req-123');
    expect(response.durationMs).toBeGreaterThanOrEqual(0);
    expect(received).toHaveLength(1);
    const r = received[0]!;
    expect(r.body).toBe('{"a":1,"nested":{"b":[1,2]},"s":"é€"}');
    expect(r.headers['content-length']).toBe(String(Buffer.byteLength(r.body)));
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.headers['x-project-id']).toBe(PROJECT);
    expect(r.headers['x-sdk-date']).toBe('20240101T000000Z');
    expect(r.headers.host).toBe(`127.0.0.1:${port}`);
    expect(r.headers['x-security-token']).toBeUndefined();
    const verified = verifySignature(r, SK);
    expect(verified).toEqual({
      ok: true,
      ak: AK,
      signedHeaders: 'content-type;host;x-project-id;x-sdk-date',
    });
  });

  it('detects a tampered body (the verification can fail)', async () => {
    // Prepare
    const c = newClient({ credentials: { ak: AK, sk: SK } });
    await c.send({
      method: 'POST',
      url: `${base()}/v1/${PROJECT}/restores`,
      projectId: PROJECT,
      body: { x: 1 },
    });
    const r = received[0]!;

    // Act
    const tampered = verifySignature({ ...r, body: '{"x":2}' }, SK);
    const wrongKey = verifySignature(r, 'another-secret-key');

    // Assess
    expect(verifySignature(r, SK).ok).toBe(true);
    expect(tampered.ok).toBe(false);
    expect(wrongKey.ok).toBe(false);
  });

  it('sends no body at all when the body is undefined', async () => {
    // Prepare
    const c = newClient();

    // Act
    await c.send({ method: 'POST', url: `${base()}${FAILOVER_PATH}`, projectId: PROJECT });
    await c.send({
      method: 'GET',
      url: `${base()}/v2/${PROJECT}/disaster-recovery/dr-1`,
      projectId: PROJECT,
    });

    // Assess
    expect(received.map((r) => r.body)).toEqual(['', '']);
    expect(received[0]!.headers['content-length']).toBe('0');
    expect(received[0]!.headers['transfer-encoding']).toBeUndefined();
    expect(received[1]!.headers['content-length']).toBeUndefined();
    expect(received[1]!.headers['transfer-encoding']).toBeUndefined();
    expect(received.every((r) => verifySignature(r, SK).ok)).toBe(true);
  });

  it('signs a GET with a query and the security token of temporary credentials', async () => {
    // Prepare
    const c = newClient();
    const url = `${base()}/v2/${PROJECT}/disaster-recoveries?primary_cluster_id=c%201&id=x&id=a`;

    // Act
    await c.send({ method: 'GET', url, projectId: PROJECT });

    // Assess
    const r = received[0]!;
    expect(r.method).toBe('GET');
    expect(r.url).toBe(`/v2/${PROJECT}/disaster-recoveries?primary_cluster_id=c%201&id=x&id=a`);
    expect(r.headers['x-security-token']).toBe(TOKEN);
    expect(verifySignature(r, SK)).toEqual({
      ok: true,
      ak: AK,
      signedHeaders: 'content-type;host;x-project-id;x-sdk-date;x-security-token',
    });
  });

  it('resolves a credentials provider on every call', async () => {
    // Prepare
    let calls = 0;
    const c = newClient({
      credentials: async () => {
        calls += 1;
        return { ak: `AK${calls}`, sk: SK };
      },
    });

    // Act
    await c.send({ method: 'POST', url: `${base()}${FAILOVER_PATH}`, projectId: PROJECT });
    await c.send({ method: 'POST', url: `${base()}${FAILOVER_PATH}`, projectId: PROJECT });

    // Assess
    expect(calls).toBe(2);
    expect(received.map((r) => verifySignature(r, SK).ak)).toEqual(['AK1', 'AK2']);
  });

  it('keeps the connection alive between calls', async () => {
    // Prepare
    const c = newClient({ connectTimeoutMs: 50 });

    // Act
    for (let i = 0; i < 3; i += 1) {
      await c.send({ method: 'POST', url: `${base()}${FAILOVER_PATH}`, projectId: PROJECT });
    }
    await new Promise((resolve) => setTimeout(resolve, 80));
    await c.send({ method: 'POST', url: `${base()}${FAILOVER_PATH}`, projectId: PROJECT });

    // Assess: one socket, and a reused socket does not trip the connect time-out.
    expect(received).toHaveLength(4);
    expect(connections).toBe(1);
  });

  it('stops the connect time-out once connected, on a new and on a reused socket', async () => {
    // Prepare: the server answers after longer than the connect time-out.
    handler = afterBody((_req, res) => setTimeout(() => res.end('{"ok":true}'), 150));
    const c = newClient({ connectTimeoutMs: 50, timeoutMs: 2000 });

    // Act
    const first = await c.send({ method: 'POST', url: `${base()}${FAILOVER_PATH}`, projectId: PROJECT });
    const second = await c.send({ method: 'POST', url: `${base()}${FAILOVER_PATH}`, projectId: PROJECT });

    // Assess
    expect([first.body, second.body]).toEqual([{ ok: true }, { ok: true }]);
    expect(connections).toBe(1);
  });

  it.each([
    ['an empty body', '', {}],
    ['a non-JSON body', 'accepted', undefined],
  ])('returns %s as %j', async (_name, raw, expected) => {
    // Prepare
    handler = answer(202, raw, { 'content-type': 'text/plain' });
    const c = newClient();

    // Act
    const response = await c.send({ method: 'POST', url: `${base()}${FAILOVER_PATH}`, projectId: PROJECT });

    // Assess
    expect(response.status).toBe(202);
    expect(response.body).toEqual(expected);
    expect(response.rawBody).toBe(raw);
    expect(response.requestId).toBeUndefined();
  });
});

describe('HuaweiClient: error answers', () => {
  const send = () =>
    newClient().send({ method: 'POST', url: `${base()}${FAILOVER_PATH}?x=1`, projectId: PROJECT });

  it.each([
    {
      shape: 'error_code / error_msg',
      status: 409,
      body: '{"error_code":"DWS.0011","error_msg":"Another operation is in progress","request_id":"body-rid"}',
      code: 'DWS.0011',
      msg: 'Another operation is in progress',
    },
    {
      shape: 'error_code / error_msg / error_ext_msg (DCS)',
      status: 400,
      body: '{"error_code":"DCS.4800","error_msg":"Invalid backup","error_ext_msg":"backup bk-1 not found"}',
      code: 'DCS.4800',
      msg: 'Invalid backup',
    },
    {
      shape: 'error { code, message }',
      status: 400,
      body: '{"error":{"code":"CSBS.9001","message":"Parameter check failed"}}',
      code: 'CSBS.9001',
      msg: 'Parameter check failed',
    },
    {
      shape: 'code / message',
      status: 404,
      body: '{"code":"DWS.0001","message":"Cluster not found"}',
      code: 'DWS.0001',
      msg: 'Cluster not found',
    },
    {
      shape: 'text',
      status: 502,
      body: '<html>Bad Gateway</html>',
      code: undefined,
      msg: '<html>Bad Gateway</html>',
    },
  ])('parses the $shape shape', async ({ status, body, code, msg }) => {
    // Prepare
    handler = answer(status, body, { 'X-Request-Id': 'hdr-rid' });

    // Act
    const error = await failure(send());

    // Assess
    expect(error.phase).toBe('response');
    expect(error.httpStatus).toBe(status);
    expect(error.errorCode).toBe(code);
    expect(error.errorMsg).toBe(msg);
    expect(error.requestId).toBe('hdr-rid');
    expect(error.message).toBe(
      `POST ${FAILOVER_PATH} -> ${status}${code ? ` ${code}` : ''}: ${msg}${
        body.includes('error_ext_msg') ? ' (backup bk-1 not found)' : ''
      }`,
    );
    expect(error.toJSON()).toMatchObject({ name: 'HuaweiApiError', phase: 'response', requestId: 'hdr-rid' });
  });

  it('falls back to the body request_id without an X-Request-Id header', async () => {
    // Prepare
    handler = answer(400, '{"error_code":"DWS.0015","error_msg":"bad","request_id":"body-rid"}');

    // Act
    const error = await failure(send());

    // Assess
    expect(error.requestId).toBe('body-rid');
  });

  it('keeps at most 500 characters of a text body', async () => {
    // Prepare
    handler = answer(500, 'e'.repeat(5000), { 'content-type': 'text/plain' });

    // Act
    const error = await failure(send());

    // Assess
    expect(error.errorMsg?.startsWith('eeee')).toBe(true);
    expect(error.errorMsg?.length).toBeLessThanOrEqual(503);
    expect(error.message.length).toBeLessThan(700);
  });

  it.each([
    [429, 'transient'],
    [500, 'ambiguous'],
    [502, 'ambiguous'],
    [503, 'transient'],
    [504, 'ambiguous'],
    [400, 'permanent'],
    [401, 'permanent'],
    [403, 'permanent'],
    [404, 'permanent'],
    [409, 'permanent'],
  ])(
    'classifies %i on an effectful POST as %s (a 500/502 may follow a received request)',
    async (status, kind) => {
      // Prepare
      handler = answer(status, '{"error_code":"SVC.0001","error_msg":"m"}');

      // Act
      const error = await failure(send());

      // Assess
      expect(error.kind).toBe(kind);
      expect(error.phase).toBe('response');
      expect(error.httpStatus).toBe(status);
      expect(error).toBeInstanceOf(DrRelayError);
    },
  );

  it.each([
    [500, 'transient'],
    [502, 'transient'],
    [503, 'transient'],
    [504, 'transient'],
    [404, 'permanent'],
  ])(
    'classifies %i on a state read (GET) as %s: a read has no effect to be unsure of',
    async (status, kind) => {
      // Prepare
      handler = answer(status, '{"error_code":"SVC.0001","error_msg":"m"}');

      // Act
      const error = await failure(
        newClient().send({ method: 'GET', url: `${base()}${FAILOVER_PATH}`, projectId: PROJECT }),
      );

      // Assess
      expect(error.kind).toBe(kind);
    },
  );

  it('reads Retry-After (seconds) on a 429', async () => {
    // Prepare
    handler = answer(429, '{"error_code":"APIGW.0308","error_msg":"throttled"}', { 'Retry-After': '2' });

    // Act
    const error = await failure(send());

    // Assess
    expect(error.kind).toBe('transient');
    expect(error.retryAfterMs).toBe(2000);
  });

  it.each([
    [429, 'APIGW.0308'],
    [400, 'APIGW.0308'],
    [403, 'APIG.0308'],
  ])('treats a %i with %s as throttling, retrying after 3 s by default', async (status, code) => {
    // Prepare
    handler = answer(
      status,
      JSON.stringify({ error_code: code, error_msg: 'The throttling threshold has been reached' }),
    );

    // Act
    const error = await failure(send());

    // Assess
    expect(error.kind).toBe('transient');
    expect(error.errorCode).toBe(code);
    expect(error.retryAfterMs).toBe(3000);
  });

  it('reports APIGW.0301 as permanent with the echoed canonical request, token redacted', async () => {
    // Prepare: the gateway echoes its canonical request with | for newlines.
    handler = afterBody((_req, res) => {
      const r = received[0]!;
      const names = /SignedHeaders=([^,]+)/.exec(String(r.headers.authorization))?.[1]?.split(';') ?? [];
      const signed = Object.fromEntries(names.map((n) => [n, String(r.headers[n])]));
      const { canonical } = canonicalRequest(r.method, `http://${r.headers.host}${r.url}`, signed, r.body);
      res.writeHead(401, { 'content-type': 'application/json', 'x-request-id': 'gw-rid' });
      res.end(
        JSON.stringify({
          error_code: 'APIGW.0301',
          error_msg: `Incorrect IAM authentication information: verify aksk signature fail, canonicalRequest:${canonical.replaceAll('\n', '|')}`,
          request_id: 'gw-rid',
        }),
      );
    });

    // Act
    const error = await failure(send());

    // Assess
    expect(error.kind).toBe('permanent');
    expect(error.errorCode).toBe('APIGW.0301');
    expect(error.message).toContain(
      `canonicalRequest:POST|${FAILOVER_PATH}/|x=1|content-type:application/json|`,
    );
    expect(error.message).toContain(`x-project-id:${PROJECT}|x-sdk-date:20240101T000000Z|`);
    expect(error.message).toContain('x-security-token:[REDACTED]');
    expect(error.errorMsg).toContain('verify aksk signature fail');
  });

  it('redacts an echoed Authorization value', async () => {
    // Prepare
    handler = afterBody((req, res) => {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ error_code: 'APIGW.0301', error_msg: `bad header ${req.headers.authorization}` }),
      );
    });

    // Act
    const error = await failure(send());

    // Assess
    expect(error.errorMsg).toBe('bad header [REDACTED AUTHORIZATION]');
  });
});

describe('HuaweiClient: failures on the wire', () => {
  const request = (path = FAILOVER_PATH) => ({
    method: 'POST' as const,
    url: `${base()}${path}`,
    projectId: PROJECT,
    body: { a: 1 },
  });

  it('reports a refused connection as transient, before_send', async () => {
    // Prepare: a port that was just closed.
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));

    // Act
    const error = await failure(
      newClient().send({
        method: 'POST',
        url: `http://127.0.0.1:${closedPort}${FAILOVER_PATH}`,
        projectId: PROJECT,
      }),
    );

    // Assess
    expect(error.kind).toBe('transient');
    expect(error.phase).toBe('before_send');
    expect((error.cause as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
    expect(error.message).toContain(`POST ${FAILOVER_PATH}: not sent`);
  });

  it('reports an unresolvable host as transient, before_send', async () => {
    // Prepare
    const looked: string[] = [];
    const lookup: LookupFunction = (hostname, _options, callback) => {
      looked.push(hostname);
      callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), '', 4);
    };
    const c = newClient({ lookup });

    // Act
    const error = await failure(
      c.send({
        method: 'POST',
        url: `http://dws.nowhere.invalid:${port}${FAILOVER_PATH}`,
        projectId: PROJECT,
      }),
    );

    // Assess
    expect(error.kind).toBe('transient');
    expect(error.phase).toBe('before_send');
    expect((error.cause as NodeJS.ErrnoException).code).toBe('ENOTFOUND');
    expect(looked).toEqual(['dws.nowhere.invalid']);
  });

  it('reports a connect time-out as transient, before_send', async () => {
    // Prepare: a name resolution that never answers keeps the socket connecting.
    const c = newClient({ lookup: () => {}, connectTimeoutMs: 100, timeoutMs: 5000 });
    const started = Date.now();

    // Act
    const error = await failure(
      c.send({ method: 'POST', url: `http://localhost:${port}${FAILOVER_PATH}`, projectId: PROJECT }),
    );

    // Assess
    expect(Date.now() - started).toBeLessThan(2000);
    expect(error.kind).toBe('transient');
    expect(error.phase).toBe('before_send');
    expect(error.message).toContain('connect time-out');
    expect(connections).toBe(0);
  });

  it('counts the total time-out from the start, even while connecting', async () => {
    // Prepare
    const c = newClient({ lookup: () => {}, connectTimeoutMs: 5000, timeoutMs: 100 });

    // Act
    const error = await failure(
      c.send({ method: 'POST', url: `http://localhost:${port}${FAILOVER_PATH}`, projectId: PROJECT }),
    );

    // Assess
    expect(error.kind).toBe('transient');
    expect(error.phase).toBe('before_send');
  });

  it('reports a reset before the request was fully written as transient, before_send', async () => {
    // Prepare: the server drops the connection on the headers; a 32 MB body cannot be flushed by then.
    handler = (req) => req.socket.destroy();
    const c = newClient();

    // Act
    const error = await failure(
      c.send({
        method: 'POST',
        url: `${base()}/v1/${PROJECT}/restores`,
        projectId: PROJECT,
        body: { blob: 'x'.repeat(32 * 1024 * 1024) },
      }),
    );

    // Assess
    expect(error.kind).toBe('transient');
    expect(error.phase).toBe('before_send');
    expect(connections).toBe(1);
  });

  it('reports no answer within timeoutMs after the body was read as ambiguous, after_send', async () => {
    // Prepare: the server reads the whole body, then never answers.
    handler = afterBody(() => {});
    const c = newClient({ timeoutMs: 200 });
    const started = Date.now();

    // Act
    const error = await failure(c.send(request()));

    // Assess
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(received.map((r) => r.body)).toEqual(['{"a":1}']);
    expect(error.kind).toBe('ambiguous');
    expect(error.phase).toBe('after_send');
    expect(error.message).toContain(`POST ${FAILOVER_PATH}: sent, no complete response (time-out`);
  });

  it('reports a socket destroyed after the body was read as ambiguous, after_send', async () => {
    // Prepare
    handler = afterBody((req) => req.socket.destroy());
    const c = newClient();

    // Act
    const error = await failure(c.send(request()));

    // Assess
    expect(received).toHaveLength(1);
    expect(error.kind).toBe('ambiguous');
    expect(error.phase).toBe('after_send');
  });

  it('reports a response cut short as ambiguous, after_send', async () => {
    // Prepare: headers and half of the announced body, then the connection drops.
    handler = afterBody((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"disaster_recovery":', () => setTimeout(() => req.socket.destroy(), 20));
    });
    const c = newClient();

    // Act
    const error = await failure(c.send(request()));

    // Assess
    expect(error.kind).toBe('ambiguous');
    expect(error.phase).toBe('after_send');
  });

  it('reports a caller abort after the request was sent as ambiguous, after_send', async () => {
    // Prepare
    handler = afterBody(() => {});
    const controller = new AbortController();
    const c = newClient();
    const bodyRead = nextBody();

    // Act
    const pending = failure(c.send(request(), { signal: controller.signal }));
    await bodyRead;
    controller.abort();
    const error = await pending;

    // Assess
    expect(error.kind).toBe('ambiguous');
    expect(error.phase).toBe('after_send');
    expect(error.message).toContain('aborted by caller');
  });

  it('reports a caller abort before anything was sent as transient, before_send', async () => {
    // Prepare
    const controller = new AbortController();
    controller.abort();
    const c = newClient();

    // Act
    const error = await failure(c.send(request(), { signal: controller.signal }));

    // Assess
    expect(error.kind).toBe('transient');
    expect(error.phase).toBe('before_send');
    expect(received).toHaveLength(0);
    expect(connections).toBe(0);
  });

  it('reports a caller abort while connecting as transient, before_send', async () => {
    // Prepare
    const controller = new AbortController();
    const c = newClient({ lookup: () => {} });

    // Act
    const pending = failure(
      c.send(
        { method: 'POST', url: `http://localhost:${port}${FAILOVER_PATH}`, projectId: PROJECT },
        { signal: controller.signal },
      ),
    );
    setTimeout(() => controller.abort(), 30);
    const error = await pending;

    // Assess
    expect(error.kind).toBe('transient');
    expect(error.phase).toBe('before_send');
  });

  it('reports a failing credentials provider as before_send without sending', async () => {
    // Prepare
    const c = newClient({
      credentials: async () => {
        throw new Error('secrets store unavailable');
      },
    });

    // Act
    const error = await failure(c.send(request()));

    // Assess
    expect(error.kind).toBe('transient');
    expect(error.phase).toBe('before_send');
    expect(connections).toBe(0);
  });

  it.each([
    ['a BigInt', { n: 1n }],
    ['a function', () => 1],
  ])('refuses a body holding %s as permanent, before_send', async (_name, body) => {
    // Prepare
    const c = newClient();

    // Act
    const error = await failure(
      c.send({ method: 'POST', url: `${base()}${FAILOVER_PATH}`, projectId: PROJECT, body }),
    );

    // Assess
    expect(error.kind).toBe('permanent');
    expect(error.phase).toBe('before_send');
    expect(connections).toBe(0);
  });

  it('refuses to send after close', async () => {
    // Prepare
    const c = newClient();
    c.close();

    // Act
    const error = await failure(c.send(request()));

    // Assess
    expect(error.kind).toBe('permanent');
    expect(error.phase).toBe('before_send');
    expect(connections).toBe(0);
  });
});

describe('errorFromResponse', () => {
  it('reads like HTTP <status> <code>: <msg> without a method and path', () => {
    // Act
    const error = errorFromResponse(409, '{"error_code":"DWS.0011","error_msg":"busy"}', {
      'x-request-id': 'r-1',
    });

    // Assess
    expect(error.message).toBe('HTTP 409 DWS.0011: busy');
    expect(error.toJSON()).toEqual({
      name: 'HuaweiApiError',
      kind: 'permanent',
      message: 'HTTP 409 DWS.0011: busy',
      phase: 'response',
      httpStatus: 409,
      errorCode: 'DWS.0011',
      errorMsg: 'busy',
      requestId: 'r-1',
    });
  });

  it('keeps a Retry-After of a 503 and reads header names in any case', () => {
    // Act
    const error = errorFromResponse(503, '', { 'Retry-After': '7', 'X-Request-Id': ['r-2', 'r-3'] });

    // Assess
    expect(error.kind).toBe('transient');
    expect(error.retryAfterMs).toBe(7000);
    expect(error.requestId).toBe('r-2');
    expect(error.message).toBe('HTTP 503');
  });

  it('redacts given secrets from what the server echoed', () => {
    // Act
    const error = errorFromResponse(
      401,
      JSON.stringify({ error_code: 'APIGW.0301', error_msg: `sk is ${SK}` }),
      {},
      {
        secrets: [SK],
      },
    );

    // Assess
    expect(error.errorMsg).toBe('sk is [REDACTED]');
    expect(JSON.stringify(error)).not.toContain(SK);
  });
});
