/**
 * Alarms from the internet-facing webhook (Alertmanager, Grafana, Cloud Eye): routed, their episode
 * claimed as a `queued` status record, then handed to the request queue with the route's context
 * (lib/intake/alarmAction.ts). The request function, which holds the Huawei credentials and is not
 * reachable from the internet, acts; the webhook never calls Huawei.
 *   no route / ignored         -> reported, nothing queued
 *   new episode                -> status `queued`, queued
 *   episode queued, not started -> queued again (a lost send is never lost; duplicates are one call)
 *   episode in flight           -> `in_progress`, nothing queued (its message is still on the queue)
 *   episode ended              -> reported with its status, nothing queued
 *   resolved while its request awaits approval (a route that asks a person first)
 *                              -> the resolution noted on the pending request (`approval.resolved_at`;
 *                                 lib/approval/resolution.ts); not cancelled: the approver decides
 * Owns: that table. Must not touch: execution, the Huawei client, parsing.
 */
import { actionFor } from '../actions/catalogue.ts';
import { noteResolution } from '../approval/resolution.ts';
import type { Log } from '../log.ts';
import { routeSignal } from '../routing/match.ts';
import type { Route } from '../routing/schema.ts';
import type { AlarmSignal } from '../sources/types.ts';
import type { StatusStore } from '../store/status.ts';
import { alarmAction } from './alarmAction.ts';
import type { AlarmProcessor, SignalResult } from './alarmSignals.ts';
import type { RequestQueue } from './requestQueue.ts';

export interface AlarmHandOffDeps {
  readonly routes: readonly Route[];
  readonly queue: Pick<RequestQueue, 'sendAlarmAction'>;
  readonly store: Pick<StatusStore, 'createQueued' | 'get' | 'noteApproval'>;
  readonly log: Log;
  readonly count: (metric: 'SignalsUnrouted' | 'SignalsIgnored' | 'ActionsQueued') => void;
  /** Who holds a target (the cooldown store): finds a pending request a new-episode resolution belongs to. */
  readonly holderOf?: (target: string) => Promise<string | undefined>;
}

const describe = (alarm: AlarmSignal) => `${alarm.source}:${alarm.name}:${alarm.state}`;
const ENDED = new Set(['succeeded', 'skipped', 'dead_lettered']);

export class AlarmHandOff implements AlarmProcessor {
  readonly #deps: AlarmHandOffDeps;

  constructor(deps: AlarmHandOffDeps) {
    this.#deps = deps;
  }

  /** The routes it was built with (the webhook derives the SMN topics it accepts from them). */
  get routes(): readonly Route[] {
    return this.#deps.routes;
  }

  /** Handing over takes no time budget: the invocation's clock is not needed. */
  process(alarms: readonly AlarmSignal[], _invocation?: unknown): Promise<SignalResult[]> {
    return Promise.all(alarms.flatMap((alarm) => this.#route(alarm)));
  }

  #route(alarm: AlarmSignal): Promise<SignalResult>[] {
    const deps = this.#deps;
    const decisions = routeSignal(alarm, deps.routes);
    if (decisions.length === 0) {
      deps.count('SignalsUnrouted');
      deps.log.info('signal matched no route', { signal: describe(alarm), episode: alarm.episode });
      return [Promise.resolve({ signal: describe(alarm), result: 'no_route' })];
    }
    return decisions.map(async (decision): Promise<SignalResult> => {
      const base = { signal: describe(alarm), route: decision.route.name };
      if (!decision.act) {
        deps.count('SignalsIgnored');
        const noted = await noteResolution(deps, alarm, decision.route, decision.key);
        const reason = noted ? `${decision.reason}; resolution noted on ${noted}` : decision.reason;
        deps.log.info('signal ignored', { ...base, reason });
        return { ...base, result: 'ignored', reason };
      }
      const { key, request } = decision;
      const created = await deps.store.createQueued(
        key,
        request.action,
        actionFor(request.action).target(request),
      );
      if (!created) {
        const prior = await deps.store.get(key);
        if (prior && ENDED.has(prior.status)) {
          deps.log.info('episode already ended', { ...base, key, status: prior.status });
          return { ...base, key, result: 'ended_earlier', status: prior.status };
        }
        if (prior && prior.status !== 'queued') {
          deps.log.info('episode in progress', { ...base, key, status: prior.status });
          return { ...base, key, result: 'in_progress_elsewhere' };
        }
      }
      await deps.queue.sendAlarmAction(alarmAction(request, decision.route, alarm));
      deps.count('ActionsQueued');
      deps.log.info('alarm action queued', { ...base, key, episode: alarm.episode, action: request.action });
      return { ...base, key, result: 'queued' };
    });
  }
}
