/**
 * Bad input battery, part 3: the webhook function's HTTP entry points, 20,000 hostile requests each
 * (fixed seed), through the real router and routes over recording fakes. Every answer is a
 * well-formed HTTP answer (problem+json for a refusal); a refused request causes no side effect at
 * all (no enqueue, no status record, no Idempotency-Key, no alarm processing, no SMN subscription
 * fetch, no certificate fetch beyond the one needed to check a signature); no secret is echoed.
 */
import { verify, X509Certificate } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseActionRequest } from '../../lib/actions/request.ts';
import { ValidationError } from '../../lib/errors.ts';
import { MAX_REQUEST_BODY_BYTES } from '../../lib/http/requests.ts';
import {
  isAllowedSmnUrl,
  parseAlertmanagerWebhook,
  parseGrafanaWebhook,
  type SmnMessage,
  SmnMessageSchema,
  smnStringToSign,
} from '../../lib/sources/index.ts';
import { parseIdempotencyKey } from '../../lib/store/idempotencyKeys.ts';
import { SMN_CERT_URL, SMN_TEST_CERT_PEM } from '../../tools/local/smn/signing.ts';
import {
  hostileJsonText,
  hostileString,
  hostileValue,
  loadJson,
  mutatedSample,
  textWithExtraMember,
  toJsonSafe,
} from './arbitraries.ts';
import {
  BEARER_TOKEN,
  checkAnswer,
  deepEqual,
  ensure,
  expectNoSecretLeaked,
  expectPrototypesUntouchedFast,
  HMAC_SECRET,
  NOW_SECONDS,
  OLD_BEARER_TOKEN,
  OLD_HMAC_SECRET,
  runs,
  sign,
  signSmnFast,
  smnDelivery,
  webhookApp,
} from './harness.ts';

const REQUEST_SAMPLES = [
  'requests/dws-dr-start.json',
  'requests/dws-dr-failover.json',
  'requests/dws-dr-recovery.json',
  'requests/csbs-restore.json',
  'requests/dcs-restore.json',
  'requests/cbr-restore.json',
  'requests/invalid-request.json',
].map(loadJson);

const tryParse = (text: string): { ok: true; value: unknown } | { ok: false } => {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
};

// --- POST /v1/requests -------------------------------------------------------------------------------

