import { describe, expect, it } from 'vitest';
import { canonicalRequest, signature } from '../../../lib/huawei/signer.ts';
import { errorCode, KEYS, PROJECT, startTestSimulator, T0 } from './helpers.ts';

const DR = 'a5f8d1ad-2a8e-4b4b-8d9d-1234567890ab';
const showPath = `/v2/${PROJECT}/disaster-recovery/${DR}`;
const failoverPath = `${showPath}/failover`;

const setup = async () => {
  const started = await startTestSimulator();
  started.sim.seed.drPair(PROJECT, DR);
  return started;
};

describe('simulator AK/SK verification', () => {
  it('accepts a correctly signed call and answers with X-Request-Id', async () => {
    // Prepare
    const { sim, client } = await setup();
    // Act
    const reply = await client('GET', showPath);
    // Assess
    expect(reply.status).toBe(200);
    expect(reply.requestId).toMatch(/^[0-9a-f]{32}$/);
    expect(sim.calls[0]).toMatchObject({ authorized: true, status: 200, requestId: reply.requestId });
  });

  it('refuses a bad signature with APIGW.0301 echoing the canonical request with |', async () => {
    // Prepare
    const { sim, client } = await setup();
    // Act
    const reply = await client('POST', failoverPath, {
      tamper: (h) => {
        h['authorization'] = h['authorization']!.replace(
          /Signature=[0-9a-f]{64}$/,
          `Signature=${'0'.repeat(64)}`,
        );
      },
    });
    // Assess
    const host = new URL(sim.url).host;
    const canonical = [
      'POST',
      `/v2/${PROJECT}/disaster-recovery/${DR}/failover/`,
      '',
      `content-type:application/json\nhost:${host}\nx-project-id:${PROJECT}\nx-sdk-date:20240101T000000Z\n`,
      'content-type;host;x-project-id;x-sdk-date',
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    ].join('\n');
    expect(reply.status).toBe(401);
    expect(errorCode(reply)).toBe('APIGW.0301');
    expect(reply.json['error_msg']).toBe(
      `Incorrect IAM authentication information: verify aksk signature fail, canonicalRequest: ${canonical.replaceAll('\n', '|')}`,
    );
    expect(reply.json['request_id']).toBe(reply.requestId);
  });

  it('refuses a body altered after signing', async () => {
    // Prepare
    const { sim, client } = await setup();
    sim.seed.dcsInstance(PROJECT, 'inst-1');
    // Act
    const reply = await client('POST', `/v2/${PROJECT}/instances/inst-1/restores`, {
      body: { backup_id: 'bk-1' },
      sendBody: JSON.stringify({ backup_id: 'bk-2' }),
    });
    // Assess
    expect(reply.status).toBe(401);
    expect(errorCode(reply)).toBe('APIGW.0301');
    expect(String(reply.json['error_msg'])).toContain('verify aksk signature fail');
    expect(sim.dcsRestores(PROJECT, 'inst-1')).toEqual([]);
  });

  it('accepts SignedHeaders without host, as the Go SDK signs (x-project-id;x-sdk-date)', async () => {
    // Prepare
    const { sim } = await setup();
    const path = `${showPath}?offset=0`;
    const signed = { 'x-project-id': PROJECT, 'x-sdk-date': '20240101T000000Z' };
    const { canonical } = canonicalRequest('GET', `${sim.url}${path}`, signed, '');
    const authorization = `SDK-HMAC-SHA256 Access=${KEYS.ak}, SignedHeaders=x-project-id;x-sdk-date, Signature=${signature(canonical, signed['x-sdk-date'], KEYS.sk)}`;
    // Act
    const response = await fetch(`${sim.url}${path}`, {
      headers: { ...signed, 'content-type': 'application/json', authorization },
    });
    // Assess
    expect(response.status).toBe(200);
    expect(sim.calls[0]).toMatchObject({ authorized: true, status: 200 });
  });

  it.each([
    ['X-Project-Id', (h: Record<string, string>) => ({ ...h, 'x-project-id': `${PROJECT.slice(0, -1)}5` })],
    ['X-Sdk-Date', (h: Record<string, string>) => ({ ...h, 'x-sdk-date': '20240101T000001Z' })],
    ['Content-Type', (h: Record<string, string>) => ({ ...h, 'content-type': 'application/jsoN' })],
  ])('refuses one changed byte in the signed header %s', async (_name, change) => {
    // Prepare
    const { sim, client } = await setup();
    // Act
    const reply = await client('POST', failoverPath, {
      tamper: (h) => Object.assign(h, change(h)),
    });
    // Assess
    expect([reply.status, errorCode(reply)]).toEqual([401, 'APIGW.0301']);
    expect(sim.drPair(PROJECT, DR)?.['status']).toBe('running');
  });

  it('refuses one changed byte in the query', async () => {
    // Prepare
    const { sim, client } = await setup();
    sim.seed.dcsInstance(PROJECT, 'inst-1');
    const path = `/v2/${PROJECT}/instances/inst-1/restores`;
    // Act
    const reply = await client('GET', `${path}?offset=0&limit=1000`, {
      sendPath: `${path}?offset=0&limit=1001`,
    });
    // Assess
    expect([reply.status, errorCode(reply)]).toEqual([401, 'APIGW.0301']);
    expect(String(reply.json['error_msg'])).toContain('|limit=1001&offset=0|');
  });

  it('refuses an unknown AK', async () => {
    // Prepare
    const { client } = await setup();
    // Act
    const reply = await client('GET', showPath, { credentials: { ak: 'UNKNOWNAK', sk: KEYS.sk } });
    // Assess
    expect(reply.status).toBe(401);
    expect(errorCode(reply)).toBe('APIGW.0301');
    expect(String(reply.json['error_msg'])).toContain('UNKNOWNAK');
  });

  it('refuses a missing or malformed Authorization header', async () => {
    // Prepare
    const { client } = await setup();
    // Act
    const missing = await client('GET', showPath, { tamper: (h) => delete h['authorization'] });
    const malformed = await client('GET', showPath, {
      tamper: (h) => {
        h['authorization'] = 'Basic abc';
      },
    });
    // Assess
    expect([missing.status, errorCode(missing)]).toEqual([401, 'APIGW.0301']);
    expect([malformed.status, errorCode(malformed)]).toEqual([401, 'APIGW.0301']);
  });

  it('refuses SignedHeaders without x-sdk-date', async () => {
    // Prepare
    const { client } = await setup();
    // Act
    const reply = await client('GET', showPath, {
      tamper: (h) => {
        h['authorization'] = h['authorization']!.replace(';x-sdk-date', '');
      },
    });
    // Assess
    expect(reply.status).toBe(401);
    expect(String(reply.json['error_msg'])).toContain('x-sdk-date');
  });

  it.each([
    ['16 minutes behind', -16, 401],
    ['16 minutes ahead', 16, 401],
    ['14 minutes behind', -14, 200],
    ['14 minutes ahead', 14, 200],
  ])('X-Sdk-Date %s -> %i', async (_name, minutes, expected) => {
    // Prepare
    const { client } = await setup();
    // Act
    const reply = await client('GET', showPath, { signedAt: new Date(T0 + minutes * 60_000) });
    // Assess
    expect(reply.status).toBe(expected);
    if (expected === 401) expect(String(reply.json['error_msg'])).toContain('15 minutes');
  });

  it('logs unauthorized calls and never changes state', async () => {
    // Prepare
    const { sim, client } = await setup();
    // Act
    const reply = await client('POST', failoverPath, { credentials: { ak: KEYS.ak, sk: 'wrong-secret' } });
    // Assess
    expect(reply.status).toBe(401);
    expect(sim.drPair(PROJECT, DR)?.['status']).toBe('running');
    expect(sim.calls).toHaveLength(1);
    expect(sim.calls[0]).toMatchObject({
      route: 'dws.dr.failover',
      authorized: false,
      effectApplied: false,
      status: 401,
      errorCode: 'APIGW.0301',
    });
  });

  it('answers unknown paths with APIG.0101 and a project id that is not 32 hex with 400 APIG.0201', async () => {
    // Prepare
    const { sim, client } = await setup();
    // Act
    const unknown = await client('GET', `/v3/${PROJECT}/nothing`);
    const badProject = await client('GET', `/v2/not-a-project/disaster-recovery/${DR}`);
    // Assess
    expect([unknown.status, errorCode(unknown)]).toEqual([404, 'APIG.0101']);
    expect(sim.calls[0]?.route).toBe('unknown');
    expect([badProject.status, errorCode(badProject)]).toEqual([400, 'APIG.0201']);
  });
});
