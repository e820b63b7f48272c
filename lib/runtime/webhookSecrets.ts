/**
 * The webhook function's own secrets: the bearer tokens Alertmanager and Grafana must present.
 * In the cloud from the Secrets Manager secret WEBHOOK_SECRETS_ID,
 * JSON {"alert_bearer_tokens": ["…", "…"]} (a comma-separated string is accepted too; several
 * tokens allow rotation), re-read every 5 minutes; locally from ALERT_BEARER_TOKENS.
 */
import * as z from 'zod';
import type { Config } from '../config/env.ts';
import { cachedSecret } from './secrets.ts';

const tokenList = z
  .union([z.array(z.string()), z.string().transform((v) => v.split(','))])
  .transform((tokens) => tokens.map((t) => t.trim()).filter(Boolean))
  .pipe(z.array(z.string().min(16)));
const WebhookSecretSchema = z.looseObject({ alert_bearer_tokens: tokenList.default([]) });

export const alertTokensProvider = (config: Config): (() => Promise<readonly string[]>) => {
  const secretId = config.WEBHOOK_SECRETS_ID;
  if (!secretId) {
    const tokens = config.ALERT_BEARER_TOKENS ?? [];
    return async () => tokens;
  }
  const secret = cachedSecret(
    secretId,
    WebhookSecretSchema,
    '{"alert_bearer_tokens": ["at least 16 characters", ...]}',
  );
  return async () => (await secret()).alert_bearer_tokens;
};
