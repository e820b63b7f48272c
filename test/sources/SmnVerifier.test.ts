/**
 * SmnVerifier: a message verifies only with a valid RSA-SHA256 signature by the certificate at an
 * allowed SMN URL; nothing is fetched from a URL that is not allowed; certificates are cached.
 */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DrRelayError } from '../../lib/errors.ts';
import { SmnFetchError } from '../../lib/sources/errors.ts';
import { SmnVerifier } from '../../lib/sources/SmnVerifier.ts';
import type { SmnMessage } from '../../lib/sources/smn.ts';
import { fetchStub, SMN_CERT_URL, SMN_TEST_CERT_PEM, signSmn } from '../../tools/local/smn/signing.ts';
import { changed, loadEvent, rejectionOf } from './helpers.ts';

const alarmMessage = (): SmnMessage => loadEvent('cloud-eye-smn-alarm.json').body;
const okMessage = (): SmnMessage => loadEvent('cloud-eye-smn-ok.json').body;
const subscription = (): SmnMessage => loadEvent('cloud-eye-smn-subscription.json').body;

const otherKeyPem = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .privateKey.export({ type: 'pkcs1', format: 'pem' })
  .toString();

describe('SmnVerifier.verify', () => {
  it.each([
    ['cloud-eye-smn-alarm.json', alarmMessage],
    ['cloud-eye-smn-ok.json', okMessage],
    ['cloud-eye-smn-subscription.json', subscription],
  ])(
    'accepts the signed sample %s, fetching its certificate from the allowed SMN URL',
    async (_file, load) => {
      // Prepare
      const stub = fetchStub();
      const verifier = new SmnVerifier({ fetch: stub.fetch });

      // Act
      await verifier.verify(load());

      // Assess
      expect(stub.requested).toStrictEqual([SMN_CERT_URL]);
    },
  );

  it.each<[string, () => SmnMessage]>([
    ['a signature by another key', () => signSmn(alarmMessage(), otherKeyPem)],
    ['a signature of other content', () => ({ ...alarmMessage(), signature: subscription().signature })],
    ['a signature that is not base64', () => ({ ...alarmMessage(), signature: '!!! not base64 !!!' })],
    [
      'a truncated signature',
      () => ({ ...alarmMessage(), signature: alarmMessage().signature.slice(0, 40) }),
    ],
    [
      'the message altered after signing',
      () =>
        changed(
          alarmMessage(),
          (m) => (m.message = m.message.replace('"alarm_status":"alarm"', '"alarm_status":"ok"')),
        ),
    ],
    [
      'the subject altered after signing',
      () => changed(alarmMessage(), (m) => (m.subject = 'something else')),
    ],
    ['the subject removed after signing', () => changed(alarmMessage(), (m) => delete m.subject)],
    [
      'the timestamp altered after signing',
      () => changed(alarmMessage(), (m) => (m.timestamp = '2024-05-01T10:00:03Z')),
    ],
    [
      'the topic altered after signing',
      () => changed(alarmMessage(), (m) => (m.topic_urn = `${m.topic_urn}x`)),
    ],
    [
      'the type altered after signing',
      () => changed(subscription(), (m) => (m.type = 'UnsubscribeConfirmation')),
    ],
    [
      'the subscribe_url altered after signing',
      () =>
        changed(
          subscription(),
          (m) => (m.subscribe_url = 'https://smn.cn-north-4.myhuaweicloud.com/smn/other'),
        ),
    ],
  ])('refuses %s', async (_case, message) => {
    // Prepare
    const stub = fetchStub();
    const verifier = new SmnVerifier({ fetch: stub.fetch });

    // Act + Assess
    await rejectionOf(() => verifier.verify(message()), 'signature');
  });

  it.each([
    ['a non-SMN host', 'https://evil.example.com/smn/cert.pem'],
    ['http', 'http://smn.cn-north-4.myhuaweicloud.com/smn/cert.pem'],
    ['a non-.pem path', 'https://smn.cn-north-4.myhuaweicloud.com/smn/cert.txt'],
    ['a look-alike host', 'https://smn.cn-north-4.myhuaweicloud.com.evil.com/smn/cert.pem'],
    ['a look-alike prefix', 'https://evilsmn.cn-north-4.myhuaweicloud.com/smn/cert.pem'],
    ['userinfo', 'https://smn.cn-north-4.myhuaweicloud.com@evil.com/cert.pem'],
    ['an IP literal', 'https://127.0.0.1/cert.pem'],
  ])('refuses a signing_cert_url on %s and fetches nothing', async (_case, url) => {
    // Prepare: correctly signed, so only the URL is wrong
    const stub = fetchStub({ [url]: { status: 200, body: SMN_TEST_CERT_PEM } });
    const verifier = new SmnVerifier({ fetch: stub.fetch });
    const message = signSmn({ ...alarmMessage(), signing_cert_url: url });

    // Act
    await rejectionOf(() => verifier.verify(message), 'signing_cert_url');

    // Assess
    expect(stub.requested).toStrictEqual([]);
  });

  it('refuses a signature version other than v1 and fetches nothing', async () => {
    // Prepare
    const stub = fetchStub();
    const verifier = new SmnVerifier({ fetch: stub.fetch });

    // Act
    await rejectionOf(
      () => verifier.verify({ ...alarmMessage(), signature_version: 'v2' }),
      'signature_version',
    );

    // Assess
    expect(stub.requested).toStrictEqual([]);
  });

  it('fetches a certificate once for several messages, and again once the cache has expired', async () => {
    // Prepare
    let now = 1_000_000;
    const stub = fetchStub();
    const verifier = new SmnVerifier({ fetch: stub.fetch, now: () => now, cacheMs: 60_000 });

    // Act
    await verifier.verify(alarmMessage());
    await verifier.verify(okMessage());
    const afterTwo = stub.requested.length;
    now += 60_001;
    await verifier.verify(okMessage());

    // Assess
    expect(afterTwo).toBe(1);
    expect(stub.requested).toStrictEqual([SMN_CERT_URL, SMN_CERT_URL]);
  });

  it('shares one fetch between concurrent messages', async () => {
    // Prepare
    const stub = fetchStub();
    const verifier = new SmnVerifier({ fetch: stub.fetch });

    // Act
    await Promise.all([
      verifier.verify(alarmMessage()),
      verifier.verify(okMessage()),
      verifier.verify(subscription()),
    ]);

    // Assess
    expect(stub.requested).toStrictEqual([SMN_CERT_URL]);
  });

  it('refuses a certificate that is not one (and does not cache the failure)', async () => {
    // Prepare
    const stub = fetchStub({ [SMN_CERT_URL]: { status: 200, body: '<html>maintenance</html>' } });
    const verifier = new SmnVerifier({ fetch: stub.fetch });

    // Act
    await rejectionOf(() => verifier.verify(alarmMessage()), 'signing_cert_url');
    await rejectionOf(() => verifier.verify(alarmMessage()), 'signing_cert_url');

    // Assess
    expect(stub.requested).toStrictEqual([SMN_CERT_URL, SMN_CERT_URL]);
  });

  it('refuses a certificate answered with 404 (permanent)', async () => {
    // Prepare
    const stub = fetchStub({});
    const verifier = new SmnVerifier({ fetch: stub.fetch });

    // Act
    const error = await rejectionOf(() => verifier.verify(alarmMessage()), 'signing_cert_url');

    // Assess
    expect(error.message).toContain('HTTP 404');
  });

  it.each([
    ['answers 503', async () => ({ status: 503, text: async () => 'busy' }), 503],
    ['answers 429', async () => ({ status: 429, text: async () => 'slow down' }), 429],
    ['cannot be reached', async () => Promise.reject(new Error('ECONNRESET')), undefined],
  ])(
    'reports a certificate host that %s as SmnFetchError (transient: SMN should retry)',
    async (_case, fetch, status) => {
      // Prepare
      const verifier = new SmnVerifier({ fetch });

      // Act
      const error = await verifier.verify(alarmMessage()).then(
        () => undefined,
        (e: unknown) => e,
      );

      // Assess
      expect(error).toBeInstanceOf(SmnFetchError);
      expect(error).toBeInstanceOf(DrRelayError);
      expect((error as SmnFetchError).kind).toBe('transient');
      expect((error as SmnFetchError).status).toBe(status);
      expect((error as SmnFetchError).url).toBe(SMN_CERT_URL);
    },
  );

  it('retries the certificate after a transient failure', async () => {
    // Prepare
    let calls = 0;
    const verifier = new SmnVerifier({
      fetch: async () => {
        calls += 1;
        return calls === 1
          ? { status: 502, text: async () => '' }
          : { status: 200, text: async () => SMN_TEST_CERT_PEM };
      },
    });

    // Act
    const first = await verifier.verify(alarmMessage()).then(
      () => 'verified',
      (e: unknown) => (e as Error).name,
    );
    await verifier.verify(alarmMessage());

    // Assess
    expect([first, calls]).toStrictEqual(['SmnFetchError', 2]);
  });
});
