/**
 * Property tests of every alarm parser: whatever arrives (arbitrary JSON, odd objects with
 * `__proto__` keys, mutations of the valid samples, re-signed SMN messages), a parser returns
 * well-formed signals or throws a ValidationError naming the bad fields; never anything else, and
 * never a fetch of a URL that is not an allowed SMN URL.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../lib/errors.ts';
import { parseAlertmanagerWebhook } from '../../lib/sources/alertmanager.ts';
import { verifyBearer } from '../../lib/sources/bearer.ts';
import { parseCloudEyeAlarm } from '../../lib/sources/cloudEye.ts';
import { parseCloudWatchEvent } from '../../lib/sources/cloudwatch.ts';
import { parseGrafanaWebhook } from '../../lib/sources/grafana.ts';
import { SmnVerifier } from '../../lib/sources/SmnVerifier.ts';
import { isAllowedSmnUrl, type SmnMessage } from '../../lib/sources/smn.ts';
import { handleSmnDelivery } from '../../lib/sources/smnDelivery.ts';
import { toIsoTimestamp } from '../../lib/sources/time.ts';
import { AlarmSignalSchema } from '../../lib/sources/types.ts';
import {
  SMN_CERT_URL,
  SMN_SAMPLE_TOPIC_URNS,
  SMN_TEST_CERT_PEM,
  smnSignature,
} from '../../tools/local/smn/signing.ts';
import { type Json, loadEvent, type SampleFile } from './helpers.ts';

const RUNS = { numRuns: 3000, seed: 20240501 } as const;

const hex = (minLength: number, maxLength: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength, maxLength });

// --- outcomes ----------------------------------------------------------------------------------

type Outcome = { ok: unknown[] } | ValidationError | { other: unknown };

const outcomeOf = (act: () => unknown[]): Outcome => {
  try {
    return { ok: act() };
  } catch (error) {
    return error instanceof ValidationError ? error : { other: error };
  }
};

const asyncOutcomeOf = async (act: () => Promise<unknown[]>): Promise<Outcome> => {
  try {
    return { ok: await act() };
  } catch (error) {
    return error instanceof ValidationError ? error : { other: error };
  }
};

/** Signals that satisfy the AlarmSignal schema, or a ValidationError whose message names every issue. */
const isWellFormed = (outcome: Outcome): boolean => {
  if (outcome instanceof ValidationError) {
    return (
      outcome.kind === 'permanent' &&
      outcome.issues.length > 0 &&
      outcome.issues.every(
        (i) =>
          typeof i.path === 'string' &&
          i.path.length > 0 &&
          outcome.message.includes(`${i.path}: ${i.message}`),
      )
    );
  }
  if ('other' in outcome) return false;
  return outcome.ok.length > 0 && outcome.ok.every((signal) => AlarmSignalSchema.safeParse(signal).success);
};

const explain = (outcome: Outcome): string =>
  'other' in outcome
    ? `threw ${String((outcome.other as Error)?.stack ?? outcome.other)}`
    : JSON.stringify(outcome);

/** Independent of isAllowedSmnUrl: https, default port, an SMN or Huawei console host. */
const isHuaweiHttpsUrl = (url: string): boolean => {
  const { protocol, hostname, port, username } = new URL(url);
  return (
    protocol === 'https:' &&
    port === '' &&
    username === '' &&
    /^(smn\.[a-z0-9-]+\.myhuaweicloud\.(com|eu|cn)|(console(-intl|\.eu)?|[a-z0-9-]+-console)\.huaweicloud\.com)$/.test(
      hostname,
    )
  );
};

// --- arbitrary inputs --------------------------------------------------------------------------

const DANGEROUS_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty'];
const FIELD_NAMES = [
  'Records',
  'Sns',
  'Message',
  'detail',
  'detail-type',
  'alarmData',
  'alerts',
  'labels',
  'alertname',
  'status',
  'startsAt',
  'endsAt',
  'fingerprint',
  'version',
  'type',
  'message',
  'signature',
  'signing_cert_url',
  'subscribe_url',
  'alarm_status',
  'alarm_name',
  'time',
  'dimension',
  'template_variable',
];

