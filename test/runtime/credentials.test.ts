/**
 * Where the Huawei AK/SK come from: the environment as-is, or a Secrets Manager secret (which wins)
 * read at most once per 5 minutes. A badly shaped secret is a permanent error that names the secret
 * but never shows what is inside it.
 */
import { inspect } from 'node:util';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../lib/config/env.ts';
import { DrRelayError } from '../../lib/errors.ts';
import { credentialsProvider } from '../../lib/runtime/credentials.ts';

const ENV_AK = 'QTWAOYTTINDUT2QVKYUC';
const ENV_SK = 'MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc';
const SECRET_AK = 'SECRETAKFROMSECRETSMANAGER';
const SECRET_SK = 'secret-sk-from-secrets-manager-0123456789';
const SECRET_ID = 'dr-relay/test/huawei';
const FIVE_MINUTES = 5 * 60_000;

const secretsManager = mockClient(SecretsManagerClient);

/** The least a valid environment must say, plus `extra`. */
const configWith = (extra: Record<string, string>) =>
  loadConfig({
    REQUEST_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/dr-relay-requests',
    DEAD_LETTER_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/dr-relay-dead-letters',
    STATE_TABLE: 'dr-relay-state',
    ...extra,
  });

const secretConfig = (extra: Record<string, string> = {}) =>
  configWith({ HUAWEI_CREDENTIALS_SECRET_ID: SECRET_ID, ...extra });

const answerSecret = (secretString: string | undefined) =>
  secretsManager
    .on(GetSecretValueCommand)
    .resolves(secretString === undefined ? {} : { SecretString: secretString });

/** The error `promise` rejects with; fails the test when it resolves. */
const rejectionOf = async (promise: Promise<unknown>): Promise<unknown> => {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection, but the promise resolved');
};

