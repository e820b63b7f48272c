/**
 * Security suite, part 1: forged and replayed requests. Each row: the input, the entry point, the
 * expected refusal (status / issue path) and "no side effect" (no enqueue, no status record, no
 * alarm processing, no SMN fetch), checked by cases.ts.
 */
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { idempotencyKey, type parseActionRequest } from '../../lib/actions/request.ts';
import { MAX_SIGNATURES, signatureHeader } from '../../lib/http/signature.ts';
import type { SmnMessage } from '../../lib/sources/smn.ts';
import { signSmn, smnTimestamp } from '../../tools/local/smn/signing.ts';
import { ACCEPTED_REQUEST, ALARMS, changed, type HttpCase, REQUESTS, runHttpCase, smnCase } from './cases.ts';
import {
  BEARER_TOKEN,
  bearerHeaders,
  HMAC_SECRET,
  NOW,
  NOW_SECONDS,
  OLD_BEARER_TOKEN,
  sign,
  signedHeaders,
  signGet,
  smnDelivery,
  webhookApp,
} from './harness.ts';

const BODY = JSON.stringify(REQUESTS.failover);
const OTHER_BODY = JSON.stringify(REQUESTS.start);
const GOOD_HEX = sign(BODY).split('v1=')[1]!;
const flip = (hex: string, at: number) =>
  `${hex.slice(0, at)}${hex[at] === '0' ? '1' : '0'}${hex.slice(at + 1)}`;
const post = (headers: Record<string, string | undefined>, body = BODY) => ({
  path: '/v1/requests',
  body,
  headers: { 'content-type': 'application/json', ...headers },
});
const UNAUTHORIZED = { status: 401, header: ['www-authenticate', 'DR-Signature'] as const };
const ATTACKER_KEY = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
  type: 'pkcs8',
  format: 'pem',
}) as string;
const ALERTMANAGER_BODY = JSON.stringify(ALARMS.alertmanager);

// --- forged ----------------------------------------------------------------------------------------------

