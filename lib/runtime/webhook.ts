/**
 * Wiring of the webhook function (API Gateway HTTP API): one router over the request routes
 * (`/v1/requests`: signed, enqueued, status) and the alert routes, built once per cold start; each
 * request then goes straight down through lib/http. The only logic here is the last-resort 500.
 * Owns: construction, and turning an unexpected error into a problem answer.
 */
import { readFileSync } from 'node:fs';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { alertRoutes } from '../http/alerts.ts';
import { fromApiGateway, toApiGateway } from '../http/apigw.ts';
import { problem } from '../http/problem.ts';
import { requestRoutes } from '../http/requests.ts';
import { createRouter } from '../http/router.ts';
import { RequestQueue } from '../intake/requestQueue.ts';
import { createSmnFetch, pinnedSmnFetch, SmnVerifier } from '../sources/index.ts';
import { IdempotencyKeyStore } from '../store/idempotencyKeys.ts';
import { buildAlarmPipeline } from './alarms.ts';
import { buildCore } from './core.ts';
import { logger } from './logger.ts';
import { alertTokensProvider, hmacSecretsProvider } from './webhookSecrets.ts';

const build = () => {
  const core = buildCore();
  const pipeline = buildAlarmPipeline(core);
  const { config, sqs, dynamo, store } = core;
  const router = createRouter([
    ...requestRoutes({
      hmacSecrets: hmacSecretsProvider(config),
      queue: new RequestQueue(sqs, config.REQUEST_QUEUE_URL),
      store,
      idempotencyKeys: new IdempotencyKeyStore({
        client: dynamo,
        table: config.STATE_TABLE,
        ttlSeconds: 86_400,
      }),
      now: () => new Date(),
      log: logger,
    }),
    ...alertRoutes({
      bearerTokens: alertTokensProvider(core.config),
      pipeline,
      smn: {
        verifier: new SmnVerifier({
          fetch: config.DR_SMN_CERT_FILE
            ? pinnedSmnFetch(readFileSync(config.DR_SMN_CERT_FILE, 'utf8'))
            : createSmnFetch(),
        }),
        fetch: createSmnFetch(),
      },
      log: logger,
    }),
  ]);
  return { core, router };
};
let app: ReturnType<typeof build> | undefined;

export const handleHttp = async (
  event: APIGatewayProxyEventV2,
  context: Context,
  signal?: AbortSignal,
): Promise<APIGatewayProxyStructuredResultV2> => {
  app ??= build();
  app.core.runner.registerContext(context);
  try {
    const invocation = { remainingMs: () => context.getRemainingTimeInMillis(), signal };
    return toApiGateway(await app.router(fromApiGateway(event), invocation));
  } catch (error) {
    logger.error('request failed', error as Error);
    return toApiGateway(problem(500, 'Internal Server Error', 'the request could not be processed; retry'));
  }
};
