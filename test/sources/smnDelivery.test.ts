/**
 * handleSmnDelivery: envelope validated, the topic allowed and the message fresh (both before anything
 * is fetched), signature verified, then a subscription confirmed (only on an allowed URL), an
 * unsubscription acknowledged, or a notification turned into signals.
 */
import { describe, expect, it } from 'vitest';
import { SmnFetchError, SmnRefusedError } from '../../lib/sources/errors.ts';
import { SmnVerifier } from '../../lib/sources/SmnVerifier.ts';
import type { SmnMessage } from '../../lib/sources/smn.ts';
import { handleSmnDelivery, type SmnDeliveryDeps } from '../../lib/sources/smnDelivery.ts';
import {
  type FetchStub,
  fetchStub,
  freshSmn,
  SMN_CERT_URL,
  SMN_REGIONAL_CERT_URL,
  SMN_REGIONAL_TOPIC_URN,
  SMN_SAMPLE_TOPIC_URNS,
  SMN_TEST_CERT_PEM,
  type StubResponse,
  signSmn,
} from '../../tools/local/smn/signing.ts';
import { changed, type Json, loadEvent, rejectionOf, type SampleFile } from './helpers.ts';

const TOPIC_URN = 'urn:smn:cn-north-4:89cd04f168b84af6be287f71730fdb4b:dws-prod-alarms';
/** Another account's topic in the same region: SMN signs its messages with the same certificate. */
const FOREIGN_TOPIC_URN = 'urn:smn:cn-north-4:0f1e2d3c4b5a69788796a5b4c3d2e1f0:dws-prod-alarms';
const CERT: StubResponse = { status: 200, body: SMN_TEST_CERT_PEM };
const SAMPLE_SUBSCRIBE_URL: string = loadEvent('cloud-eye-smn-subscription.json').body.subscribe_url;
const REGIONAL_SUBSCRIBE_URL: string = loadEvent('cloud-eye-smn-subscription-regional.json').body
  .subscribe_url;
const SMN_SUBSCRIBE_URL = `https://smn.cn-north-4.myhuaweicloud.com/smn/subscription/confirm?token=abc&topic_urn=${TOPIC_URN}`;
/** The clock of these tests; the samples are sent as SMN would send them at NOW (freshSmn). */
const NOW = Date.parse('2026-12-01T08:00:00Z');

/** A sample delivery as SMN sends it at NOW (its timestamp set, signed again). */
const sample = (file: SampleFile): { headers: Record<string, string>; body: Json } => {
  const { headers, body } = loadEvent(file);
  return { headers, body: freshSmn(body, NOW) };
};

/** One stub for the certificate and the confirmation GETs, so `requested` shows every URL touched. */
const setup = (
  extra: Record<string, StubResponse> = {},
  options: Partial<Pick<SmnDeliveryDeps, 'topics' | 'maxAgeSeconds' | 'now'>> = {},
) => {
  const stub: FetchStub = fetchStub({
    [SMN_CERT_URL]: CERT,
    [SMN_REGIONAL_CERT_URL]: CERT,
    [SAMPLE_SUBSCRIBE_URL]: { status: 200, body: '' },
    [REGIONAL_SUBSCRIBE_URL]: { status: 200, body: '' },
    [SMN_SUBSCRIBE_URL]: { status: 200, body: '' },
    ...extra,
  });
  const deps: SmnDeliveryDeps = {
    verifier: new SmnVerifier({ fetch: stub.fetch }),
    fetch: stub.fetch,
    topics: async () => SMN_SAMPLE_TOPIC_URNS,
    now: () => NOW,
    ...options,
  };
  return { stub, deps };
};

