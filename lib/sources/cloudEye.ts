/**
 * The Cloud Eye alarm inside an SMN notification's `message`. There is no official field table and
 * users customise templates, so parsing is tolerant: it needs an identity (alarm_name or alarm_id)
 * and a status; `time`, namespace, metric, dimensions and template variables are used when present
 * (a label field of an unexpected type is ignored, never fatal).
 * Owns: that mapping to AlarmSignal. Must not touch: the SMN envelope or its signature (smn.ts,
 * SmnVerifier.ts), routing.
 */

import { isRecord } from '../json.ts';
import * as z from '../schema/zod.ts';
import { invalid, parseJsonOrThrow, parseOrThrow } from './issues.ts';
import { buildLabels, type LabelEntry } from './labels.ts';
import { parseSmnTopicUrn } from './smnTopics.ts';
import { epochMillisToIso, toIsoTimestamp } from './time.ts';
import type { AlarmSignal, SignalState } from './types.ts';

const WHAT = 'Cloud Eye alarm';

const CLOUD_EYE_STATES: Readonly<Record<string, SignalState>> = {
  alarm: 'alarm',
  ok: 'ok',
  insufficient_data: 'insufficient',
};
const STATUS_HINT = '"alarm", "ok" or "insufficient_data"';

/** Epoch milliseconds (a number or digits); below 1e11 it can only be seconds. Or an ISO 8601 string. */
const timeToIso = (time: number | string): string | undefined => {
  const numeric =
    typeof time === 'number' ? time : /^\d{1,16}(\.\d+)?$/.test(time) ? Number(time) : undefined;
  if (numeric === undefined) return toIsoTimestamp(time as string);
  return epochMillisToIso(numeric < 1e11 ? numeric * 1000 : numeric);
};

/** A label-only field: a wrong type reads as absent. */
const optionalText = z.lazySchema(() => z.catch(z.optional(z.string()), undefined));

export const CloudEyeAlarmSchema = z.lazySchema(() =>
  z
    .object({
      alarm_id: z.optional(z.string().check(z.minLength(1))),
      alarm_name: z.optional(z.string().check(z.minLength(1))),
      alarm_status: z.pipe(
        z.string({
          error: (issue) =>
            issue.input === undefined ? `is required: ${STATUS_HINT}` : `must be ${STATUS_HINT}`,
        }),
        z.transform((status, ctx) => {
          const key = status.trim().toLowerCase();
          const state = Object.hasOwn(CLOUD_EYE_STATES, key) ? CLOUD_EYE_STATES[key] : undefined;
          if (state === undefined) {
            z.addIssue(ctx, `must be ${STATUS_HINT}`);
            return z.NEVER;
          }
          return state;
        }),
      ),
      time: z.optional(
        z.pipe(
          z.union([z.number(), z.string()], { error: 'must be epoch milliseconds or an ISO 8601 timestamp' }),
          z.transform((time, ctx) => {
            const iso = timeToIso(time);
            if (iso === undefined) {
              z.addIssue(ctx, 'must be epoch milliseconds or an ISO 8601 timestamp');
              return z.NEVER;
            }
            return iso;
          }),
        ),
      ),
      namespace: optionalText,
      metric_name: optionalText,
      dimension: z.optional(z.unknown()),
      template_variable: z.optional(z.unknown()),
    })
    .check(
      z.superRefine((alarm, ctx) => {
        if (alarm.alarm_name === undefined && alarm.alarm_id === undefined) {
          z.addIssue(ctx, 'is required (or alarm_id)', ['alarm_name']);
        }
      }),
    ),
);

