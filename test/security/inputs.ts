/**
 * Every JSON input of dr-relay as one shape for the generated rows (wrong types, prototype keys):
 * a valid sample, the entry point that takes it (as text, the way it arrives), what that entry
 * point said (refused naming paths / accepted with its result), and what it did (side effects).
 * Owns: those adapters and the table of which fields each input does not read or reads leniently.
 * Must not touch: lib/.
 */
import { expect } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { parseRoutes } from '../../lib/routing/routes.ts';
import { detectAwsAlarm, type SmnMessage } from '../../lib/sources/index.ts';
import type { Path } from './arbitraries.ts';
import { loadText } from './arbitraries.ts';
import { ALARMS, expectEffects, type Json, REQUESTS } from './cases.ts';
import {
  bearerHeaders,
  checkAnswer,
  expectNoSecretLeaked,
  recordApp,
  signedHeaders,
  signSmnFast,
  smnDelivery,
  webhookApp,
} from './harness.ts';

export type Verdict =
  | { readonly kind: 'refused'; readonly paths: readonly string[]; readonly status?: number }
  | { readonly kind: 'accepted'; readonly value: unknown };

export interface JsonInput {
  readonly name: string;
  readonly entry: string;
  readonly sample: Json;
  /** Sends `text` (the sample changed) to the entry point; checks side effects against the verdict. */
  readonly send: (text: string) => Promise<Verdict>;
  /** How an issue path reads for the path of a node in the sample. */
  readonly pathOf: (path: Path) => string;
  /** Fields the input does not read (kept only in `raw`): any value is accepted there. */
  readonly unread: readonly RegExp[];
  /** Fields where null means "absent". */
  readonly nullish: readonly RegExp[];
  /** Fields read leniently: a wrong type reads as absent (documented for Cloud Eye labels). */
  readonly lenient: readonly RegExp[];
  /** Objects whose keys are data (label maps), not field names. */
  readonly maps: readonly RegExp[];
  /** Every object is strict: an unknown key is refused as `unknown field`. */
  readonly strict: boolean;
  /** A `__proto__` key in a label map is kept as a label (routes) rather than dropped (zod records). */
  readonly mapsKeepProto?: boolean;
}

const dotted = (path: Path): string => path.map(String).join('.');

/** POST /v1/requests, signed: a refusal is a 4xx with nothing done; an acceptance enqueues the request. */
const requestInput = (name: string, sample: Json): JsonInput => ({
  name: `ActionRequest ${name}`,
  entry: 'POST /v1/requests',
  sample,
  send: async (text) => {
    const app = webhookApp();
    const response = await app.post('/v1/requests', text, signedHeaders(text));
    const problem = checkAnswer(response);
    expectNoSecretLeaked(response, app.logs);
    if (response.statusCode !== 202) {
      expectEffects(app.calls);
      return {
        kind: 'refused',
        status: response.statusCode,
        paths: (problem?.issues ?? []).map((i) => i.path),
      };
    }
    expectEffects(app.calls, { enqueue: 1, 'store.createQueued': 1 });
    return { kind: 'accepted', value: app.calls.of('enqueue')[0]!.args[0] };
  },
  pathOf: dotted,
  unread: [],
  nullish: [],
  lenient: [],
  maps: [],
  strict: true,
});

const alertInput = (name: string, path: string, sample: Json, unread: RegExp[]): JsonInput => ({
  name,
  entry: `POST ${path}`,
  sample,
  send: async (text) => {
    const app = webhookApp();
    const response = await app.post(path, text, bearerHeaders());
    const problem = checkAnswer(response);
    expectNoSecretLeaked(response, app.logs);
    if (response.statusCode !== 202) {
      expectEffects(app.calls);
      return {
        kind: 'refused',
        status: response.statusCode,
        paths: (problem?.issues ?? []).map((i) => i.path),
      };
    }
    expectEffects(app.calls, { process: 1 });
    return { kind: 'accepted', value: app.calls.of('process')[0]!.args[0] };
  },
  pathOf: dotted,
  unread,
  nullish: [],
  lenient: [],
  maps: [/^alerts\.\d+\.(labels|annotations)$/, /^(groupLabels|commonLabels|commonAnnotations)$/],
  strict: false,
});

/** Signs `body` again when it still has the shape SMN signs (so the change reaches the code behind the signature). */
const resign = (body: Json): Json =>
  typeof body['signature'] === 'string'
    ? (signSmnFast(body as unknown as SmnMessage) as unknown as Json)
    : body;

