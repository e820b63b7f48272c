/**
 * Bad input battery, part 1: every parser of an external input, 20,000 hostile cases each (fixed
 * seed). Whatever arrives, a parser returns a well-formed result or throws the documented
 * ValidationError naming its issues: never anything else, never a change to a built-in prototype,
 * never a result whose objects have a swapped prototype.
 */
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseActionRequest, parseActionRequestJson } from '../../lib/actions/request.ts';
import { loadConfig } from '../../lib/config/env.ts';
import { SIGNATURE_TOLERANCE_SECONDS, signatureHeader, verifySignature } from '../../lib/http/signature.ts';
import {
  AlarmSignalSchema,
  detectAwsAlarm,
  parseAlertmanagerWebhook,
  parseCloudEyeAlarm,
  parseCloudWatchEvent,
  parseGrafanaWebhook,
  verifyBearer,
} from '../../lib/sources/index.ts';
import { parseIdempotencyKey } from '../../lib/store/idempotencyKeys.ts';
import {
  DANGEROUS_KEYS,
  deepJsonText,
  hostileJsonText,
  hostileNumber,
  hostileString,
  hostileValue,
  loadJson,
  mutatedSample,
  NUMBER_TEXTS,
  textWithExtraMember,
} from './arbitraries.ts';
import {
  deepEqual,
  describeOutcome,
  ensure,
  expectPrototypesUntouchedFast,
  HMAC_SECRET,
  hasOrdinaryPrototypes,
  isWellFormedValidationError,
  NOW_SECONDS,
  OLD_HMAC_SECRET,
  type Outcome,
  outcomeOf,
  runs,
} from './harness.ts';

/** How many cases a property accepted and refused: each must reach both, or it tests too little. */
class Tally {
  accepted = 0;
  refused = 0;
  expectBoth(minimum = 100): void {
    expect(this.accepted, 'cases accepted').toBeGreaterThanOrEqual(minimum);
    expect(this.refused, 'cases refused').toBeGreaterThanOrEqual(minimum);
  }
}

/** Refused with a well-formed ValidationError, or accepted and `accepted` holds; nothing else. */
const assessOutcome = <T>(outcome: Outcome<T>, accepted: (value: T) => void, tally?: Tally): void => {
  ensure(!('other' in outcome), () => describeOutcome(outcome));
  if ('refused' in outcome) {
    ensure(isWellFormedValidationError(outcome.refused), outcome.refused.message);
    if (tally) tally.refused += 1;
  } else if ('ok' in outcome) {
    accepted(outcome.ok);
    if (tally) tally.accepted += 1;
  }
  expectPrototypesUntouchedFast();
};

/** No own `__proto__` / `constructor` / `prototype` key anywhere in a validated result. */
const hasDangerousKey = (value: unknown): boolean => {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === null || typeof node !== 'object') continue;
    for (const key of Object.keys(node)) {
      if ((DANGEROUS_KEYS as readonly string[]).includes(key)) return true;
      stack.push((node as Record<string, unknown>)[key]);
    }
  }
  return false;
};

const REQUEST_SAMPLES = [
  'requests/dws-dr-start.json',
  'requests/dws-dr-failover.json',
  'requests/dws-dr-recovery.json',
  'requests/csbs-restore.json',
  'requests/dcs-restore.json',
  'requests/cbr-restore.json',
  'requests/invalid-request.json',
].map(loadJson);

// --- ActionRequest ---------------------------------------------------------------------------------

describe('battery: ActionRequest', () => {
  const checkRequest = (request: unknown) => {
    ensure(
      deepEqual(parseActionRequest(structuredClone(request)), request),
      'a validated request validates to itself',
    );
    ensure(!hasDangerousKey(request), 'no prototype key in a validated request');
    ensure(hasOrdinaryPrototypes(request), 'ordinary prototypes');
  };

  it('parseActionRequest: a validated request or a ValidationError, for any value', () => {
    const tally = new Tally();
    fc.assert(
      fc.property(
        fc.oneof(
          { weight: 2, arbitrary: hostileValue },
          { weight: 5, arbitrary: mutatedSample(REQUEST_SAMPLES) },
          { weight: 1, arbitrary: fc.constantFrom(...REQUEST_SAMPLES) },
        ),
        (value) => {
          // Act
          const outcome = outcomeOf(() => parseActionRequest(value));
          // Assess
          assessOutcome(outcome, checkRequest, tally);
        },
      ),
      runs(),
    );
    tally.expectBoth();
  });

  it('parseActionRequestJson: a validated request or a ValidationError, for any body text', () => {
    const tally = new Tally();
    fc.assert(
      fc.property(hostileJsonText(REQUEST_SAMPLES), (text) => {
        // Act
        const outcome = outcomeOf(() => parseActionRequestJson(text));
        // Assess
        assessOutcome(
          outcome,
          (request) => {
            checkRequest(request);
            ensure(deepEqual(request, parseActionRequest(JSON.parse(text))), 'the same as parsing the value');
          },
          tally,
        );
      }),
      runs(),
    );
    tally.expectBoth();
  });
});

