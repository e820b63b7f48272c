/**
 * Composition of the alarms function (CloudWatch alarm state changes via SNS, EventBridge or a
 * direct alarm action) and of the alert pipeline shared with the webhook function.
 * Owns: wiring only.
 */
import type { Context } from 'aws-lambda';
import { deadLetter } from '../deadLetters/deadLetter.ts';
import { ValidationError } from '../errors.ts';
import type { InvocationContext } from '../http/types.ts';
import { processSignals, type SignalResult } from '../intake/alarmSignals.ts';
import { loadRoutes } from '../routing/routes.ts';
import { type AlarmSignal, detectAwsAlarm } from '../sources/index.ts';
import { buildCore, type Core } from './core.ts';
import { logger } from './logger.ts';
import { metrics } from './metrics.ts';

/** Time one attempt may need: a state read and a call, each bounded by the HTTP time-out. */
const attemptBudgetMs = (core: Core) => 2 * core.config.DR_HTTP_TIMEOUT_MS + 1_000;

/** The alarm pipeline over the shared core: routes loaded (and validated) once per cold start. */
export const buildAlarmPipeline = (core: Core) => {
  const routesFile = core.config.DR_ROUTES_FILE;
  if (!routesFile)
    throw new ValidationError('DR_ROUTES_FILE is required by this function', [
      { path: 'DR_ROUTES_FILE', message: 'required' },
    ]);
  const routes = loadRoutes(routesFile);
  return (signals: AlarmSignal[], invocation: InvocationContext): Promise<SignalResult[]> =>
    processSignals(
      signals,
      {
        routes,
        run: core.runner.run,
        deadLetters: core.deadLetters,
        log: logger,
        count: (metric) => metrics.addMetric(metric, 'Count', 1),
        backoff: core.backoff,
        maxAttempts: core.config.DR_MAX_ATTEMPTS,
        remainingMs: invocation.remainingMs,
        attemptBudgetMs: attemptBudgetMs(core),
      },
      invocation.signal,
    );
};

const build = () => {
  const core = buildCore();
  return { core, pipeline: buildAlarmPipeline(core) };
};
let app: ReturnType<typeof build> | undefined;

export interface AlarmEventSummary {
  readonly signals: number;
  readonly results: SignalResult[];
  readonly invalid?: string;
}

/**
 * One alarm event: recognised and normalised, routed, acted on. An event of no known shape is
 * dead-lettered with the event itself (retrying it cannot help); infrastructure errors are thrown so
 * Lambda retries the async invocation and, after that, sends it to the on-failure destination.
 */
export const processAlarmEvent = async (
  event: unknown,
  context: Context,
  abort?: AbortSignal,
): Promise<AlarmEventSummary> => {
  app ??= build();
  app.core.runner.registerContext(context);
  let signals: AlarmSignal[];
  try {
    signals = detectAwsAlarm(event);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const letter = await deadLetter(app.core.deadLetters, {
      error,
      attempts: 1,
      rawBody: JSON.stringify(event),
      source: { type: 'alarm' },
    });
    return { signals: 0, results: [], invalid: letter.reason };
  }
  const invocation = { remainingMs: () => context.getRemainingTimeInMillis(), signal: abort };
  return { signals: signals.length, results: await app.pipeline(signals, invocation) };
};
