/**
 * SmnVerifier: a message verifies only with a valid RSA-SHA256 signature by the certificate at an
 * allowed SMN URL; nothing is fetched from a URL that is not allowed; certificates are cached.
 */
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DrRelayError } from '../../lib/errors.ts';
import { SmnFetchError } from '../../lib/sources/errors.ts';
import { type SmnFetch, SmnVerifier } from '../../lib/sources/SmnVerifier.ts';
import { type SmnMessage, smnStringToSign } from '../../lib/sources/smn.ts';
import { fetchStub, SMN_CERT_URL, SMN_TEST_CERT_PEM, signSmn } from '../../tools/local/smn/signing.ts';
import { changed, type Json, loadEvent, rejectionOf } from './helpers.ts';

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
    let now = Date.now();
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

  it('refuses a certificate that is not one, and remembers the failure for 60 s (negative cache)', async () => {
    // Prepare
    let now = Date.now();
    const stub = fetchStub({ [SMN_CERT_URL]: { status: 200, body: '<html>maintenance</html>' } });
    const verifier = new SmnVerifier({ fetch: stub.fetch, now: () => now });

    // Act
    await rejectionOf(() => verifier.verify(alarmMessage()), 'signing_cert_url');
    await rejectionOf(() => verifier.verify(alarmMessage()), 'signing_cert_url');
    const within = stub.requested.length;
    now += 60_001;
    await rejectionOf(() => verifier.verify(alarmMessage()), 'signing_cert_url');

    // Assess
    expect(within).toBe(1);
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

  it('retries the certificate after a transient failure, once the failure is 60 s old', async () => {
    // Prepare
    let calls = 0;
    let now = Date.now();
    const verifier = new SmnVerifier({
      now: () => now,
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
    const soon = await verifier.verify(alarmMessage()).then(
      () => 'verified',
      (e: unknown) => (e as Error).name,
    );
    now += 60_001;
    await verifier.verify(alarmMessage());

    // Assess
    expect([first, soon, calls]).toStrictEqual(['SmnFetchError', 'SmnFetchError', 2]);
  });
});

describe('SmnVerifier: the signed string is unambiguous', () => {
  it('shows the ambiguity: moving subject into message_id gives the very same signed string', () => {
    // Prepare
    const genuine = alarmMessage() as SmnMessage & { subject: string };
    const { subject, ...rest } = genuine;

    // Act
    const moved = { ...rest, message_id: `${genuine.message_id}\nsubject\n${subject}` } as SmnMessage;

    // Assess
    expect(smnStringToSign(moved)).toBe(smnStringToSign(genuine));
  });

  it.each([
    [
      'subject moved into message_id',
      (m: Json) => {
        m.message_id = `${m.message_id}\nsubject\n${m.subject}`;
        delete m.subject;
      },
      'message_id',
    ],
    ['a line break in the subject', (m: Json) => (m.subject = 'a\ntimestamp\nb'), 'subject'],
    ['a line break in topic_urn', (m: Json) => (m.topic_urn = `${m.topic_urn}\n`), 'topic_urn'],
    ['a carriage return in timestamp', (m: Json) => (m.timestamp = `${m.timestamp}\r`), 'timestamp'],
  ])('refuses %s before fetching anything, whatever the signature', async (_case, change, path) => {
    // Prepare: the original signature kept (the moved subject still "verifies" without the rule)
    const stub = fetchStub();
    const verifier = new SmnVerifier({ fetch: stub.fetch });

    // Act
    await rejectionOf(() => verifier.verify(changed(alarmMessage(), change)), path);

    // Assess
    expect(stub.requested).toStrictEqual([]);
  });

  it('refuses a line break in subscribe_url', async () => {
    // Prepare
    const stub = fetchStub();
    const verifier = new SmnVerifier({ fetch: stub.fetch });
    const message = signSmn(changed(subscription(), (m) => (m.subscribe_url = `${m.subscribe_url}\nx`)));

    // Act + Assess
    await rejectionOf(() => verifier.verify(message), 'subscribe_url');
    expect(stub.requested).toStrictEqual([]);
  });

  it('still accepts a message whose `message` has line breaks (it is the last value of its pair)', async () => {
    // Prepare
    const verifier = new SmnVerifier({ fetch: fetchStub().fetch });

    // Act + Assess
    await verifier.verify(signSmn({ ...alarmMessage(), message: 'line 1\nline 2\n' }));
  });
});

describe('SmnVerifier: where a certificate may come from', () => {
  it.each([
    'https://smn.zz-evil-999.myhuaweicloud.com/smn/SMN_zz-evil-999_0123456789abcdef0123456789abcdef.pem',
    'https://smn.cn-north-99.myhuaweicloud.com/smn/cert.pem',
    'https://smn.region.myhuaweicloud.com/smn/cert.pem',
  ])(
    'refuses, and never fetches, a certificate on the SMN host of a region that does not exist: %s',
    async (url) => {
      // Prepare: correctly signed, the host answers the certificate
      const stub = fetchStub({ [url]: { status: 200, body: SMN_TEST_CERT_PEM } });
      const verifier = new SmnVerifier({ fetch: stub.fetch });

      // Act
      await rejectionOf(
        () => verifier.verify(signSmn({ ...alarmMessage(), signing_cert_url: url })),
        'signing_cert_url',
      );

      // Assess
      expect(stub.requested).toStrictEqual([]);
    },
  );

  it.each([
    ['before its validity starts', Date.parse(new X509Certificate(SMN_TEST_CERT_PEM).validFrom) - 1000],
    ['after its validity ends', Date.parse(new X509Certificate(SMN_TEST_CERT_PEM).validTo) + 1000],
  ])('refuses a genuine signature by a certificate used %s', async (_case, now) => {
    // Prepare
    const verifier = new SmnVerifier({ fetch: fetchStub().fetch, now: () => now });

    // Act
    const error = await rejectionOf(() => verifier.verify(alarmMessage()), 'signing_cert_url');

    // Assess
    expect(error.message).toContain('certificate is not valid now');
  });

  it('accepts it within its validity dates', async () => {
    // Prepare
    const validFrom = Date.parse(new X509Certificate(SMN_TEST_CERT_PEM).validFrom);
    const verifier = new SmnVerifier({ fetch: fetchStub().fetch, now: () => validFrom + 1000 });

    // Act + Assess
    await verifier.verify(alarmMessage());
  });
});

describe('SmnVerifier: 40 bogus certificate URLs do not make 40 slow fetches', () => {
  /** A certificate host that hangs until released, then times out (as a 3 s time-out would); it counts every fetch. */
  const hangingHost = () => {
    const requested: string[] = [];
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const fetch: SmnFetch = async (url) => {
      requested.push(url);
      await released;
      throw new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    };
    return { fetch, requested, release: () => release() };
  };
  const bogus = (n: number) =>
    `https://smn.cn-north-4.myhuaweicloud.com/smn/SMN_cn-north-4_${n.toString(16).padStart(32, '0')}.pem`;
  const settle = (promises: Promise<unknown>[]) =>
    Promise.all(
      promises.map((p) =>
        p.then(
          () => 'verified',
          (e: unknown) => (e as Error).name,
        ),
      ),
    );

  it('40 messages naming one URL at once: one fetch, shared; 40 more within 60 s: none', async () => {
    // Prepare
    let now = Date.now();
    const host = hangingHost();
    const verifier = new SmnVerifier({ fetch: host.fetch, now: () => now });
    const message = signSmn({ ...alarmMessage(), signing_cert_url: bogus(1) });

    // Act
    const first = Array.from({ length: 40 }, () => verifier.verify(message));
    host.release();
    const firstOutcomes = await settle(first);
    now += 30_000;
    const againOutcomes = await settle(Array.from({ length: 40 }, () => verifier.verify(message)));

    // Assess
    expect(host.requested).toHaveLength(1);
    expect(new Set([...firstOutcomes, ...againOutcomes])).toStrictEqual(new Set(['SmnFetchError']));
  });

  it('40 messages naming 40 URLs on one unreachable host at once: one fetch, the rest answered at once', async () => {
    // Prepare
    const host = hangingHost();
    const verifier = new SmnVerifier({ fetch: host.fetch });
    const messages = Array.from({ length: 40 }, (_, n) =>
      signSmn({ ...alarmMessage(), signing_cert_url: bogus(n) }),
    );

    // Act
    const pending = messages.map((m) => verifier.verify(m));
    host.release();
    const outcomes = await settle(pending);

    // Assess
    expect(host.requested).toStrictEqual([bogus(0)]);
    expect(new Set(outcomes)).toStrictEqual(new Set(['SmnFetchError']));
  });

  it('40 URLs answered 404 one after another: one fetch each, and none again within 60 s', async () => {
    // Prepare
    let now = Date.now();
    const stub = fetchStub({});
    const verifier = new SmnVerifier({ fetch: stub.fetch, now: () => now });
    const messages = Array.from({ length: 40 }, (_, n) =>
      signSmn({ ...alarmMessage(), signing_cert_url: bogus(n) }),
    );

    // Act
    for (const m of messages) await rejectionOf(() => verifier.verify(m), 'signing_cert_url');
    now += 59_000;
    for (const m of messages) await rejectionOf(() => verifier.verify(m), 'signing_cert_url');

    // Assess
    expect(stub.requested).toHaveLength(40);
  });

  it('40 URLs on hosts of regions that do not exist: no fetch at all', async () => {
    // Prepare
    const stub = fetchStub({});
    const verifier = new SmnVerifier({ fetch: stub.fetch });

    // Act
    for (let n = 0; n < 40; n++) {
      const url = `https://smn.zz-evil-${n}.myhuaweicloud.com/smn/cert.pem`;
      await rejectionOf(
        () => verifier.verify(signSmn({ ...alarmMessage(), signing_cert_url: url })),
        'signing_cert_url',
      );
    }

    // Assess
    expect(stub.requested).toStrictEqual([]);
  });

  it('a host that was unreachable is asked again once 60 s have passed', async () => {
    // Prepare
    let now = Date.now();
    let calls = 0;
    const verifier = new SmnVerifier({
      now: () => now,
      fetch: async () => {
        calls += 1;
        if (calls === 1) throw new Error('connect ETIMEDOUT');
        return { status: 200, text: async () => SMN_TEST_CERT_PEM };
      },
    });

    // Act
    const first = await verifier.verify(alarmMessage()).catch((e: unknown) => e);
    const otherUrlSoon = await verifier
      .verify(signSmn({ ...alarmMessage(), signing_cert_url: bogus(7) }))
      .catch((e: unknown) => e);
    now += 60_001;
    await verifier.verify(alarmMessage());

    // Assess
    expect(first).toBeInstanceOf(SmnFetchError);
    expect(otherUrlSoon).toBeInstanceOf(SmnFetchError);
    expect(calls).toBe(2);
  });
});
