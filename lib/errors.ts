/**
 * Errors shared by every concern. Each carries a `kind` that the executor decides on:
 * - permanent: retrying cannot help (validation, 4xx); dead-letter at once.
 * - transient: nothing happened remotely; retry with backoff, then dead-letter.
 * - ambiguous: the request may have taken effect; reconcile by reading state, never retry blindly.
 * No string matching on messages anywhere else: decide on `kind` (and the fields of subclasses).
 */
export type ErrorKind = 'permanent' | 'transient' | 'ambiguous';

export class DrRelayError extends Error {
  readonly kind: ErrorKind;
  constructor(message: string, kind: ErrorKind, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DrRelayError';
    this.kind = kind;
  }
}

/** An input (request, event, configuration) that does not satisfy its schema. */
export class ValidationError extends DrRelayError {
  readonly issues: readonly { path: string; message: string }[];
  constructor(message: string, issues: readonly { path: string; message: string }[]) {
    super(message, 'permanent');
    this.name = 'ValidationError';
    this.issues = issues;
  }
}

export const errorKindOf = (error: unknown): ErrorKind =>
  error instanceof DrRelayError ? error.kind : 'transient';
