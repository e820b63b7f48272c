/**
 * What the bench sends: unique valid dcs.restore requests (a fresh instance and backup each, so
 * every request is a new idempotency key on an instance the simulator knows), SQS events built
 * the way tools/local/poller.ts builds them from received messages, and Alertmanager v4 payloads.
 * Owns: generated inputs. Must not touch: the handlers or the stack.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { PROJECT } from '../local/workload.ts';

export { PROJECT };
export const REGION = 'cn-north-4';
export const QUEUE_ARN = 'arn:aws:sqs:us-east-1:000000000000:dr-relay-local-requests';

export interface DcsRestoreRequest {
  readonly action: 'dcs.restore';
  readonly region: string;
  readonly project_id: string;
  readonly params: { readonly instance_id: string; readonly backup_id: string; readonly remark: string };
}

/** `count` requests, each on an instance of its own (seed `instanceIds` of them in the simulator). */
export const dcsRestores = (count: number): DcsRestoreRequest[] =>
  Array.from({ length: count }, () => ({
    action: 'dcs.restore' as const,
    region: REGION,
    project_id: PROJECT,
    params: { instance_id: randomUUID(), backup_id: randomUUID(), remark: 'dr-relay bench' },
  }));

export const instanceIds = (requests: readonly DcsRestoreRequest[]): string[] =>
  requests.map((r) => r.params.instance_id);

/** One SQS record as Lambda's event source mapping delivers it (the poller's toRecord shape). */
export const sqsRecord = (body: string): SQSRecord => {
  const now = String(Date.now());
  return {
    messageId: randomUUID(),
    receiptHandle: randomBytes(48).toString('base64'),
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: now,
      SenderId: 'bench',
      ApproximateFirstReceiveTimestamp: now,
    },
    messageAttributes: {},
    md5OfBody: createHash('md5').update(body).digest('hex'),
    eventSource: 'aws:sqs',
    eventSourceARN: QUEUE_ARN,
    awsRegion: 'us-east-1',
  };
};

export const sqsEvent = (requests: readonly DcsRestoreRequest[]): SQSEvent => ({
  Records: requests.map((r) => sqsRecord(JSON.stringify(r))),
});

/** An Alertmanager v4 webhook with one firing BenchDown alert labelled `dr: <label>`, a new episode. */
export const alertmanagerFiring = (label: string): Record<string, unknown> => {
  const labels = { alertname: 'BenchDown', dr: label, severity: 'critical' };
  return {
    version: '4',
    groupKey: `{}:{dr="${label}"}`,
    truncatedAlerts: 0,
    status: 'firing',
    receiver: 'dr-relay',
    groupLabels: { dr: label },
    commonLabels: labels,
    commonAnnotations: {},
    externalURL: 'http://alertmanager.bench.invalid:9093',
    alerts: [
      {
        status: 'firing',
        labels,
        annotations: { summary: `bench pair ${label} is down` },
        startsAt: new Date().toISOString(),
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: 'http://prometheus.bench.invalid:9090/graph',
        fingerprint: randomBytes(8).toString('hex'),
      },
    ],
  };
};