describe('handleSmnDelivery: notifications', () => {
  it.each([
    ['cloud-eye-smn-alarm.json', 'alarm', 'c2f7e8a91b3d4e6f8a0b1c2d3e4f5a6b', '2024-05-01T10:00:00.000Z'],
    ['cloud-eye-smn-ok.json', 'ok', 'd8e1f2a3b4c5467d9e0f1a2b3c4d5e6f', '2024-05-01T10:42:00.000Z'],
  ] as const)('%s -> a verified notification with one %s signal', async (file, state, messageId, at) => {
    // Prepare
    const { headers, body } = sample(file);
    const { stub, deps } = setup();

    // Act
    const result = await handleSmnDelivery(headers, body, deps);

    // Assess
    expect(result.kind).toBe('notification');
    expect(result).toMatchObject({ topic_urn: TOPIC_URN, message_id: messageId });
    const signals = result.kind === 'notification' ? result.signals : [];
    expect(signals.map((s) => [s.source, s.shape, s.name, s.state, s.episode, s.occurred_at])).toStrictEqual([
      ['cloud-eye', 'cloud-eye/smn', 'DWSPrimaryDown', state, `al17145576000007xPqRsTuV@${at}`, at],
    ]);
    expect(signals[0]?.labels).toMatchObject({
      datastore_id: '5f2c9a7e-8b1d-4c3e-9f6a-2d7b4e1c8a90',
      namespace: 'SYS.DWS',
      region: 'cn-north-4',
      project_id: '89cd04f168b84af6be287f71730fdb4b',
      topic_urn: TOPIC_URN,
    });
    expect(stub.requested).toStrictEqual([SMN_CERT_URL]);
  });

  it('accepts the raw body string and upper-case header names', async () => {
    // Prepare
    const { body } = sample('cloud-eye-smn-alarm.json');
    const { deps } = setup();

    // Act
    const result = await handleSmnDelivery(
      { 'X-SMN-MESSAGE-TYPE': 'Notification' },
      JSON.stringify(body),
      deps,
    );

    // Assess
    expect(result.kind).toBe('notification');
  });

  it('accepts a delivery without the type header', async () => {
    // Prepare
    const { body } = sample('cloud-eye-smn-alarm.json');
    const { deps } = setup();

    // Act
    const result = await handleSmnDelivery({}, body, deps);

    // Assess
    expect(result.kind).toBe('notification');
  });

  it('refuses a header type that contradicts the body, before fetching anything', async () => {
    // Prepare
    const { body } = sample('cloud-eye-smn-alarm.json');
    const { stub, deps } = setup();

    // Act
    await rejectionOf(
      () => handleSmnDelivery({ 'x-smn-message-type': 'SubscriptionConfirmation' }, body, deps),
      'headers.x-smn-message-type',
    );

    // Assess
    expect(stub.requested).toStrictEqual([]);
  });

  it('verifies the signature before reading the alarm: a forged notification is refused for its signature', async () => {
    // Prepare: the alarm inside is unreadable too, but the signature must be what is reported
    const { headers, body } = sample('cloud-eye-smn-alarm.json');
    const forged = { ...body, message: '{"message_type":"event"}' };
    const { deps } = setup();

    // Act + Assess
    await rejectionOf(() => handleSmnDelivery(headers, forged, deps), 'signature');
  });

  it.each<[string, string, string]>([
    ['not JSON', 'DWSPrimaryDown is in alarm', 'message'],
    ['not an alarm', '{"message_type":"event","event_name":"startServer"}', 'message.message_type'],
    ['without a status', '{"message_type":"alarm","alarm_name":"DWSPrimaryDown"}', 'message.alarm_status'],
  ])('refuses a correctly signed notification whose message is %s', async (_case, message, path) => {
    // Prepare
    const { headers, body } = sample('cloud-eye-smn-alarm.json');
    const { deps } = setup();

    // Act + Assess
    await rejectionOf(() => handleSmnDelivery(headers, signSmn({ ...body, message }), deps), path);
  });

  it.each<[string, unknown, string]>([
    ['a body that is not JSON', 'type=Notification', '(body)'],
    ['a body without type', { message: 'x' }, 'type'],
    [
      'an unknown type',
      { ...sample('cloud-eye-smn-alarm.json').body, type: 'HttpSubscriptionUserConfirm' },
      'type',
    ],
    [
      'no signature',
      changed(sample('cloud-eye-smn-alarm.json').body, (b: Json) => delete b.signature),
      'signature',
    ],
    [
      'no message_id',
      changed(sample('cloud-eye-smn-alarm.json').body, (b: Json) => delete b.message_id),
      'message_id',
    ],
    [
      'a message that is not a string',
      changed(sample('cloud-eye-smn-alarm.json').body, (b: Json) => (b.message = { alarm_status: 'alarm' })),
      'message',
    ],
    [
      'a subscription without subscribe_url',
      changed(sample('cloud-eye-smn-subscription.json').body, (b: Json) => delete b.subscribe_url),
      'subscribe_url',
    ],
  ])('refuses %s', async (_case, body, path) => {
    // Prepare
    const { stub, deps } = setup();

    // Act
    await rejectionOf(() => handleSmnDelivery({}, body, deps), path);

    // Assess
    expect(stub.requested).toStrictEqual([]);
  });
});