describe('forged: X-DR-Signature on /v1/requests', () => {
  it.each<HttpCase>([
    {
      name: 'signed with a secret that is not configured',
      ...post({ 'x-dr-signature': sign(BODY, NOW_SECONDS, 'whsec-attacker-0000000000000000000000000') }),
      ...UNAUTHORIZED,
    },
    {
      name: 'the signature of another body',
      ...post({ 'x-dr-signature': sign(OTHER_BODY) }),
      ...UNAUTHORIZED,
    },
    {
      name: 'one hex digit flipped',
      ...post({ 'x-dr-signature': `t=${NOW_SECONDS},v1=${flip(GOOD_HEX, 17)}` }),
      ...UNAUTHORIZED,
    },
    {
      name: 'v1 cut to 63 hex digits',
      ...post({ 'x-dr-signature': `t=${NOW_SECONDS},v1=${GOOD_HEX.slice(0, 63)}` }),
      ...UNAUTHORIZED,
    },
    {
      name: 'v1 with 64 non-hex characters',
      ...post({ 'x-dr-signature': `t=${NOW_SECONDS},v1=${'g'.repeat(64)}` }),
      ...UNAUTHORIZED,
    },
    { name: 'no X-DR-Signature header', ...post({}), ...UNAUTHORIZED },
    { name: 'an empty X-DR-Signature header', ...post({ 'x-dr-signature': '  ' }), ...UNAUTHORIZED },
    {
      name: 't that is not a number',
      ...post({ 'x-dr-signature': `t=abc,v1=${GOOD_HEX}` }),
      ...UNAUTHORIZED,
    },
    {
      name: 't given twice',
      ...post({ 'x-dr-signature': `t=${NOW_SECONDS},t=${NOW_SECONDS},v1=${GOOD_HEX}` }),
      ...UNAUTHORIZED,
    },
    {
      name: `${MAX_SIGNATURES + 1} v1 values, the genuine one last (bounded work)`,
      ...post({
        'x-dr-signature': `t=${NOW_SECONDS},${`v1=${'0'.repeat(64)},`.repeat(MAX_SIGNATURES)}v1=${GOOD_HEX}`,
      }),
      ...UNAUTHORIZED,
    },
    {
      name: 'only an unknown scheme (v0)',
      ...post({ 'x-dr-signature': `t=${NOW_SECONDS},v0=${GOOD_HEX}` }),
      ...UNAUTHORIZED,
    },
    {
      name: 'the scheme name in upper case (V1)',
      ...post({ 'x-dr-signature': `t=${NOW_SECONDS},V1=${GOOD_HEX}` }),
      ...UNAUTHORIZED,
    },
    {
      name: 'signed with the empty secret',
      ...post({ 'x-dr-signature': signatureHeader('', BODY, NOW_SECONDS) }),
      ...UNAUTHORIZED,
    },
    {
      name: 'signed with a prefix of the secret',
      ...post({ 'x-dr-signature': sign(BODY, NOW_SECONDS, HMAC_SECRET.slice(0, -1)) }),
      ...UNAUTHORIZED,
    },
    {
      name: 'signed over the body plus a newline',
      ...post({ 'x-dr-signature': sign(`${BODY}\n`) }),
      ...UNAUTHORIZED,
    },
    {
      name: 'signed over "<body>" without the "<t>." prefix',
      ...post({
        'x-dr-signature': `t=${NOW_SECONDS},v1=${signatureHeader(HMAC_SECRET, BODY, 0).split('v1=')[1]}`,
      }),
      ...UNAUTHORIZED,
    },
    {
      name: 'a 100 KB header of junk',
      ...post({ 'x-dr-signature': `t=${NOW_SECONDS},${'x=y,'.repeat(25_000)}v1=${GOOD_HEX}z` }),
      ...UNAUTHORIZED,
    },
    {
      name: 'a good signature, but Content-Type text/plain (checked first)',
      ...post({ 'x-dr-signature': sign(BODY), 'content-type': 'text/plain' }),
      status: 415,
    },
    {
      name: 'a good signature while no HMAC secret is configured (the only 5xx: retry later)',
      ...post({ 'x-dr-signature': sign(BODY) }),
      status: 503,
      app: { hmacSecrets: [] },
    },
    {
      name: 'GET without a signature',
      method: 'GET',
      path: '/v1/requests/sample-dws-failover-1',
      ...UNAUTHORIZED,
    },
    {
      name: 'GET signed over a non-empty body (a POST signature reused)',
      method: 'GET',
      path: '/v1/requests/sample-dws-failover-1',
      headers: { 'x-dr-signature': sign(BODY) },
      ...UNAUTHORIZED,
    },
  ])('$name -> $status, no side effect', async (row) => {
    await runHttpCase(row);
  });

  it('control: the genuine header is accepted (so the rows above fail for the forgery alone)', async () => {
    await runHttpCase({
      name: 'genuine',
      ...post({ 'x-dr-signature': sign(BODY) }),
      status: 202,
      effects: ACCEPTED_REQUEST,
    });
  });
});