// --- alarm payloads ---------------------------------------------------------------------------------

/** Well-formed signals: the AlarmSignal schema, string labels on an ordinary object. */
const checkSignals = (signals: unknown[], expectedCount?: number) => {
  ensure(signals.length > 0, 'at least one signal');
  if (expectedCount !== undefined) ensure(signals.length === expectedCount, 'one signal per alert');
  for (const signal of signals) {
    ensure(
      AlarmSignalSchema.safeParse(signal).success,
      () => `not an AlarmSignal: ${JSON.stringify(signal).slice(0, 300)}`,
    );
    const { labels } = signal as { labels: Record<string, unknown> };
    ensure(Object.getPrototypeOf(labels) === Object.prototype, 'labels are a plain object');
    for (const key of Object.keys(labels)) ensure(typeof labels[key] === 'string', 'labels are strings');
  }
};

const CLOUDWATCH_SAMPLES = [
  'alarms/cloudwatch-sns-alarm.json',
  'alarms/cloudwatch-sns-ok.json',
  'alarms/cloudwatch-eventbridge-alarm.json',
  'alarms/cloudwatch-eventbridge-ok.json',
  'alarms/cloudwatch-lambda-action-alarm.json',
].map(loadJson);

describe('battery: CloudWatch alarm events (alarms function)', () => {
  type SnsEvent = { Records: { Sns: { Message: string } }[] };
  const snsSamples = CLOUDWATCH_SAMPLES.slice(0, 2) as SnsEvent[];
  const alarmJson = snsSamples.map((s) => JSON.parse(s.Records[0]!.Sns.Message) as unknown);
  /** The alarm JSON inside the SNS Message, mutated or replaced by hostile text. */
  const withMessage = fc
    .tuple(
      fc.constantFrom(...snsSamples),
      fc.oneof(
        mutatedSample(alarmJson).map((v) => JSON.stringify(v) ?? 'null'),
        textWithExtraMember(alarmJson),
        deepJsonText,
        hostileString,
      ),
    )
    .map(([sample, message]) => {
      const copy = structuredClone(sample);
      copy.Records[0]!.Sns.Message = message;
      return copy;
    });

  it('parseCloudWatchEvent (= detectAwsAlarm): signals or a ValidationError, for any event', () => {
    const tally = new Tally();
    fc.assert(
      fc.property(
        fc.oneof(
          { weight: 2, arbitrary: hostileValue },
          { weight: 4, arbitrary: mutatedSample(CLOUDWATCH_SAMPLES) },
          { weight: 3, arbitrary: withMessage },
          {
            weight: 1,
            arbitrary: textWithExtraMember(CLOUDWATCH_SAMPLES).map((t) => JSON.parse(t) as unknown),
          },
        ),
        (event) => {
          // Act
          const outcome = outcomeOf(() => parseCloudWatchEvent(event));
          // Assess
          assessOutcome(outcome, (signals) => checkSignals(signals), tally);
          // The alarms function's entry is the same parser: checked on every 8th case (same answer).
          if ((tally.accepted + tally.refused) % 8 === 0)
            ensure(
              describeOutcome(outcomeOf(() => detectAwsAlarm(event))) === describeOutcome(outcome),
              'detectAwsAlarm agrees',
            );
        },
      ),
      runs(),
    );
    tally.expectBoth();
  });
});

