/**
 * One HTTP delivery from SMN to `POST /v1/alerts/cloud-eye`: validate the envelope (body type
 * cross-checked with X-SMN-MESSAGE-TYPE), verify the signature first, then confirm a subscription
 * (GET subscribe_url, only on an allowed URL), acknowledge an unsubscription, or turn a notification
 * into Cloud Eye signals. Owns: that sequence. Must not touch: HTTP answers (the handler), routing.
 * Nothing dedupes on message_id, here or in the handler: a redelivered notification is the same signed
 * message, so it gives the same signals (same alarm id and time), and those collapse downstream on
 * their episode's idempotency key (lib/routing/match.ts).
 */
import { parseCloudEyeAlarm } from './cloudEye.ts';
import { SmnFetchError } from './errors.ts';
import { invalid, parseJsonOrThrow, parseOrThrow } from './issues.ts';
import { isRetryableStatus, type SmnFetch, type SmnVerifier } from './SmnVerifier.ts';
import { isAllowedSmnUrl, SmnMessageSchema } from './smn.ts';
import type { AlarmSignal } from './types.ts';

const WHAT = 'SMN message';

export interface SmnDeliveryDeps {
  readonly verifier: SmnVerifier;
  /** Used for the subscription confirmation GET only. */
  readonly fetch: SmnFetch;
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
 * Handles one SMN delivery. `body` is the parsed JSON or the raw string. Throws ValidationError
 * (answer 4xx: SMN will not retry) for anything malformed, unsigned or not allowed; SmnFetchError
 * (answer 5xx: SMN retries) when an SMN URL cannot be reached.
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
