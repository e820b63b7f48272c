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

/** CloudWatch's time stamp format in alarm events: `2024-05-01T10:00:00.734+0000`. */
const cloudWatchTime = (date: Date) => date.toISOString().replace('Z', '+0000');

/**
 * A CloudWatch alarm state change OK -> ALARM as EventBridge delivers it to the alarms function
 * (the shape of events/alarms/cloudwatch-eventbridge-alarm.json), from `account` in eu-west-1.
 */
export const cloudWatchAlarm = (alarmName: string, account: string): Record<string, unknown> => {
  const now = new Date();
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'CloudWatch Alarm State Change',
    source: 'aws.cloudwatch',
    account,
    time: `${now.toISOString().slice(0, 19)}Z`,
    region: 'eu-west-1',
    resources: [`arn:aws:cloudwatch:eu-west-1:${account}:alarm:${alarmName}`],
    detail: {
      alarmName,
      state: { value: 'ALARM', reason: 'dr-relay bench', timestamp: cloudWatchTime(now) },
      previousState: {
        value: 'OK',
        reason: 'dr-relay bench',
        timestamp: cloudWatchTime(new Date(now.getTime() - 60_000)),
      },
      configuration: { description: 'dr-relay bench cold alarm' },
    },
  };
};

/** An API Gateway HTTP API (payload 2.0) POST event, as tools/local/http.ts builds one. */
export const apiGatewayPost = (
  path: string,
  headers: Record<string, string>,
  body: string,
): Record<string, unknown> => {
  const now = new Date();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    headers: { host: '127.0.0.1', 'content-length': String(Buffer.byteLength(body)), ...headers },
    requestContext: {
      accountId: '000000000000',
      apiId: 'bench',
      domainName: '127.0.0.1',
      domainPrefix: 'bench',
      http: {
        method: 'POST',
        path,
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'dr-relay-bench',
      },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    body,
    isBase64Encoded: false,
  };
};
