/**
 * The one Powertools Metrics instance (EMF; namespace dr-relay), and the middy middleware that
 * publishes it. POWERTOOLS_METRICS_DISABLED=true silences it (the local stack sets it).
 * Owns: when metrics are written. Must not touch: which metrics are counted (the wired modules).
 */
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';

export const metrics = new Metrics({
  namespace: process.env['POWERTOOLS_METRICS_NAMESPACE'] ?? 'dr-relay',
  serviceName: process.env['POWERTOOLS_SERVICE_NAME'] ?? 'dr-relay',
});

/**
 * In place of Powertools' `logMetrics`: a `ColdStart` metric on the first invocation of each
 * on-demand execution environment (dimension `function_name`; written at once, as `logMetrics` with
 * `captureColdStartMetric` does; Powertools counts none outside Lambda or under provisioned
 * concurrency), and the invocation's own metrics written only when one was added.
 * `logMetrics` calls `publishStoredMetrics()` after every invocation, which warns "No application
 * metrics to publish" whenever none was added (most invocations: a metric is counted only when a
 * signal is unrouted or ignored or an alarm event refused), and warns even when metrics are
 * disabled: noise in every log line of CloudWatch, `npm start` and the tests, and no metric lost
 * by not calling it (an empty publish writes nothing).
 */
export const publishMetrics = (
  target: Metrics = metrics,
): MiddlewareObj<unknown, unknown, Error, Context> => {
  const publish = async (): Promise<void> => {
    if (target.hasStoredMetrics()) target.publishStoredMetrics();
  };
  return {
    before: async (request) => {
      target.captureColdStartMetric(request.context.functionName);
    },
    after: publish,
    onError: publish,
  };
};