const sendSmn = async (body: Json, headers: Record<string, string>): Promise<Verdict> => {
  const app = webhookApp();
  const response = await app.post('/v1/alerts/cloud-eye', JSON.stringify(body), headers);
  const problem = checkAnswer(response);
  expectNoSecretLeaked(response, app.logs);
  if (response.statusCode !== 202) {
    expectEffects(app.calls);
    return {
      kind: 'refused',
      status: response.statusCode,
      paths: (problem?.issues ?? []).map((i) => i.path),
    };
  }
  expectEffects(app.calls, { process: 1 });
  return { kind: 'accepted', value: app.calls.of('process')[0]!.args[0] };
};

const SMN = smnDelivery('cloud-eye-smn-alarm.json');
/** The SMN envelope (never signed as text: the signature covers field values). */
const smnEnvelopeInput: JsonInput = {
  name: 'SMN envelope',
  entry: 'POST /v1/alerts/cloud-eye',
  sample: SMN.body as unknown as Json,
  send: (text) => sendSmn(resign(JSON.parse(text) as Json), { 'content-type': 'application/json' }),
  pathOf: dotted,
  unread: [],
  nullish: [/^(subject|unsubscribe_url)$/],
  lenient: [],
  maps: [],
  strict: false,
};

/** The Cloud Eye alarm inside a signed SMN notification. */
const cloudEyeInput: JsonInput = {
  name: 'Cloud Eye alarm (SMN message)',
  entry: 'POST /v1/alerts/cloud-eye',
  sample: JSON.parse((SMN.body as unknown as { message: string }).message) as Json,
  send: (text) => sendSmn(resign({ ...(SMN.body as unknown as Json), message: text }), SMN.headers),
  pathOf: (path) => `message.${dotted(path)}`,
  unread: [/^(period|filter|comparison_operator|value|unit|count|alarmValue|sms_content)(\.|$)/],
  nullish: [],
  lenient: [/^(namespace|metric_name|dimension|template_variable)(\.|$)/],
  maps: [/^template_variable$/],
  strict: false,
};

const parserVerdict = (act: () => unknown): Verdict => {
  try {
    return { kind: 'accepted', value: act() };
  } catch (error) {
    const issues = (error as { issues?: { path: string }[] }).issues;
    expect(issues, String(error)).toBeDefined();
    return { kind: 'refused', paths: issues!.map((i) => i.path) };
  }
};

const CLOUDWATCH_DETAIL_UNREAD = [
  /\.state\.reasonData$/,
  /\.previousState\.(reason|timestamp)$/,
  /\.configuration\.metrics\.\d+\.(id|returnData)$/,
  /\.metricStat\.(period|stat)$/,
];
const CLOUDWATCH_DETAIL_NULLISH = [
  /\.(previousState|configuration)$/,
  /\.configuration\.(description|metrics)$/,
  /\.metrics\.\d+\.metricStat$/,
  /\.metricStat\.metric\.(namespace|name|dimensions)$/,
];

const cloudWatchInput = (name: string, sample: Json, root: string): JsonInput => ({
  name,
  entry: 'detectAwsAlarm (alarms function)',
  sample,
  send: async (text) => parserVerdict(() => detectAwsAlarm(JSON.parse(text))),
  pathOf: dotted,
  unread: CLOUDWATCH_DETAIL_UNREAD.map((r) => new RegExp(`^${root}(\\..*)?${r.source}`)),
  nullish: CLOUDWATCH_DETAIL_NULLISH.map((r) => new RegExp(`^${root}(\\..*)?${r.source}`)),
  lenient: [],
  maps: [/\.dimensions$/],
  strict: false,
});

