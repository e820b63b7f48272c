/**
 * Composition of the request-queue function: the shared core plus the SQS record handler,
 * built once per cold start (on the first invocation) and reused.
 * Owns: wiring only. Every decision lives in the modules it wires.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { makeRecordHandler } from '../intake/queueRecord.ts';
import { buildCore } from './core.ts';
import { logger } from './logger.ts';
import { metrics } from './metrics.ts';

const build = () => {
  const core = buildCore();
  const handleRecord = makeRecordHandler({
    run: core.runner.run,
    store: core.store,
    deadLetters: core.deadLetters,
    sqs: core.sqs,
    queueUrl: core.config.REQUEST_QUEUE_URL,
    maxAttempts: core.config.DR_MAX_ATTEMPTS,
    backoff: core.backoff,
    log: logger,
    mode: core.mode,
    pauseRecheckSeconds: core.config.DR_PAUSE_RECHECK_SECONDS,
    operations: core.operations,
    approvals: core.approvals,
    count: (metric) => metrics.addMetric(metric, 'Count', 1),
  });
  return { runner: core.runner, handleRecord };
};

let app: ReturnType<typeof build> | undefined;

/** Processes a batch concurrently and reports the records to retry (ReportBatchItemFailures). */
export const processRequestBatch = async (
  event: SQSEvent,
  context: Context,
  signal?: AbortSignal,
): Promise<SQSBatchResponse> => {
  app ??= build();
  const { runner, handleRecord } = app;
  // A processor per invocation: it holds the batch's state, and invocations may overlap in one process.
  const processor = new BatchProcessor(EventType.SQS);
  runner.registerContext(context);
  return processPartialResponse(event, (record: SQSRecord) => handleRecord(record, signal), processor, {
    context,
    throwOnFullBatchFailure: false,
  });
};
