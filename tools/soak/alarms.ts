/**
 * The alarm side of the soak: one route per alarm-driven request (matching the label `dr_key`, no
 * cooldown), and the deliveries of each alarm episode in the shape its source sends:
 *   Alertmanager and Grafana webhooks (groups of 1-3 alerts, bearer token), Cloud Eye SMN
 *   notifications (signed with the test key; SMN retries repeat the message), CloudWatch state
 *   changes through SNS, EventBridge and the direct alarm action (the same episode across shapes).
 * The idempotency key each episode must get is computed with the library's own parsers and router,
 * and checked against the keys the handlers answer with.
 * Owns: routes, which payloads go out how often, expected keys. Must not touch: payload shapes
 * (payloads.ts), sending them (traffic.ts).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ActionRequest } from '../../lib/actions/request.ts';
import { routeSignal } from '../../lib/routing/match.ts';
import { validateRoutes } from '../../lib/routing/routes.ts';
import {
  type AlarmSignal,
  detectAwsAlarm,
  parseAlertmanagerWebhook,
  parseCloudEyeAlarm,
  parseGrafanaWebhook,
} from '../../lib/sources/index.ts';
import { LOCAL } from '../local/constants.ts';
import {
  ACCOUNT,
  ALARM_NAME,
  type AlarmVia,
  alertGroup,
  bearerFor,
  type CloudWatchEpisode,
  cloudEyeMessage,
  cloudWatchEvent,
  labelOf,
  routeNameOf,
  SOAK_TOPIC_URN,
} from './payloads.ts';
import { type AlarmSource, type PlannedRequest, pick, type Random } from './plan.ts';

export type { AlarmVia } from './payloads.ts';

/** One HTTP delivery of an alarm payload; `requests` are the planned requests it carries. */
export interface AlarmDelivery {
  readonly via: AlarmVia;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly requests: readonly number[];
}

export interface AlarmSide {
  /** The routes file's document ({routes: [...]}). */
  readonly routesDocument: { routes: Record<string, unknown>[] };
  /** Planned request index -> the ActionRequest its route makes for its episode, and its key. */
  readonly expected: ReadonlyMap<number, { request: ActionRequest; key: string; route: string }>;
  /** Each episode (or alert group) with its deliveries (1 to 3, identical or across shapes). */
  readonly episodes: readonly (readonly AlarmDelivery[])[];
}

/** Splits into groups of 1 to 3, in order. */
const groupsOf = <T>(items: readonly T[], random: Random): T[][] => {
  const groups: T[][] = [];
  for (let i = 0; i < items.length; ) {
    const size = 1 + Math.floor(random() * 3);
    groups.push(items.slice(i, i + size));
    i += size;
  }
  return groups;
};

const SMN_KEY_FILE = join(dirname(LOCAL.smnCertFile), 'key.pem');

const routeOf = (planned: PlannedRequest, source: AlarmSource): Record<string, unknown> => {
  const { action, region, project_id, params } = planned.request;
  return {
    name: routeNameOf(planned.index),
    match: {
      source,
      alarm: `${ALARM_NAME}*`,
      labels: { dr_key: labelOf(planned.index) },
      // A cloud-eye route acts only on its own topic (which naming it here also allows).
      ...(source === 'cloud-eye' ? { topic_urn: SOAK_TOPIC_URN } : {}),
    },
    on: ['alarm'],
    action,
    region,
    project_id,
    params,
    cooldown_seconds: 0,
  };
};

/** Routes, payloads and expected keys for the alarm-driven requests of a plan. */
export const buildAlarmSide = (
  run: string,
  requests: readonly PlannedRequest[],
  random: Random,
  startedAt = Date.now(),
): AlarmSide => {
  const alarmed = requests.filter((r) => r.path === 'alarm');
  const routesDocument = {
    routes: alarmed.map((r) => routeOf(r, r.alarmSource ?? 'alertmanager')),
  };
  const routes = validateRoutes(routesDocument);
  const keyPem = readFileSync(SMN_KEY_FILE, 'utf8');
  const episodes: AlarmDelivery[][] = [];
  const signals: AlarmSignal[] = [];
  const at = Math.floor(startedAt / 1000) * 1000;
  const of = (source: AlarmSource) => alarmed.filter((r) => r.alarmSource === source);

  for (const source of ['alertmanager', 'grafana'] as const) {
    groupsOf(of(source), random).forEach((members, group) => {
      const payload = alertGroup(source, run, group, members, new Date(at - 60_000).toISOString());
      signals.push(...(source === 'alertmanager' ? parseAlertmanagerWebhook : parseGrafanaWebhook)(payload));
      const body = JSON.stringify(payload);
      const times = members[0]?.deliveries ?? 1;
      episodes.push(
        Array.from({ length: times }, () => ({
          via: source,
          path: `/v1/alerts/${source}`,
          headers: bearerFor(source),
          body,
          requests: members.map((m) => m.index),
        })),
      );
    });
  }
  for (const planned of of('cloud-eye')) {
    const message = cloudEyeMessage(run, planned, at - 30_000, keyPem);
    signals.push(...parseCloudEyeAlarm(message.message, message));
    const headers = {
      'content-type': 'application/json; charset=UTF-8',
      'x-smn-message-type': message.type,
      'x-smn-message-id': message.message_id,
      'x-smn-topic-urn': message.topic_urn,
    };
    const body = JSON.stringify(message);
    episodes.push(
      Array.from({ length: planned.deliveries }, () => ({
        via: 'cloud-eye' as const,
        path: '/v1/alerts/cloud-eye',
        headers,
        body,
        requests: [planned.index],
      })),
    );
  }
  for (const planned of of('cloudwatch')) {
    const name = `${ALARM_NAME}-${run}-${planned.index}`;
    const episode: CloudWatchEpisode = {
      arn: `arn:aws:cloudwatch:eu-west-1:${ACCOUNT}:alarm:${name}`,
      name,
      changedAt: new Date(at - 10_000 + planned.index).toISOString().replace('Z', '+0000'),
      label: labelOf(planned.index),
    };
    const deliveries = Array.from({ length: planned.deliveries }, (_, n) => {
      const via = pick(random, ['cloudwatch-sns', 'cloudwatch-eventbridge', 'cloudwatch-action'] as const);
      const event = cloudWatchEvent(via, episode, n);
      if (n === 0) signals.push(...detectAwsAlarm(event));
      return {
        via,
        path: '/_local/alarms',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(event),
        requests: [planned.index],
      };
    });
    episodes.push(deliveries);
  }

  const byRoute = new Map(alarmed.map((r) => [routeNameOf(r.index), r.index]));
  const expected = new Map<number, { request: ActionRequest; key: string; route: string }>();
  for (const signal of signals) {
    for (const decision of routeSignal(signal, routes)) {
      const index = byRoute.get(decision.route.name);
      if (!decision.act || index === undefined) {
        throw new Error(`soak routes: ${signal.name} does not act through ${decision.route.name}`);
      }
      expected.set(index, { request: decision.request, key: decision.key, route: decision.route.name });
    }
  }
  const missing = alarmed.filter((r) => !expected.has(r.index));
  if (missing.length > 0)
    throw new Error(`soak routes: no route acts on alarm request(s) ${missing[0]?.index}…`);
  return { routesDocument, expected, episodes };
};
