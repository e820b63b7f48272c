/**
 * What every function shares, built once per cold start: configuration, AWS clients, the status
 * store, cooldowns, the executor (Huawei client + catalogue; it claims each key in the status
 * record), and the dead-letter queue. Owns: wiring only.
 */
import type { Context } from 'aws-lambda';
import { ApprovalDesk } from '../approval/desk.ts';
import { approvalNotifier } from '../approval/notify.ts';
import { type Config, loadConfig } from '../config/env.ts';
import { DeadLetterQueue } from '../deadLetters/deadLetter.ts';
import { snsNotifier } from '../deadLetters/notify.ts';
import { Executor, type Job } from '../execution/executor.ts';
import { HuaweiClient } from '../huawei/client.ts';
import { endpointOverridesFrom } from '../huawei/endpoints.ts';
import { RequestQueue } from '../intake/requestQueue.ts';
import { snsPublisher } from '../notices.ts';
import { operationNotifier } from '../operations/notify.ts';
import { OperationTracker } from '../operations/tracker.ts';
import { CooldownStore } from '../store/cooldowns.ts';
import { modeReader, SettingsStore } from '../store/settings.ts';
import { DynamoStatusStore } from '../store/status.ts';
import { dynamoClient, sqsClient } from './aws.ts';
import { credentialsProvider } from './credentials.ts';
import { logger } from './logger.ts';

export const buildCore = (config: Config = loadConfig()) => {
  const dynamo = dynamoClient();
  const sqs = sqsClient();
  const store = new DynamoStatusStore({
    client: dynamo,
    table: config.STATE_TABLE,
    ttlSeconds: config.DR_IDEMPOTENCY_TTL_SECONDS,
  });
  const cooldowns = new CooldownStore({ client: dynamo, table: config.STATE_TABLE });
  const executor = new Executor({
    client: new HuaweiClient({
      credentials: credentialsProvider(config),
      timeoutMs: config.DR_HTTP_TIMEOUT_MS,
      connectTimeoutMs: config.DR_CONNECT_TIMEOUT_MS,
    }),
    store,
    cooldowns,
    endpoints: endpointOverridesFrom((variable) => config[variable as keyof Config]?.toString()),
    settings: { dcsApiVersion: config.DR_DCS_API_VERSION },
    mode: config.DR_AUTOMATION,
    log: logger,
  });
  const runner = {
    run: (job: Job, signal?: AbortSignal) => executor.execute(job, signal),
    /** Claims end with the invocation (once per invocation). */
    registerContext: (context: Context) => executor.registerContext(context),
  };
  const deadLetterQueue = new DeadLetterQueue(sqs, config.DEAD_LETTER_QUEUE_URL);
  const requestQueue = new RequestQueue(sqs, config.REQUEST_QUEUE_URL);
  // One publisher for every notice; the SNS client loads on the first notice (lib/notices.ts).
  const sns = config.DEAD_LETTER_TOPIC_ARN ? snsPublisher(config.DEAD_LETTER_TOPIC_ARN) : undefined;
  const approvals = new ApprovalDesk({
    store,
    cooldowns,
    schedule: (event, delaySeconds) => requestQueue.sendApprovalEvent(event, delaySeconds),
    preview: (request) => executor.preview(request),
    ...(sns ? { notify: approvalNotifier(sns, logger) } : {}),
    log: logger,
  });
  const operations = new OperationTracker({
    store,
    observe: executor.observe.bind(executor),
    schedule: (check, delaySeconds) => requestQueue.sendOperationCheck(check, delaySeconds),
    ...(sns ? { notify: operationNotifier(sns, logger) } : {}),
    log: logger,
    policy: {
      baseSeconds: config.DR_OPERATION_CHECK_BASE_SECONDS,
      maxSeconds: config.DR_OPERATION_CHECK_MAX_SECONDS,
      timeLimitSeconds: config.DR_OPERATION_TIME_LIMIT_SECONDS,
      hardLimitFactor: 6,
    },
  });
  // The stored mode (`dr-relay mode`), read at most every 30 s; DR_AUTOMATION until one is set.
  const mode = modeReader(
    new SettingsStore({ client: dynamo, table: config.STATE_TABLE }),
    config.DR_AUTOMATION,
    { maxAgeMs: config.DR_SETTINGS_MAX_AGE_SECONDS * 1000 },
  );
  return {
    config,
    dynamo,
    sqs,
    store,
    cooldowns,
    runner,
    mode,
    requestQueue,
    operations,
    approvals,
    deadLetters: {
      queue: deadLetterQueue,
      store,
      log: logger,
      ...(sns ? { notify: snsNotifier(sns, logger) } : {}),
    },
    backoff: { baseSeconds: config.DR_BACKOFF_BASE_SECONDS, maxSeconds: config.DR_BACKOFF_MAX_SECONDS },
  };
};
export type Core = ReturnType<typeof buildCore>;
