/**
 * DCS (Redis) backup restore: instances keyed by (project, instance id), their restore records,
 * the checks (DCS.4800 / DCS.4204 / DCS.4916 / DCS.4113), the instance going RESTORING and back
 * to RUNNING `restoreMs` later (evaluated lazily), the paged record list and the instance view.
 * Owns: DCS state and answers. Must not touch: auth, faults, sockets.
 */
import { randomUUID } from 'node:crypto';
import { assertProjectId, fail, isObject, key, ok } from './errors.ts';
import type { RouteId, ServiceHandler, ServiceResult } from './types.ts';

type Mode = 'single' | 'ha' | 'cluster';

interface RestoreRecord {
  restore_id: string;
  restore_name: string;
  backup_id: string;
  remark: string;
  status: string;
  progress: string;
  error_code: string | null;
  created_at: string;
  updated_at: string;
}

interface Instance {
  id: string;
  mode: Mode;
  status: string;
  createdAt: string;
  /** Oldest first. */
  restores: { record: RestoreRecord; until: number }[];
}

export interface DcsInit {
  mode?: Mode;
  status?: string;
}

const SPEC_CODES: Readonly<Record<Mode, string>> = {
  single: 'redis.single.xu1.large.1',
  ha: 'redis.ha.xu1.large.r2.1',
  cluster: 'redis.cluster.xu1.large.r2.4',
};

const dcsError = (status: number, code: string, msg: string): ServiceResult =>
  fail(status, code, msg, { error_ext_msg: '' });

const notFound = (): ServiceResult => dcsError(404, 'DCS.4204', 'The instance does not exist.');

const positiveInt = (value: string | null, fallback: number): number => {
  const n = Number(value);
  return value !== null && Number.isInteger(n) && n >= 1 ? n : fallback;
};

export const createDcs = (options: { restoreMs: number; now: () => number }) => {
  const instances = new Map<string, Instance>();

  const settle = (instance: Instance, now: number): Instance => {
    for (const entry of instance.restores) {
      if (entry.record.status !== 'restoring' || now < entry.until) continue;
      entry.record.status = 'succeed';
      entry.record.progress = '100.00';
      entry.record.updated_at = new Date(entry.until).toISOString();
      if (instance.status === 'RESTORING') instance.status = 'RUNNING';
    }
    return instance;
  };

  const find = (projectId: string, id: string, now: number): Instance | undefined => {
    const instance = instances.get(key(projectId, id));
    return instance && settle(instance, now);
  };

  const newestFirst = (instance: Instance): Record<string, unknown>[] =>
    instance.restores.map(({ record }) => ({ ...record })).reverse();

  const restore: ServiceHandler = ({ projectId, id = '', body, now }) => {
    const backupId = isObject(body) ? body['backup_id'] : undefined;
    if (typeof backupId !== 'string' || !backupId) return dcsError(400, 'DCS.4800', 'Invalid backup_id.');
    const remark = isObject(body) && typeof body['remark'] === 'string' ? body['remark'] : '';
    const instance = find(projectId, id, now);
    if (!instance) return notFound();
    if (instance.mode === 'single') {
      return dcsError(400, 'DCS.4916', 'Single-node instances do not support backup and restoration.');
    }
    if (instance.status !== 'RUNNING') {
      return dcsError(400, 'DCS.4113', 'The instance is being restored or another operation is in progress.');
    }
    const created = new Date(now).toISOString();
    const record: RestoreRecord = {
      restore_id: randomUUID(),
      restore_name: `restore_${created.replace(/\D/g, '').slice(0, 14)}`,
      backup_id: backupId,
      remark,
      status: 'restoring',
      progress: '0.00',
      error_code: null,
      created_at: created,
      updated_at: created,
    };
    instance.restores.push({ record, until: now + options.restoreMs });
    instance.status = 'RESTORING';
    return ok({ restore_id: record.restore_id }, true);
  };

  const handlers: Partial<Record<RouteId, ServiceHandler>> = {
    'dcs.restore': restore,
    'dcs.restores.list': ({ projectId, id = '', query, now }) => {
      const instance = find(projectId, id, now);
      if (!instance) return notFound();
      const all = newestFirst(instance);
      const start = positiveInt(query.get('start'), 1);
      const limit = positiveInt(query.get('limit'), 10);
      return ok({ restore_record_response: all.slice(start - 1, start - 1 + limit), total_num: all.length });
    },
    'dcs.instance.show': ({ projectId, id = '', now }) => {
      const instance = find(projectId, id, now);
      if (!instance) return notFound();
      return ok({
        instance_id: instance.id,
        name: `dcs-${instance.id}`,
        engine: 'Redis',
        engine_version: '6.0',
        status: instance.status,
        spec_code: SPEC_CODES[instance.mode],
        capacity: 1,
        port: 6379,
        project_id: projectId,
        created_at: instance.createdAt,
      });
    },
  };

  const seed = (projectId: string, instanceId: string, init: DcsInit = {}): void => {
    assertProjectId(projectId);
    instances.set(key(projectId, instanceId), {
      id: instanceId,
      mode: init.mode ?? 'ha',
      status: init.status ?? 'RUNNING',
      createdAt: new Date(options.now()).toISOString(),
      restores: [],
    });
  };

  const restores = (projectId: string, instanceId: string): Record<string, unknown>[] => {
    const instance = find(projectId, instanceId, options.now());
    return instance ? newestFirst(instance) : [];
  };

  return { handlers, seed, restores };
};