describe('handleSmnDelivery: subscriptions', () => {
  it('confirms the sample subscription by GETting its subscribe_url, after verifying it', async () => {
    // Prepare
    const { headers, body } = sample('cloud-eye-smn-subscription.json');
    const { stub, deps } = setup();

    // Act
    const result = await handleSmnDelivery(headers, body, deps);

    // Assess
    expect(result).toStrictEqual({ kind: 'confirmed', topic_urn: TOPIC_URN, message_id: body.message_id });
    expect(stub.requested).toStrictEqual([SMN_CERT_URL, SAMPLE_SUBSCRIBE_URL]);
  });

  it('confirms a subscribe_url on an SMN host', async () => {
    // Prepare
    const body = signSmn({
      ...(sample('cloud-eye-smn-subscription.json').body as SmnMessage),
      subscribe_url: SMN_SUBSCRIBE_URL,
    });
    const { stub, deps } = setup();

    // Act
    const result = await handleSmnDelivery({ 'x-smn-message-type': 'SubscriptionConfirmation' }, body, deps);

    // Assess
    expect(result.kind).toBe('confirmed');
    expect(stub.requested).toStrictEqual([SMN_CERT_URL, SMN_SUBSCRIBE_URL]);
  });

  it.each([
    'https://evil.example.com/smn/subscription/confirm?token=abc',
    'http://smn.cn-north-4.myhuaweicloud.com/smn/subscription/confirm?token=abc',
    'https://169.254.169.254/latest/meta-data/iam/security-credentials/',
    'https://smn.cn-north-4.myhuaweicloud.com.evil.com/smn/subscription/confirm',
  ])('refuses, and never fetches, a correctly signed subscribe_url outside SMN: %s', async (url) => {
    // Prepare
    const body = signSmn({
      ...(sample('cloud-eye-smn-subscription.json').body as SmnMessage),
      subscribe_url: url,
    });
    const { stub, deps } = setup({ [url]: { status: 200, body: '' } });

    // Act
    await rejectionOf(() => handleSmnDelivery({}, body, deps), 'subscribe_url');

    // Assess
    expect(stub.requested).toStrictEqual([SMN_CERT_URL]);
  });

  it('refuses an unsigned subscription for its signature and never fetches its subscribe_url', async () => {
    // Prepare
    const body = {
      ...sample('cloud-eye-smn-subscription.json').body,
      subscribe_url: 'https://evil.example.com/x',
    };
    const { stub, deps } = setup();

    // Act
    await rejectionOf(() => handleSmnDelivery({}, body, deps), 'signature');

    // Assess
    expect(stub.requested).toStrictEqual([SMN_CERT_URL]);
  });

  it('reports a confirmation answered 5xx as SmnFetchError (transient) and one answered 404 as a ValidationError', async () => {
    // Prepare
    const { headers, body } = sample('cloud-eye-smn-subscription.json');
    const down = setup({ [SAMPLE_SUBSCRIBE_URL]: { status: 503, body: '' } });
    const gone = setup({ [SAMPLE_SUBSCRIBE_URL]: { status: 404, body: '' } });

    // Act
    const transient = await handleSmnDelivery(headers, body, down.deps).catch((e: unknown) => e);
    await rejectionOf(() => handleSmnDelivery(headers, body, gone.deps), 'subscribe_url');

    // Assess
    expect(transient).toBeInstanceOf(SmnFetchError);
    expect((transient as SmnFetchError).kind).toBe('transient');
    expect((transient as SmnFetchError).url).toBe('https://console.huaweicloud.com/smn/subscription/confirm');
  });

  it('acknowledges an UnsubscribeConfirmation without fetching its subscribe_url', async () => {
    // Prepare
    const body = signSmn<SmnMessage>({
      ...(sample('cloud-eye-smn-subscription.json').body as Extract<SmnMessage, { subscribe_url: string }>),
      type: 'UnsubscribeConfirmation',
    });
    const { stub, deps } = setup();

    // Act
    const result = await handleSmnDelivery({ 'x-smn-message-type': 'UnsubscribeConfirmation' }, body, deps);

    // Assess
    expect(result).toStrictEqual({ kind: 'unsubscribed', topic_urn: TOPIC_URN, message_id: body.message_id });
    expect(stub.requested).toStrictEqual([SMN_CERT_URL]);
  });
});

/** The refusal `act` must produce: an SmnRefusedError (answered 403) with an issue at `path`. */
const refusalOf = async (act: () => Promise<unknown>, path: string): Promise<SmnRefusedError> => {
  const error = await rejectionOf(act, path);
  expect(error).toBeInstanceOf(SmnRefusedError);
  return error as SmnRefusedError;
};

