/**
 * What a message of the dead-letter queue is, read for an operator. Three bodies are understood:
 *   - a dr-relay dead-letter record (lib/deadLetters/deadLetter.ts), kind = its error kind;
 *   - a raw ActionRequest, moved there by the request queue's redrive policy after maxReceiveCount
 *     receives (the handler never finished it): kind `redrive-policy`;
 *   - a Lambda async on-failure record of the alarms function: kind `lambda-failure`;
 * anything else is `unknown`. Also decides whether `dlq redrive` may send it back, and why not.
 * Owns: that classification and the table `dlq list` prints. Must not touch: the queues.
 */
import type { Message } from '@aws-sdk/client-sqs';
import { actionFor } from '../lib/actions/catalogue.ts';
import { idempotencyKey, parseActionRequest, parseActionRequestJson } from '../lib/actions/request.ts';
import { type DeadLetter, DeadLetterSchema } from '../lib/deadLetters/deadLetter.ts';
import { ValidationError } from '../lib/errors.ts';
import { isRecord } from '../lib/json.ts';
import * as z from '../lib/schema/zod.ts';
import { detectAwsAlarm } from '../lib/sources/index.ts';

export type BodyType = 'dead-letter' | 'request' | 'lambda-failure' | 'unknown';
export type EntryKind =
  | 'permanent'
  | 'transient'
  | 'ambiguous'
  | 'redrive-policy'
  | 'lambda-failure'
  | 'unknown';

/** One dead letter as `dlq list --json` shows it (absent fields are not known for that body). */
export interface DeadLetterEntry {
  /** The SQS message id. */
  readonly id: string;
  readonly kind: EntryKind;
  readonly body_type: BodyType;
  /** dead_lettered_at; a Lambda record's timestamp; else when the message was first sent. */
  readonly when?: string;
  readonly action?: string;
  readonly target?: string;
  readonly idempotency_key?: string;
  readonly http_status?: number;
  readonly error_code?: string;
  readonly message?: string;
  /** The letter's own count of attempts (a Lambda record's approximateInvokeCount). */
  readonly attempts?: number;
  /** A dr-relay dead letter's first and last failure. */
  readonly first_failure_at?: string;
  readonly last_failure_at?: string;
  /** The message id the request had on the request queue (a dr-relay dead letter's source.message_id). */
  readonly source_message_id?: string;
  readonly redrivable: boolean;
  /** Why `dlq redrive` leaves it in place. */
  readonly not_redrivable?: string;
  readonly sent_at?: string;
  /**
   * SQS's ApproximateReceiveCount of the message in the dead-letter queue. Not the letter's history:
   * SQS counts every ReceiveMessage, and reading is the only way to see a message (there is no
   * peek), so every `dlq list` / `dlq show` / `dlq redrive` raises it by one, and nothing can set
   * it back. The letter's own history is `attempts`, `first_failure_at` and `last_failure_at`.
   */
  readonly sqs_receive_count?: number;
}

export interface Classified {
  readonly entry: DeadLetterEntry;
  /** The body parsed as JSON, or the raw text when it is not JSON. */
  readonly body: unknown;
}

const LambdaFailureSchema = z.looseObject({
  timestamp: z.optional(z.string()),
  requestContext: z.looseObject({
    functionArn: z.optional(z.string()),
    condition: z.optional(z.string()),
    approximateInvokeCount: z.optional(z.number()),
  }),
  requestPayload: z.unknown(),
  responseContext: z.optional(z.looseObject({ functionError: z.optional(z.string()) })),
  responsePayload: z.unknown(),
});

const firstIssue = (error: unknown): string =>
  error instanceof ValidationError && error.issues[0]
    ? `${error.issues[0].path}: ${error.issues[0].message}${error.issues.length > 1 ? ` (+${error.issues.length - 1} more)` : ''}`
    : error instanceof Error
      ? error.message
      : String(error);

const metadata = (message: Message) => {
  const sent = Number(message.Attributes?.SentTimestamp);
  const received = Number(message.Attributes?.ApproximateReceiveCount);
  return {
    ...(Number.isFinite(sent) && sent > 0 ? { sent_at: new Date(sent).toISOString() } : {}),
    ...(Number.isFinite(received) && received > 0 ? { sqs_receive_count: received } : {}),
  };
};

