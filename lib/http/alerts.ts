/**
 * The alert routes (`POST /v1/alerts/{alertmanager,grafana,cloud-eye}`): authenticate the sender,
 * parse its payload into signals, hand them to the alarm pipeline, answer with a summary.
 *   Alertmanager, Grafana: `Authorization: Bearer <token>`, each sender with its own token list
 *   (ALERTMANAGER_BEARER_TOKENS, GRAFANA_BEARER_TOKENS), compared in constant time.
 *   Cloud Eye via SMN: only allowed topics (else 403), fresh messages (else 403), signature verified
 *   against SMN's certificate; subscriptions confirmed. Every SMN refusal is logged.
 * A 2xx means dr-relay took responsibility (acted, skipped, or dead-lettered with context);
 * 4xx: the delivery is refused and senders do not retry; 5xx: try again.
 * Owns: those answers. Must not touch: parsing rules (lib/sources), what happens to a signal.
 */

import { randomUUID } from 'node:crypto';
import { ValidationError } from '../errors.ts';
import type { AlarmProcessor, SignalResult } from '../intake/alarmSignals.ts';
import type { Log } from '../log.ts';
import {
  type AlarmSignal,
  handleSmnDelivery,
  parseAlertmanagerWebhook,
  parseGrafanaWebhook,
  type SmnDeliveryDeps,
  type SmnDeliveryResult,
  SmnFetchError,
  SmnRefusedError,
  verifyBearer,
} from '../sources/index.ts';
import { problem } from './problem.ts';
import type { HttpRoute } from './router.ts';
import { type HttpRequest, type HttpResponse, type InvocationContext, json } from './types.ts';

export interface AlertRouteDeps {
  /** The accepted tokens, read per request (a cached secret, so rotation needs no deploy). */
  readonly bearerTokens: (sender: 'alertmanager' | 'grafana') => Promise<readonly string[]>;
  /** What turns alarms into actions: here, the hand-off to the request queue (lib/intake/alarmHandOff.ts). */
  readonly pipeline: AlarmProcessor;
  readonly smn: SmnDeliveryDeps;
  readonly log: Log;
}

/** Alert payloads can be large (a whole Alertmanager group); anything bigger is refused. */
export const MAX_ALERT_BODY_BYTES = 1024 * 1024;

const invalid = (error: ValidationError): HttpResponse =>
  problem(400, 'Invalid alert payload', error.message, { issues: error.issues });

const clipped = (value: unknown): string | undefined =>
  typeof value === 'string' ? value.slice(0, 200) : undefined;

/** A refused SMN delivery, logged with what identifies it (the headers SMN sets) and why. */
const logSmnRefusal = (log: Log, request: HttpRequest, error: ValidationError | SmnFetchError): void => {
  const header = (name: string) =>
    clipped(Object.entries(request.headers).find(([key]) => key.toLowerCase() === name)?.[1]);
  log.warn('SMN delivery refused', {
    refusal: error instanceof SmnRefusedError ? error.title : error.name,
    topic_urn: header('x-smn-topic-urn'),
    message_id: header('x-smn-message-id'),
    ...(error instanceof ValidationError ? { issues: error.issues } : { url: error.url }),
  });
};

/**
 * The answer to a sender: counts, the request ids and a correlation id, never targets, observed
 * statuses or cooldown times (those stay in the logs, the status records and `dr-relay status`).
 * 202: dr-relay took responsibility; what happens next is on the request queue.
 */
const accepted = (
  log: Log,
  signals: readonly AlarmSignal[],
  results: readonly SignalResult[],
  invocation: InvocationContext,
): HttpResponse => {
  const correlationId = invocation.correlationId ?? randomUUID();
  const ids = [...new Set(results.flatMap((r) => ('key' in r ? [r.key] : [])))];
  log.info('alert delivery handled', { correlation_id: correlationId, results });
  return json(202, {
    signals: signals.length,
    queued: results.filter((r) => r.result === 'queued').length,
    request_ids: ids,
    correlation_id: correlationId,
  });
};

const parseBody = (request: HttpRequest): unknown => {
  try {
    return JSON.parse(request.body);
  } catch {
    throw new ValidationError('the body is not JSON', [{ path: '(body)', message: 'not JSON' }]);
  }
};

export const alertRoutes = (deps: AlertRouteDeps): HttpRoute[] => {
  const guarded =
    (handle: (request: HttpRequest, invocation: InvocationContext) => Promise<HttpResponse>) =>
    async (request: HttpRequest, invocation: InvocationContext): Promise<HttpResponse> => {
      if (Buffer.byteLength(request.body) > MAX_ALERT_BODY_BYTES) {
        return problem(413, 'Payload Too Large', `alert bodies are limited to ${MAX_ALERT_BODY_BYTES} bytes`);
      }
      try {
        return await handle(request, invocation);
      } catch (error) {
        if (error instanceof ValidationError) return invalid(error);
        if (error instanceof SmnFetchError)
          return problem(503, 'SMN unreachable', 'SMN could not be reached; retry');
        throw error;
      }
    };

  const bearerRoute = (
    sender: 'alertmanager' | 'grafana',
    parse: (body: unknown) => AlarmSignal[],
  ): HttpRoute => ({
    method: 'POST',
    path: `/v1/alerts/${sender}`,
    handler: guarded(async (request, invocation) => {
      if (!verifyBearer(request.headers['authorization'], await deps.bearerTokens(sender))) {
        deps.log.warn('alert refused: no valid bearer token for this sender', { sender });
        return problem(
          401,
          'Unauthorized',
          'a valid `Authorization: Bearer <token>` header is required',
          {},
          {
            'www-authenticate': 'Bearer',
          },
        );
      }
      const signals = parse(parseBody(request));
      return accepted(deps.log, signals, await deps.pipeline.process(signals, invocation), invocation);
    }),
  });

  return [
    bearerRoute('alertmanager', parseAlertmanagerWebhook),
    bearerRoute('grafana', parseGrafanaWebhook),
    {
      method: 'POST',
      path: '/v1/alerts/cloud-eye',
      handler: guarded(async (request, invocation) => {
        let delivery: SmnDeliveryResult;
        try {
          delivery = await handleSmnDelivery(request.headers, request.body, deps.smn);
        } catch (error) {
          if (error instanceof ValidationError || error instanceof SmnFetchError) {
            logSmnRefusal(deps.log, request, error);
          }
          if (error instanceof SmnRefusedError) {
            return problem(403, error.title, error.message, { issues: error.issues });
          }
          throw error;
        }
        if (delivery.kind !== 'notification') {
          deps.log.info(`SMN ${delivery.kind}`, {
            topic_urn: delivery.topic_urn,
            message_id: delivery.message_id,
          });
          return json(200, { [delivery.kind]: delivery.topic_urn });
        }
        return accepted(
          deps.log,
          delivery.signals,
          await deps.pipeline.process(delivery.signals, invocation),
          invocation,
        );
      }),
    },
  ];
};
