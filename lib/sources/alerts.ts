/**
 * The alert object Alertmanager (webhook v4) and Grafana (unified alerting webhook) share, and its
 * mapping to AlarmSignal: one signal per alert; firing -> alarm, resolved -> ok (previously alarm);
 * episode = fingerprint@startsAt, so re-notifications and HA peers give the same episode. Alertmanager
 * before 0.19 sends no `fingerprint`: it is then computed from the labels exactly as Alertmanager
 * computes it (fingerprint.ts), so every version gives the same episode.
 * Owns: that alert schema and mapping. Must not touch: the payload envelopes (alertmanager.ts,
 * grafana.ts), bearer tokens (bearer.ts), routing.
 */

import { isRecord } from '../json.ts';
import * as z from '../schema/zod.ts';
import { labelSetFingerprint } from './fingerprint.ts';
import { buildLabels } from './labels.ts';
import { isoTimestamp, toIsoTimestamp } from './time.ts';
import type { AlarmSignal } from './types.ts';

const labelSet = z.lazySchema(() => z.record(z.string(), z.string()));

/** Alertmanager and Grafana notifications carrying more alerts than this are refused (400). */
export const MAX_ALERTS_PER_NOTIFICATION = 1_000;

export const AlertSchema = z.lazySchema(() =>
  z
    .object({
      status: z.enum(['firing', 'resolved']),
      labels: z.catchall(z.object({ alertname: z.string().check(z.minLength(1)) }), z.string()),
      annotations: labelSet,
      startsAt: isoTimestamp,
      /** Go's zero time or a future time while firing: only read (and checked) once resolved. */
      endsAt: z.string(),
      generatorURL: z.string(),
      /** Absent from Alertmanager before 0.19: derived from `labels` (labelSetFingerprint). */
      fingerprint: z.optional(z.string().check(z.minLength(1))),
    })
    .check(
      z.superRefine((alert, ctx) => {
        if (alert.status === 'resolved' && toIsoTimestamp(alert.endsAt) === undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['endsAt'],
            message: 'must be an ISO 8601 timestamp when resolved',
          });
        }
      }),
    ),
);
export type Alert = z.output<typeof AlertSchema>;

/** Fields of the group envelope both senders share (built with the schema that spreads them). */
export const alertGroupFields = () => ({
  receiver: z.string(),
  status: z.enum(['firing', 'resolved']),
  groupLabels: z.optional(labelSet),
  commonLabels: z.optional(labelSet),
  commonAnnotations: z.optional(labelSet),
  externalURL: z.optional(z.string()),
  groupKey: z.string(),
  truncatedAlerts: z.optional(z.number().check(z.int(), z.nonnegative())),
});

/**
 * The alert's labels as sent, for its fingerprint: from `raw`, since the parse drops a `__proto__`
 * key that Alertmanager would have hashed (non-strings cannot be there once the alert is valid).
 */
const sentLabels = (alert: Alert, raw: unknown): Record<string, string> => {
  const labels = isRecord(raw) && isRecord(raw['labels']) ? raw['labels'] : alert.labels;
  return Object.fromEntries(
    Object.entries(labels).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
};

/** One alert -> one signal. `raw` is the alert as it arrived (not the stripped parse). */
export const alertToSignal = (
  alert: Alert,
  raw: unknown,
  source: 'alertmanager' | 'grafana',
  shape: 'alertmanager/v4' | 'grafana',
): AlarmSignal => {
  const resolved = alert.status === 'resolved';
  return {
    source,
    shape,
    name: alert.labels.alertname,
    state: resolved ? 'ok' : 'alarm',
    ...(resolved ? { previous_state: 'alarm' as const } : {}),
    episode: `${alert.fingerprint ?? labelSetFingerprint(sentLabels(alert, raw))}@${alert.startsAt}`,
    labels: buildLabels(Object.entries(alert.labels)),
    occurred_at: resolved ? toIsoTimestamp(alert.endsAt)! : alert.startsAt,
    raw,
  };
};

/** The alerts as they arrived, for `raw` (only called once the payload has been validated). */
export const rawAlerts = (body: unknown): readonly unknown[] => (body as { alerts: unknown[] }).alerts;
