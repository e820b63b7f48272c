/**
 * Lambda: the HTTP API (API Gateway HTTP API, payload 2.0): alert webhooks from Alertmanager,
 * Grafana and Cloud Eye (SMN). Route, authenticate, act: lib/runtime/webhook.ts.
 */
// First: zod reads it when a schema is built (each on its first use), before any module could build one.
import '../lib/runtime/zodJitless.ts';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { logger } from '../lib/runtime/logger.ts';
import { publishMetrics } from '../lib/runtime/metrics.ts';
import { handleHttp } from '../lib/runtime/webhook.ts';

export const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, Context>({
  timeoutEarlyInMillis: 1_000,
})
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(publishMetrics())
  .handler((event, context, { signal }) => handleHttp(event, context, signal));