const EVIL_URLS = [
  'http://smn.cn-north-4.myhuaweicloud.com/smn/cert.pem',
  'https://evil.example.com/cert.pem',
  'https://smn.cn-north-4.myhuaweicloud.com.evil.com/cert.pem',
  'https://evilsmn.cn-north-4.myhuaweicloud.com/cert.pem',
  'https://smn.cn-north-4.myhuaweicloud.com@evil.com/cert.pem',
  'https://169.254.169.254/latest/meta-data/',
  'https://127.0.0.1:8443/cert.pem',
  'https://[::1]/cert.pem',
  'file:///etc/passwd',
  'https://evil.example.com\\@smn.cn-north-4.myhuaweicloud.com/cert.pem',
  'https://smn.cn-north-4.myhuaweicloud.com/other.pem',
  'https://smn.cn-north-4.myhuaweicloud.com/smn/subscription/confirm?token=x',
  'https://console.huaweicloud.com/smn/subscription/confirm?token=x',
];

const INTERESTING_VALUES: Json[] = [
  '',
  ' ',
  'ALARM',
  'OK',
  'INSUFFICIENT_DATA',
  'alarm',
  'ok',
  'insufficient_data',
  'firing',
  'resolved',
  'Notification',
  'SubscriptionConfirmation',
  'UnsubscribeConfirmation',
  'v1',
  '4',
  '1',
  '0001-01-01T00:00:00Z',
  '2024-02-30T00:00:00Z',
  '9999-12-31T23:59:59.999-23:59',
  '0000-01-01T00:00:00+01:00',
  '2024-05-01T10:00:00.734+0000',
  '1714557600000',
  '{}',
  '[]',
  '{"alarm_status":"alarm"}',
  'not json',
  'a:b;c:d,e',
  '__proto__:x',
  1e21,
  -1,
  0,
  1_714_557_600_000,
  8.64e15,
  null,
  true,
  [],
  {},
  ...EVIL_URLS,
];

const json = fc.jsonValue({ maxDepth: 4 });

/** An object whose own keys may be `__proto__` & co. (set as data, as JSON.parse does). */
const objectWithKeys = (keys: fc.Arbitrary<string>, values: fc.Arbitrary<unknown>) =>
  fc.array(fc.tuple(keys, values), { maxLength: 8 }).map((entries) => {
    const object: Record<string, unknown> = {};
    for (const [key, value] of entries) {
      Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
    }
    return object;
  });

const keys = fc.oneof(fc.constantFrom(...DANGEROUS_KEYS, ...FIELD_NAMES), fc.string({ maxLength: 12 }));
const leaf = fc.oneof(fc.constantFrom(...INTERESTING_VALUES), json);
const odd = objectWithKeys(
  keys,
  fc.oneof(leaf, objectWithKeys(keys, leaf), fc.array(objectWithKeys(keys, leaf))),
);

const anything = fc.anything({
  maxDepth: 3,
  withBigInt: true,
  withBoxedValues: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withObjectString: true,
  withSparseArray: true,
  withTypedArray: true,
});

// --- mutations of valid samples ----------------------------------------------------------------

type Path = (string | number)[];
interface Mutation {
  readonly kind: 'replace' | 'delete' | 'addKey';
  readonly at: number;
  readonly key: string;
  readonly value: unknown;
}

const isContainer = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;

const pathsOf = (value: unknown, prefix: Path = [], out: Path[] = []): Path[] => {
  out.push(prefix);
  if (Array.isArray(value)) for (const [i, v] of value.entries()) pathsOf(v, [...prefix, i], out);
  else if (isContainer(value)) for (const [k, v] of Object.entries(value)) pathsOf(v, [...prefix, k], out);
  return out;
};

const at = (root: unknown, path: Path): unknown =>
  path.reduce<unknown>((node, key) => (isContainer(node) ? node[key as string] : undefined), root);

const defineOwn = (target: object, key: string | number, value: unknown) =>
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });

