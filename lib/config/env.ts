/**
 * Configuration from the environment, validated once at cold start.
 * Owns: every environment variable dr-relay reads, its default and its meaning (docs/configuration.md mirrors this).
 * One error lists every problem at once. Secrets are kept out of the error text.
 */

import { issuesOf, ValidationError } from '../errors.ts';
import * as z from '../schema/zod.ts';
import { awsAccountId, snsTopicArn } from '../sources/cloudwatchTrust.ts';
import { smnTopicUrn } from '../sources/smnTopics.ts';

const seconds = (fallback: number) => z._default(z.coerce.number().check(z.int(), z.gte(0)), fallback);
/**
 * Values that rotate (bearer tokens, HMAC secrets; several at once allow rotation): a comma-separated
 * string (an environment variable) or an array (a Secrets Manager secret), trimmed, empty entries
 * dropped, each at least `min` characters (`error` says so, else zod's own message).
 */
export const commaList = (min: number, error?: string) =>
  z.pipe(
    z.pipe(
      z.union([
        z.array(z.string()),
        z.pipe(
          z.string(),
          z.transform((v) => v.split(',')),
        ),
      ]),
      z.transform((values) => values.map((t) => t.trim()).filter(Boolean)),
    ),
    z.array(z.string().check(z.minLength(min, error === undefined ? undefined : { error }))),
  );
const url = z.lazySchema(() => z.optional(z.url({ protocol: /^https?$/ })));

const EnvSchema = z.lazySchema(() =>
  z.object({
    HUAWEICLOUD_SDK_AK: z.optional(z.string().check(z.minLength(1))),
    HUAWEICLOUD_SDK_SK: z.optional(z.string().check(z.minLength(1))),
    HUAWEICLOUD_SDK_SECURITY_TOKEN: z.optional(z.string().check(z.minLength(1))),
    /** In the cloud: a Secrets Manager secret holding {"ak","sk"}; wins over the two above. */
    HUAWEI_CREDENTIALS_SECRET_ID: z.optional(z.string().check(z.minLength(1))),
    DR_ENDPOINT_DWS: url,
    DR_ENDPOINT_CSBS: url,
    DR_ENDPOINT_DCS: url,
    DR_ENDPOINT_CBR: url,
    /** DCS API version of the restore and its records: v2 (current) or the outdated v1.0. */
    DR_DCS_API_VERSION: z._default(z.enum(['v2', 'v1.0']), 'v2'),
    REQUEST_QUEUE_URL: z.url(),
    DEAD_LETTER_QUEUE_URL: z.url(),
    STATE_TABLE: z.string().check(z.minLength(3), z.maxLength(255)),
    /** The mode until one is stored with `dr-relay mode` (the stored setting wins). */
    DR_AUTOMATION: z._default(z.enum(['on', 'dry-run', 'off']), 'on'),
    /** How long a function trusts the stored mode it read (seconds, at most 30 in production). */
    DR_SETTINGS_MAX_AGE_SECONDS: z.pipe(seconds(30), z.number().check(z.lte(300))),
    /** While paused, a queued message is put back with this delay (seconds, SQS allows up to 900). */
    DR_PAUSE_RECHECK_SECONDS: z.pipe(seconds(60), z.number().check(z.lte(900))),
    /** Following an accepted operation: the first check after this many seconds, doubling... */
    DR_OPERATION_CHECK_BASE_SECONDS: z.pipe(seconds(5), z.number().check(z.gte(1), z.lte(900))),
    /** ...up to this (SQS delays at most 900 s); stalled operations are checked at this rate. */
    DR_OPERATION_CHECK_MAX_SECONDS: z.pipe(seconds(900), z.number().check(z.gte(1), z.lte(900))),
    /** Overrides every action's own time limit before an operation is called stalled (seconds). */
    DR_OPERATION_TIME_LIMIT_SECONDS: z.optional(z.coerce.number().check(z.int(), z.gte(1))),
    /** Attempts before a transient failure is dead-lettered: with the backoff below, at least 30 min. */
    DR_MAX_ATTEMPTS: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(100)), 13),
    DR_BACKOFF_BASE_SECONDS: seconds(5),
    DR_BACKOFF_MAX_SECONDS: z.pipe(seconds(300), z.number().check(z.lte(43_200))),
    DR_HTTP_TIMEOUT_MS: z._default(z.coerce.number().check(z.int(), z.gte(50)), 10_000),
    DR_CONNECT_TIMEOUT_MS: z._default(z.coerce.number().check(z.int(), z.gte(10)), 3_000),
    DR_IDEMPOTENCY_TTL_SECONDS: z.pipe(seconds(30 * 24 * 3600), z.number().check(z.gte(60))),
    /** The alarm routes file (YAML or JSON): required by the alarms and webhook functions. */
    DR_ROUTES_FILE: z.optional(z.string().check(z.minLength(1))),
    /** Comma-separated bearer tokens accepted from Alertmanager only (several, for rotation). */
    ALERTMANAGER_BEARER_TOKENS: z.optional(commaList(16, 'each token needs at least 16 characters')),
    /** Comma-separated bearer tokens accepted from Grafana only (one list per sender). */
    GRAFANA_BEARER_TOKENS: z.optional(commaList(16, 'each token needs at least 16 characters')),
    /** Comma-separated HMAC secrets for X-DR-Signature on /v1/requests (several, for rotation). */
    WEBHOOK_HMAC_SECRETS: z.optional(commaList(32, 'each HMAC secret needs at least 32 characters')),
    /** An SNS topic that receives a short summary of every dead letter. */
    DEAD_LETTER_TOPIC_ARN: z.optional(z.string().check(z.minLength(1))),
    /**
     * In the cloud: a Secrets Manager secret holding {"alertmanager_bearer_tokens": [...], "grafana_bearer_tokens": [...], "webhook_hmac_secrets": [...]};
     * wins over ALERTMANAGER_BEARER_TOKENS, GRAFANA_BEARER_TOKENS and WEBHOOK_HMAC_SECRETS.
     */
    WEBHOOK_SECRETS_ID: z.optional(z.string().check(z.minLength(1))),
    /**
     * Pins the SMN signing certificate (PEM file) instead of downloading it from signing_cert_url,
     * which must still be an allowed SMN URL. For closed networks and the local stack.
     */
    DR_SMN_CERT_FILE: z.optional(z.string().check(z.minLength(1))),
    /**
     * Comma-separated SMN topic URNs (`urn:smn:<region>:<project_id>:<name>`) whose messages
     * POST /v1/alerts/cloud-eye accepts; added to the webhook secret's smn_topic_urns and the routes
     * file's topic_urn. None anywhere: every SMN delivery is refused (403).
     */
    DR_SMN_TOPIC_URNS: z.optional(z.pipe(commaList(1), z.array(smnTopicUrn))),
    /** SMN messages whose timestamp (first send) is older are refused; SMN retries for hours, a failover that late is rarely wanted. */
    DR_SMN_MAX_AGE_SECONDS: z.pipe(seconds(3600), z.number().check(z.gte(60), z.lte(86_400))),
    /**
     * Comma-separated AWS account ids whose CloudWatch alarms may act, besides the alarms function's
     * own account (read from its ARN at run time, so nothing needs setting in the cloud). The local
     * stack sets the account its sample events carry.
     */
    DR_AWS_ACCOUNT_IDS: z.optional(z.pipe(commaList(1), z.array(awsAccountId))),
    /** The stack's alarm topic: the only SNS topic an alarm delivery may come through (unset: SNS refused). */
    DR_ALARM_TOPIC_ARN: z.optional(snsTopicArn),
  }),
);

