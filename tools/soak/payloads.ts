/**
 * The alarm payloads of the soak, shaped as each source sends them: Alertmanager (v4) and Grafana
 * webhook groups, Cloud Eye alarms inside SMN notifications signed with the test key (the local stack
 * pins the matching certificate), and CloudWatch state changes as SNS, EventBridge and alarm-action
 * events. Every alarm carries the label (or dimension) `dr_key` its route matches.
 * Owns: payload shapes. Must not touch: routes and keys (alarms.ts), sending (traffic.ts).
 */
import { createHash, sign } from 'node:crypto';
import { type SmnMessage, smnStringToSign } from '../../lib/sources/index.ts';
import { LOCAL } from '../local/constants.ts';
import type { PlannedRequest } from './plan.ts';

export type AlarmVia =
  | 'alertmanager'
  | 'grafana'
  | 'cloud-eye'
  | 'cloudwatch-sns'
  | 'cloudwatch-eventbridge'
  | 'cloudwatch-action';

export const ALARM_NAME = 'SoakTargetDown';
const PROJECT = '89cd04f168b84af6be287f71730fdb4b';
/** The soak's SMN topic: its cloud-eye routes name it (topic_urn), which also allows it. */
export const SOAK_TOPIC_URN = `urn:smn:cn-north-4:${PROJECT}:dr-relay-soak`;
const TOPIC_URN = SOAK_TOPIC_URN;
/** An allowed SMN certificate URL; the local stack pins the test certificate for every such URL. */
const SMN_CERT_URL =
  'https://smn.cn-north-4.myhuaweicloud.com/smn/SMN_cn-north-4_8d6b1c2e4f0a49b7a3c5e9d1f2b4a6c8.pem';
export const ACCOUNT = '123456789012';

const hex = (label: string, length: number) =>
  createHash('sha256').update(label).digest('hex').slice(0, length);

export const labelOf = (index: number) => `a${index}`;
export const routeNameOf = (index: number) => `soak-a${index}`;

/** What a signed SMN delivery carries: the test key signs it as SMN would. */
const signSmn = (message: SmnMessage, keyPem: string): SmnMessage => ({
  ...message,
  signature: sign('sha256', Buffer.from(smnStringToSign(message), 'utf8'), keyPem).toString('base64'),
});

const alert = (run: string, planned: PlannedRequest, startsAt: string) => ({
  status: 'firing',
  labels: { alertname: ALARM_NAME, dr_key: labelOf(planned.index), soak_run: run, severity: 'critical' },
  annotations: { summary: `soak target ${planned.target} is down` },
  startsAt,
  endsAt: '0001-01-01T00:00:00Z',
  generatorURL: 'http://prometheus.soak.invalid/graph',
  fingerprint: hex(`${run}/alert/${planned.index}`, 16),
});

export const alertGroup = (
  source: 'alertmanager' | 'grafana',
  run: string,
  group: number,
  members: readonly PlannedRequest[],
  startsAt: string,
) => {
  const envelope = {
    receiver: 'dr-relay',
    status: 'firing',
    groupLabels: { soak_group: String(group) },
    commonLabels: { alertname: ALARM_NAME, soak_run: run },
    commonAnnotations: {},
    externalURL: `http://${source}.soak.invalid`,
    groupKey: `{}:{soak_group="${run}-${group}"}`,
    truncatedAlerts: 0,
    alerts: members.map((m) => alert(run, m, startsAt)),
  };
  return source === 'alertmanager'
    ? { version: '4', ...envelope }
    : {
        version: '1',
        orgId: 1,
        ...envelope,
        title: `[FIRING:${members.length}] ${ALARM_NAME}`,
        state: 'alerting',
      };
};

