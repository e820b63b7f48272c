/**
 * `dr-relay send` and `dr-relay status`: local validation before anything is sent, the signed
 * `POST /v1/requests` / `GET /v1/requests/{id}` (checked against a small HTTP server that verifies
 * X-DR-Signature with lib/http/signature.ts), problem+json refusals, `send --queue` (mocked SQS),
 * `status --table` (mocked DynamoDB), --json shapes and the exit codes.
 */
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { idempotencyKeyHeader } from '../../cli/send.ts';
import { errorLine } from '../../cli/status.ts';
import { verifySignature } from '../../lib/http/signature.ts';
import { dcsRequest, REQUEST_QUEUE_URL, runIn, STAGE_ENV } from './inProcess.ts';

const SECRET = 'test-hmac-secret-0123456789';
const sqs = mockClient(SQSClient);
const dynamo = mockClient(DynamoDBClient);

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  signed: boolean;
}
let server: Server;
let api = '';
const received: Received[] = [];
/** What the fake API answers next: status and JSON body. */
let reply: { status: number; body: unknown; contentType?: string } = { status: 202, body: {} };

beforeAll(async () => {
  server = createServer(async (request, response) => {
    let body = '';
    for await (const chunk of request) body += chunk;
    const signed = verifySignature(
      request.headers['x-dr-signature'] as string | undefined,
      body,
      [SECRET],
      Math.floor(Date.now() / 1000),
      undefined,
      // As the API checks it: v2 over the method and path only (the CLI signs v2 for both).
      { method: request.method ?? '', path: (request.url ?? '').split('?')[0] ?? '', v1: false },
    ).ok;
    received.push({
      method: request.method ?? '',
      url: request.url ?? '',
      headers: request.headers,
      body,
      signed,
    });
    response
      .writeHead(reply.status, { 'content-type': reply.contentType ?? 'application/json' })
      .end(typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  api = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  received.length = 0;
  sqs.reset();
  dynamo.reset();
});

const env = () => ({ ...STAGE_ENV, DR_API_URL: api, WEBHOOK_HMAC_SECRETS: ` ${SECRET} , older-secret` });

const dir = mkdtempSync(join(tmpdir(), 'dr-relay-send-'));
const file = (name: string, content: unknown): string => {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return path;
};

describe('send: local validation first', () => {
  it('an invalid file: exit 1, every problem listed, nothing sent', async () => {
    // Act
    const run = await runIn(['send', 'events/requests/invalid-request.json'], env());
    const json = await runIn(['send', 'events/requests/invalid-request.json', '--queue', '--json'], env());

    // Assess
    expect(run.code).toBe(1);
    expect(run.stdout).toBe(
      [
        'INVALID: events/requests/invalid-request.json: 2 problems; nothing sent',
        '  params.instance_id: must be a UUID such as e59d6b86-9072-46eb-a996-13f8b44994c1',
        '  params.priority: unknown field',
        '',
      ].join('\n'),
    );
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toEqual({
      ok: false,
      file: 'events/requests/invalid-request.json',
      issues: [
        {
          path: 'params.instance_id',
          message: 'must be a UUID such as e59d6b86-9072-46eb-a996-13f8b44994c1',
        },
        { path: 'params.priority', message: 'unknown field' },
      ],
    });
    expect(received).toHaveLength(0);
    expect(sqs.calls()).toHaveLength(0);
  });

  it('a missing file or one that is not JSON: exit 1', async () => {
    // Act
    const missing = await runIn(['send', 'no/such/file.json'], env());
    const notJson = await runIn(['send', file('bad.json', '{"action": ')], env());

    // Assess
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain('(file): not found');
    expect(notJson.code).toBe(1);
    expect(notJson.stdout).toMatch(/\(body\): body is not JSON/);
  });
});

describe('send: the API (default)', () => {
  it('POSTs the raw file, signed with the first secret; prints request_id and status', async () => {
    // Prepare
    const text = JSON.stringify(dcsRequest('api-1'), null, 4);
    reply = { status: 202, body: { request_id: 'api-1', status: 'queued' } };

    // Act
    const run = await runIn(['send', file('api-1.json', text)], env());

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('request_id  api-1\nstatus      queued\n');
    expect(run.stderr).toBe('next: dr-relay status api-1\n');
    expect(received).toHaveLength(1);
    const [call] = received as [Received];
    expect(call).toMatchObject({ method: 'POST', url: '/v1/requests', body: text, signed: true });
    expect(call.headers['content-type']).toBe('application/json');
    expect(call.headers['x-dr-signature']).toMatch(/^t=\d+,v2=[0-9a-f]{64}$/);
    expect(call.headers['idempotency-key']).toBeUndefined();
  });

  it('sends the CBR sample (cbr.restore) as it is, signed; an invalid CBR request is refused locally, naming the field', async () => {
    // Prepare
    reply = { status: 202, body: { request_id: 'sample-cbr-restore-1', status: 'queued' } };
    const noTarget = file('cbr-no-target.json', {
      action: 'cbr.restore',
      region: 'cn-north-4',
      project_id: '89cd04f168b84af6be287f71730fdb4b',
      params: { backup_id: '6a1e4c8f-2b7d-4e9a-b3c5-7d0f2e4a6c81' },
    });

    // Act
    const run = await runIn(['send', 'events/requests/cbr-restore.json', '--json'], env());
    const invalid = await runIn(['send', noTarget], env());

    // Assess
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: true, action: 'cbr.restore', status: 'queued' });
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ method: 'POST', url: '/v1/requests', signed: true });
    expect(JSON.parse(received[0]!.body)).toMatchObject({
      action: 'cbr.restore',
      params: { power_on: true },
    });
    expect(invalid.code).toBe(1);
    expect(invalid.stdout).toContain(
      'params.server_id: exactly one of server_id (restore a whole server) or volume_id (restore a disk) is required',
    );
  });

  it('--idempotency-key K is sent as the Idempotency-Key header (a quoted string); --json', async () => {
    // Prepare
    reply = { status: 202, body: { request_id: 'api-2', status: 'queued' } };

    // Act
    const run = await runIn(
      ['send', file('api-2.json', dcsRequest('api-2')), '--idempotency-key', 'ticket-"42"', '--json'],
      env(),
    );

    // Assess
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      ok: true,
      via: 'api',
      http_status: 202,
      request_id: 'api-2',
      status: 'queued',
      action: 'dcs.restore',
    });
    expect(received[0]!.headers['idempotency-key']).toBe('"ticket-\\"42\\""');
    expect(idempotencyKeyHeader('a\\b')).toBe('"a\\\\b"');
  });

  it('a request that already ended says it was not queued again', async () => {
    // Prepare
    reply = { status: 202, body: { request_id: 'api-3', status: 'dead_lettered' } };

    // Act
    const run = await runIn(['send', file('api-3.json', dcsRequest('api-3'))], env());

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('status      dead_lettered');
    expect(run.stderr).toContain('not queued again; only a redrive runs it again (dr-relay dlq redrive)');
  });

  it('a refusal: exit 1 with the problem title, detail and issues; --json {ok: false, problem}', async () => {
    // Prepare
    reply = {
      status: 400,
      contentType: 'application/problem+json',
      body: {
        type: 'about:blank',
        title: 'Invalid request',
        status: 400,
        detail: '1 invalid field(s)',
        issues: [{ path: 'params.backup_id', message: 'must be a UUID' }],
      },
    };

    // Act
    const run = await runIn(['send', file('api-4.json', dcsRequest('api-4'))], env());
    const json = await runIn(['send', file('api-4.json', dcsRequest('api-4')), '--json'], env());

    // Assess
    expect(run.code).toBe(1);
    expect(run.stdout).toBe(
      [
        `REFUSED by ${api.replace(/\/$/, '')}/v1/requests`,
        'HTTP 400 Invalid request: 1 invalid field(s)',
        '  params.backup_id: must be a UUID',
        '',
      ].join('\n'),
    );
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toEqual({
      ok: false,
      via: 'api',
      problem: {
        status: 400,
        title: 'Invalid request',
        detail: '1 invalid field(s)',
        issues: [{ path: 'params.backup_id', message: 'must be a UUID' }],
      },
    });
  });

  it('an answer that is not JSON (a gateway error) is shown as it came', async () => {
    // Prepare
    reply = { status: 502, contentType: 'text/plain', body: 'Bad Gateway' };

    // Act
    const run = await runIn(['send', file('api-5.json', dcsRequest('api-5'))], env());

    // Assess
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('HTTP 502 HTTP 502: Bad Gateway');
  });

  it('an unreachable API: exit 1 naming the URL and the cause', async () => {
    // Prepare: a port that was free a moment ago.
    const probe = createServer().listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));

    // Act
    const run = await runIn(['send', file('api-6.json', dcsRequest('api-6'))], {
      ...env(),
      DR_API_URL: `http://127.0.0.1:${port}`,
    });

    // Assess
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `dr-relay: POST http://127.0.0.1:${port}/v1/requests failed: fetch failed (ECONNREFUSED)\n`,
    );
  });

  it('without WEBHOOK_HMAC_SECRETS (not the local stack) it refuses to send unsigned: exit 2', async () => {
    // Act
    const run = await runIn(['send', file('api-7.json', dcsRequest('api-7'))], {
      ...STAGE_ENV,
      DR_API_URL: api,
    });

    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('WEBHOOK_HMAC_SECRETS is not set: requests to the API must be signed');
    expect(received).toHaveLength(0);
  });
});