describe('battery: POST /v1/requests', () => {
  const body = fc.oneof(
    { weight: 8, arbitrary: hostileJsonText(REQUEST_SAMPLES) },
    { weight: 2, arbitrary: fc.constantFrom(...REQUEST_SAMPLES.map((s) => JSON.stringify(s))) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          fc.constantFrom(...REQUEST_SAMPLES.slice(0, 5)),
          fc.integer({ min: -4, max: 4 }),
          fc.constantFrom(' ', '€'),
        )
        .map(([sample, delta, pad]) => {
          const text = JSON.stringify(sample);
          const room = MAX_REQUEST_BODY_BYTES - Buffer.byteLength(text) + delta;
          return `${text}${pad.repeat(Math.max(0, Math.floor(room / Buffer.byteLength(pad))))}`;
        }),
    },
  );
  type Signing = 'current' | 'previous' | 'stale' | 'future' | 'forged' | 'missing' | 'hostile';
  const signing = fc.oneof(
    { weight: 10, arbitrary: fc.constant<Signing>('current') },
    {
      weight: 1,
      arbitrary: fc.constantFrom<Signing>('previous', 'stale', 'future', 'forged', 'missing', 'hostile'),
    },
  );
  const contentType = fc.oneof(
    { weight: 10, arbitrary: fc.constant('application/json') },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        'Application/JSON; charset=utf-8',
        'text/plain',
        'application/jsonx',
        undefined,
      ),
    },
    { weight: 1, arbitrary: hostileString },
  );
  const idempotencyKey = fc.oneof(
    { weight: 8, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.stringMatching(/^"[a-z0-9-]{1,40}"$/) },
    { weight: 1, arbitrary: hostileString },
  );

  const headerFor = (kind: Signing, text: string, hostile: string): string | undefined => {
    switch (kind) {
      case 'current':
        return sign(text);
      case 'previous':
        return sign(text, NOW_SECONDS, OLD_HMAC_SECRET);
      case 'stale':
        return sign(text, NOW_SECONDS - 301);
      case 'future':
        return sign(text, NOW_SECONDS + 301);
      case 'forged':
        return sign(text, NOW_SECONDS, 'whsec-attacker-guess-0000000000000000');
      case 'missing':
        return undefined;
      case 'hostile':
        return hostile;
    }
  };

  it('answers exactly as documented, and enqueues only what it accepts', async () => {
    const seen = new Map<number, number>();
    const app = webhookApp();
    await fc.assert(
      fc.asyncProperty(
        body,
        signing,
        contentType,
        idempotencyKey,
        hostileString,
        async (text, kind, type, key, hostile) => {
          // Prepare
          app.reset();
          const headers = {
            'content-type': type,
            'x-dr-signature': headerFor(kind, text, hostile),
            'idempotency-key': key,
          };
          // Act
          const response = await app.post('/v1/requests', text, headers);
          // Assess
          const problem = checkAnswer(response);
          seen.set(response.statusCode, (seen.get(response.statusCode) ?? 0) + 1);
          const json = tryParse(text);
          const validated = json.ok
            ? (() => {
                try {
                  return { ok: true as const, request: parseActionRequest(json.value) };
                } catch (error) {
                  ensure(error instanceof ValidationError, () => `parseActionRequest threw ${error}`);
                  return { ok: false as const, error };
                }
              })()
            : undefined;
          const mediaOk = (type ?? '').split(';')[0]!.trim().toLowerCase() === 'application/json';
          const expected =
            Buffer.byteLength(text) > MAX_REQUEST_BODY_BYTES
              ? 413
              : !mediaOk
                ? 415
                : kind !== 'current' && kind !== 'previous'
                  ? 401
                  : !validated?.ok
                    ? 400
                    : key !== undefined && !parseIdempotencyKey(key).ok
                      ? 400
                      : 202;
          ensure(
            response.statusCode === expected,
            () => `answered ${response.statusCode}, expected ${expected}`,
          );
          if (expected === 400 && validated && !validated.ok)
            ensure(deepEqual(problem?.issues, validated.error.issues), 'the answer names the issues');
          if (expected === 401)
            ensure(response.headers['www-authenticate'] === 'DR-Signature', 'a DR-Signature challenge');
          if (response.statusCode === 202) {
            ensure(
              deepEqual(
                app.calls.of('enqueue').map((c) => c.args[0]),
                [(validated as { request: unknown }).request],
              ),
              'enqueued exactly the validated request',
            );
            ensure(app.calls.count('store.createQueued') === 1, 'one status record');
            ensure(
              app.calls.count('idempotency.begin', 'idempotency.complete') === (key === undefined ? 0 : 2),
              'Idempotency-Key claimed and completed only when sent',
            );
          } else {
            ensure(
              app.calls.list.length === 0,
              () => `side effects on ${response.statusCode}: ${app.calls.list.map((c) => c.effect)}`,
            );
          }
          ensure(app.calls.count('process', 'smn.certFetch', 'smn.subscribeFetch') === 0, 'no alarm effect');
          expectNoSecretLeaked(response, app.logs);
          expectPrototypesUntouchedFast();
        },
      ),
      runs(),
    );
    for (const status of [202, 400, 401, 413, 415])
      expect(seen.get(status) ?? 0, `answers ${status}`).toBeGreaterThan(20);
  });
});

// --- any method, any path, through the API Gateway adapter -------------------------------------------

