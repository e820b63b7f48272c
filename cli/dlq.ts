/**
 * `dr-relay dlq list [--limit N]` and `dr-relay dlq show <id>`: the dead-letter queue, read without
 * removing anything (every message read is made visible again). `list` prints a table (when,
 * action, target, kind, HTTP status, Huawei code, message, attempts, SQS message id); `show` the
 * full record of one message, found by SQS message id, idempotency key or source message id (the
 * request queue's, as a dead-letter notification may name it) (exit 1 if none).
 * Owns: those two reports, and the scan `dlq redrive` shares. Must not touch: what a body means
 * (deadLetters.ts), receiving and releasing (dlqQueue.ts).
 */
import type { Message } from '@aws-sdk/client-sqs';
import type { Command, CommandArgs } from './command.ts';
import {
  byWhen,
  type Classified,
  classify,
  type DeadLetterEntry,
  deadLetterTable,
  ID_KINDS,
  isNamedBy,
  kindCounts,
  shortTime,
} from './deadLetters.ts';
import { type HeldMessages, readHeld, release, SCAN_LIMIT } from './dlqQueue.ts';
import { plural } from './format.ts';
import { type CliIo, EXIT, UsageError } from './io.ts';
import { placeOptions, step, type Target, withTarget } from './target.ts';

export const DEFAULT_LIST_LIMIT = 100;
/** Seconds the messages stay hidden while `list` / `show` read the queue. */
const READ_VISIBILITY_SECONDS = 30;
/** A progress line every this many messages read. */
const PROGRESS_EVERY = 50;

export interface Scanned extends Classified {
  readonly message: Message;
}

export interface Scan {
  readonly url: string;
  readonly limited: boolean;
  /** Oldest first. */
  readonly items: Scanned[];
}

/** Reads (and holds) up to `max` dead letters; the caller must `releaseHeld` them. */
export const scanDeadLetters = async (
  target: Target,
  io: CliIo,
  options: { max: number; visibilitySeconds: number },
): Promise<Scan> => {
  const url = await step('finding the dead-letter queue', () => target.queueUrl('deadLetterQueue'));
  const held: HeldMessages = await step(`reading the dead-letter queue ${url}`, () =>
    readHeld(target.sqs(), url, {
      ...options,
      progress: (n) => {
        if (n % PROGRESS_EVERY === 0) io.err(`reading the dead-letter queue: ${n} messages…`);
      },
    }),
  );
  const items = held.messages
    .map((message) => ({ message, ...classify(message) }))
    .sort((a, b) => byWhen(a.entry, b.entry));
  return { url, limited: held.limited, items };
};

/** Makes messages visible again; says so when some could not be (they reappear by themselves). */
export const releaseHeld = async (
  target: Target,
  io: CliIo,
  url: string,
  messages: readonly Message[],
  visibilitySeconds: number,
): Promise<void> => {
  const failed = await release(target.sqs(), url, messages);
  if (failed.length > 0) {
    io.err(
      `warning: ${plural(failed.length, 'message')} could not be made visible again at once; ` +
        `they reappear within ${visibilitySeconds} s (${failed.join(', ')})`,
    );
  }
};

/** A positive integer option, at most `max`. */
export const positiveInt = (value: unknown, name: string, fallback: number, max: number): number => {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (typeof value !== 'string' || !/^\d+$/.test(value.trim()) || n < 1 || n > max)
    throw new UsageError(`--${name} must be a whole number from 1 to ${max}, not ${JSON.stringify(value)}`);
  return n;
};

/** Reads up to `max` dead letters and puts every one back at once: nothing is removed or kept hidden. */
const readDeadLetterQueue = async (target: Target, io: CliIo, max: number) => {
  const scan = await scanDeadLetters(target, io, { max, visibilitySeconds: READ_VISIBILITY_SECONDS });
  await releaseHeld(
    target,
    io,
    scan.url,
    scan.items.map((i) => i.message),
    READ_VISIBILITY_SECONDS,
  );
  return scan;
};

const list = async ({ values }: CommandArgs, io: CliIo): Promise<number> => {
  const limit = positiveInt(values['limit'], 'limit', DEFAULT_LIST_LIMIT, SCAN_LIMIT * 10);
  const json = values['json'] === true;
  return withTarget(io, values, ['deadLetterQueue'], async (target) => {
    const scan = await readDeadLetterQueue(target, io, limit);
    const entries = scan.items.map((i) => i.entry);
    if (json) {
      io.out(
        JSON.stringify(
          { queue_url: scan.url, count: entries.length, limited: scan.limited, dead_letters: entries },
          null,
          2,
        ),
      );
      return EXIT.ok;
    }
    if (entries.length === 0) {
      io.out('no dead letters');
      return EXIT.ok;
    }
    io.out(
      [
        ...deadLetterTable(entries),
        '',
        `${plural(entries.length, 'dead letter')} (${kindCounts(entries)}) in ${scan.url}`,
        ...(scan.limited ? [`--limit ${limit} reached: more may be waiting`] : []),
      ].join('\n'),
    );
    return EXIT.ok;
  });
};

