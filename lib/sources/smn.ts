/**
 * Huawei SMN HTTP(S) deliveries: the message envelopes (Notification, SubscriptionConfirmation,
 * UnsubscribeConfirmation), the string SMN signs, and which URLs may be fetched on a message's say-so.
 * Owns: those schemas and rules. Must not touch: fetching or verifying (SmnVerifier.ts), what a
 * delivery does (smnDelivery.ts), the Cloud Eye alarm inside (cloudEye.ts).
 */

import type { Issue } from '../errors.ts';
import * as z from '../schema/zod.ts';
import { isKnownHuaweiRegion } from './huaweiRegions.ts';

export const SMN_MESSAGE_TYPES = [
  'Notification',
  'SubscriptionConfirmation',
  'UnsubscribeConfirmation',
] as const;
export type SmnMessageType = (typeof SMN_MESSAGE_TYPES)[number];

/**
 * The signed string is `key\nvalue\n...`: a line break inside any value but `message` (the last
 * line of its own pair is the next key) would let a value borrow another field's lines, so moving
 * `subject` into `message_id` would still verify. SMN never puts one there.
 */
const LINE_BREAK = /[\r\n]/;
const LINE_BREAK_MESSAGE = 'must not contain a line break (the signed string would be ambiguous)';
const singleLine = z.lazySchema(() =>
  z.string().check(z.refine((value) => !LINE_BREAK.test(value), { error: LINE_BREAK_MESSAGE })),
);

/** The fields every signed SMN message has (built with the schema that spreads them). */
const signed = () => ({
  signature: z.string().check(z.minLength(1)),
  signature_version: z.string(),
  signing_cert_url: z.string(),
  message_id: z.pipe(singleLine, z.string().check(z.minLength(1))),
  topic_urn: z.pipe(singleLine, z.string().check(z.minLength(1))),
  /** Kept exactly as received: it is part of the signed string. */
  timestamp: z.pipe(singleLine, z.string().check(z.minLength(1))),
  message: z.string(),
});

export const SmnNotificationSchema = z.lazySchema(() =>
  z.object({
    type: z.literal('Notification'),
    ...signed(),
    subject: z.nullish(singleLine),
    unsubscribe_url: z.nullish(z.string()),
  }),
);

export const SmnSubscriptionConfirmationSchema = z.lazySchema(() =>
  z.object({
    type: z.literal('SubscriptionConfirmation'),
    ...signed(),
    subscribe_url: singleLine,
  }),
);

export const SmnUnsubscribeConfirmationSchema = z.lazySchema(() =>
  z.object({
    type: z.literal('UnsubscribeConfirmation'),
    ...signed(),
    subscribe_url: singleLine,
  }),
);

export const SmnMessageSchema = z.lazySchema(() =>
  z.discriminatedUnion(
    'type',
    [SmnNotificationSchema, SmnSubscriptionConfirmationSchema, SmnUnsubscribeConfirmationSchema],
    {
      error: (issue) =>
        issue.code === 'invalid_union' ? `must be one of ${SMN_MESSAGE_TYPES.join(', ')}` : undefined,
    },
  ),
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

/**
 * The signed fields other than `message` that hold a line break (each would make the signed string
 * ambiguous): checked again before any signature is verified, whatever built the message.
 */
export const lineBreakIssues = (message: SmnMessage): Issue[] => {
  const fields: [string, unknown][] = [
    ['message_id', message.message_id],
    ['topic_urn', message.topic_urn],
    ['timestamp', message.timestamp],
    ['type', message.type],
    ...(message.type === 'Notification'
      ? [['subject', message.subject] as [string, unknown]]
      : [['subscribe_url', message.subscribe_url] as [string, unknown]]),
  ];
  return fields
    .filter(([, value]) => typeof value === 'string' && LINE_BREAK.test(value))
    .map(([path]) => ({ path, message: LINE_BREAK_MESSAGE }));
};

/** `smn.<region>.myhuaweicloud.com` (or `.eu` / `.cn`), for a region dr-relay knows (huaweiRegions.ts). */
const SMN_HOST = /^smn\.([a-z]{2,}(?:-[a-z0-9]+)+)\.myhuaweicloud\.(?:com|eu|cn)$/;

/** The region of an SMN host of a known region (`smn.cn-north-4.myhuaweicloud.com`), else undefined. */
export const smnHostRegion = (host: string): string | undefined => {
  const region = SMN_HOST.exec(host)?.[1];
  return region !== undefined && isKnownHuaweiRegion(region) ? region : undefined;
};

/**
 * Consoles SMN puts in `subscribe_url` (Huawei's documented samples: `https://console.huaweicloud.com/
 * smn/subscription/confirm?token=...`); allowed for subscription confirmation on that path only.
 * Some regions confirm on a regional console, `<region>-console.huaweicloud.com` (sa-brazil-1):
 * allowed for a known region only.
 */
const CONSOLE_HOSTS: ReadonlySet<string> = new Set([
  'console.huaweicloud.com',
  'console-intl.huaweicloud.com',
  'console.eu.huaweicloud.com',
]);
const REGIONAL_CONSOLE_HOST = /^([a-z]{2,}(?:-[a-z0-9]+)+)-console\.huaweicloud\.com$/;
const CONSOLE_CONFIRM_PATH = '/smn/subscription/confirm';

const isConsoleHost = (host: string): boolean => {
  if (CONSOLE_HOSTS.has(host)) return true;
  const region = REGIONAL_CONSOLE_HOST.exec(host)?.[1];
  return region !== undefined && isKnownHuaweiRegion(region);
};

/**
 * Whether dr-relay may fetch `url` because a message says so. HTTPS on the default port, no
 * userinfo, no IP literal, no look-alike host, no region it does not know; 'cert': an SMN host and a
 * `.pem` path (no query); 'subscribe': an SMN host, or a Huawei console's (global or
 * `<region>-console`) `/smn/subscription/confirm`. Fetch `new URL(url).href`, what was checked,
 * never the raw string.
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
  const smn = smnHostRegion(host) !== undefined;
  if (kind === 'cert') {
    return smn && parsed.pathname.endsWith('.pem') && parsed.search === '' && parsed.hash === '';
  }
  return smn || (isConsoleHost(host) && parsed.pathname === CONSOLE_CONFIRM_PATH);
};