const alertish = fc.record(
  {
    status: fc.oneof(fc.constantFrom('firing', 'resolved'), hostileString),
    labels: fc.oneof(
      fc.dictionary(fc.oneof(fc.constant('alertname'), hostileString), hostileString, { maxKeys: 4 }),
      hostileValue,
    ),
    annotations: fc.oneof(fc.dictionary(hostileString, hostileString, { maxKeys: 2 }), hostileValue),
    startsAt: fc.oneof(fc.constantFrom('2024-05-01T10:00:00Z', '0001-01-01T00:00:00Z'), hostileString),
    endsAt: fc.oneof(fc.constantFrom('2024-05-01T10:05:00Z', '0001-01-01T00:00:00Z'), hostileString),
    generatorURL: hostileString,
    fingerprint: hostileString,
  },
  { requiredKeys: ['status', 'labels', 'startsAt', 'fingerprint'] },
);

describe.each([
  [
    'parseAlertmanagerWebhook',
    parseAlertmanagerWebhook,
    [
      'alarms/alertmanager-firing.json',
      'alarms/alertmanager-repeat.json',
      'alarms/alertmanager-resolved.json',
    ].map(loadJson),
  ],
  [
    'parseGrafanaWebhook',
    parseGrafanaWebhook,
    ['alarms/grafana-firing.json', 'alarms/grafana-resolved.json'].map(loadJson),
  ],
] as const)('battery: %s', (_name, parse, samples) => {
  const withAlerts = fc
    .tuple(fc.constantFrom(...samples), fc.array(alertish, { maxLength: 3 }))
    .map(([sample, alerts]) => ({ ...(sample as object), alerts }));

  it('returns one signal per alert or throws a ValidationError, for any body', () => {
    const tally = new Tally();
    fc.assert(
      fc.property(
        fc.oneof(
          { weight: 1, arbitrary: hostileValue },
          { weight: 4, arbitrary: mutatedSample(samples) },
          { weight: 2, arbitrary: textWithExtraMember(samples).map((t) => JSON.parse(t) as unknown) },
          { weight: 3, arbitrary: withAlerts },
        ),
        (body) => {
          // Act
          const outcome = outcomeOf(() => parse(body));
          // Assess
          assessOutcome(
            outcome,
            (signals) => checkSignals(signals, (body as { alerts: unknown[] }).alerts.length),
            tally,
          );
        },
      ),
      runs(),
    );
    tally.expectBoth();
  });
});

describe('battery: Cloud Eye alarm (the SMN message)', () => {
  const alarms = ['alarms/cloud-eye-smn-alarm.json', 'alarms/cloud-eye-smn-ok.json'].map(
    (f) => JSON.parse((loadJson(f) as { body: { message: string } }).body.message) as unknown,
  );
  const envelope = fc.record({
    message_id: hostileString,
    timestamp: fc.oneof(
      fc.constantFrom('2024-05-01T10:00:02Z', '2024-05-01 10:00:02.123+0800'),
      hostileString,
    ),
    topic_urn: fc.oneof(fc.constant('urn:smn:cn-north-4:89cd04f168b84af6be287f71730fdb4b:t'), hostileString),
  });

  it('returns one signal or throws a ValidationError, for any message (text or parsed)', () => {
    const tally = new Tally();
    fc.assert(
      fc.property(
        fc.oneof(
          { weight: 1, arbitrary: hostileValue },
          { weight: 3, arbitrary: mutatedSample(alarms) },
          { weight: 3, arbitrary: hostileJsonText(alarms) },
          {
            weight: 1,
            arbitrary: fc.constantFrom(
              ...NUMBER_TEXTS.map((n) => `{"alarm_name":"a","alarm_status":"alarm","time":${n}}`),
            ),
          },
        ),
        envelope,
        (message, env) => {
          // Act
          const outcome = outcomeOf(() => parseCloudEyeAlarm(message, env));
          // Assess
          assessOutcome(outcome, (signals) => checkSignals(signals, 1), tally);
        },
      ),
      runs(),
    );
    tally.expectBoth();
  });
});

// --- authentication headers --------------------------------------------------------------------------

const hmacHex = (secret: string, t: string, body: string) =>
  createHmac('sha256', secret).update(`${t}.`, 'utf8').update(body, 'utf8').digest('hex');

