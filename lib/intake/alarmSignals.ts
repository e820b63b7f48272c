/**
 * From alarm signals to actions (rules 1-4), shared by the alarms Lambda and the alert webhooks:
 *   signal -> routes (no match: logged and counted) -> decision (transition into a listed state?)
 *   -> one idempotent job per (route, episode) with the route's cooldown -> executor.
 * Transient failures are retried here with backoff while the invocation has time left; then, like
 * permanent and unconfirmed ones, the request is dead-lettered with the alarm and the route.
 * What a failure turns into is the shared outcome policy (lib/intake/outcome.ts); `alarm` is always an
 * AlarmSignal here and `abort` the invocation's AbortSignal.
 * Owns: that loop. Must not touch: parsing (lib/sources), matching (lib/routing), the remote call.
 */

import { noteResolution, type ResolutionDeps } from '../approval/resolution.ts';
import { type DeadLetterDeps, deadLetter } from '../deadLetters/deadLetter.ts';
import { DrRelayError } from '../errors.ts';
import type { BackoffPolicy } from '../execution/backoff.ts';
import type { Job, Outcome } from '../execution/executor.ts';
import type { Log } from '../log.ts';
import type { OperationTracker } from '../operations/tracker.ts';
import { routeSignal } from '../routing/match.ts';
import type { Route } from '../routing/schema.ts';
import type { AlarmSignal } from '../sources/types.ts';
import { KEY_PREFIX } from '../store/keys.ts';
import type { AutomationMode } from '../store/settings.ts';
import { alarmAction } from './alarmAction.ts';
import { decideOutcome } from './outcome.ts';
import type { RequestQueue } from './requestQueue.ts';

export type SignalResult =
  | { readonly signal: string; readonly result: 'no_route' }
  | { readonly signal: string; readonly route: string; readonly result: 'ignored'; readonly reason: string }
  | {
      readonly signal: string;
      readonly route: string;
      readonly result: 'executed';
      readonly key: string;
      readonly outcome: Outcome;
    }
  | {
      readonly signal: string;
      readonly route: string;
      readonly result: 'in_progress_elsewhere';
      readonly key: string;
    }
  | {
      readonly signal: string;
      readonly route: string;
      readonly result: 'dead_lettered';
      readonly key: string;
      readonly reason: string;
    }
  | { readonly signal: string; readonly route: string; readonly result: 'queued'; readonly key: string }
  | {
      readonly signal: string;
      readonly route: string;
      readonly result: 'ended_earlier';
      readonly key: string;
      readonly status: string;
    };

/** What turns alarms into actions: acting here (AlarmPipeline) or handing over to the queue (AlarmHandOff). */
export interface AlarmProcessor {
  process(
    alarms: readonly AlarmSignal[],
    invocation: { readonly remainingMs: () => number; readonly signal?: AbortSignal | undefined },
  ): Promise<SignalResult[]>;
}

export interface AlarmPipelineDeps {
  readonly routes: readonly Route[];
  readonly run: (job: Job, abort?: AbortSignal) => Promise<Outcome>;
  readonly deadLetters: DeadLetterDeps;
  readonly log: Log;
  readonly count: (
    metric:
      | 'SignalsUnrouted'
      | 'SignalsIgnored'
      | 'ActionsExecuted'
      | 'ActionsDeadLettered'
      | 'ActionsQueued'
      | 'AutomationNotOn',
  ) => void;
  readonly backoff: BackoffPolicy;
  readonly maxAttempts: number;
  /** Time left in this invocation (ms) and how much one attempt may need: no retry starts without it. */
  readonly remainingMs: () => number;
  readonly attemptBudgetMs: number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Where an action that cannot finish in this invocation is handed over (the request queue). */
  readonly queue?: Pick<RequestQueue, 'sendAlarmAction'>;
  /** The automation mode in force (the stored setting); `on` when absent. */
  readonly mode?: () => Promise<AutomationMode>;
  /** Follows an accepted call's operation to its end. */
  readonly operations?: Pick<OperationTracker, 'start'>;
  /** Notes a resolution on a request awaiting approval (lib/approval/resolution.ts); not noted without it. */
  readonly resolutions?: Omit<ResolutionDeps, 'log'>;
}

