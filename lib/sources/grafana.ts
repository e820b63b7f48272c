/**
 * Grafana unified alerting webhook payloads (version 1): every alert is its own signal, mapped like
 * Alertmanager's. Owns: the Grafana envelope schema (its extra fields). Must not touch: the alert
 * mapping (alerts.ts), bearer tokens (bearer.ts), routing.
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

export const GrafanaWebhookSchema = z.lazySchema(() =>
  z.object({
    version: z.literal('1'),
    orgId: z.number().check(z.int()),
    ...alertGroupFields(),
    /** Grafana's extra alert fields (silenceURL, dashboardURL, panelURL, values, valueString) stay in `raw`. */
    // A group this large is not a real notification; the cap also stops validation early.
    alerts: z.array(AlertSchema).check(z.minLength(1), z.maxLength(MAX_ALERTS_PER_NOTIFICATION)),
    title: z.optional(z.string()),
    state: z.optional(z.string()),
    message: z.optional(z.string()),
  }),
);
export type GrafanaWebhook = z.output<typeof GrafanaWebhookSchema>;

/** A Grafana webhook body (already JSON-parsed) -> one signal per alert; ValidationError otherwise. */
export const parseGrafanaWebhook = (body: unknown): AlarmSignal[] => {
  const payload = parseOrThrow(GrafanaWebhookSchema, body, 'Grafana webhook');
  const raws = rawAlerts(body);
  return payload.alerts.map((alert, i) => alertToSignal(alert, raws[i], 'grafana', 'grafana'));
};