describe('battery: X-DR-Signature (verifySignature)', () => {
  const body = fc.oneof(hostileString, fc.constantFrom('', '{"action":"dws.dr.failover"}'));
  const offset = fc.oneof(
    fc.integer({ min: -SIGNATURE_TOLERANCE_SECONDS, max: SIGNATURE_TOLERANCE_SECONDS }),
    fc.constantFrom(-301, 301, -100_000, 100_000, -NOW_SECONDS),
  );
  /** A header made of parts, valid or not: t, v1 (right or wrong), unknown schemes, junk. */
  const header = fc
    .tuple(body, offset, fc.constantFrom(HMAC_SECRET, OLD_HMAC_SECRET, 'not-a-configured-secret'))
    .chain(([b, off, secret]) => {
      const t = String(NOW_SECONDS + off);
      const good = hmacHex(secret, t, b);
      const part = fc.oneof(
        fc.constant(`t=${t}`),
        fc.constant(`v1=${good}`),
        fc.constant(`v1=${good.toUpperCase()}`),
        fc.constant(` v1 = ${good} `),
        fc.constant(`v1=${good.slice(0, 63)}`),
        fc.constant(`v1=${good.slice(0, 63)}${good[63] === '0' ? '1' : '0'}`),
        fc.constant(`t=${t.replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d)))}`),
        fc.constant(`t=${Number(t) + 1}`),
        fc.constant(`t=0${t}`),
        fc.constantFrom('v0=abc', 'v2=x', 'T=1', '=', '', 't=', 'v1=', `t=${t}\u0000`),
        hostileString.map((s) => `v1=${s}`),
        hostileString,
      );
      /** A genuine header, possibly with harmless extras (another v1, an unknown scheme), in any order. */
      const genuine = fc
        .tuple(
          fc.array(
            fc.constantFrom('v0=abc', `v1=${'0'.repeat(64)}`, 'v2=future', ` v1 = ${good.toUpperCase()} `),
            {
              maxLength: 3,
            },
          ),
          fc.nat(),
        )
        .map(([extras, rotation]) => {
          const parts = [`t=${t}`, `v1=${good}`, ...extras];
          const k = rotation % parts.length;
          return [...parts.slice(k), ...parts.slice(0, k)];
        });
      return fc
        .tuple(fc.oneof(fc.array(part, { maxLength: 6 }), genuine), fc.constantFrom(',', ', ', ' ,'))
        .map(([parts, separator]) => ({ header: parts.join(separator), body: b }));
    });

  it('accepts only a v1 that is the HMAC of "<t>.<body>" under a configured secret, t within ±300 s', () => {
    const tally = new Tally();
    fc.assert(
      fc.property(
        fc.oneof(
          header,
          fc.tuple(hostileString, body).map(([h, b]) => ({ header: h, body: b })),
        ),
        fc.constantFrom<readonly string[]>(
          [HMAC_SECRET, OLD_HMAC_SECRET],
          [HMAC_SECRET],
          ['', HMAC_SECRET],
          [],
        ),
        ({ header: h, body: b }, secrets) => {
          // Act
          const outcome = outcomeOf(() => verifySignature(h, b, secrets, NOW_SECONDS));
          // Assess
          ensure('ok' in outcome, () => describeOutcome(outcome));
          const verdict = (outcome as { ok: ReturnType<typeof verifySignature> }).ok;
          if (!verdict.ok) {
            tally.refused += 1;
            return;
          }
          tally.accepted += 1;
          const parts = h.split(',').map((p) => p.trim());
          const ts = parts.filter((p) => /^t\s*=/.test(p)).map((p) => p.replace(/^t\s*=\s*/, ''));
          ensure(ts.length === 1, 'one t');
          ensure(/^[0-9]{1,15}$/.test(ts[0]!), 't is 1-15 digits');
          ensure(Math.abs(Number(ts[0]) - NOW_SECONDS) <= SIGNATURE_TOLERANCE_SECONDS, 't within the window');
          const presented = parts
            .filter((p) => /^v1\s*=/.test(p))
            .map((p) => p.replace(/^v1\s*=\s*/, '').toLowerCase());
          const genuine = secrets.filter((s) => s.length > 0).map((s) => hmacHex(s, ts[0]!, b));
          ensure(
            presented.some((p) => genuine.includes(p)),
            'a genuine v1',
          );
        },
      ),
      runs(),
    );
    tally.expectBoth();
  });
});

