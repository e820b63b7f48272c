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

/**
 * Try again later: the resource is busy, or a call got no answer and the state read so far shows no
 * effect (`unconfirmed`: a call may still have taken effect, so if attempts run out the request is
 * dead-lettered as ambiguous, and any later attempt or redrive reconciles before calling).
 */
export class RetryLaterError extends DrRelayError {
  readonly unconfirmed: boolean;
  constructor(message: string, options: { cause?: unknown; unconfirmed: boolean }) {
    super(message, 'transient', options);
    this.name = 'RetryLaterError';
    this.unconfirmed = options.unconfirmed;
  }
}

/** A duplicate delivery of a request that already ended in the dead-letter queue (only a redrive reopens it). */
export class AlreadyDeadLetteredError extends DrRelayError {
  constructor(requestId: string) {
    super(`request ${requestId} was dead-lettered earlier; only a redrive runs it again`, 'permanent');
    this.name = 'AlreadyDeadLetteredError';
  }
}

/**
 * Another delivery of the same key holds it now (its lease runs): this one must not act, and looks
 * again shortly (its outcome may be recorded by then).
 */
export class InProgressElsewhereError extends DrRelayError {
  constructor(requestId: string) {
    super(`request ${requestId} is being executed by another delivery`, 'transient');
    this.name = 'InProgressElsewhereError';
  }
}

/** The key (a client's request_id) was first used for a different request: this one is refused. */
export class RequestConflictError extends DrRelayError {
  constructor(requestId: string) {
    super(`request_id ${requestId} was already used for a different request`, 'permanent');
    this.name = 'RequestConflictError';
  }
}
