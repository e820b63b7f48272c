/**
 * The simulator's own SDK-HMAC-SHA256 verifier (tools/simulator/auth.ts), checked against the
 * official vectors, then against what the project's signer sends for the DCS state read and for
 * the CBR restore and its task list.
 */
import { describe, expect, it } from 'vitest';
import { sign } from '../../../lib/huawei/signer.ts';
import { type AuthInput, canonicalQueryString, verifyRequest } from '../../../tools/simulator/auth.ts';
import { KEYS, PROJECT } from './helpers.ts';

/**
 * Copied from the Go SDK, huaweicloud/huaweicloud-sdk-go-v3 core/auth/signer/signer_test.go
 * (TestSigner_Sign): AK "AccessKey", SK "SecretKey", endpoint https://example.huaweicloud.com,
 * path /path, X-Sdk-Date 20060102T150405Z, an unsigned TEST_UNDERSCORE header (names with `_`
 * are never signed) and, for test2, an unsigned Content-Type: application/json. The Go SDK signs
 * only x-sdk-date here (no host). test2's body is the SDK's JSON encoding of
 * TestBody{Name: "test", Id: 1}: Go's json.Encoder ends it with a newline.
 */
const GO_SDK = {
  ak: 'AccessKey',
  sk: 'SecretKey',
  host: 'example.huaweicloud.com',
  date: '20060102T150405Z',
  dateMs: Date.parse('2006-01-02T15:04:05Z'),
  test1: {
    method: 'GET',
    path: '/path?limit=1',
    body: '',
    contentType: undefined,
    authorization:
      'SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=x-sdk-date, Signature=5a2ce64c865e0e6046321c6f3d5a77ba8413eeaf355c3166c03d58d02ac79624',
  },
  test2: {
    method: 'POST',
    path: '/path?key=value',
    body: '{"Name":"test","Id":1}\n',
    contentType: 'application/json',
    authorization:
      'SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=x-sdk-date, Signature=cecc2af119b18ab70b4d094c0750f3b42c02f254903179a0fc2cc72fc9db4f59',
  },
} as const;

type GoCase = (typeof GO_SDK)['test1' | 'test2'];

const goInput = (c: GoCase, change: Partial<AuthInput> = {}): AuthInput => ({
  method: c.method,
  path: c.path,
  headers: {
    host: GO_SDK.host,
    'x-sdk-date': GO_SDK.date,
    test_underscore: 'TEST_VALUE',
    ...(c.contentType ? { 'content-type': c.contentType } : {}),
    authorization: c.authorization,
  },
  rawBody: Buffer.from(c.body, 'utf8'),
  credentials: new Map([[GO_SDK.ak, GO_SDK.sk]]),
  now: GO_SDK.dateMs,
  ...change,
});

/** The same bytes with one byte changed (the first occurrence of `from` becomes `to`). */
const oneByte = (text: string, from: string, to: string): string => {
  const at = text.indexOf(from);
  if (at < 0) throw new Error(`${from} not in ${text}`);
  return `${text.slice(0, at)}${to}${text.slice(at + 1)}`;
};