/** `"datastore_id:abc"`, several joined by `,` or `;`, or `[{name, value}]`. Unreadable parts are skipped. */
const dimensionEntries = (dimension: unknown): LabelEntry[] => {
  if (typeof dimension === 'string') {
    return dimension.split(/[,;]/).flatMap((part): LabelEntry[] => {
      const colon = part.indexOf(':');
      return colon > 0 ? [[part.slice(0, colon).trim(), part.slice(colon + 1).trim()]] : [];
    });
  }
  if (Array.isArray(dimension)) {
    return dimension.flatMap((d): LabelEntry[] =>
      isRecord(d) && typeof d['name'] === 'string' && typeof d['value'] === 'string'
        ? [[d['name'], d['value']]]
        : [],
    );
  }
  return [];
};

const templateEntries = (variables: unknown): LabelEntry[] =>
  isRecord(variables)
    ? Object.entries(variables).flatMap(([k, v]): LabelEntry[] => (typeof v === 'string' ? [[k, v]] : []))
    : [];

/** Cloud Eye repeats a notification while an alarm lasts; `IsCycleTrigger` marks such a repeat. */
const isRepeat = (variables: unknown): boolean =>
  isRecord(variables) && (variables['IsCycleTrigger'] === true || variables['IsCycleTrigger'] === 'true');

const regionOfTopic = (topicUrn: string): string | undefined => /^urn:smn:([a-z0-9-]+):/.exec(topicUrn)?.[1];

export interface CloudEyeEnvelope {
  readonly message_id: string;
  readonly timestamp: string;
  readonly topic_urn: string;
}

/**
 * A Cloud Eye alarm (the JSON string SMN delivers as `message`, or the parsed object) -> its signal.
 * occurred_at: `time`, else the envelope timestamp; episode: `${alarm_id ?? alarm_name}@${occurred_at}`;
 * labels: template variables (strings) < dimensions < namespace, metric, region, project_id and
 * topic_urn (the last three from the signed topic_urn: routes bind to them, nothing inside can override them).
 * Throws ValidationError (paths under `message.`) for a non-alarm message or a missing identity / status.
 */
export const parseCloudEyeAlarm = (message: unknown, envelope: CloudEyeEnvelope): AlarmSignal[] => {
  const raw = typeof message === 'string' ? parseJsonOrThrow(message, WHAT, 'message') : message;
  if (!isRecord(raw)) {
    throw invalid(WHAT, [{ path: 'message', message: 'must be a JSON object (a Cloud Eye alarm)' }]);
  }
  if (Object.hasOwn(raw, 'message_type')) {
    const type = raw['message_type'];
    if (typeof type !== 'string' || type.trim().toLowerCase() !== 'alarm') {
      throw invalid(WHAT, [
        {
          path: 'message.message_type',
          message: `is ${JSON.stringify(type)?.slice(0, 40)}: only Cloud Eye alarm messages ("alarm") are accepted`,
        },
      ]);
    }
  }
  const alarm = parseOrThrow(CloudEyeAlarmSchema, raw, WHAT, ['message']);
  const occurredAt = alarm.time ?? toIsoTimestamp(envelope.timestamp);
  if (occurredAt === undefined) {
    throw invalid(WHAT, [
      { path: 'message.time', message: 'is missing and the SMN timestamp is not an ISO 8601 timestamp' },
    ]);
  }
  const name = (alarm.alarm_name ?? alarm.alarm_id)!;
  const repeat = alarm.alarm_status === 'alarm' && isRepeat(alarm.template_variable);
  return [
    {
      source: 'cloud-eye',
      shape: 'cloud-eye/smn',
      name,
      state: alarm.alarm_status,
      ...(repeat ? { previous_state: 'alarm' as const } : {}),
      episode: `${alarm.alarm_id ?? name}@${occurredAt}`,
      labels: buildLabels(templateEntries(alarm.template_variable), dimensionEntries(alarm.dimension), [
        ['namespace', alarm.namespace],
        ['metric', alarm.metric_name],
        ['region', regionOfTopic(envelope.topic_urn)],
        ['project_id', parseSmnTopicUrn(envelope.topic_urn)?.project_id],
        ['topic_urn', envelope.topic_urn],
      ]),
      occurred_at: occurredAt,
      raw,
    },
  ];
};
