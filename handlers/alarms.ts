/**
 * Lambda: CloudWatch alarm state changes (SNS subscription, EventBridge rule, direct alarm action).
 * Recognise, route, act exactly once, dead-letter what cannot be done: lib/runtime/alarms.ts.
 */
// First: zod reads it when a schema is built (each on its first use), before any module could build one.
import '../lib/runtime/zodJitless.ts';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { type AlarmEventSummary, processAlarmEvent } from '../lib/runtime/alarms.ts';
import { logger } from '../lib/runtime/logger.ts';
import { publishMetrics } from '../lib/runtime/metrics.ts';

export const handler = middy<unknown, AlarmEventSummary, Error, Context>({ timeoutEarlyInMillis: 1_000 })
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(publishMetrics())
  .handler((event, context, { signal }) => processAlarmEvent(event, context, signal));
