/**
 * The webhook function's own secrets: the bearer tokens Alertmanager and Grafana present (one list
 * per sender) and the HMAC secrets that sign /v1/requests. In the cloud from the Secrets Manager
 * secret WEBHOOK_SECRETS_ID, JSON {"alertmanager_bearer_tokens": ["…"], "grafana_bearer_tokens": ["…"],
 * "webhook_hmac_secrets": ["…"]} (comma-separated strings are accepted too; several values allow
 * rotation), re-read every 5 minutes; locally from ALERTMANAGER_BEARER_TOKENS, GRAFANA_BEARER_TOKENS
 * and WEBHOOK_HMAC_SECRETS. Also the SMN topics POST /v1/alerts/cloud-eye accepts: DR_SMN_TOPIC_URNS,
 * plus the secret's optional "smn_topic_urns", plus every cloud-eye route's topic_urn (a union).
 */

import { type Config, commaList } from '../config/env.ts';
import * as z from '../schema/zod.ts';
import { smnTopicUrn } from '../sources/smnTopics.ts';
import { cachedSecret } from './secrets.ts';

const WebhookSecretSchema = z.lazySchema(() =>
  z
    .looseObject({
      alertmanager_bearer_tokens: z._default(commaList(16), []),
      grafana_bearer_tokens: z._default(commaList(16), []),
      webhook_hmac_secrets: z._default(commaList(32), []),
      smn_topic_urns: z._default(z.pipe(commaList(1), z.array(smnTopicUrn)), []),
    })
    .check(
      z.refine((secret) => !('alert_bearer_tokens' in secret), {
        path: ['alert_bearer_tokens'],
        message:
          'replaced by alertmanager_bearer_tokens and grafana_bearer_tokens (one token list per sender)',
      }),
    ),
);
const EXPECTED =
  '{"alertmanager_bearer_tokens": ["16+ characters"], "grafana_bearer_tokens": ["16+ characters"], "webhook_hmac_secrets": ["32+ characters"], "smn_topic_urns" (optional): ["urn:smn:<region>:<project_id>:<topic>"]}';
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

/**
 * The SMN topic URNs whose deliveries are accepted: DR_SMN_TOPIC_URNS, the routes file's topic_urn
 * (`routeTopics`), and with WEBHOOK_SECRETS_ID the secret's smn_topic_urns (re-read like the rest).
 * None anywhere: every SMN delivery is refused.
 */
export const smnTopicsProvider = (
  config: Config,
  routeTopics: readonly string[] = [],
): (() => Promise<readonly string[]>) => {
  const fixed = [...new Set([...(config.DR_SMN_TOPIC_URNS ?? []), ...routeTopics])];
  const secretId = config.WEBHOOK_SECRETS_ID;
  if (!secretId) return async () => fixed;
  const secret = webhookSecret(secretId);
  return async () => [...new Set([...fixed, ...(await secret()).smn_topic_urns])];
};