describe('send --queue', () => {
  it('SendMessage of the file as is; prints the message id and the idempotency key', async () => {
    // Prepare
    sqs.on(SendMessageCommand).resolves({ MessageId: 'mid-1' });
    const text = JSON.stringify(dcsRequest('q-1'));

    // Act
    const run = await runIn(['send', file('q-1.json', text), '--queue'], env());

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('message_id       mid-1\nidempotency_key  q-1\n');
    expect(sqs.commandCalls(SendMessageCommand)[0]!.args[0].input).toEqual({
      QueueUrl: REQUEST_QUEUE_URL,
      MessageBody: text,
    });
    expect(received).toHaveLength(0);
  });

  it('--json gives the sha256 key of a request without request_id', async () => {
    // Prepare
    sqs.on(SendMessageCommand).resolves({ MessageId: 'mid-2' });

    // Act
    const run = await runIn(['send', 'events/requests/dcs-restore.json', '--queue', '--json'], env());

    // Assess
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      ok: true,
      via: 'queue',
      queue_url: REQUEST_QUEUE_URL,
      message_id: 'mid-2',
      idempotency_key: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      action: 'dcs.restore',
    });
  });

  it('a failed send: exit 1', async () => {
    // Prepare
    sqs
      .on(SendMessageCommand)
      .rejects(Object.assign(new Error('no such queue'), { name: 'QueueDoesNotExist' }));

    // Act
    const run = await runIn(['send', file('q-3.json', dcsRequest('q-3')), '--queue'], env());

    // Assess
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `dr-relay: sending to the request queue ${REQUEST_QUEUE_URL} failed: QueueDoesNotExist: no such queue\n`,
    );
  });

  it('usage errors (exit 2): --idempotency-key with --queue, a key that cannot be a header, no file', async () => {
    // Act
    const withQueue = await runIn(
      ['send', 'events/requests/dcs-restore.json', '--queue', '--idempotency-key', 'k'],
      env(),
    );
    const badKey = await runIn(['send', 'events/requests/dcs-restore.json', '--idempotency-key', 'é'], env());
    const none = await runIn(['send'], env());
    const noQueue = await runIn(['send', 'events/requests/dcs-restore.json', '--queue'], { DR_API_URL: api });

    // Assess
    expect(withQueue.code).toBe(2);
    expect(withQueue.stderr).toContain("with --queue the idempotency key is the request's request_id");
    expect(badKey.code).toBe(2);
    expect(badKey.stderr).toContain('--idempotency-key must be 1-255 printable ASCII characters');
    expect(none.code).toBe(2);
    expect(noQueue.code).toBe(2);
    expect(noQueue.stderr).toContain('REQUEST_QUEUE_URL is not set');
    expect(sqs.calls()).toHaveLength(0);
    expect(received).toHaveLength(0);
  });
});