export const cloudEyeMessage = (
  run: string,
  planned: PlannedRequest,
  at: number,
  keyPem: string,
): SmnMessage =>
  signSmn(
    {
      type: 'Notification',
      signature: 'unsigned',
      signature_version: 'v1',
      signing_cert_url: SMN_CERT_URL,
      message_id: hex(`${run}/smn/${planned.index}`, 32),
      topic_urn: TOPIC_URN,
      timestamp: new Date(at + 2_000).toISOString().replace('.000Z', 'Z'),
      subject: `[Critical alarm] ${ALARM_NAME} - soak target ${planned.target}`,
      message: JSON.stringify({
        message_type: 'alarm',
        alarm_id: `al${hex(`${run}/cloud-eye/${planned.index}`, 20)}`,
        alarm_name: ALARM_NAME,
        alarm_status: 'alarm',
        time: at,
        namespace: 'SYS.DWS',
        metric_name: 'dws_cluster_status',
        dimension: `dr_key:${labelOf(planned.index)}`,
        template_variable: {
          AccountName: 'soak',
          IsAlarm: true,
          IsCycleTrigger: false,
          AlarmLevel: 'Critical',
        },
      }),
      unsubscribe_url: `https://console.huaweicloud.com/smn/subscription/unsubscribe?region=cn-north-4&subscription_urn=${TOPIC_URN}:soak`,
    },
    keyPem,
  );

export interface CloudWatchEpisode {
  readonly arn: string;
  readonly name: string;
  readonly changedAt: string;
  readonly label: string;
}

export const cloudWatchEvent = (via: AlarmVia, e: CloudWatchEpisode, n: number): unknown => {
  const reason = 'Threshold Crossed: 3 out of the last 3 datapoints were less than the threshold (1.0).';
  const detail = {
    alarmName: e.name,
    state: { value: 'ALARM', reason, timestamp: e.changedAt },
    previousState: { value: 'OK', reason: 'recovered', timestamp: '2024-04-30T22:15:03.207+0000' },
    configuration: {
      description: 'soak',
      metrics: [
        {
          id: 'm1',
          metricStat: {
            metric: { namespace: 'DrRelay/Soak', name: 'PrimaryHealthy', dimensions: { dr_key: e.label } },
            period: 60,
            stat: 'Minimum',
          },
          returnData: true,
        },
      ],
    },
  };
  switch (via) {
    case 'cloudwatch-eventbridge':
      return {
        version: '0',
        id: `${hex(`${e.arn}/${n}`, 8)}-0000-4000-8000-000000000000`,
        'detail-type': 'CloudWatch Alarm State Change',
        source: 'aws.cloudwatch',
        account: ACCOUNT,
        time: e.changedAt.slice(0, 19).concat('Z'),
        region: 'eu-west-1',
        resources: [e.arn],
        detail,
      };
    case 'cloudwatch-action':
      return {
        source: 'aws.cloudwatch',
        alarmArn: e.arn,
        accountId: ACCOUNT,
        time: e.changedAt,
        region: 'eu-west-1',
        alarmData: detail,
      };
    default: {
      const message = {
        AlarmName: e.name,
        AlarmDescription: 'soak',
        AWSAccountId: ACCOUNT,
        NewStateValue: 'ALARM',
        NewStateReason: reason,
        StateChangeTime: e.changedAt,
        Region: 'EU (Ireland)',
        AlarmArn: e.arn,
        OldStateValue: 'OK',
        Trigger: {
          MetricName: 'PrimaryHealthy',
          Namespace: 'DrRelay/Soak',
          Dimensions: [{ name: 'dr_key', value: e.label }],
        },
      };
      return {
        Records: [
          {
            EventSource: 'aws:sns',
            EventVersion: '1.0',
            EventSubscriptionArn: `arn:aws:sns:eu-west-1:${ACCOUNT}:dr-relay-alarms:soak`,
            Sns: {
              Type: 'Notification',
              MessageId: `${hex(`${e.arn}/sns/${n}`, 8)}-0000-4000-8000-000000000000`,
              TopicArn: `arn:aws:sns:eu-west-1:${ACCOUNT}:dr-relay-alarms`,
              Subject: `ALARM: "${e.name}" in EU (Ireland)`,
              Message: JSON.stringify(message),
              Timestamp: new Date().toISOString(),
              SignatureVersion: '1',
              Signature: 'bm90LXZlcmlmaWVkLWJ5LWxhbWJkYQ==',
              SigningCertUrl: 'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-soak.pem',
              UnsubscribeUrl: 'https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe',
              MessageAttributes: {},
            },
          },
        ],
      };
    }
  }
};

/** The headers of an alert from one bearer-token sender (each has its own token). */
export const bearerFor = (source: 'alertmanager' | 'grafana') => ({
  'content-type': 'application/json',
  authorization: `Bearer ${source === 'grafana' ? LOCAL.grafanaToken : LOCAL.alertToken}`,
});
