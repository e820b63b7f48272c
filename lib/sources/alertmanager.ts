/**
 * Prometheus Alertmanager webhook payloads (version 4): every alert in the group is its own signal.
 * Owns: the v4 envelope schema. Must not touch: the alert mapping (alerts.ts, shared with Grafana),
 * bearer tokens (bearer.ts), routing.
 */
import * as z from '../schema/zod.ts';
import {
  AlertSchema,
  alertGroupFields,
  alertToSignal,
  MAX_ALERTS_PER_NOTIFICATION,
  rawAlerts,
} from './alerts.ts';
import { parseOrThrow } from './issues.ts';
import type { AlarmSignal } from './types.ts';

export const AlertmanagerWebhookSchema = z.lazySchema(() =>
  z.object({
    version: z.literal('4'),
    ...alertGroupFields(),
    // A group this large is not a real notification; the cap also stops validation early.
    alerts: z.array(AlertSchema).check(z.minLength(1), z.maxLength(MAX_ALERTS_PER_NOTIFICATION)),
  }),
);
export type AlertmanagerWebhook = z.output<typeof AlertmanagerWebhookSchema>;

/** An Alertmanager webhook body (already JSON-parsed) -> one signal per alert; ValidationError otherwise. */
export const parseAlertmanagerWebhook = (body: unknown): AlarmSignal[] => {
  const payload = parseOrThrow(AlertmanagerWebhookSchema, body, 'Alertmanager webhook');
  const raws = rawAlerts(body);
  return payload.alerts.map((alert, i) => alertToSignal(alert, raws[i], 'alertmanager', 'alertmanager/v4'));
};
