import { describe, expect, it } from 'vitest';
import { commaList, loadConfig } from '../../lib/config/env.ts';
import { ValidationError } from '../../lib/errors.ts';

const SK = 'MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc';
const AK = 'QTWAOYTTINDUT2QVKYUC';

/** The least an environment must say: where the queues and the table are, and how to get credentials. */
const minimal = (): Record<string, string | undefined> => ({
  REQUEST_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/dr-relay-requests',
  DEAD_LETTER_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/dr-relay-dead-letters',
  STATE_TABLE: 'dr-relay-state',
  HUAWEICLOUD_SDK_AK: AK,
  HUAWEICLOUD_SDK_SK: SK,
});

/** The ValidationError thrown by `act`; fails the test when it throws nothing or something else. */
const rejection = (act: () => unknown): ValidationError => {
  try {
    act();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error('expected a ValidationError, but nothing was thrown');
};

describe('loadConfig', () => {
  it('gives the documented defaults for a minimal environment', () => {
    // Act
    const config = loadConfig(minimal());
    // Assess
    expect(config).toMatchObject({
      DR_AUTOMATION: 'on',
      DR_MAX_ATTEMPTS: 13,
      DR_BACKOFF_BASE_SECONDS: 5,
      DR_BACKOFF_MAX_SECONDS: 300,
      DR_HTTP_TIMEOUT_MS: 10_000,
      DR_CONNECT_TIMEOUT_MS: 3_000,
      DR_IDEMPOTENCY_TTL_SECONDS: 2_592_000,
    });
    expect(config.DR_ENDPOINT_DWS).toBeUndefined();
    expect(config.DR_ENDPOINT_CSBS).toBeUndefined();
    expect(config.DR_ENDPOINT_DCS).toBeUndefined();
    expect(config.DR_ENDPOINT_CBR).toBeUndefined();
  });

  it('keeps the values it was given', () => {
    // Act
    const config = loadConfig(minimal());
    // Assess
    expect(config.REQUEST_QUEUE_URL).toBe(minimal()['REQUEST_QUEUE_URL']);
    expect(config.DEAD_LETTER_QUEUE_URL).toBe(minimal()['DEAD_LETTER_QUEUE_URL']);
    expect(config.STATE_TABLE).toBe('dr-relay-state');
    expect(config.HUAWEICLOUD_SDK_AK).toBe(AK);
    expect(config.HUAWEICLOUD_SDK_SK).toBe(SK);
  });

  it('reads numbers, the automation mode and endpoint overrides from their text', () => {
    // Prepare
    const env = {
      ...minimal(),
      DR_AUTOMATION: 'dry-run',
      DR_MAX_ATTEMPTS: '3',
      DR_BACKOFF_BASE_SECONDS: '5',
      DR_BACKOFF_MAX_SECONDS: '43200',
      DR_HTTP_TIMEOUT_MS: '2500',
      DR_CONNECT_TIMEOUT_MS: '500',
      DR_IDEMPOTENCY_TTL_SECONDS: '86400',
      DR_ENDPOINT_DWS: 'http://127.0.0.1:8080',
      DR_ENDPOINT_CSBS: 'https://csbs.proxy.internal/',
      DR_ENDPOINT_DCS: 'http://localhost:9000/dcs',
      DR_ENDPOINT_CBR: 'https://cbr.proxy.internal',
    };
    // Act
    const config = loadConfig(env);
    // Assess
    expect(config).toMatchObject({
      DR_AUTOMATION: 'dry-run',
      DR_MAX_ATTEMPTS: 3,
      DR_BACKOFF_BASE_SECONDS: 5,
      DR_BACKOFF_MAX_SECONDS: 43_200,
      DR_HTTP_TIMEOUT_MS: 2_500,
      DR_CONNECT_TIMEOUT_MS: 500,
      DR_IDEMPOTENCY_TTL_SECONDS: 86_400,
      DR_ENDPOINT_DWS: 'http://127.0.0.1:8080',
      DR_ENDPOINT_CSBS: 'https://csbs.proxy.internal/',
      DR_ENDPOINT_DCS: 'http://localhost:9000/dcs',
      DR_ENDPOINT_CBR: 'https://cbr.proxy.internal',
    });
  });

  it.each(['on', 'dry-run', 'off'])('accepts DR_AUTOMATION=%s', (mode) => {
    expect(loadConfig({ ...minimal(), DR_AUTOMATION: mode }).DR_AUTOMATION).toBe(mode);
  });

  it('ignores environment variables that are not its own', () => {
    // Prepare
    const env = {
      ...minimal(),
      PATH: '/usr/bin',
      AWS_REGION: 'eu-west-1',
      _HANDLER: 'handlers/requests.handler',
    };
    // Act / Assess
    expect(loadConfig(env)).not.toHaveProperty('PATH');
  });

  it('reads process.env when given nothing', () => {
    // Prepare
    const saved = { ...process.env };
    try {
      for (const key of Object.keys(process.env)) delete process.env[key];
      Object.assign(process.env, minimal(), { DR_MAX_ATTEMPTS: '9' });
      // Act
      const config = loadConfig();
      // Assess
      expect(config.DR_MAX_ATTEMPTS).toBe(9);
    } finally {
      for (const key of Object.keys(process.env)) delete process.env[key];
      Object.assign(process.env, saved);
    }
  });
});

describe('loadConfig: credentials', () => {
  it('is satisfied by HUAWEI_CREDENTIALS_SECRET_ID alone, without AK/SK', () => {
    // Prepare
    const { HUAWEICLOUD_SDK_AK: _ak, HUAWEICLOUD_SDK_SK: _sk, ...rest } = minimal();
    // Act
    const config = loadConfig({ ...rest, HUAWEI_CREDENTIALS_SECRET_ID: 'dr-relay/huawei-credentials' });
    // Assess
    expect(config.HUAWEI_CREDENTIALS_SECRET_ID).toBe('dr-relay/huawei-credentials');
    expect(config.HUAWEICLOUD_SDK_AK).toBeUndefined();
    expect(config.HUAWEICLOUD_SDK_SK).toBeUndefined();
  });

  it('accepts temporary keys with a security token', () => {
    expect(
      loadConfig({ ...minimal(), HUAWEICLOUD_SDK_SECURITY_TOKEN: 'gQpjbi1ub3J0aC00' })
        .HUAWEICLOUD_SDK_SECURITY_TOKEN,
    ).toBe('gQpjbi1ub3J0aC00');
  });

  it.each<[string, Record<string, string | undefined>]>([
    ['neither keys nor a secret', { HUAWEICLOUD_SDK_AK: undefined, HUAWEICLOUD_SDK_SK: undefined }],
    ['an AK without its SK', { HUAWEICLOUD_SDK_SK: undefined }],
    ['an SK without its AK', { HUAWEICLOUD_SDK_AK: undefined }],
  ])('refuses %s, saying what to set', (_what, change) => {
    // Act
    const error = rejection(() => loadConfig({ ...minimal(), ...change }));
    // Assess
    expect(error.issues).toContainEqual({
      path: 'HUAWEICLOUD_SDK_AK',
      message: 'set HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK, or HUAWEI_CREDENTIALS_SECRET_ID',
    });
    expect(error.message).toContain('HUAWEI_CREDENTIALS_SECRET_ID');
  });
});

describe('loadConfig: invalid environments', () => {
  it('lists every problem in one ValidationError, including the missing credentials', () => {
    // Prepare
    const env = {
      REQUEST_QUEUE_URL: 'not a url',
      STATE_TABLE: 'ab',
      DR_AUTOMATION: 'maybe',
      DR_ENDPOINT_DWS: 'ftp://dws.example.com',
      DR_MAX_ATTEMPTS: 'six',
      DR_BACKOFF_BASE_SECONDS: '-1',
      DR_BACKOFF_MAX_SECONDS: '43201',
      DR_HTTP_TIMEOUT_MS: '10',
      DR_CONNECT_TIMEOUT_MS: '1.5',
      DR_IDEMPOTENCY_TTL_SECONDS: '59',
    };
    const bad = [
      'REQUEST_QUEUE_URL',
      'DEAD_LETTER_QUEUE_URL',
      'STATE_TABLE',
      'DR_AUTOMATION',
      'DR_ENDPOINT_DWS',
      'DR_MAX_ATTEMPTS',
      'DR_BACKOFF_BASE_SECONDS',
      'DR_BACKOFF_MAX_SECONDS',
      'DR_HTTP_TIMEOUT_MS',
      'DR_CONNECT_TIMEOUT_MS',
      'DR_IDEMPOTENCY_TTL_SECONDS',
      'HUAWEICLOUD_SDK_AK',
    ];
    // Act
    const error = rejection(() => loadConfig(env));
    // Assess
    expect(error.issues.map((i) => i.path).sort()).toEqual([...bad].sort());
    for (const name of bad) expect(error.message).toContain(`  - ${name}: `);
    expect(error.message.startsWith('dr-relay configuration is invalid:\n')).toBe(true);
    expect(error.kind).toBe('permanent');
  });

  it.each<[string, Record<string, string | undefined>]>([
    ['DR_AUTOMATION', { DR_AUTOMATION: 'enabled' }],
    ['DR_AUTOMATION', { DR_AUTOMATION: 'ON' }],
    ['DR_AUTOMATION', { DR_AUTOMATION: 'dry_run' }],
    ['DR_ENDPOINT_DWS', { DR_ENDPOINT_DWS: 'ftp://dws.example.com' }],
    ['DR_ENDPOINT_CSBS', { DR_ENDPOINT_CSBS: 'file:///etc/passwd' }],
    ['DR_ENDPOINT_DCS', { DR_ENDPOINT_DCS: 'dcs.cn-north-4.myhuaweicloud.com' }],
    ['DR_ENDPOINT_DCS', { DR_ENDPOINT_DCS: 'ws://127.0.0.1:9000' }],
    ['DR_ENDPOINT_CBR', { DR_ENDPOINT_CBR: 'cbr.cn-north-4.myhuaweicloud.com' }],
    ['REQUEST_QUEUE_URL', { REQUEST_QUEUE_URL: undefined }],
    ['DEAD_LETTER_QUEUE_URL', { DEAD_LETTER_QUEUE_URL: 'queue' }],
    ['STATE_TABLE', { STATE_TABLE: undefined }],
    ['STATE_TABLE', { STATE_TABLE: 't'.repeat(256) }],
    ['DR_MAX_ATTEMPTS', { DR_MAX_ATTEMPTS: '0' }],
    ['DR_MAX_ATTEMPTS', { DR_MAX_ATTEMPTS: '101' }],
    ['DR_MAX_ATTEMPTS', { DR_MAX_ATTEMPTS: '2.5' }],
    ['DR_BACKOFF_BASE_SECONDS', { DR_BACKOFF_BASE_SECONDS: 'fast' }],
    ['DR_BACKOFF_MAX_SECONDS', { DR_BACKOFF_MAX_SECONDS: '43201' }],
    ['DR_HTTP_TIMEOUT_MS', { DR_HTTP_TIMEOUT_MS: '49' }],
    ['DR_CONNECT_TIMEOUT_MS', { DR_CONNECT_TIMEOUT_MS: '9' }],
    ['DR_IDEMPOTENCY_TTL_SECONDS', { DR_IDEMPOTENCY_TTL_SECONDS: '59' }],
  ])('refuses a bad %s (%j), naming only it', (name, change) => {
    // Act
    const error = rejection(() => loadConfig({ ...minimal(), ...change }));
    // Assess
    expect(error.issues.map((i) => i.path)).toEqual([name]);
    expect(error.message).toContain(`${name}: `);
  });

  it('says which automation modes exist', () => {
    // Act
    const error = rejection(() => loadConfig({ ...minimal(), DR_AUTOMATION: 'maybe' }));
    // Assess
    expect(error.message).toContain('on');
    expect(error.message).toContain('dry-run');
    expect(error.message).toContain('off');
  });

  it.each(['http://127.0.0.1:8080', 'https://dws.cn-north-4.myhuaweicloud.com'])(
    'accepts the http(s) endpoint override %s',
    (url) => {
      expect(loadConfig({ ...minimal(), DR_ENDPOINT_DWS: url }).DR_ENDPOINT_DWS).toBe(url);
    },
  );

  it('never puts the SK in the error, even when the SK is set and other things are wrong', () => {
    // Prepare
    const env = {
      ...minimal(),
      HUAWEICLOUD_SDK_AK: undefined,
      DR_AUTOMATION: SK,
      DR_ENDPOINT_DWS: 'ftp://x',
      STATE_TABLE: undefined,
      DR_MAX_ATTEMPTS: 'x',
    };
    // Act
    const error = rejection(() => loadConfig(env));
    // Assess
    expect(error.issues.length).toBeGreaterThanOrEqual(4);
    expect(error.message).not.toContain(SK);
    expect(JSON.stringify(error.issues)).not.toContain(SK);
    expect(JSON.stringify(error)).not.toContain(SK);
  });

  it('never puts the SK in the error when the SK is set but its AK is missing', () => {
    // Prepare
    const env = { ...minimal(), HUAWEICLOUD_SDK_AK: undefined };
    // Act
    const error = rejection(() => loadConfig(env));
    // Assess
    expect(error.issues.map((i) => i.path)).toEqual(['HUAWEICLOUD_SDK_AK']);
    expect(`${error.message}${JSON.stringify(error.issues)}`).not.toContain(SK);
  });
});

describe('commaList: values that rotate', () => {
  const TOKEN_A = 'token-a-0123456789';
  const TOKEN_B = 'token-b-0123456789';

  it.each<[string, unknown]>([
    ['a comma-separated string (an environment variable)', ` ${TOKEN_A} ,, ${TOKEN_B} , `],
    ['an array (a Secrets Manager secret)', [` ${TOKEN_A}`, '', `${TOKEN_B} `]],
  ])('reads %s, trimmed, empty entries dropped', (_, input) => {
    // Act
    const values = commaList(16).parse(input);

    // Assess
    expect(values).toEqual([TOKEN_A, TOKEN_B]);
  });

  it('refuses a value shorter than the minimum, with the message given', () => {
    // Act
    const result = commaList(16, 'each token needs at least 16 characters').safeParse(`${TOKEN_A},short`);

    // Assess
    expect(result.error?.issues.map((i) => [i.path, i.message])).toEqual([
      [[1], 'each token needs at least 16 characters'],
    ]);
  });

  it('refuses ALERT_BEARER_TOKENS, naming the per-sender variables that replace it', () => {
    const error = rejection(() => loadConfig({ ...minimal(), ALERT_BEARER_TOKENS: TOKEN_A }));

    expect(error.issues).toEqual([
      {
        path: 'ALERT_BEARER_TOKENS',
        message: expect.stringContaining('replaced by ALERTMANAGER_BEARER_TOKENS and GRAFANA_BEARER_TOKENS'),
      },
    ]);
  });

  it('is what loadConfig reads ALERTMANAGER_BEARER_TOKENS and WEBHOOK_HMAC_SECRETS with', () => {
    // Prepare
    const secret = 's'.repeat(32);

    // Act
    const config = loadConfig({
      ...minimal(),
      ALERTMANAGER_BEARER_TOKENS: `${TOKEN_A}, ${TOKEN_B}`,
      WEBHOOK_HMAC_SECRETS: secret,
    });
    const error = rejection(() => loadConfig({ ...minimal(), WEBHOOK_HMAC_SECRETS: `${secret},${TOKEN_A}` }));

    // Assess
    expect([config.ALERTMANAGER_BEARER_TOKENS, config.WEBHOOK_HMAC_SECRETS]).toEqual([
      [TOKEN_A, TOKEN_B],
      [secret],
    ]);
    expect(error.issues).toEqual([
      { path: 'WEBHOOK_HMAC_SECRETS.1', message: 'each HMAC secret needs at least 32 characters' },
    ]);
  });
});

describe('loadConfig: SMN topics and freshness', () => {
  const TOPIC = 'urn:smn:cn-north-4:89cd04f168b84af6be287f71730fdb4b:dws-prod-alarms';

  it('allows no SMN topic and a 3600 s window by default', () => {
    // Act
    const config = loadConfig(minimal());

    // Assess
    expect(config.DR_SMN_TOPIC_URNS).toBeUndefined();
    expect(config.DR_SMN_MAX_AGE_SECONDS).toBe(3600);
  });

  it('reads DR_SMN_TOPIC_URNS comma-separated and trimmed, and the window in seconds', () => {
    // Act
    const config = loadConfig({
      ...minimal(),
      DR_SMN_TOPIC_URNS: ` ${TOPIC} ,urn:smn:sa-brazil-1:6a1f0c9e2b8d4f57a3e1c0b9d8f7e6a5:dws-dr-alarms,`,
      DR_SMN_MAX_AGE_SECONDS: '900',
    });

    // Assess
    expect(config.DR_SMN_TOPIC_URNS).toEqual([
      TOPIC,
      'urn:smn:sa-brazil-1:6a1f0c9e2b8d4f57a3e1c0b9d8f7e6a5:dws-dr-alarms',
    ]);
    expect(config.DR_SMN_MAX_AGE_SECONDS).toBe(900);
  });

  it.each([
    ['a topic name instead of its URN', { DR_SMN_TOPIC_URNS: 'dws-prod-alarms' }, 'DR_SMN_TOPIC_URNS.0'],
    ['an SNS ARN', { DR_SMN_TOPIC_URNS: 'arn:aws:sns:eu-west-1:123456789012:t' }, 'DR_SMN_TOPIC_URNS.0'],
    ['a window under a minute', { DR_SMN_MAX_AGE_SECONDS: '30' }, 'DR_SMN_MAX_AGE_SECONDS'],
    [
      'a window over a day (SMN stops retrying)',
      { DR_SMN_MAX_AGE_SECONDS: '90000' },
      'DR_SMN_MAX_AGE_SECONDS',
    ],
  ])('refuses %s, naming the variable', (_case, env, path) => {
    // Act
    const error = rejection(() => loadConfig({ ...minimal(), ...env }));

    // Assess
    expect(error.issues.map((i) => i.path)).toContain(path);
  });
});