/** One change to a copy of `root`: replace or delete a node, or add a (possibly `__proto__`) key. */
const mutate = (root: unknown, m: Mutation): unknown => {
  const copy = structuredClone(root);
  const paths = pathsOf(copy);
  const path = paths[m.at % paths.length]!;
  if (path.length === 0) return m.kind === 'replace' ? m.value : copy;
  const parent = at(copy, path.slice(0, -1)) as Record<string, unknown>;
  const last = path.at(-1)!;
  if (m.kind === 'replace') defineOwn(parent, last, m.value);
  else if (m.kind === 'delete') {
    if (Array.isArray(parent)) {
      // No splice: an own `constructor` key (added by an earlier mutation) would break it.
      for (let i = last as number; i < parent.length - 1; i++) parent[i] = parent[i + 1];
      parent.length -= 1;
    } else delete parent[last];
  } else {
    const node = at(copy, path);
    defineOwn(isContainer(node) ? node : parent, m.key, m.value);
  }
  return copy;
};

const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('replace', 'delete', 'addKey'),
  at: fc.nat(),
  key: keys,
  value: fc.oneof({ weight: 3, arbitrary: leaf }, { weight: 1, arbitrary: odd }),
});

const mutations = fc.array(mutation, { minLength: 1, maxLength: 4 });

/** Samples changed in one to four places. */
const mutatedSamples = (samples: readonly unknown[]) =>
  fc.tuple(fc.constantFrom(...samples), mutations).map(([sample, ms]) => ms.reduce(mutate, sample));

const samples = (...files: SampleFile[]) => files.map((file) => loadEvent(file));

// --- CloudWatch ----------------------------------------------------------------------------------

describe('fuzz: parseCloudWatchEvent', () => {
  const cloudWatchSamples = samples(
    'cloudwatch-sns-alarm.json',
    'cloudwatch-sns-ok.json',
    'cloudwatch-eventbridge-alarm.json',
    'cloudwatch-eventbridge-ok.json',
    'cloudwatch-lambda-action-alarm.json',
  );
  const snsSamples = cloudWatchSamples.slice(0, 2);

  /** The SNS samples with their alarm JSON (inside the Message string) mutated. */
  const mutatedSnsMessages = fc.tuple(fc.constantFrom(...snsSamples), mutations).map(([sample, ms]) => {
    const copy = structuredClone(sample);
    const alarm = ms.reduce(mutate, JSON.parse(copy.Records[0].Sns.Message));
    copy.Records[0].Sns.Message = JSON.stringify(alarm) ?? 'undefined';
    return copy;
  });

  it('returns well-formed signals or throws a ValidationError, whatever arrives', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          { weight: 1, arbitrary: json },
          { weight: 1, arbitrary: anything },
          { weight: 1, arbitrary: odd },
          { weight: 3, arbitrary: mutatedSamples(cloudWatchSamples) },
          { weight: 3, arbitrary: mutatedSnsMessages },
        ),
        (event) => {
          const outcome = outcomeOf(() => parseCloudWatchEvent(event));
          expect(isWellFormed(outcome), explain(outcome)).toBe(true);
        },
      ),
      RUNS,
    );
  });
});

// --- Alertmanager and Grafana ------------------------------------------------------------------

const timestampish = fc.oneof(
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constantFrom(
    '0001-01-01T00:00:00Z',
    '2024-05-01T18:00:10.315272+08:00',
    '2024-05-01T09:59:30.512345678Z',
  ),
  fc.string({ maxLength: 30 }),
);

const alertish = fc.record(
  {
    status: fc.oneof(fc.constantFrom('firing', 'resolved'), fc.string({ maxLength: 8 })),
    labels: fc.oneof(
      fc.dictionary(fc.oneof(keys, fc.constant('alertname')), fc.string({ maxLength: 10 }), { maxKeys: 5 }),
      odd,
    ),
    annotations: fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }),
    startsAt: timestampish,
    endsAt: timestampish,
    generatorURL: fc.webUrl(),
    fingerprint: hex(0, 16),
  },
  { requiredKeys: ['status', 'labels', 'startsAt', 'fingerprint'] },
);

