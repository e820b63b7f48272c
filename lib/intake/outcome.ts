/**
 * The one outcome policy of both entry paths (the request queue and the alarm pipeline): what a
 * failed run of a job turns into.
 *   another delivery holds the key                                       -> in progress elsewhere
 *   the request was dead-lettered earlier                                -> duplicate of a dead letter
 *   the same request_id with another request                             -> dead letter (permanent),
 *                                                                           the key's record untouched
 *   transient, and the caller can still wait the backoff                  -> retry after the delay
 *   transient, the caller cannot wait but can hand over to the queue      -> hand off (the queue's horizon)
 *   anything else                                                         -> dead letter; a transient
 *     failure whose call was never confirmed becomes ambiguous (UnconfirmedOutcomeError) there
 * Owns: that decision. Must not touch: how a path waits (visibility vs sleep), dead-letter sending.
 */
import { summarizeError } from '../deadLetters/deadLetter.ts';
import { type BackoffPolicy, backoffSeconds } from '../execution/backoff.ts';
import {
  AlreadyDeadLetteredError,
  InProgressElsewhereError,
  RequestConflictError,
  RetryLaterError,
  UnconfirmedOutcomeError,
} from '../execution/errors.ts';
import type { ErrorSummary } from '../store/status.ts';

export type Disposition =
  | { readonly kind: 'in_progress_elsewhere' }
  | { readonly kind: 'duplicate_of_dead_letter' }
  | { readonly kind: 'retry'; readonly delaySeconds: number; readonly summary: ErrorSummary }
  | { readonly kind: 'hand_off'; readonly summary: ErrorSummary }
  | {
      readonly kind: 'dead_letter';
      readonly error: unknown;
      /** The key's status record belongs to another request: the letter must not touch it. */
      readonly keepStatus?: true;
    };

export interface OutcomeContext {
  readonly key: string;
  readonly attempt: number;
  readonly maxAttempts: number;
  readonly backoff: BackoffPolicy;
  /** Whether this path can still wait `delaySeconds` and try again (time left, not aborted). */
  readonly canWait?: (delaySeconds: number) => boolean;
  /** Whether this path can hand a job it cannot wait for to the request queue (the alarms function). */
  readonly canHandOff?: boolean;
}

/** Out of attempts with a call whose effect was never confirmed: that is ambiguous, not merely transient. */
const asFinal = (error: unknown): unknown =>
  error instanceof RetryLaterError && error.unconfirmed
    ? new UnconfirmedOutcomeError(`attempts exhausted, last: ${error.message}`, 'unconfirmed', {
        cause: error,
      })
    : error;

export const decideOutcome = (error: unknown, context: OutcomeContext): Disposition => {
  if (error instanceof InProgressElsewhereError) return { kind: 'in_progress_elsewhere' };
  if (error instanceof AlreadyDeadLetteredError) return { kind: 'duplicate_of_dead_letter' };
  // Another request under a key in use: dead-lettered, and the key's own record is left as it is.
  if (error instanceof RequestConflictError) return { kind: 'dead_letter', error, keepStatus: true };
  const summary = summarizeError(error);
  if (summary.kind === 'transient' && context.attempt < context.maxAttempts) {
    const retryAfterMs = (error as { retryAfterMs?: number }).retryAfterMs ?? 0;
    const delaySeconds = backoffSeconds(context.attempt, context.backoff, retryAfterMs);
    if (context.canWait?.(delaySeconds) ?? true) return { kind: 'retry', delaySeconds, summary };
    if (context.canHandOff) return { kind: 'hand_off', summary };
  }
  return { kind: 'dead_letter', error: asFinal(error) };
};
