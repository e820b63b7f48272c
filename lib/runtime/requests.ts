/**
 * Composition of the request-queue function: configuration -> clients -> executor -> record handler,
 * built once per cold start (on the first invocation) and reused.
 * Owns: wiring only. Every decision lives in the modules it wires.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { loadConfig } from '../config/env.ts';
import { Executor } from '../execution/executor.ts';
import { makeIdempotentRunner } from '../execution/idempotent.ts';
import { HuaweiClient } from '../huawei/client.ts';
import { DeadLetterQueue } from '../queue/deadLetter.ts';
import { makeRecordHandler } from '../queue/recordHandler.ts';
import { StatusStore } from '../store/status.ts';
import { dynamoClient, sqsClient } from './aws.ts';
import { credentialsProvider } from './credentials.ts';
import { logger } from './logger.ts';

const build = () => {
  const config = loadConfig();
  const dynamo = dynamoClient();
  const sqs = sqsClient();
  const store = new StatusStore({
    client: dynamo,
    table: config.STATE_TABLE,
    ttlSeconds: config.DR_IDEMPOTENCY_TTL_SECONDS,
  });
  const executor = new Executor({
    client: new HuaweiClient({
      credentials: credentialsProvider(config),
      timeoutMs: config.DR_HTTP_TIMEOUT_MS,
      connectTimeoutMs: config.DR_CONNECT_TIMEOUT_MS,
    }),
    store,
    endpoints: { dws: config.DR_ENDPOINT_DWS, csbs: config.DR_ENDPOINT_CSBS, dcs: config.DR_ENDPOINT_DCS },
    mode: config.DR_AUTOMATION,
    log: logger,
  });
  const runner = makeIdempotentRunner((job, signal) => executor.execute(job, signal), {
    client: dynamo,
    table: config.STATE_TABLE,
    ttlSeconds: config.DR_IDEMPOTENCY_TTL_SECONDS,
  });
  const handleRecord = makeRecordHandler({
    run: runner.run,
    store,
    deadLetters: new DeadLetterQueue(sqs, config.DEAD_LETTER_QUEUE_URL),
    sqs,
    queueUrl: config.REQUEST_QUEUE_URL,
    maxAttempts: config.DR_MAX_ATTEMPTS,
    backoff: { baseSeconds: config.DR_BACKOFF_BASE_SECONDS, maxSeconds: config.DR_BACKOFF_MAX_SECONDS },
    log: logger,
  });
  return { runner, handleRecord };
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