describe.each([
  [
    'parseAlertmanagerWebhook',
    parseAlertmanagerWebhook,
    samples('alertmanager-firing.json', 'alertmanager-repeat.json', 'alertmanager-resolved.json'),
  ],
  ['parseGrafanaWebhook', parseGrafanaWebhook, samples('grafana-firing.json', 'grafana-resolved.json')],
] as const)('fuzz: %s', (_name, parse, valid) => {
  /** A valid envelope around arbitrary alerts, so the alert-level code is reached. */
  const withArbitraryAlerts = fc
    .tuple(fc.constantFrom(...valid), fc.array(alertish, { maxLength: 3 }))
    .map(([sample, alerts]) => ({ ...sample, alerts }));

  it('returns well-formed signals or throws a ValidationError, whatever arrives', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          { weight: 1, arbitrary: json },
          { weight: 1, arbitrary: anything },
          { weight: 1, arbitrary: odd },
          { weight: 4, arbitrary: mutatedSamples(valid) },
          { weight: 3, arbitrary: withArbitraryAlerts },
        ),
        (body) => {
          const outcome = outcomeOf(() => parse(body));
          expect(isWellFormed(outcome), explain(outcome)).toBe(true);
        },
      ),
      RUNS,
    );
  });
});

// --- Cloud Eye ---------------------------------------------------------------------------------

const cloudEyeAlarms = samples('cloud-eye-smn-alarm.json', 'cloud-eye-smn-ok.json').map((e) =>
  JSON.parse(e.body.message),
);

describe('fuzz: parseCloudEyeAlarm', () => {
  const alarmish = fc.record(
    {
      message_type: fc.oneof(fc.constant('alarm'), fc.string({ maxLength: 6 })),
      alarm_id: fc.string({ maxLength: 10 }),
      alarm_name: fc.string({ maxLength: 10 }),
      alarm_status: fc.oneof(
        fc.constantFrom('alarm', 'OK', 'insufficient_data', 'Alarm'),
        fc.string({ maxLength: 8 }),
      ),
      time: fc.oneof(fc.double(), fc.integer(), timestampish),
      namespace: leaf,
      metric_name: leaf,
      dimension: fc.oneof(fc.string({ maxLength: 30 }), leaf, fc.array(odd, { maxLength: 3 })),
      template_variable: fc.oneof(odd, leaf),
    },
    { requiredKeys: [] },
  );
  const envelope = fc.record({
    message_id: hex(1, 32),
    timestamp: timestampish,
    topic_urn: fc.oneof(
      fc.constant('urn:smn:cn-north-4:89cd04f168b84af6be287f71730fdb4b:t'),
      fc.string({ maxLength: 30 }),
    ),
  });

  it('returns a well-formed signal or throws a ValidationError, whatever the message', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          { weight: 1, arbitrary: json },
          { weight: 1, arbitrary: anything },
          { weight: 1, arbitrary: odd },
          { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
          { weight: 3, arbitrary: mutatedSamples(cloudEyeAlarms) },
          { weight: 2, arbitrary: mutatedSamples(cloudEyeAlarms).map((m) => JSON.stringify(m) ?? '') },
          { weight: 3, arbitrary: alarmish },
        ),
        envelope,
        (message, env) => {
          const outcome = outcomeOf(() => parseCloudEyeAlarm(message, env));
          expect(isWellFormed(outcome), explain(outcome)).toBe(true);
        },
      ),
      RUNS,
    );
  });
});

// --- SMN deliveries ------------------------------------------------------------------------------