describe('forged: bearer tokens on /v1/alerts/alertmanager and /grafana', () => {
  const alert = (
    authorization: string | undefined,
    path = '/v1/alerts/alertmanager',
  ): Omit<HttpCase, 'name'> => ({
    path,
    body: ALERTMANAGER_BODY,
    headers: { 'content-type': 'application/json', authorization },
    status: 401,
    header: ['www-authenticate', 'Bearer'],
  });
  const sameLength = `${BEARER_TOKEN.slice(0, -1)}${BEARER_TOKEN.endsWith('0') ? '1' : '0'}`;

  it.each<HttpCase>([
    { name: 'no Authorization header', ...alert(undefined) },
    { name: 'a wrong token of the same length', ...alert(`Bearer ${sameLength}`) },
    { name: 'a prefix of the token', ...alert(`Bearer ${BEARER_TOKEN.slice(0, 8)}`) },
    { name: 'the token with a suffix', ...alert(`Bearer ${BEARER_TOKEN}x`) },
    { name: 'the token in upper case', ...alert(`Bearer ${BEARER_TOKEN.toUpperCase()}`) },
    { name: 'the token twice', ...alert(`Bearer ${BEARER_TOKEN} ${BEARER_TOKEN}`) },
    { name: 'the token with a NUL after it', ...alert(`Bearer ${BEARER_TOKEN}\u0000`) },
    {
      name: 'the token with a Cyrillic homoglyph',
      ...alert(`Bearer ${BEARER_TOKEN.replace('a', '\u0430')}`),
    },
    { name: 'Basic instead of Bearer', ...alert(`Basic ${BEARER_TOKEN}`) },
    { name: 'the token without a scheme', ...alert(BEARER_TOKEN) },
    { name: '"Bearer" and nothing else', ...alert('Bearer ') },
    { name: 'the HMAC secret (a secret of another kind)', ...alert(`Bearer ${HMAC_SECRET}`) },
    { name: 'a 1 MB header', ...alert(`Bearer ${'a'.repeat(1_000_000)}`) },
    {
      name: 'an empty token while an empty token is configured',
      ...alert('Bearer '),
      app: { bearerTokens: ['', BEARER_TOKEN] },
    },
    { name: 'a wrong token on the Grafana route', ...alert(`Bearer ${sameLength}`, '/v1/alerts/grafana') },
  ])('$name -> 401 with a Bearer challenge, nothing processed', async (row) => {
    await runHttpCase(row);
  });

  it.each([
    ['the current token', `Bearer ${BEARER_TOKEN}`],
    ['the previous token (rotation)', `Bearer ${OLD_BEARER_TOKEN}`],
    ['the scheme in lower case and two spaces', `bearer  ${BEARER_TOKEN}`],
  ])('control: %s is accepted', async (_case, authorization) => {
    await runHttpCase({
      name: 'control',
      path: '/v1/alerts/alertmanager',
      body: ALERTMANAGER_BODY,
      headers: { authorization },
      status: 202,
      effects: { process: 1 },
    });
  });
});

