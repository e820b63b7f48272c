/**
 * Huawei SMN HTTP(S) deliveries: the message envelopes (Notification, SubscriptionConfirmation,
 * UnsubscribeConfirmation), the string SMN signs, and which URLs may be fetched on a message's say-so.
 * Owns: those schemas and rules. Must not touch: fetching or verifying (SmnVerifier.ts), what a
 * delivery does (smnDelivery.ts), the Cloud Eye alarm inside (cloudEye.ts).
 */
import * as z from 'zod';

export const SMN_MESSAGE_TYPES = [
  'Notification',
  'SubscriptionConfirmation',
  'UnsubscribeConfirmation',
] as const;
export type SmnMessageType = (typeof SMN_MESSAGE_TYPES)[number];

const signed = {
  signature: z.string().min(1),
  signature_version: z.string(),
  signing_cert_url: z.string(),
  message_id: z.string().min(1),
  topic_urn: z.string().min(1),
  /** Kept exactly as received: it is part of the signed string. */
  timestamp: z.string().min(1),
  message: z.string(),
};

export const SmnNotificationSchema = z.object({
  type: z.literal('Notification'),
  ...signed,
  subject: z.string().nullish(),
  unsubscribe_url: z.string().nullish(),
});

export const SmnSubscriptionConfirmationSchema = z.object({
  type: z.literal('SubscriptionConfirmation'),
  ...signed,
  subscribe_url: z.string(),
});

export const SmnUnsubscribeConfirmationSchema = z.object({
  type: z.literal('UnsubscribeConfirmation'),
  ...signed,
  subscribe_url: z.string(),
});

export const SmnMessageSchema = z.discriminatedUnion(
  'type',
  [SmnNotificationSchema, SmnSubscriptionConfirmationSchema, SmnUnsubscribeConfirmationSchema],
  {
    error: (issue) =>
      issue.code === 'invalid_union' ? `must be one of ${SMN_MESSAGE_TYPES.join(', ')}` : undefined,
  },
);
export type SmnMessage = z.output<typeof SmnMessageSchema>;
export type SmnNotification = z.output<typeof SmnNotificationSchema>;

/**
 * The string SMN signs: `key\nvalue\n` for each key in alphabetical order. Notification: message,
 * message_id, subject (left out when empty or absent), timestamp, topic_urn, type. Confirmations:
 * message, message_id, subscribe_url, timestamp, topic_urn, type.
 */
export const smnStringToSign = (message: SmnMessage): string => {
  const fields: [string, string][] =
    message.type === 'Notification'
      ? [
          ['message', message.message],
          ['message_id', message.message_id],
          ...(message.subject ? [['subject', message.subject] as [string, string]] : []),
          ['timestamp', message.timestamp],
          ['topic_urn', message.topic_urn],
          ['type', message.type],
        ]
      : [
          ['message', message.message],
          ['message_id', message.message_id],
          ['subscribe_url', message.subscribe_url],
          ['timestamp', message.timestamp],
          ['topic_urn', message.topic_urn],
          ['type', message.type],
        ];
  return fields.map(([key, value]) => `${key}\n${value}\n`).join('');
};

/** `smn.<region>.myhuaweicloud.com` (or `.eu` / `.cn`), region like cn-north-4, ap-southeast-1, eu-west-101. */
const SMN_HOST = /^smn\.[a-z]{2}-[a-z]+(?:-[a-z]+)*-\d{1,3}\.myhuaweicloud\.(?:com|eu|cn)$/;

/**
 * Consoles SMN puts in `subscribe_url` (Huawei's documented samples: `https://console.huaweicloud.com/
 * smn/subscription/confirm?token=...`); allowed for subscription confirmation on that path only.
 */
const CONSOLE_HOSTS: ReadonlySet<string> = new Set([
  'console.huaweicloud.com',
  'console-intl.huaweicloud.com',
  'console.eu.huaweicloud.com',
]);
const CONSOLE_CONFIRM_PATH = '/smn/subscription/confirm';

/**
 * Whether dr-relay may fetch `url` because a message says so. HTTPS on the default port, no
 * userinfo, no IP literal, no look-alike host; 'cert': an SMN host and a `.pem` path (no query);
 * 'subscribe': an SMN host, or a Huawei console's `/smn/subscription/confirm`. Fetch `new URL(url).href`,
 * what was checked, never the raw string.
 */
export const isAllowedSmnUrl = (url: string, kind: 'cert' | 'subscribe'): boolean => {
  if (typeof url !== 'string' || url.length > 4096) return false;
  // No whitespace, control characters or backslashes: the URL parser would silently drop or rewrite them.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  if (!/^https:\/\//i.test(url) || /[\s\\\u0000-\u001f\u007f]/.test(url)) return false;
  const authority = url.slice('https://'.length).split(/[/?#]/, 1)[0] ?? '';
  if (authority.includes('@')) return false;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'https:' || parsed.username !== '' || parsed.password !== '') return false;
  if (parsed.port !== '') return false; // ':443' is normalised away; any other port stays
  const host = parsed.hostname;
  if (kind === 'cert') {
    return (
      SMN_HOST.test(host) && parsed.pathname.endsWith('.pem') && parsed.search === '' && parsed.hash === ''
    );
  }
  return SMN_HOST.test(host) || (CONSOLE_HOSTS.has(host) && parsed.pathname === CONSOLE_CONFIRM_PATH);
};
