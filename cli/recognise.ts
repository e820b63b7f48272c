/**
 * `explain`'s first step: what kind of event a file holds, and its signals, using the parsers of
 * lib/sources. Accepted: a Lambda event of the alarms function (CloudWatch via SNS, EventBridge or
 * a Lambda alarm action), an Alertmanager or Grafana webhook body, or a Cloud Eye SMN delivery
 * file `{headers, body}`. The SMN signature is NOT verified and nothing is fetched (offline).
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
  'an Alertmanager webhook body, a Grafana webhook body, or a Cloud Eye SMN delivery {headers, body}';

const SMN_NOTE =
  'SMN signature NOT verified and nothing fetched (explain is offline); at run time dr-relay verifies the ' +
  'signature against the SMN signing certificate first and refuses the message if it does not verify';
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

const recogniseSmn = (file: Record<string, unknown>): Recognised => {
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
  if (message.type !== 'Notification') {
    return {
      source: 'cloud-eye',
      description: `SMN ${message.type} (POST /v1/alerts/cloud-eye)`,
      signals: [],
      notes: [
        SMN_NOTE,
        message.type === 'SubscriptionConfirmation'
          ? 'a subscription confirmation carries no alarm: at run time dr-relay confirms it (GET subscribe_url, only an allowed SMN/console URL) and routes nothing'
          : 'an unsubscribe confirmation carries no alarm: at run time dr-relay acknowledges it and routes nothing',
      ],
    };
  }
  const signals = under('body', () => parseCloudEyeAlarm(message.message, message));
  return {
    source: 'cloud-eye',
    description: SHAPE_DESCRIPTIONS['cloud-eye/smn'],
    signals,
    notes: [SMN_NOTE],
  };
};

const fromSignals = (source: SignalSource, signals: AlarmSignal[], notes: string[]): Recognised => {
  const shape = signals[0]?.shape;
  return { source, description: shape ? SHAPE_DESCRIPTIONS[shape] : source, signals, notes };
};

const AWS_KEYS = ['Records', 'detail-type', 'detail', 'alarmData'];

/** Recognises an event (already JSON-parsed) and returns its signals; ValidationError naming the bad field. */
export const recogniseEvent = (event: unknown): Recognised => {
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
    if (Object.hasOwn(event, 'headers') && Object.hasOwn(event, 'body')) return recogniseSmn(event);
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
