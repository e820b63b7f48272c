/**
 * Text shared by the CLI commands: problem lists, label sets, route match summaries.
 * Owns: how those read on a terminal. Must not touch: what is validated or decided.
 */
import { ValidationError } from '../lib/errors.ts';
import type { RouteIssue, RouteMatch } from '../lib/routing/routes.ts';

/** `{path, message, line?}` of any error: a ValidationError's issues, else one `(error)` issue. */
export const issuesOfError = (error: unknown): RouteIssue[] =>
  error instanceof ValidationError
    ? error.issues.map((i) => ({ ...i }))
    : [{ path: '(error)', message: error instanceof Error ? error.message : String(error) }];

/** One line per problem: `  line 12  routes[1] (x).params.y: must be a UUID`. */
export const issueLines = (issues: readonly RouteIssue[]): string[] => {
  const where = (i: RouteIssue): string => (i.line === undefined ? '' : `line ${i.line}`);
  const width = Math.max(0, ...issues.map((i) => where(i).length));
  return issues.map((i) => `  ${width === 0 ? '' : where(i).padEnd(width + 2)}${i.path}: ${i.message}`);
};

/**
 * Text for a terminal: control and format characters (an event's names and labels are untrusted: an escape
 * sequence could rewrite the screen) shown as `\u001b`; newlines kept.
 */
export const printable = (text: string): string =>
  text.replace(/[^\S\n ]|\p{Cc}|\p{Cf}/gu, (c) =>
    c === '\n' ? c : `\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}`,
  );

/** A value as is, or JSON-quoted when it has spaces, quotes or `=` (so `k=v` pairs stay readable). */
const shown = (value: string): string => (/^[^\s"'=]+$/.test(value) ? value : JSON.stringify(value));

export const labelText = (labels: Readonly<Record<string, string>>): string => {
  const entries = Object.entries(labels);
  return entries.length === 0 ? '(none)' : entries.map(([k, v]) => `${shown(k)}=${shown(v)}`).join(' ');
};

/** `source=alertmanager alarm=DWSPrimaryDown* cluster=prod` (globs shown as written). */
export const matchText = (match: RouteMatch): string =>
  [
    match.source === undefined ? 'any source' : `source=${match.source}`,
    match.alarm === undefined ? 'any alarm' : `alarm=${shown(match.alarm)}`,
    ...Object.entries(match.labels ?? {}).map(([k, v]) => `${shown(k)}=${shown(v)}`),
  ].join(' ');

export const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;
