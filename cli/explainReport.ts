/**
 * `explain`'s report: for each signal of an event, every route (matched or why not), each match's
 * decision (act or why not) and, for an action, the plan (the approval its route asks for, key,
 * target, cooldown, exact call).
 * Plain data: the JSON output as is, and what the text output renders.
 * Owns: that report. Must not touch: recognition (recognise.ts), rendering (explainText.ts).
 */
import type { ActionRequest } from '../lib/actions/request.ts';
import { decide, mismatchesOf } from '../lib/routing/match.ts';
import type { Route } from '../lib/routing/routes.ts';
import type { AlarmSignal } from '../lib/sources/index.ts';
import type { CliIo } from './io.ts';
import { type Plan, planFor } from './plan.ts';
import type { Recognised } from './recognise.ts';

export type RouteOutcome =
  | { readonly route: string; readonly matched: false; readonly why: string[] }
  | { readonly route: string; readonly matched: true; readonly act: false; readonly reason: string }
  | ({
      readonly route: string;
      readonly matched: true;
      readonly act: true;
      readonly key: string;
      readonly cooldown_seconds: number;
      readonly request: ActionRequest;
    } & Plan);

export interface SignalReport {
  readonly name: string;
  readonly source: string;
  readonly shape: string;
  readonly state: string;
  readonly previous_state: string | null;
  readonly episode: string;
  readonly occurred_at: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly routes: RouteOutcome[];
}

export interface ExplainReport {
  readonly ok: true;
  readonly event: string;
  readonly recognised: { readonly source: string; readonly description: string };
  readonly routes_file: string;
  readonly route_count: number;
  readonly signals: SignalReport[];
  /** Act decisions, and how many distinct idempotency keys they carry. */
  readonly actions: number;
  /** Of those, the ones whose route asks a person first (proposed, not run, until decided). */
  readonly awaiting_approval: number;
  readonly distinct_keys: number;
  readonly notes: string[];
}

const outcomeOf = (signal: AlarmSignal, route: Route, io: CliIo): RouteOutcome => {
  const why = mismatchesOf(signal, route);
  if (why.length > 0) return { route: route.name, matched: false, why };
  const decision = decide(signal, route);
  if (!decision.act) return { route: route.name, matched: true, act: false, reason: decision.reason };
  return {
    route: route.name,
    matched: true,
    act: true,
    key: decision.key,
    cooldown_seconds: route.cooldown_seconds,
    request: decision.request,
    ...planFor(route, decision.request, decision.key, io),
  };
};

type Act = Extract<RouteOutcome, { act: true }>;

const groupBy = <T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> => {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(keyOf(item), [...(groups.get(keyOf(item)) ?? []), item]);
  return groups;
};

/** Notes across signals: one key acted on twice is one call; one target reached twice is held by its cooldown. */
const crossNotes = (acts: Act[]): string[] => {
  const notes: string[] = [];
  const byKey = groupBy(acts, (a) => a.key);
  for (const [key, same] of byKey) {
    if (same.length > 1) notes.push(`${same.length} decisions carry key ${key}: one call at most`);
  }
  const byTarget = groupBy(
    [...byKey.values()].map((same) => same[0]!),
    (a) => a.target,
  );
  for (const [target, same] of byTarget) {
    if (same.length < 2) continue;
    const held = same.filter((a) => a.cooldown_seconds > 0).length;
    notes.push(
      held > 0
        ? `${same.length} actions reach ${target} (${same.map((a) => a.route).join(', ')}): its cooldown lets only the first run`
        : `${same.length} actions reach ${target} (${same.map((a) => a.route).join(', ')}) with no cooldown: each runs`,
    );
  }
  return notes;
};

export const buildExplainReport = (
  event: string,
  recognised: Recognised,
  routesFile: string,
  routes: readonly Route[],
  io: CliIo,
): ExplainReport => {
  const signals = recognised.signals.map(
    (signal): SignalReport => ({
      name: signal.name,
      source: signal.source,
      shape: signal.shape,
      state: signal.state,
      previous_state: signal.previous_state ?? null,
      episode: signal.episode,
      occurred_at: signal.occurred_at,
      labels: signal.labels,
      routes: routes.map((route) => outcomeOf(signal, route, io)),
    }),
  );
  const acts = signals.flatMap((s) => s.routes.filter((r): r is Act => r.matched && r.act));
  return {
    ok: true,
    event,
    recognised: { source: recognised.source, description: recognised.description },
    routes_file: routesFile,
    route_count: routes.length,
    signals,
    actions: acts.length,
    awaiting_approval: acts.filter((a) => a.approval !== undefined).length,
    distinct_keys: new Set(acts.map((a) => a.key)).size,
    notes: [...recognised.notes, ...crossNotes(acts)],
  };
};
