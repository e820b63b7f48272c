/**
 * The alert routes as HTTP: who may post, what is refused (and how), what a sender is told.
 * The alarm pipeline behind them is a recorder here; test/alarms covers what it does.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { alertRoutes, MAX_ALERT_BODY_BYTES } from '../../lib/http/alerts.ts';
import { createRouter } from '../../lib/http/router.ts';
import type { SignalResult } from '../../lib/intake/alarmSignals.ts';
import { type AlarmSignal, SmnVerifier } from '../../lib/sources/index.ts';
import { fetchStub, signSmn } from '../../tools/local/smn/signing.ts';

const TOKEN = 'alertmanager-token-0123456789';
const sample = (file: string) => readFileSync(`events/alarms/${file}`, 'utf8');
const invocation = { remainingMs: () => 25_000 };

const setup = (fetch = fetchStub()) => {
  const received: AlarmSignal[][] = [];
  const router = createRouter(
    alertRoutes({
      bearerTokens: async () => [TOKEN],
      pipeline: {
        process: async (signals): Promise<SignalResult[]> => {
          received.push([...signals]);
          return signals.map((s) => ({ signal: s.name, result: 'no_route' as const }));
        },
      },
      smn: { verifier: new SmnVerifier({ fetch: fetch.fetch }), fetch: fetch.fetch },
      log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    }),
  );
  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    router({ method: 'POST', path, headers, query: {}, body }, invocation);
  return { router, post, received, fetch };
};
const bearer = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
const problemOf = (body: string) =>
  JSON.parse(body) as { title: string; status: number; issues?: { path: string }[] };

describe('Alertmanager and Grafana routes', () => {
  it.each([
    ['/v1/alerts/alertmanager', 'alertmanager-firing.json'],
    ['/v1/alerts/grafana', 'grafana-firing.json'],
  ])('%s hands every alert to the pipeline and answers 200 with a summary', async (path, file) => {
    const { post, received } = setup();

    const response = await post(path, sample(file), bearer);

    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ signals: received[0]?.length, actions: 0 });
    expect(received[0]?.length).toBeGreaterThan(0);
  });

  it.each([
    ['no header', {}],
    ['a wrong token', { authorization: 'Bearer not-the-token-at-all-000' }],
    ['another scheme', { authorization: `Basic ${TOKEN}` }],
  ])(
    'refuses %s with 401 and a WWW-Authenticate challenge, before reading the body',
    async (_case, headers) => {
      const { post, received } = setup();

      const response = await post('/v1/alerts/alertmanager', sample('alertmanager-firing.json'), headers);

      expect(response.statusCode).toBe(401);
      expect(response.headers['content-type']).toBe('application/problem+json');
      expect(response.headers['www-authenticate']).toBe('Bearer');
      expect(received).toHaveLength(0);
    },
  );

  it.each([
    [
      'a Grafana token on the Alertmanager route',
      '/v1/alerts/alertmanager',
      'alertmanager-firing.json',
      'grafana',
    ],
    [
      'an Alertmanager token on the Grafana route',
      '/v1/alerts/grafana',
      'grafana-firing.json',
      'alertmanager',
    ],
  ])('refuses %s with 401: each sender has its own tokens', async (_case, path, file, owner) => {
    // Prepare: each sender's list holds only its own token
    const received: AlarmSignal[][] = [];
    const tokens = { alertmanager: 'alertmanager-only-token-0001', grafana: 'grafana-only-token-00000001' };
    const router = createRouter(
      alertRoutes({
        bearerTokens: async (sender) => [tokens[sender]],
        pipeline: {
          process: async (signals) => {
            received.push([...signals]);
            return [];
          },
        },
        smn: { verifier: new SmnVerifier({ fetch: fetchStub().fetch }), fetch: fetchStub().fetch },
        log: { info: () => undefined, warn: () => undefined, error: () => undefined },
      }),
    );
    const token = tokens[owner as 'alertmanager' | 'grafana'];
    // Act
    const response = await router(
      {
        method: 'POST',
        path,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        query: {},
        body: sample(file),
      },
      invocation,
    );
    // Assess
    expect(response.statusCode).toBe(401);
    expect(received).toHaveLength(0);
  });

  it('answers 400 with the issues for a malformed payload, and 400 for a body that is not JSON', async () => {
    const { post } = setup();

    const malformed = await post(
      '/v1/alerts/alertmanager',
      JSON.stringify({ version: '4', alerts: 'nope' }),
      bearer,
    );
    const notJson = await post('/v1/alerts/grafana', '{"alerts": [', bearer);

    expect(malformed.statusCode).toBe(400);
    expect(problemOf(malformed.body).issues?.map((i) => i.path)).toContain('alerts');
    expect(notJson.statusCode).toBe(400);
  });

  it('refuses a body over the limit with 413', async () => {
    const { post } = setup();

    const response = await post('/v1/alerts/alertmanager', 'x'.repeat(MAX_ALERT_BODY_BYTES + 1), bearer);

    expect(response.statusCode).toBe(413);
  });
});

describe('the Cloud Eye (SMN) route', () => {
  const delivery = (file: string) =>
    JSON.parse(sample(file)) as { headers: Record<string, string>; body: Record<string, unknown> };

  it('verifies the signature and hands the alarm to the pipeline', async () => {
    const { post, received, fetch } = setup();
    const { headers, body } = delivery('cloud-eye-smn-alarm.json');

    const response = await post('/v1/alerts/cloud-eye', JSON.stringify(body), headers);

    expect(response.statusCode).toBe(200);
    expect(received[0]?.[0]).toMatchObject({ source: 'cloud-eye', state: 'alarm' });
    expect(fetch.requested).toHaveLength(1);
  });

  it('refuses a forged signature with 400 and acts on nothing', async () => {
    const { post, received } = setup();
    const { headers, body } = delivery('cloud-eye-smn-alarm.json');

    const response = await post(
      '/v1/alerts/cloud-eye',
      JSON.stringify({ ...body, message: '{"alarm_status":"alarm","alarm_name":"x"}' }),
      headers,
    );

    expect(response.statusCode).toBe(400);
    expect(received).toHaveLength(0);
  });

  it('refuses a certificate URL outside SMN and fetches nothing from it', async () => {
    const { post, fetch } = setup();
    const { headers, body } = delivery('cloud-eye-smn-alarm.json');
    const forged = signSmn({ ...body, signing_cert_url: 'https://attacker.example.com/smn.pem' } as never);

    const response = await post('/v1/alerts/cloud-eye', JSON.stringify(forged), headers);

    expect(response.statusCode).toBe(400);
    expect(fetch.requested).toEqual([]);
  });

  it('answers 503 when the certificate host cannot be reached, so SMN retries', async () => {
    const { post } = setup(fetchStub({}));
    const unreachable = {
      requested: [] as string[],
      fetch: async () => {
        throw new Error('connect ETIMEDOUT');
      },
    };
    const { post: postUnreachable } = setup(unreachable);
    const { headers, body } = delivery('cloud-eye-smn-alarm.json');

    const response = await postUnreachable('/v1/alerts/cloud-eye', JSON.stringify(body), headers);
    const missing = await post('/v1/alerts/cloud-eye', JSON.stringify(body), headers);

    expect(response.statusCode).toBe(503);
    expect(missing.statusCode).toBe(400);
  });
});

describe('the router', () => {
  it('answers 404 for an unknown path and 405 with Allow for a known path with another method', async () => {
    const { router } = setup();

    const unknown = await router(
      { method: 'POST', path: '/v1/nothing', headers: {}, query: {}, body: '' },
      invocation,
    );
    const wrongMethod = await router(
      { method: 'GET', path: '/v1/alerts/grafana', headers: {}, query: {}, body: '' },
      invocation,
    );

    expect(unknown.statusCode).toBe(404);
    expect(wrongMethod.statusCode).toBe(405);
    expect(wrongMethod.headers['allow']).toBe('POST');
    expect(problemOf(wrongMethod.body)).toMatchObject({ title: 'Method Not Allowed', status: 405 });
  });
});
