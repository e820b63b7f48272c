/**
 * handleSmnDelivery: envelope validated, signature verified first, then a subscription confirmed
 * (only on an allowed URL), an unsubscription acknowledged, or a notification turned into signals.
 */
import { describe, expect, it } from 'vitest';
import { SmnFetchError } from '../../lib/sources/errors.ts';
import { SmnVerifier } from '../../lib/sources/SmnVerifier.ts';
import type { SmnMessage } from '../../lib/sources/smn.ts';
import { handleSmnDelivery } from '../../lib/sources/smnDelivery.ts';
import {
  type FetchStub,
  fetchStub,
  SMN_CERT_URL,
  SMN_TEST_CERT_PEM,
  type StubResponse,
  signSmn,
} from '../../tools/local/smn/signing.ts';
import { changed, type Json, loadEvent, rejectionOf } from './helpers.ts';

const TOPIC_URN = 'urn:smn:cn-north-4:89cd04f168b84af6be287f71730fdb4b:dws-prod-alarms';
const CERT: StubResponse = { status: 200, body: SMN_TEST_CERT_PEM };
const SAMPLE_SUBSCRIBE_URL: string = loadEvent('cloud-eye-smn-subscription.json').body.subscribe_url;
const SMN_SUBSCRIBE_URL = `https://smn.cn-north-4.myhuaweicloud.com/smn/subscription/confirm?token=abc&topic_urn=${TOPIC_URN}`;

/** One stub for the certificate and the confirmation GETs, so `requested` shows every URL touched. */
const setup = (extra: Record<string, StubResponse> = {}) => {
  const stub: FetchStub = fetchStub({
    [SMN_CERT_URL]: CERT,
    [SAMPLE_SUBSCRIBE_URL]: { status: 200, body: '' },
    [SMN_SUBSCRIBE_URL]: { status: 200, body: '' },
    ...extra,
  });
  return { stub, deps: { verifier: new SmnVerifier({ fetch: stub.fetch }), fetch: stub.fetch } };
};

describe('handleSmnDelivery: notifications', () => {
  it.each([
    ['cloud-eye-smn-alarm.json', 'alarm', 'c2f7e8a91b3d4e6f8a0b1c2d3e4f5a6b', '2024-05-01T10:00:00.000Z'],
    ['cloud-eye-smn-ok.json', 'ok', 'd8e1f2a3b4c5467d9e0f1a2b3c4d5e6f', '2024-05-01T10:42:00.000Z'],
  ] as const)('%s -> a verified notification with one %s signal', async (file, state, messageId, at) => {
    // Prepare
    const { headers, body } = loadEvent(file);
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
    });
    expect(stub.requested).toStrictEqual([SMN_CERT_URL]);
  });

  it('accepts the raw body string and upper-case header names', async () => {
    // Prepare
    const { body } = loadEvent('cloud-eye-smn-alarm.json');
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
    const { body } = loadEvent('cloud-eye-smn-alarm.json');
    const { deps } = setup();

    // Act
    const result = await handleSmnDelivery({}, body, deps);

    // Assess
    expect(result.kind).toBe('notification');
  });

  it('refuses a header type that contradicts the body, before fetching anything', async () => {
    // Prepare
    const { body } = loadEvent('cloud-eye-smn-alarm.json');
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
    const { headers, body } = loadEvent('cloud-eye-smn-alarm.json');
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
    const { headers, body } = loadEvent('cloud-eye-smn-alarm.json');
    const { deps } = setup();

    // Act + Assess
    await rejectionOf(() => handleSmnDelivery(headers, signSmn({ ...body, message }), deps), path);
  });

  it.each<[string, unknown, string]>([
    ['a body that is not JSON', 'type=Notification', '(body)'],
    ['a body without type', { message: 'x' }, 'type'],
    [
      'an unknown type',
      { ...loadEvent('cloud-eye-smn-alarm.json').body, type: 'HttpSubscriptionUserConfirm' },
      'type',
    ],
    [
      'no signature',
      changed(loadEvent('cloud-eye-smn-alarm.json').body, (b: Json) => delete b.signature),
      'signature',
    ],
    [
      'no message_id',
      changed(loadEvent('cloud-eye-smn-alarm.json').body, (b: Json) => delete b.message_id),
      'message_id',
    ],
    [
      'a message that is not a string',
      changed(
        loadEvent('cloud-eye-smn-alarm.json').body,
        (b: Json) => (b.message = { alarm_status: 'alarm' }),
      ),
      'message',
    ],
    [
      'a subscription without subscribe_url',
      changed(loadEvent('cloud-eye-smn-subscription.json').body, (b: Json) => delete b.subscribe_url),
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
    const { headers, body } = loadEvent('cloud-eye-smn-subscription.json');
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
      ...(loadEvent('cloud-eye-smn-subscription.json').body as SmnMessage),
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
      ...(loadEvent('cloud-eye-smn-subscription.json').body as SmnMessage),
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
      ...loadEvent('cloud-eye-smn-subscription.json').body,
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
    const { headers, body } = loadEvent('cloud-eye-smn-subscription.json');
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
      ...(loadEvent('cloud-eye-smn-subscription.json').body as Extract<
        SmnMessage,
        { subscribe_url: string }
      >),
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