const STATUS = {
  request_id: 'sha256:abc',
  action: 'dcs.restore',
  target: 'dcs:89cd04f168b84af6be287f71730fdb4b/3f1a2b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b',
  status: 'succeeded',
  attempts: 2,
  remote: { restore_id: 'r-123' },
  error: {
    kind: 'transient',
    message: '503',
    http_status: 503,
    error_code: 'APIGW.0503',
    error_msg: 'Service unavailable',
  },
  updated_at: '2026-11-23T17:12:29.300Z',
};

describe('status (the API)', () => {
  it('signed GET /v1/requests/{id} (id URL-encoded, signature over the empty body); prints each field', async () => {
    // Prepare
    reply = { status: 200, body: STATUS };

    // Act
    const run = await runIn(['status', 'sha256:abc'], env());

    // Assess
    expect(run.code).toBe(0);
    expect(received[0]).toMatchObject({
      method: 'GET',
      url: '/v1/requests/sha256%3Aabc',
      body: '',
      signed: true,
    });
    expect(run.stdout).toBe(
      [
        'request_id  sha256:abc',
        'action      dcs.restore',
        `target      ${STATUS.target}`,
        'status      succeeded',
        'attempts    2',
        'remote      restore_id=r-123',
        'error       transient, HTTP 503, APIGW.0503: Service unavailable',
        'updated_at  2026-11-23T17:12:29.300Z',
        '',
      ].join('\n'),
    );
  });

  it('--json: {found, from, …the record}', async () => {
    // Prepare
    reply = { status: 200, body: STATUS };

    // Act
    const run = await runIn(['status', 'sha256:abc', '--json'], env());

    // Assess
    expect(JSON.parse(run.stdout)).toEqual({ found: true, from: 'api', ...STATUS });
  });

  it('404: unknown, exit 1 (--json: found false)', async () => {
    // Prepare
    reply = {
      status: 404,
      body: { title: 'Not Found', status: 404, detail: 'no request with this request_id is known' },
    };

    // Act
    const run = await runIn(['status', 'nope'], env());
    const json = await runIn(['status', 'nope', '--json'], env());

    // Assess
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      'dr-relay: unknown request nope (HTTP 404 Not Found: no request with this request_id is known)\n',
    );
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toEqual({ found: false, from: 'api', request_id: 'nope' });
  });

  it('401: exit 1 with the problem', async () => {
    // Prepare
    reply = {
      status: 401,
      body: { title: 'Unauthorized', status: 401, detail: 'the X-DR-Signature does not match the body' },
    };

    // Act
    const run = await runIn(['status', 'x'], env());

    // Assess
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('HTTP 401 Unauthorized: the X-DR-Signature does not match the body');
  });

  it('needs exactly one request id (exit 2)', async () => {
    expect((await runIn(['status'], env())).code).toBe(2);
    expect((await runIn(['status', 'a', 'b'], env())).code).toBe(2);
  });
});

