/**
 * Writes the signed Cloud Eye / SMN sample events (events/alarms/cloud-eye-smn-*.json) with the test
 * key, so they verify against cert.pem served at SMN_CERT_URL (SMN_REGIONAL_CERT_URL for the
 * sa-brazil-1 one). Dated 2024 (older than any freshness window: send them with signing.ts freshSmn,
 * as the demo does). Run from the repository root:
 * `node tools/local/smn/regenerate.ts` (signatures are deterministic: re-running changes nothing).
 * Owns: those four sample files. Must not touch: any other file.
 */
import { writeFileSync } from 'node:fs';
import type { SmnMessage } from '../../../lib/sources/smn.ts';
import {
  SMN_REGIONAL_TOPIC_URN as REGIONAL_TOPIC_URN,
  SMN_CERT_URL,
  SMN_REGIONAL_CERT_URL,
  signSmn,
  SMN_SAMPLE_TOPIC_URN as TOPIC_URN,
} from './signing.ts';

const SUBSCRIPTION_URN = `${TOPIC_URN}:9e4b2c7d1a8f4e3b9c6d2e1f0a7b5c8d`;
const DATASTORE_ID = '5f2c9a7e-8b1d-4c3e-9f6a-2d7b4e1c8a90';
const ALARM_ID = 'al17145576000007xPqRsTuV';

const cloudEyeAlarm = (status: 'alarm' | 'ok', time: number, value: number, alarmTime: string) => ({
  message_type: 'alarm',
  alarm_id: ALARM_ID,
  alarm_name: 'DWSPrimaryDown',
  alarm_status: status,
  time,
  namespace: 'SYS.DWS',
  metric_name: 'dws_cluster_status',
  dimension: `datastore_id:${DATASTORE_ID}`,
  period: 60,
  filter: 'average',
  comparison_operator: '=',
  value: 0,
  unit: '',
  count: 3,
  alarmValue: [
    { time: time - 120_000, value },
    { time: time - 60_000, value },
    { time, value },
  ],
  sms_content:
    status === 'alarm'
      ? `[Critical alarm] DWSPrimaryDown: dws-prod cluster status 0 for 3 consecutive periods. ${alarmTime}`
      : `[Alarm cleared] DWSPrimaryDown: dws-prod cluster status back to 1. ${alarmTime}`,
  template_variable: {
    AccountName: 'dr-ops',
    Namespace: 'Data Warehouse Service',
    DimensionName: 'Cluster',
    ResourceName: 'dws-prod',
    ResourceId: DATASTORE_ID,
    MetricName: 'Cluster Status',
    IsAlarm: status === 'alarm',
    IsCycleTrigger: false,
    AlarmLevel: 'Critical',
    Region: 'CN North-Beijing4',
    CurrentData: String(value),
    AlarmTime: alarmTime,
    AlarmRuleName: 'DWSPrimaryDown',
    AlarmDesc: '',
    Count: 3,
    EnterpriseProject: 'default',
  },
});

const headersFor = (message: SmnMessage) => ({
  'content-type': 'application/json; charset=UTF-8',
  'x-smn-message-type': message.type,
  'x-smn-message-id': message.message_id,
  'x-smn-topic-urn': message.topic_urn,
  ...(message.type === 'SubscriptionConfirmation' ? {} : { 'x-smn-subscription-urn': SUBSCRIPTION_URN }),
});

const notification = (messageId: string, timestamp: string, subject: string, alarm: unknown): SmnMessage =>
  signSmn({
    type: 'Notification',
    signature: '',
    subject,
    topic_urn: TOPIC_URN,
    message_id: messageId,
    signature_version: 'v1',
    message: JSON.stringify(alarm),
    unsubscribe_url: `https://console.huaweicloud.com/smn/subscription/unsubscribe?region=cn-north-4&region_id=cn-north-4&subscription_urn=${SUBSCRIPTION_URN}`,
    signing_cert_url: SMN_CERT_URL,
    timestamp,
  });

const subscription: SmnMessage = signSmn({
  type: 'SubscriptionConfirmation',
  signature: '',
  topic_urn: TOPIC_URN,
  message_id: '3a9d5e7f1b2c4d6e8f0a1b2c3d4e5f60',
  signature_version: 'v1',
  message: `You are invited to subscribe to topic: ${TOPIC_URN}. To confirm this subscription, Please visit the following SubscribeURL in this message.`,
  subscribe_url: `https://console.huaweicloud.com/smn/subscription/confirm?token=6f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0&topic_urn=${TOPIC_URN}&region=cn-north-4&region_id=cn-north-4`,
  signing_cert_url: SMN_CERT_URL,
  timestamp: '2024-04-30T08:00:00Z',
});

const regionalSubscription: SmnMessage = signSmn({
  type: 'SubscriptionConfirmation',
  signature: '',
  topic_urn: REGIONAL_TOPIC_URN,
  message_id: '7b2e4c6a8d0f41e3a5c7e9b1d3f5a7c9',
  signature_version: 'v1',
  message: `You are invited to subscribe to topic: ${REGIONAL_TOPIC_URN}. To confirm this subscription, Please visit the following SubscribeURL in this message.`,
  subscribe_url: `https://sa-brazil-1-console.huaweicloud.com/smn/subscription/confirm?token=0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9&topic_urn=${REGIONAL_TOPIC_URN}&region=sa-brazil-1&region_id=sa-brazil-1`,
  signing_cert_url: SMN_REGIONAL_CERT_URL,
  timestamp: '2024-05-02T09:00:00Z',
});

const samples: Record<string, SmnMessage> = {
  'cloud-eye-smn-alarm.json': notification(
    'c2f7e8a91b3d4e6f8a0b1c2d3e4f5a6b',
    '2024-05-01T10:00:02Z',
    '[Critical alarm] DWSPrimaryDown - Data Warehouse Service dws-prod',
    cloudEyeAlarm('alarm', 1_714_557_600_000, 0, '2024/05/01 18:00:00 GMT+08:00'),
  ),
  'cloud-eye-smn-ok.json': notification(
    'd8e1f2a3b4c5467d9e0f1a2b3c4d5e6f',
    '2024-05-01T10:42:01Z',
    '[Alarm cleared] DWSPrimaryDown - Data Warehouse Service dws-prod',
    cloudEyeAlarm('ok', 1_714_560_120_000, 1, '2024/05/01 18:42:00 GMT+08:00'),
  ),
  'cloud-eye-smn-subscription.json': subscription,
  'cloud-eye-smn-subscription-regional.json': regionalSubscription,
};

for (const [file, body] of Object.entries(samples)) {
  const target = new URL(`../../../events/alarms/${file}`, import.meta.url);
  writeFileSync(target, `${JSON.stringify({ headers: headersFor(body), body }, null, 2)}\n`);
  console.log(`wrote events/alarms/${file}`);
}
