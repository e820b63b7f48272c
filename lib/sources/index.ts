/**
 * The alarm sources layer: every alarm shape recognised and normalised to one AlarmSignal, with the
 * authentication each sender supports (bearer tokens, SMN signatures). Owns: nothing beyond
 * re-exports and `detectAwsAlarm`. Must not touch: routing, cooldowns, the handlers.
 */
import { parseCloudWatchEvent } from './cloudwatch.ts';
import type { AlarmSignal } from './types.ts';

export { parseAlertmanagerWebhook } from './alertmanager.ts';
export { verifyBearer } from './bearer.ts';
export { type CloudEyeEnvelope, parseCloudEyeAlarm } from './cloudEye.ts';
export { ACCEPTED_CLOUDWATCH_SHAPES, parseCloudWatchEvent } from './cloudwatch.ts';
export { SmnFetchError, SmnRefusedError } from './errors.ts';
export { parseGrafanaWebhook } from './grafana.ts';
export { HUAWEI_CLOUD_REGIONS, isKnownHuaweiRegion } from './huaweiRegions.ts';
export {
  createSmnFetch,
  pinnedSmnFetch,
  type SmnFetch,
  SmnVerifier,
  type SmnVerifierOptions,
} from './SmnVerifier.ts';
export {
  isAllowedSmnUrl,
  SMN_MESSAGE_TYPES,
  type SmnMessage,
  SmnMessageSchema,
  type SmnMessageType,
  smnStringToSign,
} from './smn.ts';
export {
  DEFAULT_SMN_MAX_AGE_SECONDS,
  handleSmnDelivery,
  SMN_MAX_FUTURE_SECONDS,
  SMN_TOPICS_HELP,
  type SmnDeliveryDeps,
  type SmnDeliveryResult,
} from './smnDelivery.ts';
export { parseSmnTopicUrn, type SmnTopic, smnTopicUrn, TOPIC_URN_HINT } from './smnTopics.ts';
export {
  type AlarmSignal,
  AlarmSignalSchema,
  SIGNAL_SHAPES,
  SIGNAL_SOURCES,
  SIGNAL_STATES,
  type SignalShape,
  type SignalSource,
  type SignalState,
} from './types.ts';

/**
 * The alarm Lambda's entry: any Lambda event in; the signals of a CloudWatch alarm state change
 * (SNS, EventBridge or Lambda alarm action) out, or a ValidationError that says what arrived
 * (an SQS batch, an HTTP request, some other object...) and which shapes are accepted.
 * HTTP-delivered alarms (Alertmanager, Grafana, Cloud Eye via SMN) have their own routes and parsers.
 */
export const detectAwsAlarm = (event: unknown): AlarmSignal[] => parseCloudWatchEvent(event);
