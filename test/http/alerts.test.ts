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
import type { SmnMessage } from '../../lib/sources/smn.ts';
import {
  fetchStub,
  freshSmn,
  SMN_CERT_URL,
  SMN_REGIONAL_CERT_URL,
  SMN_SAMPLE_TOPIC_URNS,
  SMN_TEST_CERT_PEM,
  signSmn,
} from '../../tools/local/smn/signing.ts';

const TOKEN = 'alertmanager-token-0123456789';
const sample = (file: string) => readFileSync(`events/alarms/${file}`, 'utf8');
const invocation = { remainingMs: () => 25_000 };

/** The clock of the SMN deliveries here: the samples are sent as SMN would send them at NOW (freshSmn). */
const NOW = Date.parse('2026-12-01T08:00:00Z');

const setup = (fetch = fetchStub(), topics: readonly string[] = SMN_SAMPLE_TOPIC_URNS) => {
  const received: AlarmSignal[][] = [];
  const warnings: { message: string; extra: unknown[] }[] = [];
  const router = createRouter(
    alertRoutes({
      bearerTokens: async () => [TOKEN],
      pipeline: {
        process: async (signals): Promise<SignalResult[]> => {
          received.push([...signals]);
          return signals.map((s) => ({ signal: s.name, result: 'no_route' as const }));
        },
      },
      smn: {
        verifier: new SmnVerifier({ fetch: fetch.fetch }),
        fetch: fetch.fetch,
        topics: async () => topics,
        now: () => NOW,
      },
      log: {
        info: () => undefined,
        warn: (message: string, ...extra: unknown[]) => warnings.push({ message, extra }),
        error: () => undefined,
      },
    }),
  );
  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    router({ method: 'POST', path, headers, query: {}, body }, invocation);
  return { router, post, received, fetch, warnings };
};
const bearer = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
const problemOf = (body: string) =>
  JSON.parse(body) as { title: string; status: number; issues?: { path: string }[] };