const describe = (alarm: AlarmSignal) => `${alarm.source}:${alarm.name}:${alarm.state}`;

export const processSignals = async (
  signals: readonly AlarmSignal[],
  deps: AlarmPipelineDeps,
  abort?: AbortSignal,
): Promise<SignalResult[]> => {
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));

  /**
   * Accepted is not done: follow the operation. Its failure must not reach the outcome policy (the
   * call succeeded and is recorded): it is noted, and the invocation fails once every signal is
   * handled, so Lambda delivers the event again; the replay (the outcome replayed) starts it again.
   */
  const notFollowed: string[] = [];
  const startFollowing = async (job: Job, outcome: Outcome, base: object): Promise<void> => {
    try {
      await deps.operations?.start(job.key, job.request, { recorded: outcome.replayed !== true });
    } catch (error) {
      deps.log.warn('following the operation could not start', { ...base, error: (error as Error).message });
      notFollowed.push(job.key);
    }
  };

  const execute = async (alarm: AlarmSignal, route: Route, episodeJob: Job): Promise<SignalResult> => {
    if (route.approval && deps.queue) {
      // The route asks a person first: the request function proposes it (lib/approval/desk.ts).
      await deps.queue.sendAlarmAction(alarmAction(episodeJob.request, route, alarm));
      deps.count('ActionsQueued');
      return { signal: describe(alarm), route: route.name, key: episodeJob.key, result: 'queued' };
    }
    const mode = (await deps.mode?.()) ?? 'on';
    if (mode !== 'on') deps.count('AutomationNotOn');
    if (mode === 'off' && deps.queue) {
      // Paused: the queue holds the action (under its episode key) until automation is on again.
      await deps.queue.sendAlarmAction(alarmAction(episodeJob.request, route, alarm));
      deps.count('ActionsQueued');
      deps.log.info('automation is off: alarm action queued', { route: route.name, key: episodeJob.key });
      return { signal: describe(alarm), route: route.name, key: episodeJob.key, result: 'queued' };
    }
    // A dry run has its own key space: a later real run of the same episode still acts.
    const job: Job = {
      ...episodeJob,
      key: mode === 'dry-run' ? `${KEY_PREFIX.dryRun}${episodeJob.key}` : episodeJob.key,
      mode,
    };
    const base = { signal: describe(alarm), route: route.name, key: job.key };
    for (let attempt = 1; ; attempt++) {
      try {
        const outcome = await deps.run({ ...job, attempt }, abort);
        if (outcome.status === 'succeeded') await startFollowing(job, outcome, base);
        deps.count('ActionsExecuted');
        deps.log.info('alarm action done', { ...base, episode: alarm.episode, outcome });
        return { ...base, result: 'executed', outcome };
      } catch (error) {
        const disposition = decideOutcome(error, {
          key: job.key,
          attempt,
          maxAttempts: deps.maxAttempts,
          backoff: deps.backoff,
          canWait: (delaySeconds) =>
            deps.remainingMs() - delaySeconds * 1000 > deps.attemptBudgetMs && !abort?.aborted,
          canHandOff: deps.queue !== undefined,
        });
        switch (disposition.kind) {
          case 'in_progress_elsewhere':
            if (deps.queue) {
              // The holder may be a crashed invocation whose claim lapses only at its deadline, and
              // no alarm comes again: the queue looks again until the episode's outcome is recorded.
              await deps.queue.sendAlarmAction(alarmAction(job.request, route, alarm));
              deps.count('ActionsQueued');
              deps.log.info('same episode in progress in another delivery: handed to the queue', base);
              return { ...base, result: 'queued' };
            }
            deps.log.info('same episode in progress in another delivery', base);
            return { ...base, result: 'in_progress_elsewhere' };
          case 'duplicate_of_dead_letter':
            return { ...base, result: 'dead_lettered', reason: 'dead-lettered earlier (duplicate delivery)' };
          case 'retry':
            deps.log.warn('alarm action failed transiently: retrying', {
              ...base,
              attempt,
              delay_ms: disposition.delaySeconds * 1000,
              error: disposition.summary,
            });
            await sleep(disposition.delaySeconds * 1000);
            continue;
          case 'hand_off': {
            // Out of time in this invocation, not out of attempts: the request queue carries it on
            // with its full horizon, under the same key, cooldown and route.
            await deps.queue?.sendAlarmAction(alarmAction(job.request, route, alarm));
            deps.count('ActionsQueued');
            deps.log.warn('alarm action handed to the request queue', {
              ...base,
              attempt,
              error: disposition.summary,
            });
            return { ...base, result: 'queued' };
          }
          case 'dead_letter': {
            const letter = await deadLetter(deps.deadLetters, {
              error: disposition.error,
              attempts: attempt,
              key: job.key,
              request: job.request,
              source: { type: 'alarm' },
              alarm,
              route: route.name,
              keepStatus: disposition.keepStatus,
            });
            if ('outcome' in letter) return { ...base, result: 'ended_earlier', status: letter.outcome };
            deps.count('ActionsDeadLettered');
            return { ...base, result: 'dead_lettered', reason: letter.reason };
          }
        }
      }
    }
  };

  const work = signals.flatMap((alarm): Promise<SignalResult>[] => {
    const decisions = routeSignal(alarm, deps.routes);
    if (decisions.length === 0) {
      deps.count('SignalsUnrouted');
      deps.log.info('signal matched no route', {
        signal: describe(alarm),
        episode: alarm.episode,
        labels: alarm.labels,
      });
      return [Promise.resolve({ signal: describe(alarm), result: 'no_route' })];
    }
    return decisions.map((decision) => {
      if (!decision.act) {
        deps.count('SignalsIgnored');
        return (async (): Promise<SignalResult> => {
          const noted = deps.resolutions
            ? await noteResolution(
                { ...deps.resolutions, log: deps.log },
                alarm,
                decision.route,
                decision.key,
              )
            : undefined;
          const reason = noted ? `${decision.reason}; resolution noted on ${noted}` : decision.reason;
          deps.log.info('signal ignored', { signal: describe(alarm), route: decision.route.name, reason });
          return { signal: describe(alarm), route: decision.route.name, result: 'ignored', reason };
        })();
      }
      return execute(alarm, decision.route, {
        key: decision.key,
        request: decision.request,
        attempt: 1,
        cooldown: { seconds: decision.route.cooldown_seconds, route: decision.route.name },
      });
    });
  });
  const results = await Promise.all(work);
  if (notFollowed.length > 0) throw new OperationsNotFollowedError(notFollowed);
  return results;
};

/**
 * Following an accepted operation could not start (its first check was not sent): thrown after every
 * signal was handled, so that the event is delivered again and the replay starts it.
 */
export class OperationsNotFollowedError extends DrRelayError {
  readonly keys: readonly string[];
  constructor(keys: readonly string[]) {
    super(`following the operation of ${keys.join(', ')} could not start: the event is retried`, 'transient');
    this.name = 'OperationsNotFollowedError';
    this.keys = keys;
  }
}

/** What the wiring builds once per cold start: the pipeline, given each invocation's clock and abort signal. */
export class AlarmPipeline implements AlarmProcessor {
  readonly #deps: Omit<AlarmPipelineDeps, 'remainingMs'>;

  constructor(deps: Omit<AlarmPipelineDeps, 'remainingMs'>) {
    this.#deps = deps;
  }

  process(
    alarms: readonly AlarmSignal[],
    invocation: { readonly remainingMs: () => number; readonly signal?: AbortSignal | undefined },
  ): Promise<SignalResult[]> {
    return processSignals(alarms, { ...this.#deps, remainingMs: invocation.remainingMs }, invocation.signal);
  }
}