const BODY_TYPES: Readonly<Record<DeadLetterEntry['body_type'], string>> = {
  'dead-letter': 'dr-relay dead letter',
  request: 'raw ActionRequest',
  'lambda-failure': 'Lambda on-failure record',
  unknown: 'unrecognised body',
};

const attributesOf = (message: Message): Record<string, string> =>
  Object.fromEntries(
    Object.entries(message.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue ?? `(${v.DataType})`]),
  );

const shownJson = (item: Scanned) => ({
  ...item.entry,
  attributes: attributesOf(item.message),
  body: item.body,
});

/** A `[label, value]` row when the value is known. */
const row = (label: string, value: string | undefined): [string, string][] =>
  value === undefined ? [] : [[label, value]];

/**
 * The SQS receive count is shown as what it is, "looked at N times", never as deliveries: in the
 * dead-letter queue nothing but readers receives a letter, and reading is the only way to see one
 * (SQS has no peek; ApproximateReceiveCount cannot be set back), so each `dlq list` / `show` /
 * `redrive` adds one. What happened to the letter is its own `attempts` and failure times.
 */
const shownText = (item: Scanned): string => {
  const e = item.entry;
  const attributes = Object.entries(attributesOf(item.message));
  const rows: [string, string][] = [
    ['message id', e.id],
    ['kind', `${e.kind} (${BODY_TYPES[e.body_type]})`],
    ...row('idempotency key', e.idempotency_key),
    ...row('source message', e.source_message_id),
    ...row('attempts', e.attempts === undefined ? undefined : String(e.attempts)),
    ...row('first failure', e.first_failure_at === undefined ? undefined : shortTime(e.first_failure_at)),
    ...row('last failure', e.last_failure_at === undefined ? undefined : shortTime(e.last_failure_at)),
    ...row('when', e.when === undefined ? undefined : shortTime(e.when)),
    ...row('sent', e.sent_at === undefined ? undefined : shortTime(e.sent_at)),
    ...row(
      'looked at',
      e.sqs_receive_count === undefined
        ? undefined
        : `${plural(e.sqs_receive_count, 'time')} (SQS counts every read of the dead-letter queue, this one included; not delivery attempts)`,
    ),
    ...row(
      'attributes',
      attributes.length === 0 ? undefined : attributes.map(([k, v]) => `${k}=${v}`).join(' '),
    ),
    ['redrive', e.redrivable ? `yes: dr-relay dlq redrive --id ${e.id}` : `no: ${e.not_redrivable ?? ''}`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const body = typeof item.body === 'string' ? item.body : JSON.stringify(item.body, null, 2);
  return [...rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`), body].join('\n');
};

const show = async ({ positionals, values }: CommandArgs, io: CliIo): Promise<number> => {
  const query = positionals[0]!;
  const json = values['json'] === true;
  return withTarget(io, values, ['deadLetterQueue'], async (target) => {
    const scan = await readDeadLetterQueue(target, io, SCAN_LIMIT);
    const matches = scan.items.filter((i) => isNamedBy(i.entry, query));
    if (json) io.out(JSON.stringify({ query, messages: matches.map(shownJson) }, null, 2));
    if (matches.length === 0) {
      io.err(
        `dr-relay: no dead letter has the ${ID_KINDS} ${JSON.stringify(query)} ` +
          `(${plural(scan.items.length, 'message')} read${scan.limited ? `, the first ${SCAN_LIMIT} only` : ''})`,
      );
      return EXIT.invalid;
    }
    if (!json) io.out(matches.map(shownText).join('\n\n'));
    if (matches.length > 1) io.err(`${matches.length} dead letters match ${JSON.stringify(query)}`);
    return EXIT.ok;
  });
};

export const dlqListCommand: Command = {
  words: ['dlq', 'list'],
  args: '[--limit N] [--json]',
  summary: `list the dead letters, read and left in place (default --limit ${DEFAULT_LIST_LIMIT})`,
  options: { limit: { type: 'string' }, json: { type: 'boolean' }, ...placeOptions('deadLetterQueue') },
  positionals: { min: 0, max: 0 },
  run: list,
};

export const dlqShowCommand: Command = {
  words: ['dlq', 'show'],
  args: '<message id | idempotency key> [--json]',
  summary: `the full record of a dead letter, by its ${ID_KINDS} (exit 1 if none)`,
  options: { json: { type: 'boolean' }, ...placeOptions('deadLetterQueue') },
  positionals: { min: 1, max: 1 },
  run: show,
};
