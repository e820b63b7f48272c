/**
 * Errors shared by every concern. Each carries a `kind` that the executor decides on:
 * - permanent: retrying cannot help (validation, 4xx); dead-letter at once.
 * - transient: nothing happened remotely; retry with backoff, then dead-letter.
 * - ambiguous: the request may have taken effect; reconcile by reading state, never retry blindly.
 * No string matching on messages anywhere else: decide on `kind` (and the fields of subclasses).
 */
import type * as z from './schema/zod.ts';

export type ErrorKind = 'permanent' | 'transient' | 'ambiguous';

export class DrRelayError extends Error {
  readonly kind: ErrorKind;
  constructor(message: string, kind: ErrorKind, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DrRelayError';
    this.kind = kind;
  }
}

/** One problem with an input: where (a dotted path, `(root)` for the whole input) and what. */
export interface Issue {
  readonly path: string;
  readonly message: string;
}

/** A zod path written out: `Records.0.Sns.Message.AlarmName`, or `(root)`. */
const pathOf = (path: readonly PropertyKey[]): string => path.map(String).join('.') || '(root)';

/** One issue per bad field of a zod failure (paths under `prefix`); an unknown key is reported at its own path. */
export const issuesOf = (error: z.core.$ZodError, prefix: readonly (string | number)[] = []): Issue[] =>
  error.issues.flatMap((i) =>
    i.code === 'unrecognized_keys'
      ? i.keys.map((key) => ({ path: pathOf([...prefix, ...i.path, key]), message: 'unknown field' }))
      : [{ path: pathOf([...prefix, ...i.path]), message: i.message }],
  );

/** At most this many issues are kept per error: a hostile input must not make answers or logs huge. */
export const MAX_ISSUES = 50;

/** The first MAX_ISSUES issues, then one saying how many more there were (a capped list stays as it is). */
export const capIssues = <I extends { path: string; message: string }>(
  issues: readonly I[],
): readonly (I | { path: string; message: string })[] => {
  const capped = issues.length === MAX_ISSUES + 1 && issues[MAX_ISSUES]?.path === '(more)';
  if (issues.length <= MAX_ISSUES || capped) return issues;
  return [
    ...issues.slice(0, MAX_ISSUES),
    { path: '(more)', message: `${issues.length - MAX_ISSUES} more issues` },
  ];
};

/** An input (request, event, configuration) that does not satisfy its schema. */
export class ValidationError extends DrRelayError {
  readonly issues: readonly { path: string; message: string }[];
  constructor(message: string, issues: readonly { path: string; message: string }[]) {
    super(message, 'permanent');
    this.name = 'ValidationError';
    this.issues = capIssues(issues);
  }
}

export const errorKindOf = (error: unknown): ErrorKind =>
  error instanceof DrRelayError ? error.kind : 'transient';

/**
 * A broken invariant of dr-relay itself (an unknown action id past validation, a catalogue entry
 * that cannot do what it claims): retrying cannot help, so it is permanent and dead-lettered at once.
 */
export class InvariantError extends DrRelayError {
  constructor(message: string) {
    super(message, 'permanent');
    this.name = 'InvariantError';
  }
}
