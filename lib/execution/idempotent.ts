/**
 * Rule 1 (at most one remote call per idempotency key), with Powertools idempotency on DynamoDB:
 * a conditional put claims the key before `execute` runs; a completed key returns the stored
 * outcome (marked `replayed`); a key in progress raises IdempotencyAlreadyInProgressError; the
 * same key with a different request raises IdempotencyValidationError. A thrown error releases
 * the claim (so retries and redrives can run) - the status record's `call` marker is what stops
 * a blind second call after an unconfirmed one.
 */
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { KEY_PREFIX } from '../store/keys.ts';
import type { Executor, Job, Outcome } from './executor.ts';

export interface IdempotentRunner {
  readonly run: (job: Job, abort?: AbortSignal) => Promise<Outcome>;
  /** Lets in-progress claims expire with the invocation (call once per invocation). */
  readonly registerContext: (context: Context) => void;
}

export const makeIdempotentRunner = (
  executor: Pick<Executor, 'execute'>,
  options: { client: DynamoDBClient; table: string; ttlSeconds: number },
): IdempotentRunner => {
  const config = new IdempotencyConfig({
    eventKeyJmesPath: 'key',
    payloadValidationJmesPath: 'request',
    throwOnNoIdempotencyKey: true,
    expiresAfterSeconds: options.ttlSeconds,
    responseHook: (response) => ({ ...(response as object), replayed: true }),
  });
  const persistenceStore = new DynamoDBPersistenceLayer({
    tableName: options.table,
    awsSdkV3Client: options.client,
  });
  const execute = (job: Job, abort?: AbortSignal): Promise<Outcome> => executor.execute(job, abort);
  const run = makeIdempotent(execute, {
    persistenceStore,
    config,
    keyPrefix: KEY_PREFIX.execution,
    dataIndexArgument: 0,
  });
  return { run, registerContext: (context) => config.registerLambdaContext(context) };
};
