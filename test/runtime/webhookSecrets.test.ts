/** Where the alert bearer tokens come from: the webhook secret in the cloud, the environment locally. */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config/env.ts';
import { DrRelayError } from '../../lib/errors.ts';
import { alertTokensProvider, smnTopicsProvider } from '../../lib/runtime/webhookSecrets.ts';

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

describe('allowed SMN topics', () => {
  const OURS = 'urn:smn:cn-north-4:89cd04f168b84af6be287f71730fdb4b:dws-prod-alarms';
  const REGIONAL = 'urn:smn:sa-brazil-1:6a1f0c9e2b8d4f57a3e1c0b9d8f7e6a5:dws-dr-alarms';
  const ROUTED = 'urn:smn:cn-north-4:89cd04f168b84af6be287f71730fdb4b:routed-alarms';

  it('are none (every SMN delivery refused) when nothing is configured', async () => {
    // Act
    const topics = await smnTopicsProvider(loadConfig(base))();

    // Assess
    expect(topics).toEqual([]);
  });

  it('are DR_SMN_TOPIC_URNS and the topics the routes name, each once', async () => {
    // Act
    const topics = await smnTopicsProvider(loadConfig({ ...base, DR_SMN_TOPIC_URNS: `${OURS}, ${ROUTED}` }), [
      ROUTED,
    ])();

    // Assess
    expect(topics).toEqual([OURS, ROUTED]);
  });

  it('add the webhook secret’s smn_topic_urns, re-read like the tokens', async () => {
    // Prepare
    secretsManager
      .on(GetSecretValueCommand, { SecretId: 'dr-relay/test/webhook-smn' })
      .resolves({ SecretString: JSON.stringify({ smn_topic_urns: [REGIONAL] }) });
    const config = loadConfig({
      ...base,
      WEBHOOK_SECRETS_ID: 'dr-relay/test/webhook-smn',
      DR_SMN_TOPIC_URNS: OURS,
    });

    // Act
    const topics = await smnTopicsProvider(config, [ROUTED])();

    // Assess
    expect(topics).toEqual([OURS, ROUTED, REGIONAL]);
  });

  it('refuse a secret whose smn_topic_urns holds something that is not a topic URN', async () => {
    // Prepare
    secretsManager
      .on(GetSecretValueCommand, { SecretId: 'dr-relay/test/webhook-smn-bad' })
      .resolves({ SecretString: JSON.stringify({ smn_topic_urns: ['dws-prod-alarms'] }) });
    const config = loadConfig({ ...base, WEBHOOK_SECRETS_ID: 'dr-relay/test/webhook-smn-bad' });

    // Act
    const error = await smnTopicsProvider(config)().catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(DrRelayError);
    expect((error as Error).message).toContain('smn_topic_urns');
  });
});
