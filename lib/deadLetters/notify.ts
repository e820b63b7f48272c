/**
 * A short summary of each dead letter, published to an SNS topic (DEAD_LETTER_TOPIC_ARN) so people
 * hear about it at once. Best effort: the dead letter itself is already safe in the queue, and the
 * queue-depth alarm is the backstop, so a failed publish is logged, never thrown.
 * Owns: the summary's wording (lib/notices.ts publishes it).
 */
import type { Log } from '../log.ts';
import { notifier, type Publisher } from '../notices.ts';
import type { DeadLetter } from './deadLetter.ts';

/**
 * `messageId` is the dead letter's own SQS message id (what SendMessage answered). The `inspect`
 * line names it when known: it is the one id `dr-relay dlq show` (and `dlq redrive --id`) always
 * finds, even for a letter without an idempotency key (an invalid message, a refused alarm).
 * Without it, the idempotency key, else the source message id: `dlq show` accepts both.
 */
export const summaryOf = (letter: DeadLetter, messageId?: string): { subject: string; message: string } => {
  const what = letter.action ?? 'invalid message';
  const id = letter.idempotency_key ?? letter.source.message_id ?? 'unknown';
  const inspect = messageId ?? (id === 'unknown' ? undefined : id);
  const lines = [
    `${what} ${id} was dead-lettered after ${letter.attempts} attempt(s).`,
    `reason: ${letter.reason}`,
    ...(letter.target ? [`target: ${letter.target}`] : []),
    ...(letter.route
      ? [`alarm: ${letter.alarm?.source ?? ''} ${letter.alarm?.name ?? ''} via route ${letter.route}`]
      : []),
    `first failure: ${letter.first_failure_at}; dead-lettered: ${letter.dead_lettered_at}`,
    inspect === undefined ? 'inspect: npx dr-relay dlq list' : `inspect: npx dr-relay dlq show ${inspect}`,
  ];
  // SNS subjects: at most 100 printable ASCII characters.
  const subject = `dr-relay: ${letter.error.kind} failure, ${what}`
    .replace(/[^\x20-\x7e]/g, '?')
    .slice(0, 100);
  return { subject, message: lines.join('\n') };
};

export const snsNotifier = (publisher: Publisher, log: Log) =>
  notifier(publisher, log, 'dead-letter notification failed (the dead letter itself is stored)', summaryOf);
