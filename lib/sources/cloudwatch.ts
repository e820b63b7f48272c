/**
 * CloudWatch alarm state changes, however they reach Lambda: an SNS delivery, an EventBridge
 * "CloudWatch Alarm State Change" event, or a direct Lambda alarm action.
 * Owns: recognising those three shapes (plain zod: the Powertools schemas import all of zod and
 * do not parse the SNS Message), normalising each to AlarmSignal, and reading where each says it
 * comes from (accounts, SNS topic) for the trust check (cloudwatchTrust.ts). Must not touch: routing,
 * cooldowns, what a signal triggers, whether an origin is trusted.
 */

import { isRecord } from '../json.ts';
import * as z from '../schema/zod.ts';
import { invalid, parseOrThrow } from './issues.ts';
import { jsonString } from './json.ts';
import { buildLabels, type LabelEntry } from './labels.ts';
import { isoTimestamp } from './time.ts';
import type { AlarmSignal, SignalShape, SignalState } from './types.ts';

const CLOUDWATCH_STATES = {
  ALARM: 'alarm',
  OK: 'ok',
  INSUFFICIENT_DATA: 'insufficient',
} as const satisfies Record<string, SignalState>;
const cloudWatchState = z.lazySchema(() =>
  z.pipe(
    z.enum(['ALARM', 'OK', 'INSUFFICIENT_DATA']),
    z.transform((v) => CLOUDWATCH_STATES[v]),
  ),
);

const ALARM_ARN = /^arn:aws[a-z-]*:cloudwatch:([a-z0-9-]+):(\d{12}):alarm:.+$/;
const alarmArn = z.lazySchema(() =>
  z
    .string()
    .check(
      z.regex(
        ALARM_ARN,
        'must be a CloudWatch alarm ARN (arn:aws:cloudwatch:<region>:<account>:alarm:<name>)',
      ),
    ),
);

// --- SNS delivery -------------------------------------------------------------------------------

const SnsDimension = z.lazySchema(() => z.object({ name: z.string(), value: z.string() }));
const SnsMetric = z.lazySchema(() =>
  z.object({
    MetricStat: z.nullish(
      z.object({
        Metric: z.object({
          Namespace: z.nullish(z.string()),
          MetricName: z.nullish(z.string()),
          Dimensions: z.nullish(z.array(SnsDimension)),
        }),
      }),
    ),
  }),
);

/** The CloudWatch alarm JSON inside an SNS Message. */
export const CloudWatchSnsAlarmSchema = z.lazySchema(() =>
  z.object({
    AlarmName: z.string().check(z.minLength(1)),
    AlarmDescription: z.nullish(z.string()),
    AWSAccountId: z.string().check(z.minLength(1)),
    NewStateValue: cloudWatchState,
    NewStateReason: z.string(),
    StateChangeTime: isoTimestamp,
    /** The long name ("EU (Ireland)"); the region code comes from AlarmArn. */
    Region: z.string(),
    AlarmArn: alarmArn,
    OldStateValue: cloudWatchState,
    Trigger: z.nullish(
      z.object({
        MetricName: z.nullish(z.string()),
        Namespace: z.nullish(z.string()),
        Dimensions: z.nullish(z.array(SnsDimension)),
        Metrics: z.nullish(z.array(SnsMetric)),
      }),
    ),
  }),
);

export const CloudWatchSnsEventSchema = z.lazySchema(() =>
  z.object({
    Records: z
      .array(
        z.object({
          EventSource: z.literal('aws:sns'),
          Sns: z.object({
            MessageId: z.string().check(z.minLength(1)),
            TopicArn: z.string().check(z.minLength(1)),
            Timestamp: z.string(),
            Message: jsonString(CloudWatchSnsAlarmSchema),
          }),
        }),
      )
      .check(z.minLength(1))
      .check(z.maxLength(100)),
  }),
);

// --- EventBridge and direct Lambda alarm action (same alarm detail) ------------------------------

