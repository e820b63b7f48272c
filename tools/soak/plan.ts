/**
 * The soak's workload, decided up front from the seed: the targets (one resource each, seeded in the
 * simulator so its primary request can succeed), the requests (one primary per target, of every
 * kind requestFor makes; companions on DWS pairs, expected to be skipped by the preflight), the
 * entry path of each (queue, API, both, or an alarm of some source) and how often it is delivered.
 * Owns: those choices. Must not touch: how a request is sent (traffic.ts), alarm payloads (alarms.ts).
 */
import type { ActionRequest } from '../../lib/actions/request.ts';
import { requestFor } from '../local/workload.ts';
import { mulberry32 } from '../simulator/faults.ts';

/** primary: the target's own operation (succeeds, one effect); companion: another DWS action on the pair (skipped). */
export type Role = 'primary' | 'companion';
export type Path = 'queue' | 'api' | 'queue+api' | 'alarm';
export type AlarmSource = 'alertmanager' | 'grafana' | 'cloud-eye' | 'cloudwatch';
export const ALARM_SOURCES: readonly AlarmSource[] = ['alertmanager', 'grafana', 'cloud-eye', 'cloudwatch'];

export interface PlannedRequest {
  readonly index: number;
  readonly target: number;
  readonly role: Role;
  /** As sent on the queue / API; for an alarm, the route's action (its request_id comes from the episode). */
  readonly request: ActionRequest;
  readonly path: Path;
  readonly alarmSource?: AlarmSource;
  /** How many times it is delivered (1 to 3; queue+api at least 2: one each way). */
  readonly deliveries: number;
}

export interface Plan {
  readonly run: string;
  /** The primary request of each target: what the simulator is seeded for. */
  readonly primaries: readonly ActionRequest[];
  readonly requests: readonly PlannedRequest[];
}

export type Random = () => number;
export const randomOf = (seed: number): Random => mulberry32(seed * 2_654_435_761 + 0x5eed);
export const pick = <T>(random: Random, items: readonly T[]): T =>
  items[Math.floor(random() * items.length)] as T;

const DWS_ACTIONS = ['dws.dr.start', 'dws.dr.failover', 'dws.dr.recovery'] as const;

/** Another DWS action on the same pair, with or without a request_id: always refused by the preflight. */
const companionOf = (run: string, primary: ActionRequest, which: number): ActionRequest => {
  if (primary.action !== 'dws.dr.start' && primary.action !== 'dws.dr.failover') {
    throw new Error(`companions are DWS only, not ${primary.action}`);
  }
  const others = DWS_ACTIONS.filter((a) => a !== primary.action);
  const action = others[which % others.length] ?? 'dws.dr.recovery';
  const id = primary.params.disaster_recovery_id;
  return {
    action,
    region: primary.region,
    project_id: primary.project_id,
    ...(which % 2 === 0 ? { request_id: `${run}-companion-${action}-${id}` } : {}),
    params: { disaster_recovery_id: id },
  };
};

const choosePath = (random: Random): Path => {
  const r = random();
  if (r < 0.2) return 'alarm';
  if (r < 0.6) return 'queue';
  if (r < 0.85) return 'api';
  return 'queue+api';
};

export const makePlan = (options: { requests: number; targets: number; seed: number }): Plan => {
  const random = randomOf(options.seed);
  const run = `soak${options.seed}-${Date.now().toString(36)}`;
  const primaries = Array.from({ length: options.targets }, (_, t) => requestFor(run, t));
  const dwsTargets = primaries.flatMap((r, t) =>
    r.action === 'dws.dr.start' || r.action === 'dws.dr.failover' ? [t] : [],
  );
  const companions = options.requests - options.targets;
  if (companions > 2 * dwsTargets.length) {
    throw new RangeError(`${options.requests} requests need more than ${options.targets} targets`);
  }
  const byTarget: { target: number; role: Role; request: ActionRequest }[] = primaries.map((request, t) => ({
    target: t,
    role: 'primary',
    request,
  }));
  for (let c = 0; c < companions; c++) {
    const target = dwsTargets[c % dwsTargets.length] ?? 0;
    const primary = primaries[target] as ActionRequest;
    byTarget.push({
      target,
      role: 'companion',
      request: companionOf(run, primary, Math.floor(c / dwsTargets.length)),
    });
  }
  const requests = byTarget.map(({ target, role, request }, index): PlannedRequest => {
    const path = choosePath(random);
    const deliveries = 1 + Math.floor(random() * 3);
    return {
      index,
      target,
      role,
      request,
      path,
      ...(path === 'alarm' ? { alarmSource: pick(random, ALARM_SOURCES) } : {}),
      deliveries: path === 'queue+api' ? Math.max(2, deliveries) : deliveries,
    };
  });
  return { run, primaries, requests };
};
