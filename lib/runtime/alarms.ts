/**
 * Wiring of the alarms function (CloudWatch alarm state changes via SNS, EventBridge or a direct
 * alarm action), and of the alarm pipeline it shares with the webhook function: built once per
 * cold start, then every event goes straight down to lib/intake/alarmEvent.ts.
 * Owns: construction only.
 */
import type { Context } from 'aws-lambda';
import { ValidationError } from '../errors.ts';
import { type AlarmEventSummary, handleAlarmEvent } from '../intake/alarmEvent.ts';
import { AlarmPipeline } from '../intake/alarmSignals.ts';
import { loadRoutes } from '../routing/routes.ts';
import { buildCore, type Core } from './core.ts';
import { logger } from './logger.ts';
import { metrics } from './metrics.ts';

export type { AlarmEventSummary };

/** Time one attempt may need: a state read and a call, each bounded by the HTTP time-out. */
const attemptBudgetMs = (core: Core) => 2 * core.config.DR_HTTP_TIMEOUT_MS + 1_000;

/** The alarm pipeline over the shared core: routes loaded (and validated) once per cold start. */
export const buildAlarmPipeline = (core: Core): AlarmPipeline => {
  const routesFile = core.config.DR_ROUTES_FILE;
  if (!routesFile)
    throw new ValidationError('DR_ROUTES_FILE is required by this function', [
      { path: 'DR_ROUTES_FILE', message: 'required' },
    ]);
  return new AlarmPipeline({
    routes: loadRoutes(routesFile),
    run: core.runner.run,
    deadLetters: core.deadLetters,
    log: logger,
    count: (metric) => metrics.addMetric(metric, 'Count', 1),
    backoff: core.backoff,
    maxAttempts: core.config.DR_MAX_ATTEMPTS,
    attemptBudgetMs: attemptBudgetMs(core),
  });
};

const build = () => {
  const core = buildCore();
  return { core, deps: { pipeline: buildAlarmPipeline(core), deadLetters: core.deadLetters } };
};
let app: ReturnType<typeof build> | undefined;

export const processAlarmEvent = (
  event: unknown,
  context: Context,
  abort?: AbortSignal,
): Promise<AlarmEventSummary> => {
  app ??= build();
  app.core.runner.registerContext(context);
  return handleAlarmEvent(event, app.deps, {
    remainingMs: () => context.getRemainingTimeInMillis(),
    signal: abort,
  });
};