describe('Alertmanager and Grafana routes', () => {
  it.each([
    ['/v1/alerts/alertmanager', 'alertmanager-firing.json'],
    ['/v1/alerts/grafana', 'grafana-firing.json'],
  ])(
    '%s hands every alert to the pipeline and answers 202 with counts and a correlation id only',
    async (path, file) => {
      const { post, received } = setup();

      const response = await post(path, sample(file), bearer);

      expect(response.statusCode).toBe(202);
      expect(JSON.parse(response.body)).toEqual({
        signals: received[0]?.length,
        queued: 0,
        request_ids: [],
        correlation_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      });
      expect(received[0]?.length).toBeGreaterThan(0);
    },
  );

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
        smn: {
          verifier: new SmnVerifier({ fetch: fetchStub().fetch }),
          fetch: fetchStub().fetch,
          topics: async () => SMN_SAMPLE_TOPIC_URNS,
        },
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
  /** A sample delivery as SMN sends it at NOW. */
  const delivery = (file: string) => {
    const { headers, body } = JSON.parse(sample(file)) as {
      headers: Record<string, string>;
      body: SmnMessage & Record<string, unknown>;
    };
    return { headers, body: freshSmn(body, NOW) };
  };

  it('verifies the signature and hands the alarm to the pipeline', async () => {
    const { post, received, fetch } = setup();
    const { headers, body } = delivery('cloud-eye-smn-alarm.json');

    const response = await post('/v1/alerts/cloud-eye', JSON.stringify(body), headers);

    expect(response.statusCode).toBe(202);
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

describe('the Cloud Eye (SMN) route: only our topics, only fresh messages', () => {
  const FOREIGN_TOPIC_URN = 'urn:smn:cn-north-4:0f1e2d3c4b5a69788796a5b4c3d2e1f0:dws-prod-alarms';
  const fresh = (file: string, change: Record<string, unknown> = {}, at = NOW) => {
    const { headers, body } = JSON.parse(sample(file)) as {
      headers: Record<string, string>;
      body: SmnMessage & Record<string, unknown>;
    };
    const sent = freshSmn({ ...body, ...change } as SmnMessage, at);
    return { headers: { ...headers, 'x-smn-topic-urn': sent.topic_urn }, body: JSON.stringify(sent) };
  };
  type Row = readonly [
    name: string,
    delivery: { headers: Record<string, string>; body: string },
    status: number,
    title: string,
    issue: string,
  ];

  it.each<Row>([
    [
      'a notification from another account’s topic',
      fresh('cloud-eye-smn-alarm.json', { topic_urn: FOREIGN_TOPIC_URN }),
      403,
      'SMN topic not allowed',
      'topic_urn',
    ],
    [
      'a subscription confirmation from another account’s topic (never confirmed)',
      fresh('cloud-eye-smn-subscription.json', { topic_urn: FOREIGN_TOPIC_URN }),
      403,
      'SMN topic not allowed',
      'topic_urn',
    ],
    [
      'a notification first sent an hour and a second ago',
      fresh('cloud-eye-smn-alarm.json', {}, NOW - 3_601_000),
      403,
      'SMN message too old',
      'timestamp',
    ],
    [
      'a notification dated 301 s ahead',
      fresh('cloud-eye-smn-alarm.json', {}, NOW + 301_000),
      403,
      'SMN message from the future',
      'timestamp',
    ],
    [
      'a certificate URL on a host of a region that does not exist',
      fresh('cloud-eye-smn-alarm.json', {
        signing_cert_url:
          'https://smn.zz-evil-999.myhuaweicloud.com/smn/SMN_zz-evil-999_0123456789abcdef0123456789abcdef.pem',
      }),
      400,
      'Invalid alert payload',
      'signing_cert_url',
    ],
  ])(
    'refuses %s: a 4xx problem, logged, nothing fetched, nothing processed',
    async (_name, delivery, status, title, issue) => {
      // Prepare
      const { post, received, fetch, warnings } = setup();

      // Act
      const response = await post('/v1/alerts/cloud-eye', delivery.body, delivery.headers);

      // Assess
      expect(response.statusCode).toBe(status);
      expect(response.headers['content-type']).toBe('application/problem+json');
      const problem = problemOf(response.body);
      expect(problem).toMatchObject({ title, status });
      expect(problem.issues?.map((i) => i.path)).toContain(issue);
      expect(received).toHaveLength(0);
      expect(fetch.requested).toStrictEqual([]);
      expect(warnings.map((w) => w.message)).toStrictEqual(['SMN delivery refused']);
      expect(warnings[0]?.extra[0]).toMatchObject({ topic_urn: JSON.parse(delivery.body).topic_urn });
    },
  );

  it('refuses the newline-moved signature (subject moved into message_id): 400, logged, nothing processed', async () => {
    // Prepare: the same signed string as the genuine notification, so the genuine signature "verifies"
    const genuine = JSON.parse(fresh('cloud-eye-smn-alarm.json').body) as SmnMessage & { subject: string };
    const { subject, ...rest } = genuine;
    const moved = { ...rest, message_id: `${genuine.message_id}\nsubject\n${subject}` };
    const { post, received, fetch, warnings } = setup();

    // Act
    const response = await post('/v1/alerts/cloud-eye', JSON.stringify(moved), {});

    // Assess
    expect(response.statusCode).toBe(400);
    expect(problemOf(response.body).issues?.map((i) => i.path)).toContain('message_id');
    expect(received).toHaveLength(0);
    expect(fetch.requested).toStrictEqual([]);
    expect(warnings).toHaveLength(1);
  });

  it('refuses every delivery when no topic is allowed, saying how to allow one', async () => {
    // Prepare
    const { post, received, fetch } = setup(fetchStub(), []);
    const { headers, body } = fresh('cloud-eye-smn-alarm.json');

    // Act
    const response = await post('/v1/alerts/cloud-eye', body, headers);

    // Assess
    expect(response.statusCode).toBe(403);
    const problem = JSON.parse(response.body) as { title: string; detail: string };
    expect(problem.title).toBe('No SMN topic allowed');
    expect(problem.detail).toContain('DR_SMN_TOPIC_URNS');
    expect(received).toHaveLength(0);
    expect(fetch.requested).toStrictEqual([]);
  });

  it('acts once on an allowed, fresh, genuine notification', async () => {
    // Prepare
    const { post, received, fetch, warnings } = setup();
    const { headers, body } = fresh('cloud-eye-smn-alarm.json');

    // Act
    const response = await post('/v1/alerts/cloud-eye', body, headers);

    // Assess
    expect(response.statusCode).toBeGreaterThanOrEqual(200);
    expect(response.statusCode).toBeLessThan(300);
    expect(received).toHaveLength(1);
    expect(received[0]?.[0]?.labels).toMatchObject({ topic_urn: JSON.parse(body).topic_urn });
    expect(fetch.requested).toStrictEqual([SMN_CERT_URL]);
    expect(warnings).toHaveLength(0);
  });

  it('confirms the regional sample (sa-brazil-1 console) of an allowed topic', async () => {
    // Prepare
    const { headers, body } = fresh('cloud-eye-smn-subscription-regional.json');
    const subscribeUrl = new URL((JSON.parse(body) as { subscribe_url: string }).subscribe_url).href;
    const { post, fetch } = setup(
      fetchStub({
        [SMN_REGIONAL_CERT_URL]: { status: 200, body: SMN_TEST_CERT_PEM },
        [subscribeUrl]: { status: 200, body: '' },
      }),
    );

    // Act
    const response = await post('/v1/alerts/cloud-eye', body, headers);

    // Assess
    expect(response.statusCode).toBe(200);
    expect(fetch.requested).toStrictEqual([SMN_REGIONAL_CERT_URL, subscribeUrl]);
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