describe('battery: any request to the webhook function (API Gateway event -> router)', () => {
  const segment = fc.oneof(
    fc.constantFrom(
      'v1',
      'requests',
      'alerts',
      'alertmanager',
      'grafana',
      'cloud-eye',
      '..',
      '.',
      '',
      '%2F',
      '%00',
    ),
    fc.constantFrom('%E2%80%AE', '%F0%9F%98%80', '__proto__', 'constructor', 'sha256%3Aabc', 'a%20b'),
    fc.constantFrom('%E0%A4%A', '%', '%zz', '%C0%AF', 'ok%FF', '%ED%A0%80'), // malformed escapes: 400
    hostileString.map((s) => encodeURIComponent(s.replace(/[\ud800-\udfff]/g, ''))),
    hostileString.filter((s) => !/[%/]/.test(s)),
  );
  const path = fc.oneof(
    fc.constantFrom(
      '/v1/requests',
      '/v1/requests/',
      '/v1/requests/sample-dws-failover-1',
      '/v1/alerts/alertmanager',
      '/v1/alerts/grafana',
      '/v1/alerts/cloud-eye',
      '/',
      '',
    ),
    fc.array(segment, { minLength: 1, maxLength: 4 }).map((parts) => `/${parts.join('/')}`),
    fc.array(segment, { minLength: 1, maxLength: 2 }).map((parts) => `/v1/requests/${parts.join('/')}`),
  );
  const method = fc.oneof(
    fc.constantFrom('GET', 'POST', 'get', 'post', 'PUT', 'DELETE', 'OPTIONS', 'HEAD', 'PATCH'),
    hostileString,
  );
  const headerName = fc.oneof(
    fc.constantFrom(
      'X-DR-Signature',
      'x-dr-signature',
      'Content-Type',
      'Authorization',
      'AUTHORIZATION',
      'Idempotency-Key',
    ),
    fc.constantFrom('__proto__', 'constructor', 'X-SMN-Message-Type'),
    hostileString,
  );
  const event = fc.record({
    method,
    path,
    headers: fc.option(fc.dictionary(headerName, hostileString, { maxKeys: 4 }), { nil: undefined }),
    signGet: fc.boolean(),
    body: fc.option(
      fc.oneof(
        hostileString,
        hostileValue.map((v) => JSON.stringify(toJsonSafe(v))),
      ),
      {
        nil: undefined,
      },
    ),
    base64: fc.boolean(),
  });

  it('always resolves to a well-formed answer; a refusal has no side effect', async () => {
    const seen = new Map<number, number>();
    const app = webhookApp();
    await fc.assert(
      fc.asyncProperty(event, async (e) => {
        // Prepare
        app.reset();
        const headers: Record<string, string> = { ...(e.headers ?? {}) };
        if (e.signGet) headers['X-DR-Signature'] = sign('');
        // Act
        const response = await app.sendEvent({
          version: '2.0',
          routeKey: '$default',
          rawPath: e.path,
          rawQueryString: '',
          headers,
          requestContext: { http: { method: e.method, path: e.path } },
          ...(e.body === undefined
            ? {}
            : {
                body: e.base64 ? Buffer.from(e.body, 'utf8').toString('base64') : e.body,
                isBase64Encoded: e.base64,
              }),
        } as unknown as Parameters<typeof app.sendEvent>[0]);
        // Assess
        checkAnswer(response);
        seen.set(response.statusCode, (seen.get(response.statusCode) ?? 0) + 1);
        ensure(
          [200, 202, 400, 401, 404, 405, 413, 415].includes(response.statusCode),
          () => `answered ${response.statusCode}`,
        );
        if (response.statusCode >= 400) {
          ensure(
            app.calls.count(
              'enqueue',
              'store.createQueued',
              'idempotency.begin',
              'process',
              'smn.subscribeFetch',
            ) === 0,
            () => `side effects on ${response.statusCode}`,
          );
        }
        // A status read happens only for a signed GET of one request id, and finds nothing here.
        for (const call of app.calls.of('store.get')) {
          ensure(e.method.toUpperCase() === 'GET', 'a read only for GET');
          ensure(String(call.args[0]).length <= 256, 'a read only for a plausible id');
          ensure(response.statusCode === 404, 'nothing found');
        }
        expectNoSecretLeaked(response, app.logs);
        expectPrototypesUntouchedFast();
      }),
      runs(),
    );
    for (const status of [400, 401, 404, 405])
      expect(seen.get(status) ?? 0, `answers ${status}`).toBeGreaterThan(20);
  });
});

// --- POST /v1/alerts/alertmanager and /grafana ----------------------------------------------------------

