/**
 * Lambda: the request queue (SQS, ReportBatchItemFailures).
 * Parse and validate each record, execute it exactly once, retry or dead-letter: lib/runtime/requests.ts.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { logger } from '../lib/runtime/logger.ts';
import { metrics, publishMetrics } from '../lib/runtime/metrics.ts';
import { processRequestBatch } from '../lib/runtime/requests.ts';

export const handler = middy<SQSEvent, SQSBatchResponse, Error, Context>({ timeoutEarlyInMillis: 1_000 })
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(publishMetrics(metrics))
  .handler((event, context, { signal }) => processRequestBatch(event, context, signal));