export type Config = z.infer<typeof EnvSchema>;

/** Reads and validates the environment; throws one ValidationError naming every bad variable. */
export const loadConfig = (
  env: Record<string, string | undefined> = process.env,
  /** `huawei: false` for the webhook function, which never calls Huawei and holds no credentials. */
  needs: { readonly huawei: boolean } = { huawei: true },
): Config => {
  // A variable set to an empty string (a common deploy-template artefact) means "not set".
  const present = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ''),
  );
  const result = EnvSchema.safeParse(present);
  const issues = result.success ? [] : issuesOf(result.error);
  if (present['ALERT_BEARER_TOKENS'] !== undefined) {
    issues.push({
      path: 'ALERT_BEARER_TOKENS',
      message:
        'replaced by ALERTMANAGER_BEARER_TOKENS and GRAFANA_BEARER_TOKENS: one token list per sender, so a Grafana token cannot post Alertmanager alerts',
    });
  }
  const hasKeys = Boolean(present['HUAWEICLOUD_SDK_AK'] && present['HUAWEICLOUD_SDK_SK']);
  if (needs.huawei && !hasKeys && !present['HUAWEI_CREDENTIALS_SECRET_ID']) {
    issues.push({
      path: 'HUAWEICLOUD_SDK_AK',
      message: 'set HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK, or HUAWEI_CREDENTIALS_SECRET_ID',
    });
  }
  if (result.success && issues.length === 0) return result.data;
  throw new ValidationError(
    `dr-relay configuration is invalid:\n${issues.map((i) => `  - ${i.path}: ${i.message}`).join('\n')}`,
    issues,
  );
};
