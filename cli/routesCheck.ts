/**
 * `dr-relay routes check [file] [--json]`: validates the alarm routes file and prints each route
 * (name, match, on, action, target, cooldown, and the approval it asks for) or every problem.
 * Exit 0 valid, 1 invalid.
 * Owns: that report. Must not touch: validation rules (lib/routing), dispatch (commands.ts).
 */

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { actionFor } from '../lib/actions/catalogue.ts';
import { compileRoutes, type Route } from '../lib/routing/routes.ts';
import { ANY_SOURCE } from '../lib/routing/schema.ts';
import type { Command } from './command.ts';
import { issueLines, issuesOfError, matchText, plural } from './format.ts';
import { type CliIo, EXIT } from './io.ts';
import { loadRoutesFor, routesPathFor } from './routesFile.ts';

export const targetOf = (route: Route): string => actionFor(route.action).target(route);

const routeJson = (route: Route) => ({
  name: route.name,
  match: route.match,
  on: route.on,
  action: route.action,
  region: route.region,
  project_id: route.project_id,
  params: route.params,
  target: targetOf(route),
  cooldown_seconds: route.cooldown_seconds,
  ...(route.approval ? { approval: route.approval } : {}),
});

/** `approval within 1800 s by alice, ops-bot, then cancel` (who may decide, and what the timer does). */
export const approvalText = (approval: NonNullable<Route['approval']>): string =>
  `approval within ${approval.timeout_seconds} s by ${
    approval.approvers ? approval.approvers.join(', ') : 'anyone who can sign'
  }, then ${approval.on_timeout}`;

const routeLine = (route: Route, width: number): string =>
  `  ${route.name.padEnd(width)}  match ${matchText(route.match)} | on [${route.on.join(', ')}] | ` +
  `${route.action} -> ${targetOf(route)} (${route.region}) | cooldown ${route.cooldown_seconds} s` +
  (route.approval ? ` | ${approvalText(route.approval)}` : '');

/** A route that trusts every sender: anyone holding any sender's credential can trigger it. */
const warningsOf = (routes: readonly Route[]): string[] =>
  routes
    .filter((r) => r.match.source === ANY_SOURCE)
    .map(
      (r) =>
        `route ${r.name} accepts any sender (source: any): whoever can deliver an alarm from any source can trigger ${r.action}; name its source`,
    );

const check = (file: string | undefined, json: boolean, io: CliIo): number => {
  const shown = routesPathFor(file, io);
  let routes: Route[];
  try {
    routes = loadRoutesFor(shown, io);
  } catch (error) {
    const issues = issuesOfError(error);
    if (json) io.out(JSON.stringify({ ok: false, file: shown, issues }, null, 2));
    else io.out([`INVALID: ${shown}: ${plural(issues.length, 'problem')}`, ...issueLines(issues)].join('\n'));
    return EXIT.invalid;
  }
  const warnings = warningsOf(routes);
  if (json) {
    io.out(JSON.stringify({ ok: true, file: shown, routes: routes.map(routeJson), warnings }, null, 2));
  } else {
    const width = Math.max(0, ...routes.map((r) => r.name.length));
    io.out(
      [
        `OK: ${plural(routes.length, 'route')} in ${shown}`,
        ...routes.map((r) => routeLine(r, width)),
        ...warnings.map((w) => `WARNING: ${w}`),
      ].join('\n'),
    );
  }
  return EXIT.ok;
};

export const routesCheckCommand: Command = {
  words: ['routes', 'check'],
  args: '[file] [--json]',
  summary:
    'validate the alarm routes file (default $DR_ROUTES_FILE, else routes.yml); list routes or every problem',
  options: { json: { type: 'boolean' } },
  positionals: { min: 0, max: 1 },
  run: ({ positionals, values }, io) => check(positionals[0], values['json'] === true, io),
};

/** `dr-relay routes compile <file> <out.json>`: validates, then writes the JSON the functions load. */
const compile = (file: string, out: string, io: CliIo): number => {
  let text: string;
  try {
    text = compileRoutes(resolve(io.cwd, file), file);
  } catch (error) {
    const issues = issuesOfError(error);
    io.out([`INVALID: ${file}: ${plural(issues.length, 'problem')}`, ...issueLines(issues)].join('\n'));
    return EXIT.invalid;
  }
  const target = resolve(io.cwd, out);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, text);
  io.out(`compiled ${file} -> ${out}`);
  return EXIT.ok;
};

export const routesCompileCommand: Command = {
  words: ['routes', 'compile'],
  args: '<file> <out.json>',
  summary: 'validate the routes file and write the compiled JSON the functions load (packaging runs it)',
  options: {},
  positionals: { min: 2, max: 2 },
  run: ({ positionals }, io) => compile(positionals[0] ?? '', positionals[1] ?? '', io),
};