describe('simulator verifier: the Go SDK vectors (core/auth/signer/signer_test.go)', () => {
  it.each([
    ['test1, GET with a query, no body', GO_SDK.test1],
    ['test2, POST with a body ending in a newline', GO_SDK.test2],
  ])('accepts %s', (_name, c) => {
    // Prepare
    const input = goInput(c);
    // Act
    const result = verifyRequest(input);
    // Assess
    expect(result).toEqual({ ok: true, ak: 'AccessKey' });
  });

  it.each([
    ['the method', GO_SDK.test1, { method: 'PUT' }],
    ['the path', GO_SDK.test1, { path: '/patH?limit=1' }],
    ['the query value', GO_SDK.test1, { path: '/path?limit=2' }],
    ['the query name', GO_SDK.test1, { path: '/path?limiT=1' }],
    ['the body', GO_SDK.test2, { rawBody: Buffer.from('{"Name":"tesT","Id":1}\n') }],
    ['the body without its final newline', GO_SDK.test2, { rawBody: Buffer.from('{"Name":"test","Id":1}') }],
    ['the secret key', GO_SDK.test2, { credentials: new Map([['AccessKey', 'SecretKeY']]) }],
  ] as const)('refuses one changed byte in %s', (_name, c, change) => {
    // Prepare
    const input = goInput(c, change as Partial<AuthInput>);
    // Act
    const result = verifyRequest(input);
    // Assess
    expect(result.ok).toBe(false);
    expect(result).toMatchObject({ message: expect.stringContaining('verify aksk signature fail') });
  });

  it('refuses one changed byte in the signature and in the signed date', () => {
    // Prepare
    const badSignature = goInput(GO_SDK.test1, {});
    badSignature.headers = {
      ...badSignature.headers,
      authorization: oneByte(GO_SDK.test1.authorization, '5a2c', '4'),
    };
    const badDate = goInput(GO_SDK.test1, {});
    badDate.headers = { ...badDate.headers, 'x-sdk-date': '20060102T150406Z' };
    // Act
    const results = [verifyRequest(badSignature), verifyRequest(badDate)];
    // Assess
    expect(results.map((r) => r.ok)).toEqual([false, false]);
  });

  it('echoes the canonical request it computed, newlines as |', () => {
    // Prepare
    const input = goInput(GO_SDK.test1, { path: '/path?limit=2' });
    // Act
    const result = verifyRequest(input);
    // Assess
    expect(result).toEqual({
      ok: false,
      message:
        'Incorrect IAM authentication information: verify aksk signature fail, canonicalRequest: ' +
        'GET|/path/|limit=2|x-sdk-date:20060102T150405Z||x-sdk-date|e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    });
  });

  it('reproduces the canonical query of TestSigner_canonicalQueryString', () => {
    // Prepare: the SDK's parameters limit=1, enable=true, test="一 (&=?!#%.*)", path=/tmp/123,
    // multi=[1,2,3], sent percent-encoded in another order (with `(`, `)`, `!`, `*` left raw,
    // as some clients do)
    const sent = `multi=3&test=${encodeURIComponent('一 (&=?!#%.*)')}&limit=1&multi=1&path=%2Ftmp%2F123&enable=true&multi=2`;
    // Act
    const canonical = canonicalQueryString(sent);
    // Assess
    expect(canonical).toBe(
      'enable=true&limit=1&multi=1&multi=2&multi=3&path=%2Ftmp%2F123&test=%E4%B8%80%20%28%26%3D%3F%21%23%25.%2A%29',
    );
  });
});

describe('simulator verifier: the project signer', () => {
  /** Exactly what the DCS state read sends: GET with a query, X-Project-Id and Content-Type signed. */
  const stateRead = (now: Date) => {
    const url = `https://dcs.cn-north-4.myhuaweicloud.com/v2/${PROJECT}/instances/inst-1/restores?offset=0&limit=1000`;
    const headers = sign(
      {
        method: 'GET',
        url,
        headers: { 'Content-Type': 'application/json', 'X-Project-Id': PROJECT },
        body: '',
      },
      KEYS,
      now,
    );
    // As a server receives them: names in lower case.
    const received = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
    return { url: new URL(url), headers: received };
  };

  it('accepts the DCS state read (GET /v2/{project_id}/instances/{id}/restores?offset=0&limit=1000)', () => {
    // Prepare
    const now = new Date('2024-01-01T00:00:00Z');
    const { url, headers } = stateRead(now);
    // Act
    const result = verifyRequest({
      method: 'GET',
      path: `${url.pathname}${url.search}`,
      headers,
      rawBody: Buffer.alloc(0),
      credentials: new Map([[KEYS.ak, KEYS.sk]]),
      now: now.getTime(),
    });
    // Assess
    expect(headers['authorization']).toContain('SignedHeaders=content-type;host;x-project-id;x-sdk-date,');
    expect(result).toEqual({ ok: true, ak: KEYS.ak });
  });

  it.each([
    [
      'the query',
      (h: Record<string, string>, p: string) => [h, p.replace('limit=1000', 'limit=1001')] as const,
    ],
    [
      'X-Project-Id',
      (h: Record<string, string>, p: string) =>
        [{ ...h, 'x-project-id': `${PROJECT.slice(0, -1)}5` }, p] as const,
    ],
    [
      'Host',
      (h: Record<string, string>, p: string) =>
        [{ ...h, host: 'dcs.cn-north-5.myhuaweicloud.com' }, p] as const,
    ],
  ])('refuses the state read with one changed byte in %s', (_name, tamper) => {
    // Prepare
    const now = new Date('2024-01-01T00:00:00Z');
    const { url, headers } = stateRead(now);
    const [sentHeaders, sentPath] = tamper(headers, `${url.pathname}${url.search}`);
    // Act
    const result = verifyRequest({
      method: 'GET',
      path: sentPath,
      headers: sentHeaders,
      rawBody: Buffer.alloc(0),
      credentials: new Map([[KEYS.ak, KEYS.sk]]),
      now: now.getTime(),
    });
    // Assess
    expect(result).toMatchObject({
      ok: false,
      message: expect.stringContaining('verify aksk signature fail'),
    });
  });
});

describe('simulator verifier: a CBR call signed by the project signer', () => {
  const BACKUP = '3e1d5c7b-9a2f-4e4d-8b6c-0f2e4a6c8b1d';
  const now = new Date('2024-01-01T00:00:00Z');
  /** The restore exactly as cbr.restore sends it: POST with a JSON body, X-Project-Id and Content-Type signed. */
  const signed = (method: string, url: string, body: string) => {
    const headers = sign(
      { method, url, headers: { 'Content-Type': 'application/json', 'X-Project-Id': PROJECT }, body },
      KEYS,
      now,
    );
    const received = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
    const parsed = new URL(url);
    return { path: `${parsed.pathname}${parsed.search}`, headers: received };
  };
  const restoreUrl = `https://cbr.cn-north-4.myhuaweicloud.com/v3/${PROJECT}/backups/${BACKUP}/restore`;
  const restoreBody = JSON.stringify({
    restore: {
      mappings: [
        {
          backup_id: '8a0c2e4f-6b1d-4c3e-9f5a-1b3d5f7a9c2e',
          volume_id: '5c7e9a1b-3d2f-4a6c-8e0b-2d4f6a8c0e1b',
        },
      ],
      power_on: true,
      server_id: '0c6a2e8f-1b3d-4f5a-9e7c-8d2b4a6c1e3f',
    },
  });
  const verify = (method: string, path: string, headers: Record<string, string>, body: string) =>
    verifyRequest({
      method,
      path,
      headers,
      rawBody: Buffer.from(body, 'utf8'),
      credentials: new Map([[KEYS.ak, KEYS.sk]]),
      now: now.getTime(),
    });

  it('accepts the restore (POST /v3/{project_id}/backups/{backup_id}/restore with its body)', () => {
    // Prepare
    const { path, headers } = signed('POST', restoreUrl, restoreBody);
    // Act
    const result = verify('POST', path, headers, restoreBody);
    // Assess
    expect(headers['host']).toBe('cbr.cn-north-4.myhuaweicloud.com');
    expect(headers['authorization']).toContain('SignedHeaders=content-type;host;x-project-id;x-sdk-date,');
    expect(result).toEqual({ ok: true, ak: KEYS.ak });
  });

  it('accepts the restore task list (a query with an underscore in its key)', () => {
    // Prepare
    const url = `https://cbr.cn-north-4.myhuaweicloud.com/v3/${PROJECT}/operation-logs?operation_type=restore&limit=1000&offset=1000`;
    const { path, headers } = signed('GET', url, '');
    // Act / Assess
    expect(verify('GET', path, headers, '')).toEqual({ ok: true, ak: KEYS.ak });
  });

  it.each([
    ['the body', (p: string, b: string) => [p, b.replace('"power_on":true', '"power_on":false')] as const],
    [
      'the backup id in the path',
      (p: string, b: string) => [p.replace(BACKUP, BACKUP.replace('3e1d', '3e1e')), b] as const,
    ],
  ])('refuses the restore with %s changed after signing', (_what, tamper) => {
    // Prepare
    const { path, headers } = signed('POST', restoreUrl, restoreBody);
    const [sentPath, sentBody] = tamper(path, restoreBody);
    // Act
    const result = verify('POST', sentPath, headers, sentBody);
    // Assess
    expect(result).toMatchObject({
      ok: false,
      message: expect.stringContaining('verify aksk signature fail'),
    });
  });
});
