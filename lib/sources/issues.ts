/**
 * Turning zod failures into the ValidationError every source throws: one {path, message} per bad
 * field (issuesOf, lib/errors.ts), under the source's name. Owns: that conversion. Must not touch:
 * the schemas themselves (each source file owns its own).
 */

import { capIssues, type Issue, issuesOf, ValidationError } from '../errors.ts';
import type * as z from '../schema/zod.ts';

export type PathPrefix = readonly (string | number)[];

/** A ValidationError whose message names every issue (`what: path: message; ...`). */
export const invalid = (what: string, issues: readonly Issue[]): ValidationError =>
  new ValidationError(
    `invalid ${what}: ${capIssues(issues)
      .map((i) => `${i.path}: ${i.message}`)
      .join('; ')}`,
    issues,
  );

/** Parses with `schema` or throws a ValidationError naming the bad fields (paths under `prefix`). */
export const parseOrThrow = <S extends z.Schema>(
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
