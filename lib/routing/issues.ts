/**
 * Problems found in a routes file: `{path, message, line?}` with paths written the way a person
 * reads the file (`routes[1] (dws-prod-failover).params.disaster_recovery_id`), and the single
 * ValidationError that lists them all. Owns: that formatting. Must not touch: the schemas, YAML.
 */

import { capIssues, ValidationError } from '../errors.ts';
import type * as z from '../schema/zod.ts';

export type Segment = string | number;

export interface RouteIssue {
  readonly path: string;
  readonly message: string;
  /** 1-based line in the routes file, when known. */
  readonly line?: number;
}

/** A located problem before its path is written out. */
export interface RawIssue {
  readonly segments: readonly Segment[];
  readonly message: string;
}

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** `['params', 'x', 0]` -> `.params.x[0]` (a key with odd characters -> `["a.b"]`). */
export const formatSegments = (segments: readonly Segment[]): string =>
  segments
    .map((s) => (typeof s === 'number' ? `[${s}]` : PLAIN_KEY.test(s) ? `.${s}` : `[${JSON.stringify(s)}]`))
    .join('');

/** How a route is named in messages: `routes[1] (dws-prod-failover)`, or `routes[1]` when it has no usable name. */
export const routeLabel = (index: number, name: unknown): string =>
  typeof name === 'string' && name.length > 0 && name.length <= 64
    ? `routes[${index}] (${name})`
    : `routes[${index}]`;

const YAML_QUOTE_HINT = ' (quote it in YAML)';

/** Whether `input` has something at `path` (own properties only; arrays are walked by index). */
const present = (input: unknown, path: readonly Segment[]): boolean => {
  let at: unknown = input;
  for (const key of path) {
    if (typeof at !== 'object' || at === null || !Object.hasOwn(at, key)) return false;
    at = (at as Record<Segment, unknown>)[key];
  }
  return at !== undefined;
};

const messageOf = (i: z.core.$ZodIssue, input: unknown): string => {
  if (i.code !== 'invalid_type') return i.message;
  if (!present(input, i.path as Segment[])) {
    return i.message.startsWith('Invalid input') ? 'is required' : `is required: ${i.message}`;
  }
  const typedByYaml = i.expected === 'string' && /received (number|boolean)/.test(i.message);
  return typedByYaml ? `${i.message}${YAML_QUOTE_HINT}` : i.message;
};

/**
 * One issue per bad field of `input`: an unknown key at its own path, "is required" for a missing
 * one, a hint when YAML typed a string as a number or boolean.
 */
export const rawIssuesOf = (
  error: z.core.$ZodError,
  input: unknown,
  prefix: readonly Segment[] = [],
): RawIssue[] =>
  error.issues.flatMap((i): RawIssue[] => {
    const at = [...prefix, ...(i.path.filter((p) => typeof p !== 'symbol') as Segment[])];
    if (i.code === 'unrecognized_keys') {
      return i.keys.map((key) => ({ segments: [...at, key], message: 'unknown field' }));
    }
    return [{ segments: at, message: messageOf(i, input) }];
  });

/** In file order when every issue has a line (stable otherwise). */
const sortedByLine = (issues: readonly RouteIssue[]): RouteIssue[] =>
  issues.every((i) => i.line !== undefined)
    ? [...issues].sort((a, b) => (a.line ?? 0) - (b.line ?? 0))
    : [...issues];

/** The one error listing every problem; its message names each `path: message` (and line). */
export const routesError = (issues: readonly RouteIssue[], file?: string): ValidationError => {
  const where = file === undefined ? 'routes file' : `routes file ${file}`;
  const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
  const shown = capIssues(sortedByLine(issues)) as readonly RouteIssue[];
  const listed = shown
    .map((i) => `${i.path}: ${i.message}${i.line === undefined ? '' : ` (line ${i.line})`}`)
    .join('; ');
  return new ValidationError(`invalid ${where}: ${count}: ${listed}`, shown);
};
