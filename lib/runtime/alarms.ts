/**
 * Wiring of the alarms function (CloudWatch alarm state changes via SNS, EventBridge or a direct
 * alarm action), and of the alarm pipeline it shares with the webhook function: built once per
 * cold start, then every event goes straight down to lib/intake/alarmEvent.ts.
 * Owns: construction only.
 */
import type { Context } from 'aws-lambda';
import { type AlarmEventDeps, type AlarmEventSummary, handleAlarmEvent } from '../intake/alarmEvent.ts';
import { AlarmPipeline } from '../intake/alarmSignals.ts';
import { cloudWatchTrust } from '../sources/cloudwatchTrust.ts';
import { buildCore, type Core } from './core.ts';
import { logger } from './logger.ts';
import { metrics } from './metrics.ts';
import { routesOf } from './routes.ts';

export type { AlarmEventSummary };

/** Time one attempt may need: a state read and a call, each bounded by the HTTP time-out. */
const attemptBudgetMs = (core: Core) => 2 * core.config.DR_HTTP_TIMEOUT_MS + 1_000;

/** The alarm pipeline over the shared core: the alarms function acts itself (AWS-internal sources). */
export const buildAlarmPipeline = (core: Core): AlarmPipeline =>
  new AlarmPipeline({
    routes: routesOf(core.config),
    run: core.runner.run,
    deadLetters: core.deadLetters,
    log: logger,
    count: (metric) => metrics.addMetric(metric, 'Count', 1),
    backoff: core.backoff,
    maxAttempts: core.config.DR_MAX_ATTEMPTS,
    attemptBudgetMs: attemptBudgetMs(core),
    queue: core.requestQueue,
    mode: core.mode,
    operations: core.operations,
    resolutions: { store: core.store, holderOf: (target) => core.cooldowns.holder(target) },
  });

/**
 * Built on the first invocation: the own account comes from the invoked function's ARN, which an
 * execution environment never changes.
 */
const build = (functionArn: string | undefined) => {
  const core = buildCore();
  const trust = cloudWatchTrust({
    functionArn,
    accounts: core.config.DR_AWS_ACCOUNT_IDS,
    alarmTopicArn: core.config.DR_ALARM_TOPIC_ARN,
  });
  logger.info('CloudWatch alarms accepted from', {
    accounts: [...trust.accounts],
    alarm_topic: trust.alarmTopicArn ?? null,
  });
  const deps: AlarmEventDeps = {
    pipeline: buildAlarmPipeline(core),
    deadLetters: core.deadLetters,
    trust,
    log: logger,
    count: (metric) => metrics.addMetric(metric, 'Count', 1),
  };
  return { core, deps };
};
let app: ReturnType<typeof build> | undefined;

export const processAlarmEvent = (
  event: unknown,
  context: Context,
  abort?: AbortSignal,
): Promise<AlarmEventSummary> => {
  app ??= build(context.invokedFunctionArn);
  app.core.runner.registerContext(context);
  return handleAlarmEvent(event, app.deps, {
    remainingMs: () => context.getRemainingTimeInMillis(),
    signal: abort,
  });
};
