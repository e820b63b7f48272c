/**
 * The webhook function's own secrets: the bearer tokens Alertmanager and Grafana present, and the
 * HMAC secrets that sign /v1/requests. In the cloud from the Secrets Manager secret
 * WEBHOOK_SECRETS_ID, JSON {"alert_bearer_tokens": ["…"], "webhook_hmac_secrets": ["…"]} (comma-separated
 * strings are accepted too; several values allow rotation), re-read every 5 minutes; locally from
 * ALERT_BEARER_TOKENS and WEBHOOK_HMAC_SECRETS.
 */
import * as z from 'zod';
import { type Config, commaList } from '../config/env.ts';
import { cachedSecret } from './secrets.ts';

const WebhookSecretSchema = z.looseObject({
  alert_bearer_tokens: commaList(16).default([]),
  webhook_hmac_secrets: commaList(32).default([]),
});
const EXPECTED = '{"alert_bearer_tokens": ["16+ characters"], "webhook_hmac_secrets": ["32+ characters"]}';
const secrets = new Map<string, () => Promise<z.infer<typeof WebhookSecretSchema>>>();
const webhookSecret = (secretId: string) => {
  let provider = secrets.get(secretId);
  if (!provider) {
    provider = cachedSecret(secretId, WebhookSecretSchema, EXPECTED);
    secrets.set(secretId, provider);
  }
  return provider;
};

export const alertTokensProvider = (config: Config): (() => Promise<readonly string[]>) => {
  const secretId = config.WEBHOOK_SECRETS_ID;
  if (!secretId) {
    const tokens = config.ALERT_BEARER_TOKENS ?? [];
    return async () => tokens;
  }
  const secret = webhookSecret(secretId);
  return async () => (await secret()).alert_bearer_tokens;
};

export const hmacSecretsProvider = (config: Config): (() => Promise<readonly string[]>) => {
  const secretId = config.WEBHOOK_SECRETS_ID;
  if (!secretId) {
    const values = config.WEBHOOK_HMAC_SECRETS ?? [];
    return async () => values;
  }
  const secret = webhookSecret(secretId);
  return async () => (await secret()).webhook_hmac_secrets;
};
