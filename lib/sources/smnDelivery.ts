/**
 * One HTTP delivery from SMN to `POST /v1/alerts/cloud-eye`: validate the envelope (body type and
 * topic cross-checked with X-SMN-MESSAGE-TYPE and X-SMN-TOPIC-URN), refuse a topic that is not
 * allowed and a message that is not fresh (both before anything is fetched), verify the signature,
 * then confirm a subscription (GET subscribe_url, only on an allowed URL), acknowledge an
 * unsubscription, or turn a notification into Cloud Eye signals.
 * Owns: that sequence and the freshness window. Must not touch: HTTP answers (the handler), routing,
 * where the allowed topics come from (lib/runtime).
 * Nothing dedupes on message_id, here or in the handler: a redelivered notification is the same signed
 * message, so it gives the same signals (same alarm id and time), and those collapse downstream on
 * their episode's idempotency key (lib/routing/match.ts).
 */
import { parseCloudEyeAlarm } from './cloudEye.ts';
import { SmnFetchError, SmnRefusedError } from './errors.ts';
import { invalid, parseJsonOrThrow, parseOrThrow } from './issues.ts';
import { isRetryableStatus, type SmnFetch, type SmnVerifier } from './SmnVerifier.ts';
import { isAllowedSmnUrl, type SmnMessage, SmnMessageSchema } from './smn.ts';
import { parseSmnTopicUrn } from './smnTopics.ts';
import { toIsoTimestamp } from './time.ts';
import type { AlarmSignal } from './types.ts';

const WHAT = 'SMN message';

/**
 * SMN retries a failed delivery up to 6 more times, "usually within several hours"; `timestamp` is
 * the first send time. A failover on an alarm an hour old is rarely wanted: 1 h by default.
 */
export const DEFAULT_SMN_MAX_AGE_SECONDS = 3600;
/** Clock skew tolerated for a message dated in the future. */
export const SMN_MAX_FUTURE_SECONDS = 300;

/** Where an operator allows a topic (the refusal says so). */
export const SMN_TOPICS_HELP =
  'DR_SMN_TOPIC_URNS (comma-separated), smn_topic_urns in the webhook secret, or topic_urn on a cloud-eye route';

export interface SmnDeliveryDeps {
  readonly verifier: SmnVerifier;
  /** Used for the subscription confirmation GET only. */
  readonly fetch: SmnFetch;
  /**
   * The topic URNs whose messages dr-relay accepts, read per delivery (a cached secret may add some).
   * None: every delivery is refused.
   */
  readonly topics: () => Promise<readonly string[]>;
  /** Messages whose SMN timestamp is older are refused; default DEFAULT_SMN_MAX_AGE_SECONDS. */
  readonly maxAgeSeconds?: number;
  /** Clock for the freshness check, epoch ms. */
  readonly now?: () => number;
}

/** `message_id` identifies the delivery in logs (SMN redelivers it unchanged); nothing dedupes on it. */
export type SmnDeliveryResult =
  | { kind: 'confirmed'; topic_urn: string; message_id: string }
  | { kind: 'unsubscribed'; topic_urn: string; message_id: string }
  | { kind: 'notification'; topic_urn: string; message_id: string; signals: AlarmSignal[] };

const headerOf = (headers: unknown, name: string): unknown => {
  if (typeof headers !== 'object' || headers === null) return undefined;
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return value;
  }
  return undefined;
};

const clip = (value: string): string => (value.length > 200 ? `${value.slice(0, 200)}…` : value);

/** The topic must be one of ours: SMN signs every account's messages with the same certificate. */
const checkTopic = async (message: SmnMessage, deps: SmnDeliveryDeps): Promise<void> => {
  const allowed = await deps.topics();
  if (allowed.length === 0) {
    throw new SmnRefusedError('No SMN topic allowed', [
      {
        path: 'topic_urn',
        message: `no SMN topic is allowed yet, so every delivery is refused: set ${SMN_TOPICS_HELP}`,
      },
    ]);
  }
  if (parseSmnTopicUrn(message.topic_urn) === undefined || !allowed.includes(message.topic_urn)) {
    const issue = `${JSON.stringify(clip(message.topic_urn))} is not an allowed SMN topic`;
    throw new SmnRefusedError('SMN topic not allowed', [{ path: 'topic_urn', message: issue }]);
  }
};