describe('forged: SMN signatures on /v1/alerts/cloud-eye', () => {
  const okSignature = JSON.parse(smnCase('cloud-eye-smn-ok.json').body).signature as string;
  const refused = (issue: string, effects: HttpCase['effects'] = {}) => ({ status: 400, issue, effects });

  it.each<HttpCase>([
    {
      name: 'signed with a key that is not SMN’s',
      ...smnCase(
        'cloud-eye-smn-alarm.json',
        (b) => {
          b['signature'] = signSmn(b as unknown as SmnMessage, ATTACKER_KEY).signature;
        },
        { resign: false },
      ),
      ...refused('signature'),
    },
    {
      name: 'the signature of another message',
      ...smnCase(
        'cloud-eye-smn-alarm.json',
        (b) => {
          b['signature'] = okSignature;
        },
        { resign: false },
      ),
      ...refused('signature'),
    },
    {
      name: 'the alarm changed after signing (status flipped)',
      ...smnCase(
        'cloud-eye-smn-alarm.json',
        (b) => {
          b['message'] = (b['message'] as string).replace('"alarm_status":"alarm"', '"alarm_status":"ok"');
        },
        { resign: false },
      ),
      ...refused('signature'),
    },
    {
      name: 'the subject changed after signing',
      ...smnCase(
        'cloud-eye-smn-alarm.json',
        (b) => {
          b['subject'] = 'changed';
        },
        { resign: false },
      ),
      ...refused('signature'),
    },
    {
      name: 'a signature that is not base64',
      ...smnCase(
        'cloud-eye-smn-alarm.json',
        (b) => {
          b['signature'] = '!!!not base64!!!';
        },
        { resign: false },
      ),
      ...refused('signature'),
    },
    {
      name: 'an empty signature',
      ...smnCase(
        'cloud-eye-smn-alarm.json',
        (b) => {
          b['signature'] = '';
        },
        { resign: false },
      ),
      ...refused('signature'),
    },
    ...[
      ['another host', 'https://evil.example.com/smn/cert.pem'],
      ['a look-alike host', 'https://smn.cn-north-4.myhuaweicloud.com.evil.com/cert.pem'],
      ['userinfo', 'https://smn.cn-north-4.myhuaweicloud.com@evil.com/cert.pem'],
      ['http', 'http://smn.cn-north-4.myhuaweicloud.com/smn/cert.pem'],
      ['another port', 'https://smn.cn-north-4.myhuaweicloud.com:8443/smn/cert.pem'],
      ['the metadata address', 'https://169.254.169.254/latest/meta-data/cert.pem'],
      ['a path that is not .pem', 'https://smn.cn-north-4.myhuaweicloud.com/smn/cert.txt'],
      ['a query string', 'https://smn.cn-north-4.myhuaweicloud.com/smn/cert.pem?x=1'],
      ['a backslash', 'https://evil.example.com\\@smn.cn-north-4.myhuaweicloud.com/cert.pem'],
      ['file:', 'file:///etc/passwd'],
    ].map(
      ([what, url]): HttpCase => ({
        name: `a signing_cert_url with ${what} (nothing fetched)`,
        ...smnCase('cloud-eye-smn-alarm.json', (b) => {
          b['signing_cert_url'] = url;
        }),
        ...refused('signing_cert_url'),
      }),
    ),
    {
      name: 'signature_version v2 (nothing fetched)',
      ...smnCase('cloud-eye-smn-alarm.json', (b) => {
        b['signature_version'] = 'v2';
      }),
      ...refused('signature_version'),
    },
    {
      name: 'another allowed SMN certificate URL with a forged signature (one certificate read, 404)',
      ...smnCase('cloud-eye-smn-alarm.json', (b) => {
        b['signing_cert_url'] = 'https://smn.ap-southeast-1.myhuaweicloud.com/smn/attacker.pem';
      }),
      ...refused('signing_cert_url', { 'smn.certFetch': 1 }),
    },
    {
      name: 'a signed subscription whose subscribe_url is elsewhere (never fetched)',
      ...smnCase('cloud-eye-smn-subscription.json', (b) => {
        b['subscribe_url'] = 'https://evil.example.com/smn/subscription/confirm?token=x';
      }),
      ...refused('subscribe_url'),
    },
    {
      name: 'a subscription to the console, on another path (never fetched)',
      ...smnCase('cloud-eye-smn-subscription.json', (b) => {
        b['subscribe_url'] = 'https://console.huaweicloud.com/iam/users?token=x';
      }),
      ...refused('subscribe_url'),
    },
    {
      name: 'an unsigned subscription to an allowed URL (never fetched)',
      ...smnCase(
        'cloud-eye-smn-subscription.json',
        (b) => {
          b['signature'] = okSignature;
        },
        { resign: false },
      ),
      ...refused('signature'),
    },
    {
      name: 'a forged unsubscription',
      ...smnCase(
        'cloud-eye-smn-subscription.json',
        (b) => {
          b['type'] = 'UnsubscribeConfirmation';
        },
        { resign: false, headers: { 'x-smn-message-type': 'UnsubscribeConfirmation' } },
      ),
      ...refused('signature'),
    },
    {
      name: 'X-SMN-Message-Type contradicting the body (nothing fetched)',
      ...smnCase('cloud-eye-smn-alarm.json', () => undefined, {
        headers: { 'x-smn-message-type': 'SubscriptionConfirmation' },
      }),
      ...refused('headers.x-smn-message-type'),
    },
  ])('$name -> $status at $issue', async (row) => {
    await runHttpCase(row);
  });

  it('control: the genuine notification and subscription are accepted', async () => {
    const alarm = smnDelivery('cloud-eye-smn-alarm.json');
    await runHttpCase({
      name: 'control',
      path: '/v1/alerts/cloud-eye',
      body: JSON.stringify(alarm.body),
      headers: alarm.headers,
      status: 202,
      effects: { process: 1 },
    });
    await runHttpCase({
      name: 'control',
      ...smnCase('cloud-eye-smn-subscription.json'),
      status: 200,
      effects: { 'smn.subscribeFetch': 1 },
    });
  });
});