describe('fuzz: handleSmnDelivery', () => {
  const SAMPLES_CLOCK = Date.parse('2024-05-01T10:40:00Z');
  const deliveries = samples(
    'cloud-eye-smn-alarm.json',
    'cloud-eye-smn-ok.json',
    'cloud-eye-smn-subscription.json',
  );
  const bodies = deliveries.map((d) => d.body);

  /** Re-signs a JSON-ish body with the test key, so a mutation gets past the signature check. */
  const resigned = (body: unknown): unknown => {
    if (!isContainer(body) || Array.isArray(body)) return body;
    try {
      return { ...body, signature: smnSignature(body as SmnMessage) };
    } catch {
      return body; // a value the test signer cannot stringify: leave the signature as is
    }
  };

  const headers = fc.oneof(
    fc.constant({}),
    fc.constantFrom(...deliveries.map((d) => d.headers)),
    fc.record({
      'x-smn-message-type': fc.oneof(
        fc.constantFrom('Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation'),
        fc.string({ maxLength: 10 }),
      ),
    }),
    odd,
  );

  const innerMutated = fc.tuple(fc.constantFrom(...bodies.slice(0, 2)), mutations).map(([body, ms]) => {
    const alarm = ms.reduce(mutate, JSON.parse(body.message));
    return resigned({ ...body, message: JSON.stringify(alarm) ?? '' });
  });

  const urlSwapped = fc
    .tuple(
      fc.constantFrom(...bodies),
      fc.constantFrom('signing_cert_url', 'subscribe_url'),
      fc.oneof(
        fc.constantFrom(...EVIL_URLS),
        fc.webUrl({ withQueryParameters: true }),
        fc.string({ maxLength: 40 }),
      ),
    )
    .map(([body, field, url]) => resigned({ ...body, [field]: url }));

  const body = fc.oneof(
    { weight: 1, arbitrary: json },
    { weight: 1, arbitrary: anything },
    { weight: 1, arbitrary: odd },
    { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
    { weight: 3, arbitrary: mutatedSamples(bodies) },
    { weight: 3, arbitrary: mutatedSamples(bodies).map(resigned) },
    { weight: 3, arbitrary: innerMutated },
    { weight: 3, arbitrary: urlSwapped },
  );

  it('returns a result or throws a ValidationError, and never fetches a URL that is not an allowed SMN URL', async () => {
    await fc.assert(
      fc.asyncProperty(headers, body, async (h, b) => {
        // A stub that would answer anything, so a wrongly allowed URL would show up in `requested`.
        const requested: string[] = [];
        const fetch = async (url: string) => {
          requested.push(url);
          return { status: 200, text: async () => (url === SMN_CERT_URL ? SMN_TEST_CERT_PEM : '') };
        };
        const outcome = await asyncOutcomeOf(async () => {
          const result = await handleSmnDelivery(h as Record<string, string>, b, {
            verifier: new SmnVerifier({ fetch }),
            fetch,
            topics: async () => SMN_SAMPLE_TOPIC_URNS,
            // Every sample is fresh at this clock, so mutations reach the code behind the checks.
            now: () => SAMPLES_CLOCK,
            maxAgeSeconds: 2 * 86_400,
          });
          return result.kind === 'notification' ? result.signals : [result];
        });
        const resultOk =
          'ok' in outcome &&
          outcome.ok.every((r) => AlarmSignalSchema.safeParse(r).success || (isContainer(r) && 'kind' in r));
        expect(resultOk || isWellFormed(outcome), explain(outcome)).toBe(true);
        for (const url of requested) {
          expect(isAllowedSmnUrl(url, 'cert') || isAllowedSmnUrl(url, 'subscribe'), url).toBe(true);
          expect(isHuaweiHttpsUrl(url), url).toBe(true);
        }
      }),
      RUNS,
    );
  });
});

// --- building blocks ---------------------------------------------------------------------------

describe('fuzz: building blocks', () => {
  it('toIsoTimestamp never throws and only returns timestamps that read back the same', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 40 }),
          timestampish,
          fc.date({ noInvalidDate: true }).map((d) => d.toISOString().replace('Z', '+0530')),
        ),
        (text) => {
          const iso = toIsoTimestamp(text);
          if (iso !== undefined) expect(new Date(iso).toISOString()).toBe(iso);
        },
      ),
      RUNS,
    );
  });

  it('isAllowedSmnUrl never throws, and what it allows is an https SMN (or console) host', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.webUrl({ withQueryParameters: true, withFragments: true }),
          fc.string({ maxLength: 60 }),
          fc.constantFrom(...EVIL_URLS),
        ),
        fc.constantFrom('cert', 'subscribe'),
        (url, kind) => {
          if (isAllowedSmnUrl(url, kind)) {
            expect(isHuaweiHttpsUrl(url), url).toBe(true);
          }
        },
      ),
      RUNS,
    );
  });

  it('verifyBearer never throws and accepts only an exact configured token', () => {
    fc.assert(
      fc.property(
        fc.option(fc.string({ maxLength: 40 }), { nil: undefined }),
        fc.array(fc.string({ maxLength: 20 }), { maxLength: 3 }),
        (header, tokens) => {
          const accepted = verifyBearer(header, tokens);
          if (accepted)
            expect(tokens.some((t) => t !== '' && header?.trim().split(/ +/).at(-1) === t)).toBe(true);
        },
      ),
      { ...RUNS, numRuns: 1000 },
    );
  });
});