/** `timestamp` (the first send) within maxAge of now, and at most SMN_MAX_FUTURE_SECONDS ahead. */
const checkFreshness = (message: SmnMessage, deps: SmnDeliveryDeps): void => {
  const iso = toIsoTimestamp(message.timestamp);
  if (iso === undefined) {
    throw invalid(WHAT, [
      { path: 'timestamp', message: 'must be an ISO 8601 timestamp such as 2024-05-01T10:00:02Z' },
    ]);
  }
  const maxAge = deps.maxAgeSeconds ?? DEFAULT_SMN_MAX_AGE_SECONDS;
  const ageSeconds = Math.floor(((deps.now ?? Date.now)() - Date.parse(iso)) / 1000);
  if (ageSeconds > maxAge) {
    const issue = `${message.timestamp} is ${ageSeconds} s old: older than ${maxAge} s (DR_SMN_MAX_AGE_SECONDS) is refused`;
    throw new SmnRefusedError('SMN message too old', [{ path: 'timestamp', message: issue }]);
  }
  if (-ageSeconds > SMN_MAX_FUTURE_SECONDS) {
    const issue = `${message.timestamp} is ${-ageSeconds} s in the future: more than ${SMN_MAX_FUTURE_SECONDS} s ahead is refused`;
    throw new SmnRefusedError('SMN message from the future', [{ path: 'timestamp', message: issue }]);
  }
};

const confirm = async (fetch: SmnFetch, url: string): Promise<void> => {
  let status: number;
  try {
    status = (await fetch(url)).status;
  } catch (error) {
    throw new SmnFetchError('SMN subscription confirmation could not be sent', { url, cause: error });
  }
  if (isRetryableStatus(status)) {
    throw new SmnFetchError(`SMN subscription confirmation answered HTTP ${status}`, { url, status });
  }
  // 2xx, or 3xx (the console may redirect once it has confirmed; redirects are never followed).
  if (status < 200 || status >= 400) {
    throw invalid(WHAT, [{ path: 'subscribe_url', message: `confirmation answered HTTP ${status}` }]);
  }
};

/**
 * Handles one SMN delivery. `body` is the parsed JSON or the raw string. Throws SmnRefusedError
 * (answer 403) for a topic that is not allowed or a message that is not fresh, ValidationError
 * (answer 400) for anything malformed or unsigned (SMN retries neither), SmnFetchError (answer 5xx:
 * SMN retries) when an SMN URL cannot be reached. Nothing is fetched before the topic and the
 * freshness pass.
 */
export const handleSmnDelivery = async (
  headers: Record<string, string | undefined>,
  body: unknown,
  deps: SmnDeliveryDeps,
): Promise<SmnDeliveryResult> => {
  const value = typeof body === 'string' ? parseJsonOrThrow(body, WHAT, '(body)') : body;
  const message = parseOrThrow(SmnMessageSchema, value, WHAT);
  const headerType = headerOf(headers, 'x-smn-message-type');
  if (headerType !== undefined && headerType !== message.type) {
    throw invalid(WHAT, [
      {
        path: 'headers.x-smn-message-type',
        message: `is ${JSON.stringify(headerType)?.slice(0, 60)} but the body's type is "${message.type}"`,
      },
    ]);
  }
  const headerTopic = headerOf(headers, 'x-smn-topic-urn');
  if (headerTopic !== undefined && headerTopic !== message.topic_urn) {
    throw invalid(WHAT, [
      {
        path: 'headers.x-smn-topic-urn',
        message: `is ${JSON.stringify(headerTopic)?.slice(0, 120)} but the body's topic_urn is ${JSON.stringify(clip(message.topic_urn))}`,
      },
    ]);
  }
  await checkTopic(message, deps);
  checkFreshness(message, deps);
  await deps.verifier.verify(message);
  const { topic_urn, message_id } = message;
  switch (message.type) {
    case 'SubscriptionConfirmation': {
      if (!isAllowedSmnUrl(message.subscribe_url, 'subscribe')) {
        throw invalid(WHAT, [
          { path: 'subscribe_url', message: 'is not an SMN subscription confirmation URL (not fetched)' },
        ]);
      }
      await confirm(deps.fetch, new URL(message.subscribe_url).href);
      return { kind: 'confirmed', topic_urn, message_id };
    }
    case 'UnsubscribeConfirmation':
      return { kind: 'unsubscribed', topic_urn, message_id };
    case 'Notification':
      return {
        kind: 'notification',
        topic_urn,
        message_id,
        signals: parseCloudEyeAlarm(message.message, message),
      };
  }
};
