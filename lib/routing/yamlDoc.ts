/**
 * Reading the routes file's YAML (JSON is valid YAML): one document, unique keys, bounded aliases,
 * and a way back from a path in the parsed value to its line in the text.
 * Owns: the `yaml` package's options and errors. Must not touch: what a route means (schema.ts,
 * routes.ts).
 */
import { isNode, LineCounter, parseDocument } from 'yaml';
import type { RouteIssue, Segment } from './issues.ts';
import { routesError } from './issues.ts';

/** Larger than any sensible routes file; refuses to spend a cold start on a runaway one. */
export const MAX_ROUTES_FILE_BYTES = 1024 * 1024;

export interface YamlValue {
  readonly value: unknown;
  /** The 1-based line of the deepest node on `segments` that exists (undefined when none does). */
  lineOf(segments: readonly Segment[]): number | undefined;
}

/** First line of a `yaml` error message, without the trailing source excerpt and colon. */
const firstLine = (message: string): string =>
  (message.split('\n', 1)[0] ?? message).replace(/:\s*$/, '').replace(/ at line \d+, column \d+$/, '');

/** Parses one YAML document; throws the routes ValidationError (with lines) for any syntax error. */
export const readYaml = (text: string, file?: string): YamlValue => {
  if (Buffer.byteLength(text, 'utf8') > MAX_ROUTES_FILE_BYTES) {
    throw routesError([{ path: '(file)', message: `is larger than ${MAX_ROUTES_FILE_BYTES} bytes` }], file);
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const issues = doc.errors.map(
      (e): RouteIssue => ({
        path: '(yaml)',
        message: `syntax error: ${firstLine(e.message)}`,
        ...(e.linePos ? { line: e.linePos[0].line } : {}),
      }),
    );
    throw routesError(issues, file);
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw routesError([{ path: '(yaml)', message: firstLine((error as Error).message) }], file);
  }
  const lineOf = (segments: readonly Segment[]): number | undefined => {
    for (let n = segments.length; n >= 0; n -= 1) {
      const node: unknown = n === 0 ? doc.contents : doc.getIn(segments.slice(0, n), true);
      if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
    }
    return undefined;
  };
  return { value, lineOf };
};
