/**
 * From alarm signals to actions (rules 1-4), shared by the alarms Lambda and the alert webhooks:
 *   signal -> routes (no match: logged and counted) -> decision (transition into a listed state?)
 *   -> one idempotent job per (route, episode) with the route's cooldown -> executor.
 * Transient failures are retried here with backoff while the invocation has time left; then, like
 * permanent and unconfirmed ones, the request is dead-lettered with the alarm and the route.
 * Owns: that loop. Must not touch: parsing (lib/sources), matching (lib/routing), the remote call.
 */
import {
  IdempotencyAlreadyInProgressError,
  IdempotencyInconsistentStateError,
  IdempotencyItemNotFoundError,
} from '@aws-lambda-powertools/idempotency';
import { type DeadLetterDeps, deadLetter, summarizeError } from '../deadLetters/deadLetter.ts';
import { type BackoffPolicy, backoffSeconds } from '../execution/backoff.ts';
import { AlreadyDeadLetteredError, RetryLaterError, UnconfirmedOutcomeError } from '../execution/errors.ts';
import type { Job, Outcome } from '../execution/executor.ts';
import type { Log } from '../log.ts';
import { routeSignal } from '../routing/match.ts';
import type { Route } from '../routing/routes.ts';
import type { AlarmSignal } from '../sources/types.ts';

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
    };

export interface AlarmPipelineDeps {
  readonly routes: readonly Route[];
  readonly run: (job: Job, signal?: AbortSignal) => Promise<Outcome>;
  readonly deadLetters: DeadLetterDeps;
  readonly log: Log;
  readonly count: (
    metric: 'SignalsUnrouted' | 'SignalsIgnored' | 'ActionsExecuted' | 'ActionsDeadLettered',
  ) => void;
  readonly backoff: BackoffPolicy;
  readonly maxAttempts: number;
  /** Time left in this invocation (ms) and how much one attempt may need: no retry starts without it. */
  readonly remainingMs: () => number;
  readonly attemptBudgetMs: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

const describe = (signal: AlarmSignal) => `${signal.source}:${signal.name}:${signal.state}`;

/** Unconfirmed retries that run out of time are ambiguous, not merely transient. */
const asFinal = (error: unknown): unknown =>
  error instanceof RetryLaterError && error.unconfirmed
    ? new UnconfirmedOutcomeError(`attempts exhausted, last: ${error.message}`, 'unconfirmed', {
        cause: error,
      })
    : error;

export const processSignals = async (
  signals: readonly AlarmSignal[],
  deps: AlarmPipelineDeps,
  abort?: AbortSignal,
): Promise<SignalResult[]> => {
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));

  const execute = async (signal: AlarmSignal, route: Route, job: Job): Promise<SignalResult> => {
    const base = { signal: describe(signal), route: route.name, key: job.key };
    for (let attempt = 1; ; attempt++) {
      try {
        const outcome = await deps.run({ ...job, attempt }, abort);
        deps.count('ActionsExecuted');
        deps.log.info('alarm action done', { ...base, episode: signal.episode, outcome });
        return { ...base, result: 'executed', outcome };
      } catch (error) {
        if (
          error instanceof IdempotencyAlreadyInProgressError ||
          error instanceof IdempotencyItemNotFoundError ||
          error instanceof IdempotencyInconsistentStateError
        ) {
          deps.log.info('same episode in progress in another delivery', base);
          return { ...base, result: 'in_progress_elsewhere' };
        }
        if (error instanceof AlreadyDeadLetteredError) {
          return { ...base, result: 'dead_lettered', reason: 'dead-lettered earlier (duplicate delivery)' };
        }
        const summary = summarizeError(error);
        const delayMs =
          backoffSeconds(attempt, deps.backoff, (error as { retryAfterMs?: number }).retryAfterMs) * 1000;
        const timeLeft = deps.remainingMs() - delayMs > deps.attemptBudgetMs;
        if (summary.kind === 'transient' && attempt < deps.maxAttempts && timeLeft && !abort?.aborted) {
          deps.log.warn('alarm action failed transiently: retrying', {
            ...base,
            attempt,
            delay_ms: delayMs,
            error: summary,
          });
          await sleep(delayMs);
          continue;
        }
        const letter = await deadLetter(deps.deadLetters, {
          error: asFinal(error),
          attempts: attempt,
          key: job.key,
          request: job.request,
          source: { type: 'alarm' },
          alarm: signal,
          route: route.name,
        });
        deps.count('ActionsDeadLettered');
        return { ...base, result: 'dead_lettered', reason: letter.reason };
      }
    }
  };

  const work = signals.flatMap((signal): Promise<SignalResult>[] => {
    const decisions = routeSignal(signal, deps.routes);
    if (decisions.length === 0) {
      deps.count('SignalsUnrouted');
      deps.log.info('signal matched no route', {
        signal: describe(signal),
        episode: signal.episode,
        labels: signal.labels,
      });
      return [Promise.resolve({ signal: describe(signal), result: 'no_route' })];
    }
    return decisions.map((decision) => {
      if (!decision.act) {
        deps.count('SignalsIgnored');
        deps.log.info('signal ignored', {
          signal: describe(signal),
          route: decision.route.name,
          reason: decision.reason,
        });
        return Promise.resolve({
          signal: describe(signal),
          route: decision.route.name,
          result: 'ignored',
          reason: decision.reason,
        });
      }
      return execute(signal, decision.route, {
        key: decision.key,
        request: decision.request,
        attempt: 1,
        cooldown: { seconds: decision.route.cooldown_seconds, route: decision.route.name },
      });
    });
  });
  return Promise.all(work);
};