const fromDeadLetter = (
  id: string,
  letter: DeadLetter,
): Omit<DeadLetterEntry, 'sent_at' | 'sqs_receive_count'> => {
  let redrive: { redrivable: boolean; not_redrivable?: string } = { redrivable: true };
  if (letter.request === undefined) {
    // An invalid message (or a reused request_id): redriving runs the same body through validation again.
    try {
      parseActionRequestJson(letter.raw_body ?? '');
    } catch (error) {
      redrive = {
        redrivable: false,
        not_redrivable: `its body is not a valid ActionRequest (${firstIssue(error)}): a redrive fails the same way; send a corrected request (dr-relay send), then purge`,
      };
    }
  }
  return {
    id,
    kind: letter.error.kind,
    body_type: 'dead-letter',
    when: letter.dead_lettered_at,
    ...(letter.action === undefined ? {} : { action: letter.action }),
    ...(letter.target === undefined ? {} : { target: letter.target }),
    ...(letter.idempotency_key === undefined ? {} : { idempotency_key: letter.idempotency_key }),
    ...(letter.error.http_status === undefined ? {} : { http_status: letter.error.http_status }),
    ...(letter.error.error_code === undefined ? {} : { error_code: letter.error.error_code }),
    message: letter.error.error_msg ?? letter.error.message,
    attempts: letter.attempts,
    first_failure_at: letter.first_failure_at,
    last_failure_at: letter.last_failure_at,
    ...(letter.source.message_id === undefined ? {} : { source_message_id: letter.source.message_id }),
    ...redrive,
  };
};

/** The alarm names a Lambda on-failure record's payload carries, when it is a CloudWatch event. */
const alarmNames = (payload: unknown): string | undefined => {
  try {
    const names = [...new Set(detectAwsAlarm(payload).map((s) => s.name))];
    return names.length > 0 ? `alarm ${names.join(', ')}` : undefined;
  } catch {
    return undefined;
  }
};

const fromLambdaFailure = (
  id: string,
  record: z.infer<typeof LambdaFailureSchema>,
): Omit<DeadLetterEntry, 'sent_at' | 'sqs_receive_count'> => {
  const payload = isRecord(record.responsePayload) ? record.responsePayload : {};
  const errorText = [payload['errorType'], payload['errorMessage']]
    .filter((p): p is string => typeof p === 'string' && p !== '')
    .join(': ');
  const fn = /:function:([^:]+)/.exec(record.requestContext.functionArn ?? '')?.[1];
  const target = alarmNames(record.requestPayload) ?? (fn ? `function ${fn}` : undefined);
  return {
    id,
    kind: 'lambda-failure',
    body_type: 'lambda-failure',
    ...(record.timestamp === undefined ? {} : { when: record.timestamp }),
    action: 'alarm event',
    ...(target === undefined ? {} : { target }),
    message: [record.requestContext.condition, errorText || record.responseContext?.functionError]
      .filter(Boolean)
      .join(': '),
    ...(record.requestContext.approximateInvokeCount === undefined
      ? {}
      : { attempts: record.requestContext.approximateInvokeCount }),
    redrivable: false,
    not_redrivable:
      'a Lambda on-failure record of the alarms function: its requestPayload is an alarm event, not a request; ' +
      'check it with `dr-relay explain`, then invoke the alarms function with it (aws lambda invoke) and purge',
  };
};

