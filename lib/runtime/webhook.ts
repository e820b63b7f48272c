/**
 * Wiring of the webhook function (API Gateway HTTP API): one router over the request routes
 * (`/v1/requests`: signed, enqueued, status) and the alert routes, built once per cold start; each
 * request then goes straight down through lib/http. The only logic here is the last-resort 500.
 * This function is reachable from the internet: it holds no Huawei credentials and builds no
 * executor. Alerts are routed and handed to the request queue (lib/intake/alarmHandOff.ts).
 * Owns: construction, and turning an unexpected error into a problem answer.
 */
import { readFileSync } from 'node:fs';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { ApprovalDesk } from '../approval/desk.ts';
import { loadConfig } from '../config/env.ts';
import { alertRoutes } from '../http/alerts.ts';
import { fromApiGateway, toApiGateway } from '../http/apigw.ts';
import { problem } from '../http/problem.ts';
import { requestRoutes } from '../http/requests.ts';
import { createRouter } from '../http/router.ts';
import { AlarmHandOff } from '../intake/alarmHandOff.ts';
import { RequestQueue } from '../intake/requestQueue.ts';
import { routeTopicUrns } from '../routing/smnOrigin.ts';
import { createSmnFetch, pinnedSmnFetch, SmnVerifier } from '../sources/index.ts';
import { CooldownStore } from '../store/cooldowns.ts';
import { IdempotencyKeyStore } from '../store/idempotencyKeys.ts';
import { DynamoStatusStore } from '../store/status.ts';
import { dynamoClient, sqsClient } from './aws.ts';
import { logger } from './logger.ts';
import { metrics } from './metrics.ts';
import { routesOf } from './routes.ts';
import { alertTokensProvider, hmacSecretsProvider, smnTopicsProvider } from './webhookSecrets.ts';

const build = () => {
  const config = loadConfig(process.env, { huawei: false });
  const dynamo = dynamoClient();
  const sqs = sqsClient();
  const store = new DynamoStatusStore({
    client: dynamo,
    table: config.STATE_TABLE,
    ttlSeconds: config.DR_IDEMPOTENCY_TTL_SECONDS,
  });
  const queue = new RequestQueue(sqs, config.REQUEST_QUEUE_URL);
  const cooldowns = new CooldownStore({ client: dynamo, table: config.STATE_TABLE });
  const pipeline = new AlarmHandOff({
    routes: routesOf(config),
    queue,
    store,
    holderOf: (target) => cooldowns.holder(target),
    log: logger,
    count: (metric) => metrics.addMetric(metric, 'Count', 1),
  });
  const router = createRouter([
    ...requestRoutes({
      hmacSecrets: hmacSecretsProvider(config),
      queue,
      store,
      // Decisions only: recorded here, acted on by the request function (which tells the approvers).
      approvals: new ApprovalDesk({
        store,
        schedule: (event, delaySeconds) => queue.sendApprovalEvent(event, delaySeconds),
        log: logger,
      }),
      idempotencyKeys: new IdempotencyKeyStore({
        client: dynamo,
        table: config.STATE_TABLE,
        ttlSeconds: 86_400,
      }),
      now: () => new Date(),
      log: logger,
    }),
    ...alertRoutes({
      bearerTokens: alertTokensProvider(config),
      pipeline,
      smn: {
        verifier: new SmnVerifier({
          fetch: config.DR_SMN_CERT_FILE
            ? pinnedSmnFetch(readFileSync(config.DR_SMN_CERT_FILE, 'utf8'))
            : createSmnFetch(),
        }),
        fetch: createSmnFetch(),
        topics: smnTopicsProvider(config, routeTopicUrns(pipeline.routes)),
        maxAgeSeconds: config.DR_SMN_MAX_AGE_SECONDS,
      },
      log: logger,
    }),
  ]);
  return { router };
};
let app: ReturnType<typeof build> | undefined;

export const handleHttp = async (
  event: APIGatewayProxyEventV2,
  context: Context,
  signal?: AbortSignal,
): Promise<APIGatewayProxyStructuredResultV2> => {
  app ??= build();
  try {
    const invocation = {
      remainingMs: () => context.getRemainingTimeInMillis(),
      signal,
      correlationId: context.awsRequestId,
    };
    return toApiGateway(await app.router(fromApiGateway(event), invocation));
  } catch (error) {
    logger.error('request failed', error as Error);
    return toApiGateway(problem(500, 'Internal Server Error', 'the request could not be processed; retry'));
  }
};