/** Set on a composite alarm whose actions suppressor holds its actions back: Alarm, WaitPeriod, ExtensionPeriod. */
const actionsSuppressedBy = z.lazySchema(() => z.nullish(z.string()));

const AlarmDetailSchema = z.lazySchema(() =>
  z.object({
    alarmName: z.string().check(z.minLength(1)),
    state: z.object({
      value: cloudWatchState,
      reason: z.string(),
      timestamp: isoTimestamp,
      actionsSuppressedBy,
    }),
    previousState: z.nullish(z.object({ value: cloudWatchState, actionsSuppressedBy })),
    configuration: z.nullish(
      z.object({
        description: z.nullish(z.string()),
        metrics: z.nullish(
          z.array(
            z.object({
              metricStat: z.nullish(
                z.object({
                  metric: z.object({
                    namespace: z.nullish(z.string()),
                    name: z.nullish(z.string()),
                    dimensions: z.nullish(z.record(z.string(), z.string())),
                  }),
                }),
              ),
            }),
          ),
        ),
      }),
    ),
  }),
);
type AlarmDetail = z.output<typeof AlarmDetailSchema>;

export const CloudWatchEventBridgeSchema = z.lazySchema(() =>
  z.object({
    version: z.string(),
    id: z.string().check(z.minLength(1)),
    'detail-type': z.literal('CloudWatch Alarm State Change'),
    source: z.literal('aws.cloudwatch'),
    account: z.string().check(z.minLength(1)),
    time: z.string(),
    region: z.string().check(z.minLength(1)),
    resources: z.array(alarmArn).check(z.minLength(1)),
    detail: AlarmDetailSchema,
  }),
);

export const CloudWatchLambdaActionSchema = z.lazySchema(() =>
  z.object({
    source: z.literal('aws.cloudwatch'),
    alarmArn,
    accountId: z.string().check(z.minLength(1)),
    time: z.string(),
    region: z.string().check(z.minLength(1)),
    alarmData: AlarmDetailSchema,
  }),
);

// --- origin -----------------------------------------------------------------------------------

/** Where a delivery says it comes from: every account it names, and (SNS) the topic, each with its field. */
export interface CloudWatchOrigin {
  readonly accounts: readonly { readonly path: string; readonly account: string }[];
  readonly topics: readonly { readonly path: string; readonly arn: string }[];
}

/** A recognised CloudWatch delivery: its signals and its claimed origin. */
export interface CloudWatchDelivery {
  readonly signals: AlarmSignal[];
  readonly origin: CloudWatchOrigin;
}

const arnAccount = (path: string, arn: string) => ({ path, account: ALARM_ARN.exec(arn)?.[2] ?? '' });

// --- normalisation ------------------------------------------------------------------------------

interface MetricInfo {
  namespace?: string | null | undefined;
  metric?: string | null | undefined;
  dimensions: readonly LabelEntry[];
}

/** Dimensions of every metric (first wins), namespace and metric name of the first metric. */
const labelsOf = (metrics: readonly MetricInfo[], region: string | undefined, account: string) => {
  const first = metrics[0];
  return buildLabels(metrics.flatMap((m) => m.dimensions).reverse(), [
    ['namespace', first?.namespace ?? undefined],
    ['metric', first?.metric ?? undefined],
    ['region', region],
    ['account', account],
  ]);
};

const signalOf = (
  shape: SignalShape,
  arn: string,
  name: string,
  state: SignalState,
  previous: SignalState | undefined,
  changedAt: string,
  labels: Record<string, string>,
  raw: unknown,
  suppressedBy?: string,
): AlarmSignal => ({
  source: 'cloudwatch',
  shape,
  name,
  state,
  ...(previous === undefined ? {} : { previous_state: previous }),
  ...(suppressedBy === undefined ? {} : { actions_suppressed_by: suppressedBy }),
  episode: `${arn}@${changedAt}`,
  labels,
  occurred_at: changedAt,
  raw,
});

