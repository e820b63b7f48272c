/**
 * Turning zod failures into the ValidationError every source throws: one {path, message} per bad
 * field, paths dotted (`Records.0.Sns.Message.AlarmName`). Owns: that conversion. Must not touch:
 * the schemas themselves (each source file owns its own).
 */
import type * as z from 'zod';
import { capIssues, ValidationError } from '../errors.ts';

export interface Issue {
  readonly path: string;
  readonly message: string;
}

export type PathPrefix = readonly (string | number)[];

const pathOf = (path: readonly PropertyKey[]): string =>
  path.map((p) => (typeof p === 'symbol' ? p.toString() : String(p))).join('.') || '(root)';

/** One issue per bad field; an unknown key is reported at its own path. */
export const issuesOf = (error: z.ZodError, prefix: PathPrefix = []): Issue[] =>
  error.issues.flatMap((i) =>
    i.code === 'unrecognized_keys'
      ? i.keys.map((key) => ({ path: pathOf([...prefix, ...i.path, key]), message: 'unknown field' }))
      : [{ path: pathOf([...prefix, ...i.path]), message: i.message }],
  );

/** A ValidationError whose message names every issue (`what: path: message; ...`). */
export const invalid = (what: string, issues: readonly Issue[]): ValidationError =>
  new ValidationError(
    `invalid ${what}: ${capIssues(issues)
      .map((i) => `${i.path}: ${i.message}`)
      .join('; ')}`,
    issues,
  );

/** Parses with `schema` or throws a ValidationError naming the bad fields (paths under `prefix`). */
export const parseOrThrow = <S extends z.ZodType>(
  schema: S,
  value: unknown,
  what: string,
  prefix: PathPrefix = [],
): z.output<S> => {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw invalid(what, issuesOf(result.error, prefix));
};

/** `JSON.parse` that reports a bad document as a ValidationError at `path`. */
export const parseJsonOrThrow = (text: string, what: string, path: string): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw invalid(what, [{ path, message: `is not JSON (${(error as Error).message})` }]);
  }
};
