import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalRequest, sign, signature } from '../../lib/huawei/signer.ts';
import { verifyRequest } from '../../tools/simulator/auth.ts';

const credentials = { ak: 'QTWAOYTTINDUT2QVKYUC', sk: 'MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc' };
const signatureOf = (headers: Record<string, string>): string =>
  /Signature=([0-9a-f]{64})$/.exec(headers['authorization'] ?? '')?.[1] ?? 'none';

describe('SDK-HMAC-SHA256 signer', () => {
  it('reproduces the published vector (Huawei signing guide, Java SDK signer test)', () => {
    const request = {
      method: 'GET',
      url: 'https://service.region.example.com/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs?limit=2&marker=13551d6b-755d-4757-b956-536f674975c0',
      headers: { 'Content-Type': 'application/json' },
      body: '',
    };
    const headers = sign(request, credentials, new Date('2019-11-15T03:36:55Z'));
    const { canonical, signedHeaders } = canonicalRequest(
      'GET',
      request.url,
      {
        'content-type': 'application/json',
        host: 'service.region.example.com',
        'x-sdk-date': '20191115T033655Z',
      },
      '',
    );
    expect(createHash('sha256').update(canonical).digest('hex')).toBe(
      'b25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a',
    );
    expect(signedHeaders).toBe('content-type;host;x-sdk-date');
    expect(headers['x-sdk-date']).toBe('20191115T033655Z');
    expect(headers['authorization']).toBe(
      'SDK-HMAC-SHA256 Access=QTWAOYTTINDUT2QVKYUC, SignedHeaders=content-type;host;x-sdk-date, Signature=7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe',
    );
  });

  const project = '0b3e2a0f9b00d4b52fbcc0105c9f1234';
  const failoverUrl = `https://dws.cn-north-4.myhuaweicloud.com/v2/${project}/disaster-recovery/a5f8d1ad-2a8e-4b4b-8d9d-1234567890ab/failover`;
  const csbsBody = JSON.stringify({
    restore: {
      provider_id: 'fc4d5750-22e7-4798-8a46-f48f62c4c1da',
      checkpoint_id: 'cp-1',
      parameters: {
        checkpoint_item_id: 'it-1',
        power_on: true,
        targets: { server_id: 'srv-1', volumes: [{ backup_id: 'b-1', volume_id: 'v-1' }] },
      },
    },
  });

  it.each([
    [
      'DWS failover, no body',
      failoverUrl,
      '',
      '368af76f9e29dd17ccb953a4518dabe9de82a5591e20af2bdc12a740dd4713fc',
    ],
    [
      'DWS failover, body {}',
      failoverUrl,
      '{}',
      '588f42d2fb69f923201372873674564406b65493b0e436abe0e7036f98c4d086',
    ],
    [
      'DCS restore',
      `https://dcs.cn-north-4.myhuaweicloud.com/v2/${project}/instances/inst-1/restores`,
      '{"backup_id":"bk-1","remark":"auto"}',
      '681945df843135e8b6ea6bc59454d42e3b5fd3cce8a0d26c246913a6bff78f78',
    ],
    [
      'CSBS restore',
      `https://csbs.cn-north-4.myhuaweicloud.com/v1/${project}/restores`,
      csbsBody,
      '26b2edfa61223166798cdc96086517a3c3a72b59a1453e1eecf6a0000193f612',
    ],
  ])('reproduces the official Node SDK vector: %s', (_name, url, body, expected) => {
    const headers = sign(
      { method: 'POST', url, headers: { 'Content-Type': 'application/json', 'X-Project-Id': project }, body },
      credentials,
      new Date('2024-01-01T00:00:00Z'),
    );
    expect(headers['authorization']).toContain('SignedHeaders=content-type;host;x-project-id;x-sdk-date,');
    expect(signatureOf(headers)).toBe(expected);
  });

  it('signs the temporary-credential token too', () => {
    const headers = sign(
      { method: 'GET', url: 'https://a.example.com/v1/x', headers: {}, body: '' },
      { ...credentials, securityToken: 'tok' },
      new Date('2024-01-01T00:00:00Z'),
    );
    expect(headers['x-security-token']).toBe('tok');
    expect(headers['authorization']).toContain('SignedHeaders=host;x-sdk-date;x-security-token,');
  });

  it('encodes path segments per RFC 3986 and always appends a trailing slash', () => {
    const { canonical } = canonicalRequest('get', 'https://h/v1/a b/c*d', { host: 'h' }, '');
    expect(canonical.split('\n')[1]).toBe('/v1/a%20b/c%2Ad/');
  });

  it('sorts query keys and values, and keeps empty values as k=', () => {
    const { canonical } = canonicalRequest('GET', 'https://h/x?b=2&a=&b=1&c=%2F', { host: 'h' }, '');
    expect(canonical.split('\n')[2]).toBe('a=&b=1&b=2&c=%2F');
  });

  /**
   * Copied from the Go SDK, huaweicloud/huaweicloud-sdk-go-v3 core/auth/signer/signer_test.go
   * (TestSigner_Sign): AK "AccessKey", SK "SecretKey", https://example.huaweicloud.com/path,
   * X-Sdk-Date 20060102T150405Z; the Go SDK signs only x-sdk-date there (Content-Type and names
   * with `_` are left out). test2's body is Go's JSON encoding of TestBody{Name: "test", Id: 1},
   * which ends in a newline.
   */
  it.each([
    [
      'test1: GET /path?limit=1, no body',
      'GET',
      'https://example.huaweicloud.com/path?limit=1',
      '',
      '5a2ce64c865e0e6046321c6f3d5a77ba8413eeaf355c3166c03d58d02ac79624',
    ],
    [
      'test2: POST /path?key=value, body ending in a newline',
      'POST',
      'https://example.huaweicloud.com/path?key=value',
      '{"Name":"test","Id":1}\n',
      'cecc2af119b18ab70b4d094c0750f3b42c02f254903179a0fc2cc72fc9db4f59',
    ],
  ])('reproduces the Go SDK vector %s', (_name, method, url, body, expected) => {
    // Prepare
    const date = '20060102T150405Z';
    // Act
    const { canonical, signedHeaders } = canonicalRequest(method, url, { 'X-Sdk-Date': date }, body);
    // Assess
    expect(signedHeaders).toBe('x-sdk-date');
    expect(signature(canonical, date, 'SecretKey')).toBe(expected);
  });

  it('reproduces the Go SDK canonical query (TestSigner_canonicalQueryString)', () => {
    // Prepare: limit=1, enable=true, test="一 (&=?!#%.*)", path=/tmp/123, multi=[1,2,3]
    const query = new URLSearchParams([
      ['limit', '1'],
      ['enable', 'true'],
      ['test', '一 (&=?!#%.*)'],
      ['path', '/tmp/123'],
      ['multi', '1'],
      ['multi', '2'],
      ['multi', '3'],
    ]);
    // Act
    const { canonical } = canonicalRequest('GET', `https://h/x?${query}`, { host: 'h' }, '');
    // Assess
    expect(canonical.split('\n')[2]).toBe(
      'enable=true&limit=1&multi=1&multi=2&multi=3&path=%2Ftmp%2F123&test=%E4%B8%80%20%28%26%3D%3F%21%23%25.%2A%29',
    );
  });

  it('signs the DCS state read so that the independent verifier (tools/simulator/auth.ts) accepts it', () => {
    // Prepare: exactly what the DCS state read sends
    const now = new Date('2024-01-01T00:00:00Z');
    const url = new URL(
      `https://dcs.cn-north-4.myhuaweicloud.com/v2/${project}/instances/inst-1/restores?offset=0&limit=1000`,
    );
    // Act
    const headers = sign(
      {
        method: 'GET',
        url: url.href,
        headers: { 'Content-Type': 'application/json', 'X-Project-Id': project },
        body: '',
      },
      credentials,
      now,
    );
    const verdict = verifyRequest({
      method: 'GET',
      path: `${url.pathname}${url.search}`,
      headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])),
      rawBody: '',
      credentials: new Map([[credentials.ak, credentials.sk]]),
      now: now.getTime(),
    });
    // Assess
    expect(headers['authorization']).toContain('SignedHeaders=content-type;host;x-project-id;x-sdk-date,');
    expect(verdict).toEqual({ ok: true, ak: credentials.ak });
  });
});
