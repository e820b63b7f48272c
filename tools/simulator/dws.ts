/**
 * GaussDB(DWS) disaster recovery: DR pairs keyed by (project, id), the start / failover / recovery
 * state machine with transitions completed lazily `transitionMs` after the call (read from the
 * injected clock on every call or view), and the detail view.
 * Owns: DWS state and answers. Must not touch: auth, faults, sockets.
 */
import { assertProjectId, fail, isoSeconds, key, ok } from './errors.ts';
import type { RouteId, ServiceHandler, ServiceRequest, ServiceResult } from './types.ts';

interface Cluster {
  id: string;
  name: string;
  status: string;
  lastSuccessTime: string;
}

interface DrPair {
  id: string;
  name: string;
  status: string;
  primary: Cluster;
  standby: Cluster;
  createTime: string;
  startTime: string | null;
  /** True between a completed failover and the next completed start/recovery. */
  failedOver: boolean;
  pending?: { until: number; status: string; swap: boolean };
}

type DrOp = 'start' | 'failover' | 'recovery';

const OPERATIONS: Readonly<
  Record<DrOp, { from: readonly string[]; during: string; to: string; swap: boolean; afterFailover?: true }>
> = {
  start: { from: ['unstart', 'start_failed', 'stopped'], during: 'starting', to: 'running', swap: false },
  failover: { from: ['running', 'abnormal'], during: 'failovering', to: 'stopped', swap: true },
  recovery: { from: ['stopped'], during: 'recovering', to: 'running', swap: false, afterFailover: true },
};

export interface DwsInit {
  status?: string;
  name?: string;
  primaryClusterId?: string;
  standbyClusterId?: string;
}

const settle = (pair: DrPair, now: number): DrPair => {
  const { pending } = pair;
  if (!pending || now < pending.until) return pair;
  pair.status = pending.status;
  if (pending.swap) {
    [pair.primary, pair.standby] = [pair.standby, pair.primary];
    pair.failedOver = true;
  } else {
    pair.failedOver = false;
  }
  pair.primary.lastSuccessTime = isoSeconds(pending.until);
  delete pair.pending;
  return pair;
};

const clusterView = (cluster: Cluster, role: 'primary' | 'standby') => ({
  id: cluster.id,
  name: cluster.name,
  role,
  status: cluster.status,
  last_success_time: cluster.lastSuccessTime,
});

const view = (pair: DrPair): Record<string, unknown> => ({
  id: pair.id,
  name: pair.name,
  dr_type: 'az',
  status: pair.status,
  primary_cluster: clusterView(pair.primary, 'primary'),
  standby_cluster: clusterView(pair.standby, 'standby'),
  start_time: pair.startTime,
  create_time: pair.createTime,
});

export const createDws = (options: { transitionMs: number; now: () => number }) => {
  const pairs = new Map<string, DrPair>();

  const find = (projectId: string, id: string, now: number): DrPair | undefined => {
    const pair = pairs.get(key(projectId, id));
    return pair && settle(pair, now);
  };

  // huawei-apis.md: DWS answers an unknown DR with 403 DWS.0015 "resource not found or permission denied".
  const notFound = (): ServiceResult =>
    fail(403, 'DWS.0015', 'The resource does not exist or you do not have the permission to access it.');

  const operate =
    (op: DrOp): ServiceHandler =>
    ({ projectId, id = '', now }: ServiceRequest) => {
      const pair = find(projectId, id, now);
      if (!pair) return notFound();
      const rule = OPERATIONS[op];
      const allowed = rule.from.includes(pair.status) && (!rule.afterFailover || pair.failedOver);
      if (!allowed) {
        return fail(
          409,
          'DWS.0011',
          `The disaster recovery task is being operated or is abnormal. Current status: ${pair.status}, operation ${op} is not allowed.`,
        );
      }
      pair.status = rule.during;
      pair.pending = { until: now + options.transitionMs, status: rule.to, swap: rule.swap };
      if (op === 'start') pair.startTime = isoSeconds(now);
      return ok({ disaster_recovery: { id: pair.id } }, true);
    };

  const handlers: Partial<Record<RouteId, ServiceHandler>> = {
    'dws.dr.start': operate('start'),
    'dws.dr.failover': operate('failover'),
    'dws.dr.recovery': operate('recovery'),
    'dws.dr.show': ({ projectId, id = '', now }) => {
      const pair = find(projectId, id, now);
      return pair ? ok({ disaster_recovery: view(pair) }) : notFound();
    },
  };

  const seed = (projectId: string, id: string, init: DwsInit = {}): void => {
    assertProjectId(projectId);
    const created = isoSeconds(options.now());
    const status = init.status ?? 'running';
    const cluster = (clusterId: string): Cluster => ({
      id: clusterId,
      name: clusterId,
      status: 'Available',
      lastSuccessTime: created,
    });
    pairs.set(key(projectId, id), {
      id,
      name: init.name ?? `dr-${id.slice(0, 8)}`,
      status,
      primary: cluster(init.primaryClusterId ?? `${id}-primary`),
      standby: cluster(init.standbyClusterId ?? `${id}-standby`),
      createTime: created,
      startTime: status === 'unstart' ? null : created,
      failedOver: false,
    });
  };

  const show = (projectId: string, id: string): Record<string, unknown> | undefined => {
    const pair = find(projectId, id, options.now());
    return pair && view(pair);
  };

  return { handlers, seed, view: show };
};