describe('forged and replayed: SMN deliveries from other topics, or not fresh', () => {
  const FOREIGN_TOPIC = 'urn:smn:cn-north-4:0f1e2d3c4b5a69788796a5b4c3d2e1f0:dws-prod-alarms';
  const refused = (status: 400 | 403, issue: string) => ({ status, issue, effects: {} });
  const at = (offsetSeconds: number) => smnTimestamp(NOW.getTime() + offsetSeconds * 1000);
  const recorded = JSON.parse(
    readFileSync(new URL('../../events/alarms/cloud-eye-smn-alarm.json', import.meta.url), 'utf8'),
  ) as { headers: Record<string, string>; body: unknown };

  it.each<HttpCase>([
    {
      name: 'a notification from another account’s topic, genuinely signed (nothing fetched)',
      ...smnCase(
        'cloud-eye-smn-alarm.json',
        (b) => {
          b['topic_urn'] = FOREIGN_TOPIC;
        },
        { headers: { 'x-smn-topic-urn': FOREIGN_TOPIC } },
      ),
      ...refused(403, 'topic_urn'),
    },
    {
      name: 'a notification from our project’s topic in another region',
      ...smnCase(
        'cloud-eye-smn-alarm.json',
        (b) => {
          b['topic_urn'] = 'urn:smn:ap-southeast-1:89cd04f168b84af6be287f71730fdb4b:dws-prod-alarms';
        },
        { headers: { 'x-smn-topic-urn': undefined } },
      ),
      ...refused(403, 'topic_urn'),
    },
    {
      name: 'a subscription confirmation from another account’s topic (never confirmed)',
      ...smnCase(
        'cloud-eye-smn-subscription.json',
        (b) => {
          b['topic_urn'] = FOREIGN_TOPIC;
        },
        { headers: { 'x-smn-topic-urn': FOREIGN_TOPIC } },
      ),
      ...refused(403, 'topic_urn'),
    },
    {
      name: 'the regional confirmation when its topic is not allowed (never confirmed)',
      ...smnCase('cloud-eye-smn-subscription-regional.json'),
      app: { smnTopics: ['urn:smn:cn-north-4:89cd04f168b84af6be287f71730fdb4b:dws-prod-alarms'] },
      ...refused(403, 'topic_urn'),
    },
    {
      name: 'any notification when no topic is allowed (fail closed)',
      ...smnCase('cloud-eye-smn-alarm.json'),
      app: { smnTopics: [] },
      ...refused(403, 'topic_urn'),
    },
    {
      name: 'a notification first sent 3601 s ago',
      ...smnCase('cloud-eye-smn-alarm.json', (b) => {
        b['timestamp'] = at(-3601);
      }),
      ...refused(403, 'timestamp'),
    },
    {
      name: 'the genuine notification as recorded in 2024 (a replay)',
      path: '/v1/alerts/cloud-eye',
      body: JSON.stringify(recorded.body),
      headers: recorded.headers,
      ...refused(403, 'timestamp'),
    },
    {
      name: 'a notification dated 301 s ahead',
      ...smnCase('cloud-eye-smn-alarm.json', (b) => {
        b['timestamp'] = at(301);
      }),
      ...refused(403, 'timestamp'),
    },
    {
      name: 'a subscription confirmation first sent 2 h ago (never confirmed)',
      ...smnCase('cloud-eye-smn-subscription.json', (b) => {
        b['timestamp'] = at(-7200);
      }),
      ...refused(403, 'timestamp'),
    },
    {
      name: 'the subject moved into message_id: the same signed string, the genuine signature',
      ...smnCase(
        'cloud-eye-smn-alarm.json',
        (b) => {
          b['message_id'] = `${b['message_id']}\nsubject\n${b['subject']}`;
          delete b['subject'];
        },
        { resign: false },
      ),
      ...refused(400, 'message_id'),
    },
    {
      name: 'a signing_cert_url on the SMN host of a region that does not exist (nothing fetched)',
      ...smnCase('cloud-eye-smn-alarm.json', (b) => {
        b['signing_cert_url'] =
          'https://smn.zz-evil-999.myhuaweicloud.com/smn/SMN_zz-evil-999_0123456789abcdef0123456789abcdef.pem';
      }),
      ...refused(400, 'signing_cert_url'),
    },
  ])('$name -> $status at $issue', async (row) => {
    const response = await runHttpCase(row);
    expect(JSON.parse(response.body).detail).toBeTypeOf('string');
  });

  it('control: an allowed, fresh notification acts once; the regional confirmation is confirmed once', async () => {
    const alarm = smnDelivery('cloud-eye-smn-alarm.json');
    await runHttpCase({
      name: 'control',
      path: '/v1/alerts/cloud-eye',
      body: JSON.stringify(alarm.body),
      headers: alarm.headers,
      status: 202,
      effects: { process: 1 },
    });
    await runHttpCase({
      name: 'control',
      ...smnCase('cloud-eye-smn-subscription-regional.json'),
      status: 200,
      effects: { 'smn.subscribeFetch': 1 },
      check: (_response, calls) => {
        expect(String(calls.of('smn.subscribeFetch')[0]?.args[0])).toMatch(
          /^https:\/\/sa-brazil-1-console\.huaweicloud\.com\/smn\/subscription\/confirm\?/,
        );
      },
    });
  });
});