const alertish = fc.record(
  {
    status: fc.oneof(fc.constantFrom('firing', 'resolved'), hostileString),
    labels: fc.oneof(
      fc.dictionary(fc.oneof(fc.constant('alertname'), hostileString), hostileString, { maxKeys: 4 }),
      hostileValue,
    ),
    annotations: fc.dictionary(hostileString, hostileString, { maxKeys: 2 }),
    startsAt: fc.oneof(fc.constantFrom('2024-05-01T10:00:00Z', '0001-01-01T00:00:00Z'), hostileString),
    endsAt: fc.oneof(fc.constantFrom('2024-05-01T10:05:00Z', '0001-01-01T00:00:00Z'), hostileString),
    generatorURL: hostileString,
    fingerprint: hostileString,
  },
  { requiredKeys: ['status', 'labels', 'startsAt', 'fingerprint'] },
);

describe.each([
  [
    '/v1/alerts/alertmanager',
    parseAlertmanagerWebhook,
    [
      'alarms/alertmanager-firing.json',
      'alarms/alertmanager-repeat.json',
      'alarms/alertmanager-resolved.json',
    ].map(loadJson),
  ],
  [
    '/v1/alerts/grafana',
    parseGrafanaWebhook,
    ['alarms/grafana-firing.json', 'alarms/grafana-resolved.json'].map(loadJson),
  ],
] as const)('battery: POST %s', (path, parse, fullSamples) => {
  // One alert per sample: the alert code is the same for each, and the parser battery runs the full samples.
  const samples = fullSamples.map((sample) => ({
    ...(sample as object),
    alerts: (sample as { alerts: unknown[] }).alerts.slice(0, 1),
  }));
  const body = fc.oneof(
    { weight: 6, arbitrary: hostileJsonText(samples) },
    {
      weight: 3,
      arbitrary: fc
        .tuple(fc.constantFrom(...samples), fc.array(alertish, { maxLength: 3 }))
        .map(([sample, alerts]) => JSON.stringify(toJsonSafe({ ...(sample as object), alerts }))),
    },
    { weight: 2, arbitrary: fc.constantFrom(...samples.map((s) => JSON.stringify(s))) },
    { weight: 1, arbitrary: textWithExtraMember(samples) },
  );
  const authorization = fc.oneof(
    { weight: 10, arbitrary: fc.constant(`Bearer ${BEARER_TOKEN}`) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        `Bearer ${OLD_BEARER_TOKEN}`,
        `bearer ${BEARER_TOKEN}`,
        `Bearer ${BEARER_TOKEN.slice(0, -1)}`,
        `Bearer ${BEARER_TOKEN}x`,
        `Basic ${BEARER_TOKEN}`,
        `Bearer ${HMAC_SECRET}`,
        'Bearer ',
        undefined,
      ),
    },
    { weight: 1, arbitrary: hostileString },
  );

  it('answers as documented, hands to the pipeline exactly what it accepts, and nothing else', async () => {
    const seen = new Map<number, number>();
    const app = webhookApp();
    await fc.assert(
      fc.asyncProperty(body, authorization, async (text, auth) => {
        // Prepare
        app.reset();
        // Act
        const response = await app.post(path, text, {
          authorization: auth,
          'content-type': 'application/json',
        });
        // Assess
        const problem = checkAnswer(response);
        seen.set(response.statusCode, (seen.get(response.statusCode) ?? 0) + 1);
        const authorised =
          auth !== undefined &&
          /^bearer +(\S+) *$/i.exec(auth)?.[1] !== undefined &&
          [BEARER_TOKEN, OLD_BEARER_TOKEN].includes(/^bearer +(\S+) *$/i.exec(auth)![1]!);
        const json = tryParse(text);
        let parsed: { ok: true; signals: unknown[] } | { ok: false; error: ValidationError } | undefined;
        if (json.ok) {
          try {
            parsed = { ok: true, signals: parse(json.value) };
          } catch (error) {
            ensure(error instanceof ValidationError, () => `the parser threw ${error}`);
            parsed = { ok: false, error };
          }
        }
        const expected = !authorised ? 401 : !parsed?.ok ? 400 : 202;
        ensure(
          response.statusCode === expected,
          () => `answered ${response.statusCode}, expected ${expected}`,
        );
        if (expected === 401) ensure(response.headers['www-authenticate'] === 'Bearer', 'a Bearer challenge');
        if (parsed && !parsed.ok && expected === 400)
          ensure(deepEqual(problem?.issues, parsed.error.issues), 'the answer names the issues');
        if (expected === 202 && parsed?.ok) {
          ensure(
            deepEqual(
              app.calls.of('process').map((c) => c.args[0]),
              [parsed.signals],
            ),
            'processed exactly the signals',
          );
          const answer = JSON.parse(response.body) as {
            signals: number;
            queued: number;
            request_ids: string[];
          };
          ensure(
            answer.signals === parsed.signals.length &&
              answer.queued === 0 &&
              answer.request_ids.length === 0,
            'the summary: counts and ids only',
          );
        } else {
          ensure(app.calls.list.length === 0, () => `side effects on ${response.statusCode}`);
        }
        ensure(app.calls.count('enqueue', 'smn.certFetch', 'smn.subscribeFetch') === 0, 'no other effect');
        expectNoSecretLeaked(response, app.logs);
        expectPrototypesUntouchedFast();
      }),
      runs(),
    );
    for (const status of [202, 400, 401])
      expect(seen.get(status) ?? 0, `answers ${status}`).toBeGreaterThan(20);
  });
});

