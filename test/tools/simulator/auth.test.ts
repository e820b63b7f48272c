import { describe, expect, it } from 'vitest';
import { canonicalRequest } from '../../../lib/huawei/signer.ts';
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
    const { canonical } = canonicalRequest(
      'POST',
      `${sim.url}${failoverPath}`,
      {
        'content-type': 'application/json',
        host,
        'x-project-id': PROJECT,
        'x-sdk-date': '20240101T000000Z',
      },
      '',
    );
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

  it('answers unknown paths with APIGW.0101 and a project id that is not 32 hex with 400', async () => {
    // Prepare
    const { sim, client } = await setup();
    // Act
    const unknown = await client('GET', `/v3/${PROJECT}/nothing`);
    const badProject = await client('GET', `/v2/not-a-project/disaster-recovery/${DR}`);
    // Assess
    expect([unknown.status, errorCode(unknown)]).toEqual([404, 'APIGW.0101']);
    expect(sim.calls[0]?.route).toBe('unknown');
    expect(badProject.status).toBe(400);
  });
});