describe('battery: X-DR-Signature (signatureHeader, what senders run)', () => {
  /** The largest t verifySignature reads (15 digits). */
  const MAX_T = 999_999_999_999_999;
  it('signs whole seconds 0..999,999,999,999,999 so that verifySignature accepts at that instant; any other t is a RangeError', () => {
    const tally = new Tally();
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ minLength: 1, maxLength: 40 }), hostileString),
        hostileString,
        fc.oneof(fc.integer({ min: 0, max: 2 ** 40 }), fc.constantFrom(MAX_T, MAX_T + 1), hostileNumber),
        (secret, body, t) => {
          // Act
          const outcome = outcomeOf(() => signatureHeader(secret, body, t));
          // Assess
          const signable = Number.isSafeInteger(t) && t >= 0 && t <= MAX_T;
          if ('ok' in outcome) {
            ensure(signable, () => `signed t=${t}`);
            const accepted = verifySignature(outcome.ok, body, [secret], t);
            const expected = secret.length > 0 ? { ok: true } : { ok: false, reason: 'no_secrets' };
            ensure(deepEqual(accepted, expected), () => `own header at t=${t}: ${JSON.stringify(accepted)}`);
            tally.accepted += 1;
          } else {
            ensure('other' in outcome && outcome.other instanceof RangeError, () => describeOutcome(outcome));
            ensure(!signable, () => `refused t=${t}`);
            tally.refused += 1;
          }
        },
      ),
      runs(),
    );
    tally.expectBoth();
  });
});