describe('handleSmnDelivery: only allowed topics', () => {
  it.each([
    ['another account', FOREIGN_TOPIC_URN],
    ['another region', 'urn:smn:ap-southeast-1:89cd04f168b84af6be287f71730fdb4b:dws-prod-alarms'],
    ['another topic of ours', 'urn:smn:cn-north-4:89cd04f168b84af6be287f71730fdb4b:other-alarms'],
    ['not a topic URN', 'dws-prod-alarms'],
  ])(
    'refuses a genuinely signed notification from %s (403), before fetching anything',
    async (_case, topic) => {
      // Prepare: SMN signed it (same regional certificate for every account); only the topic is not ours
      const body = freshSmn({ ...sample('cloud-eye-smn-alarm.json').body, topic_urn: topic }, NOW);
      const { stub, deps } = setup();

      // Act
      const error = await refusalOf(() => handleSmnDelivery({}, body, deps), 'topic_urn');

      // Assess
      expect(error.title).toBe('SMN topic not allowed');
      expect(error.kind).toBe('permanent');
      expect(stub.requested).toStrictEqual([]);
    },
  );

  it('never confirms a subscription to a foreign topic: nothing fetched, subscribe_url never touched', async () => {
    // Prepare
    const body = freshSmn(
      { ...sample('cloud-eye-smn-subscription.json').body, topic_urn: FOREIGN_TOPIC_URN },
      NOW,
    );
    const { stub, deps } = setup();

    // Act
    const error = await refusalOf(
      () => handleSmnDelivery({ 'x-smn-message-type': 'SubscriptionConfirmation' }, body, deps),
      'topic_urn',
    );

    // Assess
    expect(error.title).toBe('SMN topic not allowed');
    expect(stub.requested).toStrictEqual([]);
  });

  it('refuses everything when no topic is allowed (fail closed), saying how to allow one', async () => {
    // Prepare
    const { body } = sample('cloud-eye-smn-alarm.json');
    const { stub, deps } = setup({}, { topics: async () => [] });

    // Act
    const error = await refusalOf(() => handleSmnDelivery({}, body, deps), 'topic_urn');

    // Assess
    expect(error.title).toBe('No SMN topic allowed');
    expect(error.message).toContain('DR_SMN_TOPIC_URNS');
    expect(error.message).toContain('topic_urn on a cloud-eye route');
    expect(stub.requested).toStrictEqual([]);
  });

  it('reads the allowed topics on every delivery (a rotated secret needs no restart)', async () => {
    // Prepare
    let allowed: readonly string[] = [];
    const { body } = sample('cloud-eye-smn-alarm.json');
    const { deps } = setup({}, { topics: async () => allowed });

    // Act
    const before = await handleSmnDelivery({}, body, deps).catch((e: unknown) => e);
    allowed = [TOPIC_URN];
    const after = await handleSmnDelivery({}, body, deps);

    // Assess
    expect(before).toBeInstanceOf(SmnRefusedError);
    expect(after.kind).toBe('notification');
  });

  it('refuses an X-SMN-TOPIC-URN header that contradicts the body (400), before fetching anything', async () => {
    // Prepare
    const { headers, body } = sample('cloud-eye-smn-alarm.json');
    const { stub, deps } = setup();

    // Act
    await rejectionOf(
      () => handleSmnDelivery({ ...headers, 'x-smn-topic-urn': FOREIGN_TOPIC_URN }, body, deps),
      'headers.x-smn-topic-urn',
    );

    // Assess
    expect(stub.requested).toStrictEqual([]);
  });
});