/** Classifies one received message. Never throws. */
export const classify = (message: Message): Classified => {
  const id = message.MessageId ?? '(no id)';
  const text = message.Body ?? '';
  const meta = metadata(message);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return {
      body: text,
      entry: {
        id,
        kind: 'unknown',
        body_type: 'unknown',
        ...(meta.sent_at ? { when: meta.sent_at } : {}),
        message: 'body is not JSON',
        redrivable: false,
        not_redrivable: 'not a dr-relay dead letter, an ActionRequest or a Lambda failure record (not JSON)',
        ...meta,
      },
    };
  }
  const letter = DeadLetterSchema.safeParse(body);
  if (letter.success) return { body, entry: { ...fromDeadLetter(id, letter.data), ...meta } };
  if (isRecord(body) && Object.hasOwn(body, 'requestContext') && Object.hasOwn(body, 'requestPayload')) {
    const record = LambdaFailureSchema.safeParse(body);
    if (record.success) return { body, entry: { ...fromLambdaFailure(id, record.data), ...meta } };
  }
  let problem: string;
  try {
    const request = parseActionRequest(body);
    return {
      body,
      entry: {
        id,
        kind: 'redrive-policy',
        body_type: 'request',
        ...(meta.sent_at ? { when: meta.sent_at } : {}),
        action: request.action,
        target: actionFor(request.action).target(request),
        idempotency_key: idempotencyKey(request),
        message: 'moved by the request queue redrive policy (maxReceiveCount receives, never finished)',
        redrivable: true,
        ...meta,
      },
    };
  } catch (error) {
    problem = firstIssue(error);
  }
  const claimedAction = isRecord(body) && typeof body['action'] === 'string' ? body['action'] : undefined;
  const looksLikeRequest = claimedAction !== undefined;
  return {
    body,
    entry: {
      id,
      kind: 'unknown',
      body_type: 'unknown',
      ...(meta.sent_at ? { when: meta.sent_at } : {}),
      ...(claimedAction === undefined ? {} : { action: claimedAction }),
      message: looksLikeRequest ? `invalid ActionRequest: ${problem}` : 'unrecognised body',
      redrivable: false,
      not_redrivable: looksLikeRequest
        ? `an invalid ActionRequest (${problem}): a redrive would be dead-lettered again; send a corrected request`
        : 'not a dr-relay dead letter, an ActionRequest or a Lambda failure record',
      ...meta,
    },
  };
};

/**
 * Whether `query` names this dead letter: its SQS message id, its idempotency key, or the message id
 * the request had on the request queue (what a dead-letter notification or a handler log names).
 */
export const isNamedBy = (e: DeadLetterEntry, query: string): boolean =>
  query !== '' && (e.id === query || e.idempotency_key === query || e.source_message_id === query);

/** What `dlq show` and `dlq redrive --id` accept, for their messages. */
export const ID_KINDS = 'message id, idempotency key or source message id';

/** Oldest first; entries without a time last. */
export const byWhen = (a: DeadLetterEntry, b: DeadLetterEntry): number =>
  (a.when ?? '\uffff').localeCompare(b.when ?? '\uffff');

/** `2026-11-23T17:12:29Z` (seconds are enough on a terminal). */
export const shortTime = (iso: string | undefined): string => {
  if (iso === undefined) return '-';
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : `${new Date(ms).toISOString().slice(0, 19)}Z`;
};

/** At most `width` characters, `…` when cut; newlines flattened. */
export const truncate = (text: string, width: number): string => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= width ? flat : `${flat.slice(0, width - 1)}…`;
};

export const MESSAGE_WIDTH = 60;

const COLUMNS = ['WHEN', 'ACTION', 'TARGET', 'KIND', 'HTTP', 'CODE', 'MESSAGE', 'ATTEMPTS', 'ID'] as const;

const cells = (e: DeadLetterEntry): string[] => [
  shortTime(e.when),
  e.action ?? '-',
  e.target ?? '-',
  e.kind,
  e.http_status === undefined ? '-' : String(e.http_status),
  e.error_code ?? '-',
  e.message === undefined || e.message === '' ? '-' : truncate(e.message, MESSAGE_WIDTH),
  e.attempts === undefined ? '-' : String(e.attempts),
  e.id,
];

/** A header line and one line per entry, columns padded to their widest cell (the last one is not). */
export const deadLetterTable = (entries: readonly DeadLetterEntry[]): string[] => {
  const rows = [[...COLUMNS], ...entries.map(cells)];
  const widths = COLUMNS.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
};

/** `2 permanent, 1 lambda-failure` */
export const kindCounts = (entries: readonly DeadLetterEntry[]): string => {
  const counts = new Map<string, number>();
  for (const e of entries) counts.set(e.kind, (counts.get(e.kind) ?? 0) + 1);
  return [...counts].map(([kind, n]) => `${n} ${kind}`).join(', ');
};

/** `dcs.restore sample-1`, `alarm event alarm X`, `unknown body <id>`: how progress lines name a dead letter. */
export const label = (e: DeadLetterEntry): string =>
  [
    e.action ?? (e.body_type === 'dead-letter' ? 'invalid message' : `${e.kind} body`),
    e.idempotency_key ?? e.target ?? e.id,
  ].join(' ');
