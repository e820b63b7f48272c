/**
 * `dr-relay explain <event.json> [--routes file] [--header 'Name: value' …] [--json]`: what dr-relay
 * would do with an alarm event, offline: the shape recognised, each signal, each route's outcome, and
 * the exact call an action would make. An SMN POST body copied from a log is accepted as it is (its
 * headers inferred from the body, or given with --header). Exit 0 at least one action, 3 valid but nothing would happen, 1 invalid event
 * or routes file. Owns: reading the two files and the exit code. Must not touch: routing rules,
 * recognition, rendering (each in its own file), the network (nothing is sent or fetched).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ValidationError } from '../lib/errors.ts';
import type { Route } from '../lib/routing/routes.ts';
import type { Command } from './command.ts';
import { buildExplainReport } from './explainReport.ts';
import { explainText } from './explainText.ts';
import { issueLines, issuesOfError, plural } from './format.ts';
import { type CliIo, EXIT, UsageError } from './io.ts';
import { type Recognised, recogniseEvent } from './recognise.ts';
import { loadRoutesFor, routesPathFor } from './routesFile.ts';

const readEvent = (file: string, io: CliIo): unknown => {
  let text: string;
  try {
    text = readFileSync(resolve(io.cwd, file), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const message = code === 'ENOENT' ? 'not found' : `cannot be read (${code ?? (error as Error).message})`;
    throw new ValidationError(`event file ${file} ${message}`, [{ path: '(file)', message }]);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const message = `is not JSON (${(error as Error).message})`;
    throw new ValidationError(`event file ${file} ${message}`, [{ path: '(file)', message }]);
  }
};

interface Failure {
  readonly what: string;
  readonly error: unknown;
}

const attempt = <T>(what: string, run: () => T, failures: Failure[]): T | undefined => {
  try {
    return run();
  } catch (error) {
    failures.push({ what, error });
    return undefined;
  }
};

/** `--header 'X-SMN-MESSAGE-TYPE: Notification'` (repeatable) -> {name: value}. */
const headersOf = (given: unknown): Record<string, string> => {
  const list = Array.isArray(given) ? given : given === undefined ? [] : [given];
  const headers = new Map<string, string>();
  for (const item of list) {
    const text = String(item);
    const colon = text.indexOf(':');
    const name = colon > 0 ? text.slice(0, colon).trim() : '';
    if (!/^[A-Za-z0-9-]+$/.test(name)) {
      throw new UsageError(
        `--header must be 'Name: value' (e.g. 'X-SMN-MESSAGE-TYPE: Notification'), got ${JSON.stringify(text)}`,
      );
    }
    headers.set(name.toLowerCase(), text.slice(colon + 1).trim());
  }
  return Object.fromEntries(headers);
};

const explain = (
  eventFile: string,
  routesGiven: string | undefined,
  headers: Record<string, string>,
  json: boolean,
  io: CliIo,
): number => {
  const routesFile = routesPathFor(routesGiven, io);
  const failures: Failure[] = [];
  // Both files are checked, so one run reports every problem of either.
  const recognised = attempt<Recognised>(
    `event ${eventFile}`,
    () => recogniseEvent(readEvent(eventFile, io), { headers }),
    failures,
  );
  const routes = attempt<Route[]>(`routes file ${routesFile}`, () => loadRoutesFor(routesFile, io), failures);
  if (recognised === undefined || routes === undefined) {
    const invalid = failures.map((f) => ({ what: f.what, issues: issuesOfError(f.error) }));
    if (json) io.out(JSON.stringify({ ok: false, invalid }, null, 2));
    else {
      for (const f of invalid)
        io.out(
          [`INVALID: ${f.what}: ${plural(f.issues.length, 'problem')}`, ...issueLines(f.issues)].join('\n'),
        );
    }
    return EXIT.invalid;
  }
  const report = attempt(
    'plan',
    () => buildExplainReport(eventFile, recognised, routesFile, routes, io),
    failures,
  );
  if (report === undefined) {
    // Only configuration can fail here (a DR_ENDPOINT_* that is not a URL).
    const issues = issuesOfError(failures[0]?.error);
    if (json) io.out(JSON.stringify({ ok: false, invalid: [{ what: 'configuration', issues }] }, null, 2));
    else
      io.out(
        [`INVALID: configuration: ${plural(issues.length, 'problem')}`, ...issueLines(issues)].join('\n'),
      );
    return EXIT.invalid;
  }
  io.out(json ? JSON.stringify(report, null, 2) : explainText(report));
  return report.actions > 0 ? EXIT.ok : EXIT.nothing;
};

export const explainCommand: Command = {
  words: ['explain'],
  args: "<event.json> [--routes file] [--header 'Name: value' …] [--json]",
  summary:
    'show what an alarm event (or a logged SMN POST body) would do: signals, routes, the exact call; sends nothing',
  options: {
    routes: { type: 'string' },
    header: { type: 'string', multiple: true },
    json: { type: 'boolean' },
  },
  positionals: { min: 1, max: 1 },
  run: ({ positionals, values }, io) => {
    const routes = values['routes'];
    return explain(
      positionals[0]!,
      typeof routes === 'string' ? routes : undefined,
      headersOf(values['header']),
      values['json'] === true,
      io,
    );
  },
};
