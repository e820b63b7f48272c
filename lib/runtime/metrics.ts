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
 * metrics to publish" whenever none was added (every `/v1/requests` call and status read, SMN
 * confirmation, refused delivery or unknown path counts nothing), and warns even when metrics are
 * disabled: noise in the logs of CloudWatch, `npm start` and the tests. Nothing is lost by not
 * calling it: an empty publish writes nothing.
 */
export const publishMetrics = (
  target: Metrics = metrics,
): MiddlewareObj<unknown, unknown, Error, Context> => {
  const publishMetricsBefore = async (request: { context: Context }): Promise<void> => {
    target.captureColdStartMetric(request.context.functionName);
  };
  const publishMetricsAfterOrError = async (): Promise<void> => {
    if (target.hasStoredMetrics()) target.publishStoredMetrics();
  };
  return {
    before: publishMetricsBefore,
    after: publishMetricsAfterOrError,
    onError: publishMetricsAfterOrError,
  };
};
