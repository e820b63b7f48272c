/**
 * Errors the executor raises about a request's outcome (beyond the Huawei client's own).
 * The record handler decides on `kind`: transient -> retry later; permanent | ambiguous -> dead-letter.
 */
import { DrRelayError } from '../errors.ts';

/** The remote call may or may not have taken effect and the resource state cannot tell: a person must check. */
export class UnconfirmedOutcomeError extends DrRelayError {
  readonly observed: string;
  constructor(message: string, observed: string, options?: { cause?: unknown }) {
    super(message, 'ambiguous', options);
    this.name = 'UnconfirmedOutcomeError';
    this.observed = observed;
  }
}

/** Nothing took effect yet (busy resource, or an ambiguous call whose state shows no effect): try again later. */
export class RetryLaterError extends DrRelayError {
  readonly retryAfterMs?: number;
  constructor(message: string, options?: { cause?: unknown; retryAfterMs?: number }) {
    super(message, 'transient', options);
    this.name = 'RetryLaterError';
    if (options?.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
  }
}

/** A duplicate delivery of a request that already ended in the dead-letter queue (only a redrive reopens it). */
export class AlreadyDeadLetteredError extends DrRelayError {
  constructor(requestId: string) {
    super(`request ${requestId} was dead-lettered earlier; only a redrive runs it again`, 'permanent');
    this.name = 'AlreadyDeadLetteredError';
  }
}
