/**
 * The dead-letter record (rule 5: everything needed to act on it) and how it is sent.
 * Owns: the DeadLetter schema (the contract the CLI and operators read) and SendMessage to
 * DEAD_LETTER_QUEUE_URL. Must not touch: status records, retry decisions.
 * Secrets never go in: error summaries come from typed errors whose messages carry none.
 */
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { actionFor } from '../actions/catalogue.ts';
import type { ActionRequest } from '../actions/request.ts';
import { DrRelayError, ValidationError } from '../errors.ts';
import { HuaweiApiError } from '../huawei/errors.ts';
import type { Log } from '../log.ts';
import * as z from '../schema/zod.ts';
import { AlarmSignalSchema } from '../sources/types.ts';
import { type ErrorSummary, ErrorSummarySchema, type StatusStore } from '../store/status.ts';

export const DeadLetterSchema = z.lazySchema(() =>
  z.object({
    type: z.literal('dr-relay.dead-letter'),
    version: z.literal(1),
    idempotency_key: z.optional(z.string()),
    action: z.optional(z.string()),
    target: z.optional(z.string()),
    /** The validated request, or the raw body when it could not be validated. */
    request: z.optional(z.unknown()),
    raw_body: z.optional(z.string()),
    source: z.object({
      type: z.string(),
      queue_url: z.optional(z.string()),
      message_id: z.optional(z.string()),
    }),
    /** Alarm-driven requests: the signal that triggered it and the route it matched. */
    alarm: z.optional(AlarmSignalSchema),
    route: z.optional(z.string()),
    reason: z.string(),
    error: z.extend(ErrorSummarySchema, {
      issues: z.optional(z.array(z.object({ path: z.string(), message: z.string() }))),
    }),
    attempts: z.number(),
    first_failure_at: z.string(),
    last_failure_at: z.string(),
    dead_lettered_at: z.string(),
  }),
);
export type DeadLetter = z.infer<typeof DeadLetterSchema>;

/** A compact, secret-free summary of any error, for status records, dead letters and logs. */
export const summarizeError = (error: unknown): ErrorSummary => {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof HuaweiApiError) {
    return {
      kind: error.kind,
      message,
      ...(error.httpStatus === undefined ? {} : { http_status: error.httpStatus }),
      ...(error.errorCode === undefined ? {} : { error_code: error.errorCode }),
      ...(error.errorMsg === undefined ? {} : { error_msg: error.errorMsg }),
      ...(error.requestId === undefined ? {} : { huawei_request_id: error.requestId }),
    };
  }
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause instanceof HuaweiApiError)
    return { ...summarizeError(cause), kind: (error as DrRelayError).kind ?? cause.kind, message };
  return { kind: error instanceof DrRelayError ? error.kind : 'transient', message };
};

export const issuesOfError = (error: unknown) =>
  error instanceof ValidationError ? [...error.issues] : undefined;

export interface DeadLetterInput {
  readonly error: unknown;
  readonly attempts: number;
  readonly source: DeadLetter['source'];
  readonly key?: string | undefined;
  readonly request?: ActionRequest | undefined;
  readonly rawBody?: string | undefined;
  readonly alarm?: DeadLetter['alarm'];
  readonly route?: string | undefined;
  /** The key's status record is another request's (a request_id conflict): leave it untouched. */
  readonly keepStatus?: boolean | undefined;
}

export interface DeadLetterDeps {
  readonly queue: Pick<DeadLetterQueue, 'send'>;
  /** Tells people (SNS), after the letter is stored (with its SQS message id when known); never throws. */
  readonly notify?: (letter: DeadLetter, messageId?: string) => Promise<void>;
  readonly store: Pick<StatusStore, 'set'>;
  readonly log: Log;
  readonly now?: () => Date;
}

/** SQS's message limit is 256 KiB: an alarm's raw payload is kept only while the letter fits well under it. */
const MAX_RAW_ALARM_BYTES = 64 * 1024;

/** The alarm without an oversized or unserialisable raw payload (its size is noted instead). */
export const boundedAlarm = (alarm: DeadLetter['alarm']): DeadLetter['alarm'] => {
  if (!alarm) return alarm;
  let size: number;
  try {
    size = Buffer.byteLength(JSON.stringify(alarm.raw) ?? '');
  } catch {
    size = Number.POSITIVE_INFINITY; // e.g. nested too deep to serialise
  }
  return size <= MAX_RAW_ALARM_BYTES
    ? alarm
    : { ...alarm, raw: { truncated: true, bytes: Number.isFinite(size) ? size : 'unserialisable' } };
};