describe('battery: Idempotency-Key (parseIdempotencyKey)', () => {
  const quoted = hostileString.map((s) => `"${s}"`);
  const header = fc.oneof(
    hostileString,
    quoted,
    fc.stringMatching(/^[!#-+\--~]{1,300}$/),
    fc.stringMatching(/^"([ !#-[\]-~]|\\["\\]){0,300}"$/),
    fc.constantFrom('"a", "b"', 'a,b', '"a\\"', '"\\x"', '" "', '""', ' "k" ', '"k"\u0000'),
  );

  it('never throws; a key it accepts is 1-255 printable ASCII characters and reads back the same', () => {
    const tally = new Tally();
    fc.assert(
      fc.property(header, (value) => {
        // Act
        const outcome = outcomeOf(() => parseIdempotencyKey(value));
        // Assess
        ensure('ok' in outcome, () => describeOutcome(outcome));
        const parsed = (outcome as { ok: ReturnType<typeof parseIdempotencyKey> }).ok;
        if (!parsed.ok) {
          ensure(parsed.message.length > 0, 'a reason');
          tally.refused += 1;
          return;
        }
        tally.accepted += 1;
        ensure(parsed.key.length >= 1 && parsed.key.length <= 255, 'a key of 1-255 characters');
        ensure(/^[\x20-\x7e]+$/.test(parsed.key), 'printable ASCII');
        const requoted = `"${parsed.key.replace(/(["\\])/g, '\\$1')}"`;
        ensure(
          deepEqual(parseIdempotencyKey(requoted), { ok: true, key: parsed.key }),
          'reads back the same',
        );
      }),
      runs(),
    );
    tally.expectBoth();
  });
});

describe('battery: bearer tokens (verifyBearer)', () => {
  const TOKENS = ['alert-token-0123456789abcdef', 'another-token-fedcba9876543210'];
  const header = fc.oneof(
    hostileString,
    fc
      .tuple(
        fc.constantFrom('Bearer', 'bearer', 'BEARER', 'Basic', 'Bearer\t', 'Bearer  ', ''),
        hostileString,
      )
      .map(([scheme, token]) => `${scheme} ${token}`),
    fc
      .tuple(fc.constantFrom(...TOKENS), fc.constantFrom('', ' ', '  ', '\t', 'x', '\u0000', '\u200b'))
      .map(([token, noise]) => `Bearer ${token}${noise}`),
    fc.constantFrom(...TOKENS).map((t) => `Bearer ${t.slice(0, -1)}`),
    fc.constantFrom(...TOKENS).map((t) => `Bearer ${t.toUpperCase()}`),
  );
  const tokens = fc.oneof(
    fc.constant(TOKENS),
    fc.array(hostileString, { maxLength: 3 }),
    fc.constant(['', ...TOKENS]),
    fc.constant([] as string[]),
  );

  it('never throws and accepts only exactly one configured, non-empty token', () => {
    const tally = new Tally();
    fc.assert(
      fc.property(fc.option(header, { nil: undefined }), tokens, (h, configured) => {
        // Act
        const outcome = outcomeOf(() => verifyBearer(h, configured));
        // Assess
        ensure('ok' in outcome, () => describeOutcome(outcome));
        if (!(outcome as { ok: boolean }).ok) {
          tally.refused += 1;
          return;
        }
        tally.accepted += 1;
        const match = /^bearer +(.*?) *$/i.exec(h ?? '');
        ensure(match !== null, 'a Bearer header');
        const presented = match![1]!;
        ensure(!/\s/.test(presented), 'no whitespace in the token');
        ensure(configured.filter((t) => t.length > 0).includes(presented), 'a configured token');
      }),
      runs(),
    );
    tally.expectBoth();
  });
});

// --- configuration ----------------------------------------------------------------------------------

describe('battery: configuration (loadConfig)', () => {
  const SECRET_VARS = [
    'HUAWEICLOUD_SDK_AK',
    'HUAWEICLOUD_SDK_SK',
    'HUAWEICLOUD_SDK_SECURITY_TOKEN',
    'ALERTMANAGER_BEARER_TOKENS',
    'GRAFANA_BEARER_TOKENS',
    'WEBHOOK_HMAC_SECRETS',
  ] as const;
  const OTHER_VARS = [
    'HUAWEI_CREDENTIALS_SECRET_ID',
    'DR_ENDPOINT_DWS',
    'DR_ENDPOINT_CSBS',
    'DR_ENDPOINT_DCS',
    'REQUEST_QUEUE_URL',
    'DEAD_LETTER_QUEUE_URL',
    'STATE_TABLE',
    'DR_AUTOMATION',
    'DR_MAX_ATTEMPTS',
    'DR_BACKOFF_BASE_SECONDS',
    'DR_BACKOFF_MAX_SECONDS',
    'DR_HTTP_TIMEOUT_MS',
    'DR_CONNECT_TIMEOUT_MS',
    'DR_IDEMPOTENCY_TTL_SECONDS',
    'DR_ROUTES_FILE',
    'DEAD_LETTER_TOPIC_ARN',
    'WEBHOOK_SECRETS_ID',
    'DR_SMN_CERT_FILE',
    '__proto__',
    'constructor',
  ];
  const baseline: Record<string, string> = {
    REQUEST_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/requests',
    DEAD_LETTER_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/dead-letters',
    STATE_TABLE: 'dr-relay-state',
  };
  const numberish = fc.constantFrom(
    '1e400',
    '-0',
    'NaN',
    'Infinity',
    '0x10',
    '１２',
    ' 7 ',
    '3.5',
    '-1',
    '9007199254740993',
    '',
    ' ',
  );
  /** A secret value with a marker that must never show in an error message. */
  const secretValue = fc
    .tuple(fc.stringMatching(/^[0-9a-f]{12}$/), hostileString, fc.boolean())
    .map(([marker, noise, short]) => ({
      marker: `SECRET${marker}`,
      value: short ? `SECRET${marker}` : `SECRET${marker}${noise}`,
    }));

  it('returns a configuration or one ValidationError, and never puts a secret in it', () => {
    const tally = new Tally();
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom(...OTHER_VARS), fc.oneof(hostileString, numberish), { maxKeys: 6 }),
        fc.dictionary(fc.constantFrom(...SECRET_VARS), secretValue, { maxKeys: 5 }),
        fc.boolean(),
        (others, secrets, withBaseline) => {
          // Prepare
          const env: Record<string, string | undefined> = withBaseline ? { ...baseline } : {};
          for (const [k, v] of Object.entries(others))
            Object.defineProperty(env, k, { value: v, enumerable: true });
          for (const [k, v] of Object.entries(secrets)) env[k] = v.value;
          // Act
          const outcome = outcomeOf(() => loadConfig(env));
          // Assess
          assessOutcome(outcome, () => undefined, tally);
          if ('refused' in outcome) {
            const text = `${outcome.refused.message} ${JSON.stringify(outcome.refused.issues)}`;
            for (const { marker } of Object.values(secrets))
              ensure(!text.includes(marker), 'a secret in the error');
          }
        },
      ),
      runs(),
    );
    tally.expectBoth();
  });
});