beforeEach(() => {
  secretsManager.reset();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('credentialsProvider from the environment', () => {
  it('returns HUAWEICLOUD_SDK_AK / _SK as they are, without a security token', async () => {
    // Prepare
    const credentials = credentialsProvider(
      configWith({ HUAWEICLOUD_SDK_AK: ENV_AK, HUAWEICLOUD_SDK_SK: ENV_SK }),
    );
    // Act
    const value = await credentials();
    // Assess
    expect(value).toStrictEqual({ ak: ENV_AK, sk: ENV_SK });
    expect(secretsManager).not.toHaveReceivedAnyCommand();
  });

  it('adds HUAWEICLOUD_SDK_SECURITY_TOKEN as securityToken when it is set', async () => {
    // Prepare
    const credentials = credentialsProvider(
      configWith({
        HUAWEICLOUD_SDK_AK: ENV_AK,
        HUAWEICLOUD_SDK_SK: ENV_SK,
        HUAWEICLOUD_SDK_SECURITY_TOKEN: 'env-security-token',
      }),
    );
    // Act
    const value = await credentials();
    // Assess
    expect(value).toStrictEqual({ ak: ENV_AK, sk: ENV_SK, securityToken: 'env-security-token' });
    expect(secretsManager).not.toHaveReceivedAnyCommand();
  });
});

describe('credentialsProvider from a Secrets Manager secret', () => {
  it('reads the temporary-credential token of the SDK-named form', async () => {
    answerSecret(
      JSON.stringify({
        HUAWEICLOUD_SDK_AK: SECRET_AK,
        HUAWEICLOUD_SDK_SK: SECRET_SK,
        HUAWEICLOUD_SDK_SECURITY_TOKEN: 'tok',
      }),
    );

    expect(await credentialsProvider(secretConfig())()).toEqual({
      ak: SECRET_AK,
      sk: SECRET_SK,
      securityToken: 'tok',
    });
  });

  it('reads the secret named by HUAWEI_CREDENTIALS_SECRET_ID and uses its {"ak","sk"}', async () => {
    // Prepare
    answerSecret(JSON.stringify({ ak: SECRET_AK, sk: SECRET_SK }));
    const credentials = credentialsProvider(secretConfig());
    // Act
    const value = await credentials();
    // Assess
    expect(value).toStrictEqual({ ak: SECRET_AK, sk: SECRET_SK });
    expect(secretsManager).toHaveReceivedCommandExactlyOnceWith(GetSecretValueCommand, {
      SecretId: SECRET_ID,
    });
  });

  it('prefers the secret over HUAWEICLOUD_SDK_AK / _SK / _SECURITY_TOKEN in the environment', async () => {
    // Prepare
    answerSecret(JSON.stringify({ ak: SECRET_AK, sk: SECRET_SK }));
    const credentials = credentialsProvider(
      secretConfig({
        HUAWEICLOUD_SDK_AK: ENV_AK,
        HUAWEICLOUD_SDK_SK: ENV_SK,
        HUAWEICLOUD_SDK_SECURITY_TOKEN: 'env-security-token',
      }),
    );
    // Act
    const value = await credentials();
    // Assess
    expect(value).toStrictEqual({ ak: SECRET_AK, sk: SECRET_SK });
    expect(secretsManager).toHaveReceivedCommandTimes(GetSecretValueCommand, 1);
  });

  it('accepts the SDK variable names {"HUAWEICLOUD_SDK_AK","HUAWEICLOUD_SDK_SK"}', async () => {
    // Prepare
    answerSecret(JSON.stringify({ HUAWEICLOUD_SDK_AK: SECRET_AK, HUAWEICLOUD_SDK_SK: SECRET_SK }));
    const credentials = credentialsProvider(secretConfig());
    // Act
    const value = await credentials();
    // Assess
    expect(value).toStrictEqual({ ak: SECRET_AK, sk: SECRET_SK });
  });

  it('passes security_token through as securityToken', async () => {
    // Prepare
    answerSecret(JSON.stringify({ ak: SECRET_AK, sk: SECRET_SK, security_token: 'secret-token' }));
    const credentials = credentialsProvider(secretConfig());
    // Act
    const value = await credentials();
    // Assess
    expect(value).toStrictEqual({ ak: SECRET_AK, sk: SECRET_SK, securityToken: 'secret-token' });
  });

  it('reads the secret once for several calls within 5 minutes', async () => {
    // Prepare
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-11-23T17:00:00.000Z'));
    answerSecret(JSON.stringify({ ak: SECRET_AK, sk: SECRET_SK }));
    const credentials = credentialsProvider(secretConfig());
    // Act
    const first = await credentials();
    vi.setSystemTime(Date.now() + 60_000);
    const second = await credentials();
    vi.setSystemTime(new Date('2026-11-23T17:00:00.000Z').getTime() + FIVE_MINUTES - 1);
    const last = await credentials();
    // Assess
    expect(secretsManager).toHaveReceivedCommandTimes(GetSecretValueCommand, 1);
    expect([first, second, last]).toStrictEqual([
      { ak: SECRET_AK, sk: SECRET_SK },
      { ak: SECRET_AK, sk: SECRET_SK },
      { ak: SECRET_AK, sk: SECRET_SK },
    ]);
  });

  it('reads the secret again once 5 minutes have passed, and uses the new value (rotation)', async () => {
    // Prepare
    vi.useFakeTimers({ toFake: ['Date'] });
    const start = new Date('2026-11-23T17:00:00.000Z').getTime();
    vi.setSystemTime(start);
    secretsManager
      .on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: JSON.stringify({ ak: SECRET_AK, sk: SECRET_SK }) })
      .resolvesOnce({ SecretString: JSON.stringify({ ak: 'ROTATEDAK', sk: 'rotated-sk' }) });
    const credentials = credentialsProvider(secretConfig());
    await credentials();
    // Act
    vi.setSystemTime(start + FIVE_MINUTES);
    const rotated = await credentials();
    const cachedAgain = await credentials();
    // Assess
    expect(secretsManager).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
    expect(secretsManager).toHaveReceivedNthCommandWith(GetSecretValueCommand, 2, { SecretId: SECRET_ID });
    expect(rotated).toStrictEqual({ ak: 'ROTATEDAK', sk: 'rotated-sk' });
    expect(cachedAgain).toStrictEqual({ ak: 'ROTATEDAK', sk: 'rotated-sk' });
  });

  it('does not cache a bad secret: the next call reads it again and succeeds once it is fixed', async () => {
    // Prepare
    secretsManager
      .on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: JSON.stringify({ access: SECRET_AK }) })
      .resolvesOnce({ SecretString: JSON.stringify({ ak: SECRET_AK, sk: SECRET_SK }) });
    const credentials = credentialsProvider(secretConfig());
    const first = await rejectionOf(credentials());
    // Act
    const second = await credentials();
    // Assess
    expect(first).toBeInstanceOf(DrRelayError);
    expect(second).toStrictEqual({ ak: SECRET_AK, sk: SECRET_SK });
    expect(secretsManager).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
  });

  it.each([
    { shape: 'an empty object', secret: '{}' },
    { shape: 'ak without sk', secret: JSON.stringify({ ak: SECRET_AK }) },
    { shape: 'an empty sk', secret: JSON.stringify({ ak: SECRET_AK, sk: '' }) },
    { shape: 'an empty ak', secret: JSON.stringify({ ak: '', sk: SECRET_SK }) },
    { shape: 'a number as ak', secret: JSON.stringify({ ak: 12345, sk: SECRET_SK }) },
    { shape: 'other key names', secret: JSON.stringify({ access_key: SECRET_AK, secret_key: SECRET_SK }) },
    { shape: 'half of each form', secret: JSON.stringify({ ak: SECRET_AK, HUAWEICLOUD_SDK_SK: SECRET_SK }) },
    { shape: 'an array', secret: JSON.stringify([SECRET_AK, SECRET_SK]) },
    { shape: 'a JSON string', secret: JSON.stringify(`${SECRET_AK}:${SECRET_SK}`) },
    { shape: 'JSON null', secret: 'null' },
    { shape: 'no SecretString (a binary secret)', secret: undefined },
  ])('rejects $shape with a permanent error naming the secret, not its value', async ({ secret }) => {
    // Prepare
    answerSecret(secret);
    const credentials = credentialsProvider(secretConfig());
    // Act
    const error = await rejectionOf(credentials());
    // Assess
    expect(error).toBeInstanceOf(DrRelayError);
    expect((error as DrRelayError).kind).toBe('permanent');
    expect((error as DrRelayError).message).toContain(SECRET_ID);
    const everything = inspect(error, { depth: 10 });
    expect(everything).not.toContain(SECRET_AK);
    expect(everything).not.toContain(SECRET_SK);
  });

  it('rejects a SecretString that is not JSON at all, and returns no credentials', async () => {
    // Prepare
    answerSecret(`ak=${SECRET_AK};sk=${SECRET_SK}`);
    const credentials = credentialsProvider(secretConfig());
    // Act
    const outcome = await credentials().then(
      (value) => ({ resolved: value }),
      (error: unknown) => ({ rejected: error }),
    );
    // Assess
    expect(outcome).not.toHaveProperty('resolved');
    expect(outcome).toHaveProperty('rejected', expect.any(Error));
  });
});

