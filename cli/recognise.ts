/**
 * `explain`'s first step: what kind of event a file holds, and its signals, using the parsers of
 * lib/sources. Accepted: a Lambda event of the alarms function (CloudWatch via SNS, EventBridge or
 * a Lambda alarm action), an Alertmanager or Grafana webhook body, or a Cloud Eye SMN delivery:
 * a file `{headers, body}`, or the raw POST body as an operator copies it from a log (its headers
 * then inferred from the body: type, message_id, topic_urn; or given with --header).
 * The SMN signature is NOT verified and nothing is fetched (offline).
 * Owns: that recognition and its notes. Must not touch: the source schemas (lib/sources), routing.
 */
import { issuesOf, ValidationError } from '../lib/errors.ts';
import { isRecord } from '../lib/json.ts';
import {
  type AlarmSignal,
  detectAwsAlarm,
  parseAlertmanagerWebhook,
  parseCloudEyeAlarm,
  parseGrafanaWebhook,
  type SignalShape,
  type SignalSource,
  SMN_MAX_FUTURE_SECONDS,
  SMN_MESSAGE_TYPES,
  SMN_TOPICS_HELP,
  SmnMessageSchema,
} from '../lib/sources/index.ts';

export interface Recognised {
  readonly source: SignalSource;
  /** What the file is, in words. */
  readonly description: string;
  readonly signals: AlarmSignal[];
  /** What explain did not check, and what happens at run time before routing. */
  readonly notes: string[];
}

export const SHAPE_DESCRIPTIONS: Readonly<Record<SignalShape, string>> = {
  'cloudwatch/sns': 'CloudWatch alarm via SNS (Lambda event of the alarms function)',
  'cloudwatch/eventbridge':
    'CloudWatch alarm state change via EventBridge (Lambda event of the alarms function)',
  'cloudwatch/lambda-action': 'CloudWatch Lambda alarm action (Lambda event of the alarms function)',
  'alertmanager/v4': 'Alertmanager webhook, version 4 (body of POST /v1/alerts/alertmanager)',
  grafana: 'Grafana webhook, version 1 (body of POST /v1/alerts/grafana)',
  'cloud-eye/smn': 'Cloud Eye alarm delivered by SMN (POST /v1/alerts/cloud-eye)',
};

export const ACCEPTED_EVENTS =
  'a Lambda event of the alarms function (CloudWatch via SNS, EventBridge or a Lambda alarm action), ' +
  'an Alertmanager webhook body, a Grafana webhook body, or a Cloud Eye SMN delivery (its POST body, or {headers, body})';

const SMN_NOTE =
  'SMN signature NOT verified and nothing fetched (explain is offline); at run time dr-relay verifies the ' +
  'signature against the SMN signing certificate first and refuses the message if it does not verify';
const smnTopicNote = (topic: string) =>
  `at run time only allowed SMN topics are accepted (else 403, and a confirmation is never confirmed): ${topic} must be in ${SMN_TOPICS_HELP}; a cloud-eye route acts only when the topic's region and project are its own`;
const smnFreshnessNote = (timestamp: string) =>
  `at run time the SMN timestamp (${timestamp}) must be within DR_SMN_MAX_AGE_SECONDS (default 3600 s) of the clock, and at most ${SMN_MAX_FUTURE_SECONDS} s ahead (else 403)`;
const INFERRED_NOTE =
  'a raw SMN body: the X-SMN-MESSAGE-TYPE, X-SMN-MESSAGE-ID and X-SMN-TOPIC-URN headers not given with --header are taken from its type, message_id and topic_urn';
const BEARER_NOTE = (route: string) =>
  `at run time POST /v1/alerts/${route} also requires Authorization: Bearer <token> (not checked here)`;

