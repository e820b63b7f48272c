/** Where the alert bearer tokens come from: the webhook secret in the cloud, the environment locally. */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config/env.ts';
import { DrRelayError } from '../../lib/errors.ts';
import { alertTokensProvider } from '../../lib/runtime/webhookSecrets.ts';

const secretsManager = mockClient(SecretsManagerClient);
const base = {
  REQUEST_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/q',
  DEAD_LETTER_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/d',
  STATE_TABLE: 'dr-relay-state',
  HUAWEI_CREDENTIALS_SECRET_ID: 'dr-relay/test/huawei',
};
const TOKEN_A = 'alertmanager-token-0123456789';
const TOKEN_B = 'grafana-token-abcdefghijklmnop';

beforeEach(() => secretsManager.reset());

describe('alert bearer tokens', () => {
  it('come from ALERT_BEARER_TOKENS when no webhook secret is configured', async () => {
    const tokens = alertTokensProvider(
      loadConfig({ ...base, ALERT_BEARER_TOKENS: `${TOKEN_A}, ${TOKEN_B}` }),
    );

    expect(await tokens()).toEqual([TOKEN_A, TOKEN_B]);
  });

  it('are none (every bearer request refused) when neither is configured', async () => {
    expect(await alertTokensProvider(loadConfig(base))()).toEqual([]);
  });

  it.each([
    ['a list', { alert_bearer_tokens: [TOKEN_A, TOKEN_B] }],
    ['a comma-separated string', { alert_bearer_tokens: `${TOKEN_A},${TOKEN_B}` }],
  ])('come from the webhook secret (%s), which wins over the environment', async (_form, secret) => {
    secretsManager
      .on(GetSecretValueCommand, { SecretId: 'dr-relay/test/webhook' })
      .resolves({ SecretString: JSON.stringify(secret) });
    const config = loadConfig({
      ...base,
      WEBHOOK_SECRETS_ID: 'dr-relay/test/webhook',
      ALERT_BEARER_TOKENS: 'environment-token-ignored',
    });

    expect(await alertTokensProvider(config)()).toEqual([TOKEN_A, TOKEN_B]);
  });

  it('refuse a secret with a short token, naming the secret and none of its values', async () => {
    secretsManager
      .on(GetSecretValueCommand)
      .resolves({ SecretString: JSON.stringify({ alert_bearer_tokens: ['short'] }) });
    const config = loadConfig({ ...base, WEBHOOK_SECRETS_ID: 'dr-relay/test/webhook-short' });

    const error = await alertTokensProvider(config)().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(DrRelayError);
    expect((error as DrRelayError).kind).toBe('permanent');
    expect((error as Error).message).toContain('dr-relay/test/webhook-short');
    expect((error as Error).message).not.toContain('short"');
  });
});