// --- replayed --------------------------------------------------------------------------------------------

describe('replayed: signed requests outside the 300 s window', () => {
  it.each<HttpCase>([
    {
      name: 'signed 301 s ago',
      ...post({ 'x-dr-signature': sign(BODY, NOW_SECONDS - 301) }),
      ...UNAUTHORIZED,
    },
    {
      name: 'signed 301 s in the future',
      ...post({ 'x-dr-signature': sign(BODY, NOW_SECONDS + 301) }),
      ...UNAUTHORIZED,
    },
    {
      name: 'signed a day ago',
      ...post({ 'x-dr-signature': sign(BODY, NOW_SECONDS - 86_400) }),
      ...UNAUTHORIZED,
    },
    { name: 'signed at t=0', ...post({ 'x-dr-signature': sign(BODY, 0) }), ...UNAUTHORIZED },
    {
      name: 'signed at the largest t (15 digits)',
      ...post({ 'x-dr-signature': sign(BODY, 999_999_999_999_999) }),
      ...UNAUTHORIZED,
    },
    {
      name: 'a GET signed 301 s ago',
      method: 'GET',
      path: '/v1/requests/sample-dws-failover-1',
      headers: { 'x-dr-signature': sign('', NOW_SECONDS - 301) },
      ...UNAUTHORIZED,
    },
  ])('$name -> 401, no side effect', async (row) => {
    await runHttpCase(row);
  });

  it.each([
    ['300 s ago', NOW_SECONDS - 300],
    ['300 s ahead', NOW_SECONDS + 300],
  ])('control: signed exactly %s is still accepted (the window is inclusive)', async (_case, t) => {
    await runHttpCase({
      name: 'edge',
      ...post({ 'x-dr-signature': sign(BODY, t) }),
      status: 202,
      effects: ACCEPTED_REQUEST,
    });
  });
});

