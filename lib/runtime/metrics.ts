/** The one Powertools Metrics instance (EMF; namespace dr-relay). POWERTOOLS_METRICS_DISABLED=true silences it. */
import { Metrics } from '@aws-lambda-powertools/metrics';

export const metrics = new Metrics({
  namespace: process.env['POWERTOOLS_METRICS_NAMESPACE'] ?? 'dr-relay',
  serviceName: process.env['POWERTOOLS_SERVICE_NAME'] ?? 'dr-relay',
});