const snsMetrics = (trigger: z.output<typeof CloudWatchSnsAlarmSchema>['Trigger']): MetricInfo[] => {
  if (!trigger) return [];
  const single: MetricInfo[] =
    trigger.MetricName || trigger.Namespace || trigger.Dimensions
      ? [
          {
            namespace: trigger.Namespace,
            metric: trigger.MetricName,
            dimensions: (trigger.Dimensions ?? []).map((d) => [d.name, d.value] as const),
          },
        ]
      : [];
  const math = (trigger.Metrics ?? []).flatMap((m) =>
    m.MetricStat
      ? [
          {
            namespace: m.MetricStat.Metric.Namespace,
            metric: m.MetricStat.Metric.MetricName,
            dimensions: (m.MetricStat.Metric.Dimensions ?? []).map((d) => [d.name, d.value] as const),
          },
        ]
      : [],
  );
  return [...single, ...math];
};

const detailMetrics = (detail: AlarmDetail): MetricInfo[] =>
  (detail.configuration?.metrics ?? []).flatMap((m) =>
    m.metricStat
      ? [
          {
            namespace: m.metricStat.metric.namespace,
            metric: m.metricStat.metric.name,
            dimensions: Object.entries(m.metricStat.metric.dimensions ?? {}),
          },
        ]
      : [],
  );

const fromSns = (event: unknown): CloudWatchDelivery => {
  const parsed = parseOrThrow(CloudWatchSnsEventSchema, event, 'CloudWatch alarm via SNS');
  const rawRecords = (event as { Records: { Sns: { Message: string } }[] }).Records;
  const origin: CloudWatchOrigin = {
    accounts: parsed.Records.flatMap((record, i) => [
      { path: `Records.${i}.Sns.Message.AWSAccountId`, account: record.Sns.Message.AWSAccountId },
      arnAccount(`Records.${i}.Sns.Message.AlarmArn`, record.Sns.Message.AlarmArn),
    ]),
    topics: parsed.Records.map((record, i) => ({
      path: `Records.${i}.Sns.TopicArn`,
      arn: record.Sns.TopicArn,
    })),
  };
  const signals = parsed.Records.map((record, i) => {
    const alarm = record.Sns.Message;
    const region = ALARM_ARN.exec(alarm.AlarmArn)?.[1];
    return signalOf(
      'cloudwatch/sns',
      alarm.AlarmArn,
      alarm.AlarmName,
      alarm.NewStateValue,
      alarm.OldStateValue,
      alarm.StateChangeTime,
      labelsOf(snsMetrics(alarm.Trigger), region, alarm.AWSAccountId),
      JSON.parse(rawRecords[i]!.Sns.Message),
    );
  });
  return { signals, origin };
};

/**
 * A composite alarm's actions suppressor, on the two shapes that carry it:
 * - `state.actionsSuppressedBy` set: CloudWatch holds this state change's actions back (the
 *   suppressor is in ALARM, or its wait / extension period runs): the signal says so, and no route acts.
 * - `previousState.actionsSuppressedBy` set on a change to the same state (ALARM -> ALARM): the
 *   held-back actions are released now (the wait or extension period ended with the suppressor not in
 *   ALARM), and this is the one delivery of the episode that CloudWatch acts on. The previous state
 *   is then left out: its actions never ran, so for a route this is the transition into the state.
 */
const suppressionOf = (detail: AlarmDetail): { suppressedBy?: string; released: boolean } => {
  const suppressedBy = detail.state.actionsSuppressedBy || undefined;
  const previous = detail.previousState;
  const released =
    suppressedBy === undefined &&
    Boolean(previous?.actionsSuppressedBy) &&
    previous?.value === detail.state.value;
  return suppressedBy === undefined ? { released } : { suppressedBy, released };
};

const fromDetail = (
  shape: SignalShape,
  arn: string,
  detail: AlarmDetail,
  region: string,
  account: string,
  raw: unknown,
): AlarmSignal[] => {
  const { suppressedBy, released } = suppressionOf(detail);
  return [
    signalOf(
      shape,
      arn,
      detail.alarmName,
      detail.state.value,
      released ? undefined : detail.previousState?.value,
      detail.state.timestamp,
      labelsOf(detailMetrics(detail), region, account),
      raw,
      suppressedBy,
    ),
  ];
};