// --- POST /v1/alerts/cloud-eye (SMN) ---------------------------------------------------------------------

describe('battery: POST /v1/alerts/cloud-eye (SMN deliveries)', () => {
  const deliveries = [
    'alarms/cloud-eye-smn-alarm.json',
    'alarms/cloud-eye-smn-ok.json',
    'alarms/cloud-eye-smn-subscription.json',
  ].map((f) => smnDelivery(f.replace('alarms/', '')));
  const bodies = deliveries.map((d) => d.body as unknown);
  const notifications = bodies.slice(0, 2) as (SmnMessage & { message: string })[];

  /** Re-signed with the test key, so a change gets past the signature to the code behind it. */
  const resigned = (value: unknown): unknown => {
    const parsed = SmnMessageSchema.safeParse(value);
    return parsed.success ? { ...(value as object), signature: signSmnFast(parsed.data).signature } : value;
  };
  const EVIL_URLS = [
    'https://evil.example.com/cert.pem',
    'https://smn.cn-north-4.myhuaweicloud.com.evil.com/cert.pem',
    'https://smn.cn-north-4.myhuaweicloud.com@evil.com/cert.pem',
    'http://smn.cn-north-4.myhuaweicloud.com/smn/cert.pem',
    'https://169.254.169.254/latest/meta-data/',
    'https://smn.cn-north-4.myhuaweicloud.com:8443/cert.pem',
    'https://smn.cn-north-4.myhuaweicloud.com/other.pem',
    'https://smn.ap-southeast-1.myhuaweicloud.com/smn/cert.pem',
    'https://smn.cn-north-4.myhuaweicloud.com/smn/subscription/confirm?token=x',
    'https://console.huaweicloud.com/smn/subscription/confirm?token=x',
    'https://console.huaweicloud.com/other?token=x',
    'file:///etc/passwd',
  ];
  const innerMutated = fc
    .tuple(
      fc.constantFrom(...notifications),
      mutatedSample(notifications.map((n) => JSON.parse(n.message) as unknown)),
    )
    .map(([n, alarm]) => resigned({ ...n, message: JSON.stringify(toJsonSafe(alarm)) }));
  const urlSwapped = fc
    .tuple(
      fc.constantFrom(...bodies),
      fc.constantFrom('signing_cert_url', 'subscribe_url'),
      fc.oneof(fc.constantFrom(...EVIL_URLS), hostileString),
      fc.boolean(),
    )
    .map(([b, field, url, resign]) => {
      const changed = { ...(b as object), [field]: url };
      return resign ? resigned(changed) : changed;
    });
  // Re-signing (RSA) is the cost of a case: about a third of them are re-signed, enough to reach the
  // code behind the signature (parseCloudEyeAlarm has its own 20,000 cases in battery.parsers).
  const body = fc.oneof(
    { weight: 6, arbitrary: hostileJsonText(bodies) },
    { weight: 2, arbitrary: mutatedSample(bodies).map((b) => JSON.stringify(toJsonSafe(resigned(b)))) },
    { weight: 2, arbitrary: innerMutated.map((b) => JSON.stringify(b)) },
    { weight: 2, arbitrary: urlSwapped.map((b) => JSON.stringify(b)) },
    { weight: 1, arbitrary: fc.constantFrom(...bodies.map((b) => JSON.stringify(b))) },
  );
  const headers = fc.oneof(
    fc.constantFrom<Record<string, string>>({}, ...deliveries.map((d) => d.headers)),
    fc.record({
      'x-smn-message-type': fc.oneof(
        fc.constantFrom(
          'Notification',
          'SubscriptionConfirmation',
          'UnsubscribeConfirmation',
          'notification',
        ),
        hostileString,
      ),
    }),
  );
  const SMN_TEST_PUBLIC_KEY = new X509Certificate(SMN_TEST_CERT_PEM).publicKey;
  const signatureVerifies = (text: string): boolean => {
    const parsed = SmnMessageSchema.safeParse(tryParse(text).ok ? JSON.parse(text) : undefined);
    if (!parsed.success) return false;
    try {
      return verify(
        'sha256',
        Buffer.from(smnStringToSign(parsed.data), 'utf8'),
        SMN_TEST_PUBLIC_KEY,
        Buffer.from(parsed.data.signature, 'base64'),
      );
    } catch {
      return false;
    }
  };

  it('acts only on a verified delivery, and fetches only allowed SMN URLs', async () => {
    const seen = new Map<number, number>();
    const app = webhookApp();
    await fc.assert(
      fc.asyncProperty(body, headers, async (text, h) => {
        // Prepare
        app.reset();
        // Act
        const response = await app.post('/v1/alerts/cloud-eye', text, h);
        // Assess
        checkAnswer(response);
        seen.set(response.statusCode, (seen.get(response.statusCode) ?? 0) + 1);
        // 200: a subscription confirmed (or unsubscription acknowledged); 202: an alarm handed over;
        // 403: a topic that is not allowed, or a message that is not fresh (SMN_TOPICS, the harness clock).
        ensure([200, 202, 400, 403].includes(response.statusCode), () => `answered ${response.statusCode}`);
        for (const call of app.calls.of('smn.certFetch')) {
          const url = String(call.args[0]);
          ensure(isAllowedSmnUrl(url, 'cert'), () => `fetched ${url}`);
          ensure(
            /^smn\.[a-z0-9-]+\.myhuaweicloud\.(com|eu|cn)$/.test(new URL(url).hostname),
            () => `fetched ${url}`,
          );
          ensure(url !== SMN_CERT_URL, 'a cached certificate is never fetched again');
        }
        for (const call of app.calls.of('smn.subscribeFetch')) {
          ensure(
            isAllowedSmnUrl(String(call.args[0]), 'subscribe'),
            () => `confirmed ${String(call.args[0])}`,
          );
        }
        if (response.statusCode === 200 || response.statusCode === 202) {
          ensure(signatureVerifies(text), 'accepted only with a genuine signature');
          const answer = JSON.parse(response.body) as Record<string, unknown>;
          const acted = app.calls.count('process') + app.calls.count('smn.subscribeFetch');
          ensure(acted === ('unsubscribed' in answer ? 0 : 1), 'acted once (nothing for an unsubscription)');
        } else {
          ensure(app.calls.count('process', 'smn.subscribeFetch') === 0, 'no action on a refusal');
        }
        ensure(
          app.calls.count('enqueue', 'store.get', 'store.createQueued', 'idempotency.begin') === 0,
          'no request effect',
        );
        expectNoSecretLeaked(response, app.logs);
        expectPrototypesUntouchedFast();
      }),
      runs(),
    );
    for (const status of [200, 202, 400])
      expect(seen.get(status) ?? 0, `answers ${status}`).toBeGreaterThan(20);
    // Mutated topic_urn / timestamp values that still parse, re-signed: rarer, but reached.
    expect(seen.get(403) ?? 0, 'answers 403').toBeGreaterThan(0);
  });
});