describe('credentialsProvider, non-JSON secret (bug probe)', () => {
  it.each([
    'ak=SECRETAKVALUE;sk=secret-sk-value',
    'SECRETAKVALUE:secret-sk-value',
    '{"ak":"SECRETAKVALUE","sk":"secret-sk-value"',
    "{'ak':'SECRETAKVALUE','sk':'secret-sk-value'}",
  ])('rejects %j as a permanent DrRelayError naming the secret, without its value', async (secret) => {
    // Prepare
    secretsManager.reset();
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: secret });
    const credentials = credentialsProvider(
      loadConfig({
        REQUEST_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/q',
        DEAD_LETTER_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/d',
        STATE_TABLE: 'dr-relay-state',
        HUAWEI_CREDENTIALS_SECRET_ID: 'dr-relay/test/huawei',
      }),
    );
    // Act
    const error = await credentials().then(
      () => undefined,
      (e: unknown) => e,
    );
    // Assess
    expect(error).toBeInstanceOf(DrRelayError);
    expect((error as DrRelayError).kind).toBe('permanent');
    expect((error as DrRelayError).message).toContain('dr-relay/test/huawei');
    expect(inspect(error, { depth: 10 })).not.toContain('SECRETAKVALUE');
    expect(inspect(error, { depth: 10 })).not.toContain('secret-sk-value');
  });
});
