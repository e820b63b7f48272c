/**
 * Routing one AlarmSignal: which routes match it, and for each whether it acts (a transition into a
 * state the route lists, whose actions the source does not hold back) with which ActionRequest and
 * idempotency key, or why not.
 * One alarm episode of one route = one request_id = one idempotency key, so redeliveries,
 * re-notifications and HA peers collapse, and a new episode is a new key.
 * Owns: matching (source, alarm glob, labels, a Cloud Eye alarm's topic: smnOrigin.ts), the
 * transition rule, the episode request_id.
 * Must not touch: cooldowns, preflight, the kill switch, execution (later layers); the routes file.
 */
import { createHash } from 'node:crypto';
import { type ActionRequest, idempotencyKey, parseActionRequest } from '../actions/request.ts';
import type { AlarmSignal } from '../sources/index.ts';
import { globMatches } from './glob.ts';
import { ANY_SOURCE, type Route } from './schema.ts';
import { smnOriginMismatches } from './smnOrigin.ts';

/**
 * A matching route's decision. Both carry the episode's key (`episodeRequestId`): an action's
 * idempotency key, or for a signal that does not act (a resolution, a repeat) the key its episode
 * acts under, so later layers can find that episode's request (a pending approval notes a resolution).
 */
export type Decision =
  | { readonly route: Route; readonly act: true; readonly request: ActionRequest; readonly key: string }
  | { readonly route: Route; readonly act: false; readonly reason: string; readonly key: string };

const quote = (value: string): string => JSON.stringify(value);

/** Why `route` does not match `signal`, one reason per failed criterion; empty when it matches. */
export const mismatchesOf = (signal: AlarmSignal, route: Route): string[] => {
  const { source, alarm, labels } = route.match;
  const why: string[] = [];
  if (source !== ANY_SOURCE && source !== signal.source) {
    why.push(`source is ${signal.source}, route wants ${source}`);
  }
  if (alarm !== undefined && !globMatches(alarm, signal.name)) {
    why.push(`name ${quote(signal.name)} does not match ${quote(alarm)}`);
  }
  for (const [label, wanted] of Object.entries(labels ?? {})) {
    const actual = Object.hasOwn(signal.labels, label) ? signal.labels[label] : undefined;
    if (actual === undefined) why.push(`label ${label} is missing (route wants ${quote(wanted)})`);
    else if (!globMatches(wanted, actual)) {
      why.push(`label ${label} is ${quote(actual)}, route wants ${quote(wanted)}`);
    }
  }
  why.push(...smnOriginMismatches(signal, route));
  return why;
};

export const routeMatches = (signal: AlarmSignal, route: Route): boolean =>
  mismatchesOf(signal, route).length === 0;

/** `alarm:<route name>:<first 32 hex of sha256(episode)>`: a valid request_id (route names are 1-64 safe characters). */
export const episodeRequestId = (routeName: string, episode: string): string =>
  `alarm:${routeName}:${createHash('sha256').update(episode, 'utf8').digest('hex').slice(0, 32)}`;

/** For a matching route: act on a transition into a listed state, otherwise say why not. */
export const decide = (signal: AlarmSignal, route: Route): Decision => {
  const episode = episodeRequestId(route.name, signal.episode);
  const no = (reason: string): Decision => ({ route, act: false, reason, key: episode });
  if (!route.on.includes(signal.state)) {
    return no(`state ${signal.state} is not in on: [${route.on.join(', ')}]`);
  }
  if (signal.actions_suppressed_by !== undefined) {
    return no(`actions suppressed by ${signal.actions_suppressed_by} at the source`);
  }
  if (signal.previous_state !== undefined && signal.previous_state === signal.state) {
    return no(`not a transition: previous state is already ${signal.state}`);
  }
  const request = parseActionRequest({
    action: route.action,
    region: route.region,
    project_id: route.project_id,
    params: route.params,
    request_id: episode,
  });
  return { route, act: true, request, key: idempotencyKey(request) };
};

/** One decision per route that matches the signal, in file order (several matches: each runs). */
export const routeSignal = (signal: AlarmSignal, routes: readonly Route[]): Decision[] =>
  routes.filter((route) => routeMatches(signal, route)).map((route) => decide(signal, route));

/** For each route that does not match: `<name>: <reason>; <reason>` (for the CLI and logs). */
export const explainNoMatch = (signal: AlarmSignal, routes: readonly Route[]): string[] =>
  routes.flatMap((route) => {
    const why = mismatchesOf(signal, route);
    return why.length === 0 ? [] : [`${route.name}: ${why.join('; ')}`];
  });