/**
 * Dead-letters a request (rule 5). Order matters, so that nothing is lost if a step fails:
 * the failure is recorded (status `failed`, which also yields the first failure time), the letter
 * is stored on the queue, and only then is the status `dead_lettered`. If storing the letter
 * fails, the error propagates with the status still `failed`: the message or invocation is
 * retried and dead-letters again. (A status `dead_lettered` without a letter would make every
 * retry look like a duplicate of a dead letter and be dropped.)
 * A request whose outcome (succeeded, skipped) another delivery recorded after this one gave its
 * claim back is not dead-lettered: the failure does not replace that outcome (FAILURES,
 * lib/store/status.ts), and a dead letter would send people after a request that is done. Then the
 * answer is `{ outcome }`: that status, and nothing is sent.
 */
export const deadLetter = async (
  deps: DeadLetterDeps,
  input: DeadLetterInput,
): Promise<DeadLetter | { readonly outcome: 'succeeded' | 'skipped' }> => {
  const summary = summarizeError(input.error);
  const issues = issuesOfError(input.error);
  const at = (deps.now ?? (() => new Date()))().toISOString();
  let firstFailureAt = at;
  const tracked =
    input.key && input.request && !input.keepStatus
      ? { key: input.key, action: input.request.action }
      : undefined;
  if (tracked) {
    const stored = await deps.store.set(tracked.key, {
      status: 'failed',
      action: tracked.action,
      attempts: input.attempts,
      error: summary,
      failure: true,
    });
    if (stored.status === 'succeeded' || stored.status === 'skipped') {
      deps.log.info('not dead-lettered: another delivery recorded the outcome meanwhile', {
        request_id: tracked.key,
        status: stored.status,
        error: summary.message,
      });
      return { outcome: stored.status };
    }
    firstFailureAt = stored.first_failure_at ?? at;
  }
  const alarm = boundedAlarm(input.alarm);
  const letter: DeadLetter = {
    type: 'dr-relay.dead-letter',
    version: 1,
    ...(input.key ? { idempotency_key: input.key } : {}),
    ...(input.request
      ? {
          action: input.request.action,
          target: actionFor(input.request.action).target(input.request),
          request: input.request,
        }
      : { raw_body: input.rawBody ?? '' }),
    source: input.source,
    ...(alarm ? { alarm } : {}),
    ...(input.route ? { route: input.route } : {}),
    reason: `${summary.kind}: ${summary.message}`,
    error: issues ? { ...summary, issues } : summary,
    attempts: input.attempts,
    first_failure_at: firstFailureAt,
    last_failure_at: at,
    dead_lettered_at: at,
  };
  const messageId = await deps.queue.send(letter);
  if (tracked) await deps.store.set(tracked.key, { status: 'dead_lettered' });
  await deps.notify?.(letter, messageId);
  deps.log.warn('dead-lettered', { request_id: input.key, reason: letter.reason, attempts: input.attempts });
  return letter;
};

/** What a dead-lettering ended with, in words: the letter's reason, or the outcome that stood. */
export const reasonOf = (result: Awaited<ReturnType<typeof deadLetter>>): string =>
  'outcome' in result ? `not dead-lettered: another delivery recorded ${result.outcome}` : result.reason;

export class DeadLetterQueue {
  readonly #sqs: SQSClient;
  readonly #url: string;

  constructor(sqs: SQSClient, url: string) {
    this.#sqs = sqs;
    this.#url = url;
  }

  async send(letter: DeadLetter): Promise<string | undefined> {
    const { MessageId } = await this.#sqs.send(
      new SendMessageCommand({
        QueueUrl: this.#url,
        MessageBody: JSON.stringify(letter),
        MessageAttributes: {
          error_kind: { DataType: 'String', StringValue: letter.error.kind },
          ...(letter.action ? { action: { DataType: 'String', StringValue: letter.action } } : {}),
          ...(letter.idempotency_key
            ? { idempotency_key: { DataType: 'String', StringValue: letter.idempotency_key } }
            : {}),
        },
      }),
    );
    return MessageId;
  }
}