describe('handleSmnDelivery: only fresh messages', () => {
  const at = (offsetSeconds: number) =>
    freshSmn(sample('cloud-eye-smn-alarm.json').body, NOW + offsetSeconds * 1000);

  it.each([
    ['sent just now', 0],
    ['sent an hour ago (SMN retries)', -3600],
    ['dated 5 minutes ahead (clock skew)', 300],
  ])('accepts a notification %s', async (_case, offset) => {
    // Prepare
    const { deps } = setup();

    // Act
    const result = await handleSmnDelivery({}, at(offset), deps);

    // Assess
    expect(result.kind).toBe('notification');
  });

  it.each([
    ['an hour and a second old', -3601, 'SMN message too old'],
    ['two years old (the sample as recorded)', undefined, 'SMN message too old'],
    ['dated 5 minutes and a second ahead', 301, 'SMN message from the future'],
  ])(
    'refuses a genuinely signed notification %s (403), before fetching anything',
    async (_case, offset, title) => {
      // Prepare
      const body = offset === undefined ? loadEvent('cloud-eye-smn-alarm.json').body : at(offset);
      const { stub, deps } = setup();

      // Act
      const error = await refusalOf(() => handleSmnDelivery({}, body, deps), 'timestamp');

      // Assess
      expect(error.title).toBe(title);
      expect(error.message).toContain(body.timestamp);
      expect(stub.requested).toStrictEqual([]);
    },
  );

  it('applies the configured window (DR_SMN_MAX_AGE_SECONDS)', async () => {
    // Prepare
    const { deps } = setup({}, { maxAgeSeconds: 600 });

    // Act
    const fresh = await handleSmnDelivery({}, at(-600), deps);
    const stale = await handleSmnDelivery({}, at(-601), deps).catch((e: unknown) => e);

    // Assess
    expect(fresh.kind).toBe('notification');
    expect(stale).toBeInstanceOf(SmnRefusedError);
  });

  it('refuses a stale subscription confirmation and never confirms it', async () => {
    // Prepare
    const body = freshSmn(sample('cloud-eye-smn-subscription.json').body, NOW - 7200_000);
    const { stub, deps } = setup();

    // Act
    await refusalOf(() => handleSmnDelivery({}, body, deps), 'timestamp');

    // Assess
    expect(stub.requested).toStrictEqual([]);
  });

  it('refuses a timestamp that is not one (400): freshness cannot be checked', async () => {
    // Prepare
    const body = signSmn({ ...sample('cloud-eye-smn-alarm.json').body, timestamp: 'yesterday' });
    const { stub, deps } = setup();

    // Act
    const error = await rejectionOf(() => handleSmnDelivery({}, body, deps), 'timestamp');

    // Assess
    expect(error).not.toBeInstanceOf(SmnRefusedError);
    expect(stub.requested).toStrictEqual([]);
  });
});

describe('handleSmnDelivery: regional console confirmations', () => {
  it('confirms the regional sample (sa-brazil-1-console.huaweicloud.com) for its allowed topic', async () => {
    // Prepare
    const { headers, body } = sample('cloud-eye-smn-subscription-regional.json');
    const { stub, deps } = setup();

    // Act
    const result = await handleSmnDelivery(headers, body, deps);

    // Assess
    expect(result).toStrictEqual({
      kind: 'confirmed',
      topic_urn: SMN_REGIONAL_TOPIC_URN,
      message_id: body.message_id,
    });
    expect(stub.requested).toStrictEqual([SMN_REGIONAL_CERT_URL, REGIONAL_SUBSCRIBE_URL]);
  });

  it('does not confirm the regional sample when its topic is not allowed', async () => {
    // Prepare
    const { headers, body } = sample('cloud-eye-smn-subscription-regional.json');
    const { stub, deps } = setup({}, { topics: async () => [TOPIC_URN] });

    // Act
    await refusalOf(() => handleSmnDelivery(headers, body, deps), 'topic_urn');

    // Assess
    expect(stub.requested).toStrictEqual([]);
  });

  it('refuses, and never fetches, a console host of a region that does not exist', async () => {
    // Prepare
    const url = 'https://zz-evil-999-console.huaweicloud.com/smn/subscription/confirm?token=abc';
    const body = freshSmn(
      { ...sample('cloud-eye-smn-subscription-regional.json').body, subscribe_url: url },
      NOW,
    );
    const { stub, deps } = setup({ [url]: { status: 200, body: '' } });

    // Act
    await rejectionOf(() => handleSmnDelivery({}, body, deps), 'subscribe_url');

    // Assess
    expect(stub.requested).toStrictEqual([SMN_REGIONAL_CERT_URL]);
  });
});

describe('handleSmnDelivery: the signed string is unambiguous', () => {
  it('refuses a notification whose subject was moved into message_id (same signed string, still signed)', async () => {
    // Prepare: the genuine signature covers "message_id\nID\nsubject\nS\n..."; the forgery drops the
    // subject and puts its lines into message_id, which gives the very same string to sign
    const genuine = sample('cloud-eye-smn-alarm.json').body as SmnMessage & { subject: string };
    const { subject: _subject, ...rest } = genuine;
    const moved = { ...rest, message_id: `${genuine.message_id}\nsubject\n${genuine.subject}` };
    const { stub, deps } = setup();

    // Act
    await rejectionOf(() => handleSmnDelivery({}, moved, deps), 'message_id');

    // Assess
    expect(stub.requested).toStrictEqual([]);
  });
});