describe('replayed: a captured valid request sent again', () => {
  const capture = () => {
    const app = webhookApp();
    const headers = signedHeaders(BODY);
    const send = (h: Record<string, string | undefined> = headers, body = BODY) =>
      app.post('/v1/requests', body, h);
    return { app, headers, send };
  };

  it('10 minutes later with its header: 401, and still one enqueue', async () => {
    // Prepare
    const { app, send } = capture();
    expect((await send()).statusCode).toBe(202);
    app.clock.now = new Date(NOW.getTime() + 600_000);
    // Act
    const replay = await send();
    // Assess
    expect(replay.statusCode).toBe(401);
    expect(app.calls.count('enqueue')).toBe(1);
  });

  it('with its header but another body (same t): 401, nothing enqueued for it', async () => {
    const { app, headers, send } = capture();
    expect((await send()).statusCode).toBe(202);

    const replay = await send(headers, OTHER_BODY);

    expect(replay.statusCode).toBe(401);
    expect(app.calls.count('enqueue')).toBe(1);
  });

  it('with t rewritten (a leading zero: same instant, other text): 401', async () => {
    const { app, headers, send } = capture();
    expect((await send()).statusCode).toBe(202);

    const replay = await send({
      ...headers,
      'x-dr-signature': headers['x-dr-signature'].replace('t=', 't=0'),
    });

    expect(replay.statusCode).toBe(401);
    expect(app.calls.count('enqueue')).toBe(1);
  });

  it('within the window with its Idempotency-Key: the first answer again, byte for byte, no second enqueue', async () => {
    const { app, send } = capture();
    const headers = signedHeaders(BODY, { 'idempotency-key': '"capture-1"' });
    const first = await send(headers);

    const replay = await send(headers);

    expect(replay).toEqual(first);
    expect(app.calls.count('enqueue')).toBe(1);
  });

  it('with the same Idempotency-Key and another (validly signed) body: 422, no second enqueue', async () => {
    const { app, send } = capture();
    await send(signedHeaders(BODY, { 'idempotency-key': '"capture-2"' }));

    const reused = await send(signedHeaders(OTHER_BODY, { 'idempotency-key': '"capture-2"' }), OTHER_BODY);

    expect(reused.statusCode).toBe(422);
    expect(app.calls.count('enqueue')).toBe(1);
  });

  it('within the window after it finished: 202 with the final status, not queued again', async () => {
    // Prepare: the store already knows the request as succeeded.
    const app = webhookApp({ knownStatus: 'succeeded' });
    // Act
    const replay = await app.post('/v1/requests', BODY, signedHeaders(BODY));
    // Assess
    expect(replay.statusCode).toBe(202);
    expect(JSON.parse(replay.body)).toMatchObject({ status: 'succeeded' });
    expect(app.calls.count('enqueue')).toBe(0);
  });

  it('within the window while still queued: queued again under the same idempotency key (the executor claims it once)', async () => {
    const { app, send } = capture();
    await send();

    const replay = await send();

    expect(replay.statusCode).toBe(202);
    const keys = app.calls
      .of('enqueue')
      .map((c) => idempotencyKey(c.args[0] as ReturnType<typeof parseActionRequest>));
    expect(keys).toEqual([REQUESTS.failover['request_id'], REQUESTS.failover['request_id']]);
    expect(app.calls.count('store.createQueued')).toBe(2);
  });

  it('a captured GET header, 301 s later, for any request id: 401 and no read', async () => {
    const app = webhookApp();
    const header = { 'x-dr-signature': signGet('/v1/requests/a') };
    expect((await app.get('/v1/requests/a', header)).statusCode).toBe(404);
    app.clock.now = new Date(NOW.getTime() + 301_000);

    const replay = await app.get('/v1/requests/b', header);

    expect(replay.statusCode).toBe(401);
    expect(app.calls.count('store.get')).toBe(1);
  });

  it('a captured GET header replayed at once on another request id: 401 and no read (v2 covers the path)', async () => {
    const app = webhookApp();
    const header = { 'x-dr-signature': signGet('/v1/requests/a') };

    const replay = await app.get('/v1/requests/b', header);

    expect(replay.statusCode).toBe(401);
    expect(app.calls.count('store.get')).toBe(0);
  });

  it('a GET signed with the legacy v1 scheme (which covers no path): 401 and no read', async () => {
    const app = webhookApp();

    const answer = await app.get('/v1/requests/a', { 'x-dr-signature': sign('') });

    expect(answer.statusCode).toBe(401);
    expect(app.calls.count('store.get')).toBe(0);
  });

  it('an SMN notification delivered twice: the same signal (episode) both times, for the pipeline to dedupe', async () => {
    const app = webhookApp();
    const { headers, body } = smnDelivery('cloud-eye-smn-alarm.json');

    await app.post('/v1/alerts/cloud-eye', JSON.stringify(body), headers);
    await app.post('/v1/alerts/cloud-eye', JSON.stringify(body), headers);

    const episodes = app.calls.of('process').map((c) => (c.args[0] as { episode: string }[])[0]!.episode);
    expect(episodes).toHaveLength(2);
    expect(episodes[1]).toBe(episodes[0]);
  });

  it('an Alertmanager re-notification (repeat_interval): the same episode', async () => {
    const app = webhookApp();
    const again = changed(ALARMS.alertmanager, (b) => {
      b['groupKey'] = `${b['groupKey']}-renotified`;
    });

    await app.post('/v1/alerts/alertmanager', ALERTMANAGER_BODY, bearerHeaders());
    await app.post('/v1/alerts/alertmanager', JSON.stringify(again), bearerHeaders());

    const [first, second] = app.calls
      .of('process')
      .map((c) => (c.args[0] as { episode: string }[]).map((s) => s.episode));
    expect(second).toEqual(first);
  });
});