describe('status --table', () => {
  it('reads req#<id> from STATE_TABLE (consistent read) and prints it without bookkeeping fields', async () => {
    // Prepare
    dynamo.on(GetItemCommand).resolves({
      Item: marshall({
        id: 'req#ops-1',
        ...STATUS,
        request_id: 'ops-1',
        status: 'dead_lettered',
        error: {
          kind: 'permanent',
          message: 'x',
          http_status: 404,
          error_code: 'DCS.4204',
          error_msg: 'The instance does not exist.',
        },
        call: { state: 'answered', sent_at: '2026-11-23T17:12:29.000Z' },
        created_at: '2026-11-23T17:12:28.000Z',
        expiration: 1,
      }),
    });

    // Act
    const run = await runIn(['status', 'ops-1', '--table'], env());
    const json = await runIn(['status', 'ops-1', '--table', '--json'], env());

    // Assess
    expect(run.code).toBe(0);
    expect(dynamo.commandCalls(GetItemCommand)[0]!.args[0].input).toEqual({
      TableName: 'dr-relay-dev-state',
      Key: { id: { S: 'req#ops-1' } },
      ConsistentRead: true,
    });
    expect(run.stdout).toMatch(/^status +dead_lettered$/m);
    expect(run.stdout).toMatch(/^error +permanent, HTTP 404, DCS\.4204: The instance does not exist\.$/m);
    const shown = JSON.parse(json.stdout);
    expect(shown).toMatchObject({ found: true, from: 'table', request_id: 'ops-1', status: 'dead_lettered' });
    expect(shown.call).toBeUndefined();
    expect(shown.created_at).toBeUndefined();
    expect(received).toHaveLength(0);
  });

  it('no record: exit 1', async () => {
    // Prepare
    dynamo.on(GetItemCommand).resolves({});

    // Act
    const run = await runIn(['status', 'nope', '--table'], env());

    // Assess
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      'dr-relay: unknown request nope (no status record req#nope in dr-relay-dev-state)\n',
    );
  });

  it('--state-table names another table', async () => {
    // Prepare
    dynamo.on(GetItemCommand).resolves({});

    // Act
    await runIn(['status', 'x', '--table', '--state-table', 'other-table'], env());

    // Assess
    expect(dynamo.commandCalls(GetItemCommand)[0]!.args[0].input.TableName).toBe('other-table');
  });
});

describe('errorLine', () => {
  it('joins what is known, with the Huawei request id', () => {
    expect(errorLine({ kind: 'ambiguous', message: 'attempts exhausted' })).toBe(
      'ambiguous: attempts exhausted',
    );
    expect(errorLine({ kind: 'permanent', message: 'm', http_status: 403, huawei_request_id: 'h1' })).toBe(
      'permanent, HTTP 403: m (Huawei request h1)',
    );
  });
});
