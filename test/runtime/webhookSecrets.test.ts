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
  it('come from one list per sender when no webhook secret is configured', async () => {
    const tokens = alertTokensProvider(
      loadConfig({ ...base, ALERTMANAGER_BEARER_TOKENS: ` ${TOKEN_A} `, GRAFANA_BEARER_TOKENS: TOKEN_B }),
    );

    expect([await tokens('alertmanager'), await tokens('grafana')]).toEqual([[TOKEN_A], [TOKEN_B]]);
  });

  it('are none (every bearer request refused) when nothing is configured', async () => {
    const tokens = alertTokensProvider(loadConfig(base));

    expect([await tokens('alertmanager'), await tokens('grafana')]).toEqual([[], []]);
  });

  it.each([
    ['lists', { alertmanager_bearer_tokens: [TOKEN_A], grafana_bearer_tokens: [TOKEN_B] }],
    [
      'comma-separated strings',
      { alertmanager_bearer_tokens: `${TOKEN_A},`, grafana_bearer_tokens: TOKEN_B },
    ],
  ])('come from the webhook secret (%s), which wins over the environment', async (_form, secret) => {
    secretsManager
      .on(GetSecretValueCommand, { SecretId: 'dr-relay/test/webhook' })
      .resolves({ SecretString: JSON.stringify(secret) });
    const config = loadConfig({
      ...base,
      WEBHOOK_SECRETS_ID: 'dr-relay/test/webhook',
      ALERTMANAGER_BEARER_TOKENS: 'environment-token-ignored',
    });
    const tokens = alertTokensProvider(config);

    expect([await tokens('alertmanager'), await tokens('grafana')]).toEqual([[TOKEN_A], [TOKEN_B]]);
  });

  it.each([
    ['a short token', { alertmanager_bearer_tokens: ['short'] }, 'webhook-short'],
    ['the old shared list', { alert_bearer_tokens: [TOKEN_A] }, 'webhook-old'],
  ])('refuse a secret with %s, naming the secret and none of its values', async (_what, secret, id) => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(secret) });
    const config = loadConfig({ ...base, WEBHOOK_SECRETS_ID: `dr-relay/test/${id}` });

    const error = await alertTokensProvider(config)('alertmanager').catch((e: unknown) => e);

    expect(error).toBeInstanceOf(DrRelayError);
    expect((error as DrRelayError).kind).toBe('permanent');
    expect((error as Error).message).toContain(`dr-relay/test/${id}`);
    expect((error as Error).message).not.toContain('short"');
    expect((error as Error).message).not.toContain(TOKEN_A);
  });
});