const invalid = (what: string, issues: { path: string; message: string }[]): ValidationError =>
  new ValidationError(`invalid ${what}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues);

/** Re-throws a ValidationError with every path under `prefix` (so paths point into the file). */
const under = <T>(prefix: string, run: () => T): T => {
  try {
    return run();
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const what = /^invalid ([^:]+):/.exec(error.message)?.[1] ?? 'event';
    throw invalid(
      what,
      error.issues.map((i) => ({ path: `${prefix}.${i.path}`, message: i.message })),
    );
  }
};

const headerOf = (headers: unknown, name: string): unknown =>
  isRecord(headers) ? Object.entries(headers).find(([k]) => k.toLowerCase() === name)?.[1] : undefined;

/** Header names in lower case; later groups win (Object.fromEntries keeps any key as own data). */
const mergeHeaders = (...groups: unknown[]): Record<string, unknown> => {
  const merged = new Map<string, unknown>();
  for (const group of groups) {
    if (isRecord(group))
      for (const [key, value] of Object.entries(group)) merged.set(key.toLowerCase(), value);
  }
  return Object.fromEntries(merged);
};

/** What SMN sets as headers, from the body's own fields (a raw body copied from a log). */
const inferredSmnHeaders = (body: Record<string, unknown>): Record<string, unknown> => ({
  ...(typeof body['type'] === 'string' ? { 'x-smn-message-type': body['type'] } : {}),
  ...(typeof body['message_id'] === 'string' ? { 'x-smn-message-id': body['message_id'] } : {}),
  ...(typeof body['topic_urn'] === 'string' ? { 'x-smn-topic-urn': body['topic_urn'] } : {}),
});

/** A raw SMN POST body: an SMN message type, or the fields every SMN message carries. */
const isRawSmnBody = (event: Record<string, unknown>): boolean =>
  (typeof event['type'] === 'string' && (SMN_MESSAGE_TYPES as readonly string[]).includes(event['type'])) ||
  (Object.hasOwn(event, 'topic_urn') && Object.hasOwn(event, 'signing_cert_url'));

const recogniseSmn = (file: Record<string, unknown>, extraNotes: string[] = []): Recognised => {
  let body = file['body'];
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch (error) {
      throw invalid('SMN delivery', [{ path: 'body', message: `is not JSON (${(error as Error).message})` }]);
    }
  }
  const parsed = SmnMessageSchema.safeParse(body);
  if (!parsed.success) {
    throw invalid('SMN delivery', issuesOf(parsed.error, ['body']));
  }
  const message = parsed.data;
  const headerType = headerOf(file['headers'], 'x-smn-message-type');
  if (headerType !== undefined && headerType !== message.type) {
    throw invalid('SMN delivery', [
      {
        path: 'headers.x-smn-message-type',
        message: `is ${JSON.stringify(headerType)?.slice(0, 60)} but the body's type is "${message.type}"`,
      },
    ]);
  }
  const headerTopic = headerOf(file['headers'], 'x-smn-topic-urn');
  if (headerTopic !== undefined && headerTopic !== message.topic_urn) {
    throw invalid('SMN delivery', [
      {
        path: 'headers.x-smn-topic-urn',
        message: `is ${JSON.stringify(headerTopic)?.slice(0, 120)} but the body's topic_urn is ${JSON.stringify(message.topic_urn.slice(0, 120))}`,
      },
    ]);
  }
  const smnNotes = [
    ...extraNotes,
    SMN_NOTE,
    smnTopicNote(message.topic_urn),
    smnFreshnessNote(message.timestamp),
  ];
  if (message.type !== 'Notification') {
    return {
      source: 'cloud-eye',
      description: `SMN ${message.type} (POST /v1/alerts/cloud-eye)`,
      signals: [],
      notes: [
        ...smnNotes,
        message.type === 'SubscriptionConfirmation'
          ? 'a subscription confirmation carries no alarm: at run time dr-relay confirms it (GET subscribe_url, only an allowed SMN or console URL of a known region) and routes nothing'
          : 'an unsubscribe confirmation carries no alarm: at run time dr-relay acknowledges it and routes nothing',
      ],
    };
  }
  const signals = under('body', () => parseCloudEyeAlarm(message.message, message));
  return {
    source: 'cloud-eye',
    description: SHAPE_DESCRIPTIONS['cloud-eye/smn'],
    signals,
    notes: smnNotes,
  };
};

const fromSignals = (source: SignalSource, signals: AlarmSignal[], notes: string[]): Recognised => {
  const shape = signals[0]?.shape;
  return { source, description: shape ? SHAPE_DESCRIPTIONS[shape] : source, signals, notes };
};

const AWS_KEYS = ['Records', 'detail-type', 'detail', 'alarmData'];

export interface RecogniseOptions {
  /** Headers given on the command line (`--header 'X-SMN-MESSAGE-TYPE: Notification'`): they win. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** Recognises an event (already JSON-parsed) and returns its signals; ValidationError naming the bad field. */
export const recogniseEvent = (event: unknown, options: RecogniseOptions = {}): Recognised => {
  if (isRecord(event)) {
    if (Object.hasOwn(event, 'requestContext')) {
      throw invalid('event', [
        {
          path: 'requestContext',
          message:
            'an API Gateway request: give explain its body (the webhook JSON), or an SMN {headers, body} file',
        },
      ]);
    }
    if (Object.hasOwn(event, 'headers') && Object.hasOwn(event, 'body')) {
      return recogniseSmn({ headers: mergeHeaders(event['headers'], options.headers), body: event['body'] });
    }
    if (isRawSmnBody(event)) {
      return recogniseSmn(
        { headers: mergeHeaders(inferredSmnHeaders(event), options.headers), body: event },
        [INFERRED_NOTE],
      );
    }
    if (Object.hasOwn(event, 'alerts')) {
      return Object.hasOwn(event, 'orgId') || event['version'] === '1'
        ? fromSignals('grafana', parseGrafanaWebhook(event), [BEARER_NOTE('grafana')])
        : fromSignals('alertmanager', parseAlertmanagerWebhook(event), [BEARER_NOTE('alertmanager')]);
    }
    if (AWS_KEYS.some((k) => Object.hasOwn(event, k)) || event['source'] === 'aws.cloudwatch') {
      return fromSignals('cloudwatch', detectAwsAlarm(event), []);
    }
  }
  throw invalid('event', [
    { path: '(root)', message: `not a recognised event: expected ${ACCEPTED_EVENTS}` },
  ]);
};