const SNS = ALARMS.cloudwatchSns as { Records: { Sns: { Message: string } }[] };
const snsOuterInput: JsonInput = {
  name: 'CloudWatch via SNS (envelope)',
  entry: 'detectAwsAlarm (alarms function)',
  sample: SNS as unknown as Json,
  send: async (text) => parserVerdict(() => detectAwsAlarm(JSON.parse(text))),
  pathOf: dotted,
  unread: [
    /^Records\.\d+\.(EventVersion|EventSubscriptionArn)$/,
    /^Records\.\d+\.Sns\.(Type|Subject|SignatureVersion|Signature|SigningCertUrl|UnsubscribeUrl|MessageAttributes)(\.|$)/,
  ],
  nullish: [],
  lenient: [],
  maps: [],
  strict: false,
};
const snsInnerInput: JsonInput = {
  name: 'CloudWatch via SNS (alarm JSON in Message)',
  entry: 'detectAwsAlarm (alarms function)',
  sample: JSON.parse(SNS.Records[0]!.Sns.Message) as Json,
  send: async (text) =>
    parserVerdict(() => {
      const event = structuredClone(SNS);
      event.Records[0]!.Sns.Message = text;
      return detectAwsAlarm(event);
    }),
  pathOf: (path) => `Records.0.Sns.Message.${dotted(path)}`,
  unread: [
    /^(AlarmConfigurationUpdatedTimestamp|OKActions|AlarmActions|InsufficientDataActions)(\.|$)/,
    /^Trigger\.(StatisticType|Statistic|Unit|Period|EvaluationPeriods|DatapointsToAlarm|ComparisonOperator|Threshold|TreatMissingData|EvaluateLowSampleCountPercentile)$/,
  ],
  nullish: [/^(AlarmDescription|Trigger)$/, /^Trigger\.(MetricName|Namespace|Dimensions)$/],
  lenient: [],
  maps: [],
  strict: false,
};

const ROUTE = (parseYaml(loadText('routes/routes.yml')) as { routes: Json[] }).routes[0]!;
const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const routesInput: JsonInput = {
  name: 'routes file',
  entry: 'parseRoutes',
  sample: { routes: [ROUTE] },
  send: async (text) => parserVerdict(() => parseRoutes(text, 'suite.yml')),
  pathOf: (path) => {
    const rest = path
      .slice(2)
      .map((s) => (typeof s === 'number' ? `[${s}]` : PLAIN_KEY.test(s) ? `.${s}` : `[${JSON.stringify(s)}]`))
      .join('');
    // A route that is not a mapping, or whose name is the bad field, is named by its index alone.
    const named = path.length > 2 && path[2] !== 'name';
    if (path[0] === 'routes' && typeof path[1] === 'number')
      return `routes[${path[1]}]${named ? ` (${ROUTE['name']})` : ''}${rest}`;
    return dotted(path);
  },
  unread: [],
  nullish: [],
  lenient: [],
  maps: [/^routes\.0\.match\.labels$/],
  strict: true,
  mapsKeepProto: true,
};

/** An SQS record of the request queue: refused = dead-lettered at once with its issues. */
const sqsInput = (sample: Json): JsonInput => ({
  name: `SQS request record (${String(sample['action'])})`,
  entry: 'makeRecordHandler',
  sample,
  send: async (text) => {
    const app = recordApp();
    const result = await app.handleBody(text);
    if (result.result === 'dead_lettered') {
      expectEffects(app.calls, { 'deadLetter.send': 1, 'deadLetter.notify': 1 });
      return { kind: 'refused', paths: (app.letters[0]?.error.issues ?? []).map((i) => i.path) };
    }
    expectEffects(app.calls, { 'huawei.run': 1 });
    return {
      kind: 'accepted',
      value: (app.calls.of('huawei.run')[0]!.args[0] as { request: unknown }).request,
    };
  },
  pathOf: dotted,
  unread: [],
  nullish: [],
  lenient: [],
  maps: [],
  strict: true,
});

const GRAFANA_UNREAD = [/^alerts\.\d+\.(silenceURL|dashboardURL|panelURL|values|valueString)(\.|$)/];

export const JSON_INPUTS: readonly JsonInput[] = [
  requestInput('dws.dr.start', REQUESTS.start),
  requestInput('dws.dr.failover', REQUESTS.failover),
  requestInput('dws.dr.recovery', REQUESTS.recovery),
  requestInput('csbs.restore', REQUESTS.csbs),
  requestInput('dcs.restore', REQUESTS.dcs),
  requestInput('cbr.restore', REQUESTS.cbr),
  alertInput('Alertmanager webhook', '/v1/alerts/alertmanager', ALARMS.alertmanager, []),
  alertInput('Grafana webhook', '/v1/alerts/grafana', ALARMS.grafana, GRAFANA_UNREAD),
  smnEnvelopeInput,
  cloudEyeInput,
  snsOuterInput,
  snsInnerInput,
  cloudWatchInput('CloudWatch via EventBridge', ALARMS.eventBridge, 'detail'),
  cloudWatchInput('CloudWatch Lambda alarm action', ALARMS.lambdaAction, 'alarmData'),
  routesInput,
  sqsInput(REQUESTS.csbs),
  sqsInput(REQUESTS.dcs),
  sqsInput(REQUESTS.cbr),
];