const fromEventBridge = (event: unknown): CloudWatchDelivery => {
  const e = parseOrThrow(CloudWatchEventBridgeSchema, event, 'CloudWatch alarm via EventBridge');
  return {
    signals: fromDetail('cloudwatch/eventbridge', e.resources[0]!, e.detail, e.region, e.account, event),
    origin: {
      accounts: [
        { path: 'account', account: e.account },
        ...e.resources.map((arn, i) => arnAccount(`resources.${i}`, arn)),
      ],
      topics: [],
    },
  };
};

const fromLambdaAction = (event: unknown): CloudWatchDelivery => {
  const e = parseOrThrow(CloudWatchLambdaActionSchema, event, 'CloudWatch Lambda alarm action');
  return {
    signals: fromDetail('cloudwatch/lambda-action', e.alarmArn, e.alarmData, e.region, e.accountId, event),
    origin: {
      accounts: [{ path: 'accountId', account: e.accountId }, arnAccount('alarmArn', e.alarmArn)],
      topics: [],
    },
  };
};

// --- recognition --------------------------------------------------------------------------------

export const ACCEPTED_CLOUDWATCH_SHAPES =
  'an SNS delivery ({Records:[{EventSource:"aws:sns", Sns:{Message:<alarm JSON>}}]}), ' +
  'an EventBridge event ({"detail-type":"CloudWatch Alarm State Change", source:"aws.cloudwatch", detail}) ' +
  'or a Lambda alarm action ({source:"aws.cloudwatch", alarmArn, alarmData})';

/** A short description of what arrived, for the "not a CloudWatch alarm" message. */
const describe = (event: unknown): string => {
  if (event === null) return 'null';
  if (Array.isArray(event)) return 'an array';
  if (!isRecord(event)) return `a ${typeof event}`;
  const records = event['Records'];
  const first: unknown = Array.isArray(records) ? records[0] : undefined;
  if (isRecord(first) && typeof first['eventSource'] === 'string') {
    return `an "${first['eventSource'].slice(0, 40)}" event`;
  }
  if (isRecord(event['requestContext'])) return 'an HTTP (API Gateway / function URL) request';
  const keys = Object.keys(event);
  if (keys.length === 0) return 'an empty object';
  const shown = keys.slice(0, 6).map((k) => JSON.stringify(k.slice(0, 40)));
  return `an object with keys ${shown.join(', ')}${keys.length > 6 ? ', ...' : ''}`;
};

/**
 * Any CloudWatch alarm event (SNS, EventBridge, Lambda alarm action) -> its signals and the origin
 * it claims. Throws ValidationError naming the bad fields of the recognised shape, or, for anything
 * else, what arrived and which shapes are accepted.
 */
export const parseCloudWatchDelivery = (event: unknown): CloudWatchDelivery => {
  if (isRecord(event)) {
    const records = event['Records'];
    const first: unknown = Array.isArray(records) ? records[0] : undefined;
    const foreign = isRecord(first) && Object.hasOwn(first, 'eventSource');
    if (Object.hasOwn(event, 'Records') && !foreign) return fromSns(event);
    if (Object.hasOwn(event, 'detail-type') || Object.hasOwn(event, 'detail')) return fromEventBridge(event);
    if (Object.hasOwn(event, 'alarmData')) return fromLambdaAction(event);
  }
  throw invalid('CloudWatch alarm event', [
    { path: '(root)', message: `${describe(event)} is not ${ACCEPTED_CLOUDWATCH_SHAPES}` },
  ]);
};

/** Any CloudWatch alarm event -> its signals (parseCloudWatchDelivery without the origin). */
export const parseCloudWatchEvent = (event: unknown): AlarmSignal[] => parseCloudWatchDelivery(event).signals;
