/**
 * The webhook function's own secrets: the bearer tokens Alertmanager and Grafana present (one list
 * per sender) and the HMAC secrets that sign /v1/requests. In the cloud from the Secrets Manager
 * secret WEBHOOK_SECRETS_ID, JSON {"alertmanager_bearer_tokens": ["…"], "grafana_bearer_tokens": ["…"],
 * "webhook_hmac_secrets": ["…"]} (comma-separated strings are accepted too; several values allow
 * rotation), re-read every 5 minutes; locally from ALERTMANAGER_BEARER_TOKENS, GRAFANA_BEARER_TOKENS
 * and WEBHOOK_HMAC_SECRETS.
 */
import * as z from 'zod';
import { type Config, commaList } from '../config/env.ts';
import { cachedSecret } from './secrets.ts';

const WebhookSecretSchema = z
  .looseObject({
    alertmanager_bearer_tokens: commaList(16).default([]),
    grafana_bearer_tokens: commaList(16).default([]),
    webhook_hmac_secrets: commaList(32).default([]),
  })
  .refine((secret) => !('alert_bearer_tokens' in secret), {
    path: ['alert_bearer_tokens'],
    message: 'replaced by alertmanager_bearer_tokens and grafana_bearer_tokens (one token list per sender)',
  });
const EXPECTED =
  '{"alertmanager_bearer_tokens": ["16+ characters"], "grafana_bearer_tokens": ["16+ characters"], "webhook_hmac_secrets": ["32+ characters"]}';
const secrets = new Map<string, () => Promise<z.infer<typeof WebhookSecretSchema>>>();
const webhookSecret = (secretId: string) => {
  let provider = secrets.get(secretId);
  if (!provider) {
    provider = cachedSecret(secretId, WebhookSecretSchema, EXPECTED);
    secrets.set(secretId, provider);
  }
  return provider;
};

/** The senders that authenticate with a bearer token, each with its own list. */
export type BearerSender = 'alertmanager' | 'grafana';

/** The tokens one sender may present: a token of one sender is never accepted for another. */
export const alertTokensProvider = (
  config: Config,
): ((sender: BearerSender) => Promise<readonly string[]>) => {
  const secretId = config.WEBHOOK_SECRETS_ID;
  if (!secretId) {
    const tokens = {
      alertmanager: config.ALERTMANAGER_BEARER_TOKENS ?? [],
      grafana: config.GRAFANA_BEARER_TOKENS ?? [],
    };
    return async (sender) => tokens[sender];
  }
  const secret = webhookSecret(secretId);
  return async (sender) => (await secret())[`${sender}_bearer_tokens`];
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
