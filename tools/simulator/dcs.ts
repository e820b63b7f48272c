/**
 * DCS (Redis) backup restore on both API versions (`/v2/...` and the outdated `/v1.0/...`, same
 * body and answer, errors in each version's shape): instances keyed by (project, instance id),
 * their restore records going waiting -> restoring -> succeed | failed `restoreMs` after the call
 * (evaluated lazily; an instance's own `restoreMs`, Infinity for never, overrides the simulator's),
 * the instance RESTORING meanwhile, the paged record lists (v2 `offset` 0-based,
 * v1.0 `start` 1-based; 204 with no body on v2 when there are no records), the instance view, and
 * the instance's backup list (`GET .../backups`, paged the same way, seeded; read only: a restore
 * does not look its backup up).
 * Codes and fields: huawei-apis.md "The five actions" and "Progress of restores"; record fields
 * and the record error codes (`dcs.08.000x`) from the Go SDK's services/dcs/v2/model
 * (model_instance_restore_info.go, model_list_restore_records_request.go,
 * model_list_backup_records_response.go, model_backup_record_response.go) and the DCS API
 * reference "Listing DCS Instance Backup Records" (limit 1-1000, default 10; 204 when none).
 * Owns: DCS state and answers. Must not touch: auth, faults, sockets.
 */
import { randomUUID } from 'node:crypto';
import { assertProjectId, type DcsVersion, dcsFail, isObject, key, noContent, ok } from './errors.ts';
import type {
  DcsBackup,
  DcsInit,
  DcsRecordOrder,
  RouteId,
  ServiceHandler,
  ServiceRequest,
  ServiceResult,
} from './types.ts';

type Mode = 'single' | 'ha' | 'cluster';

interface RestoreRecord {
  restore_id: string;
  restore_name: string;
  backup_id: string;
  backup_name: string;
  backup_remark: string;
  restore_remark: string;
  status: 'waiting' | 'restoring' | 'succeed' | 'failed';
  progress: string;
  error_code: string | null;
  created_at: string;
  updated_at: string;
}

interface RestoreEntry {
  record: RestoreRecord;
  createdMs: number;
  /** When the record leaves 'waiting'. */
  startsAt: number;
  /** When it ends. */
  endsAt: number;
  /** The record's error_code when it ends failed; undefined when it succeeds. */
  failsWith?: string;
}

interface BackupEntry {
  record: Record<string, unknown>;
  createdMs: number;
}

interface Instance {
  id: string;
  mode: Mode;
  status: string;
  createdAt: string;
  restoreFails?: string;
  /** This instance's restore duration, when seeded with one. */
  restoreMs?: number;
  /** Oldest first. */
  restores: RestoreEntry[];
  backups: BackupEntry[];
}

const SPEC_CODES: Readonly<Record<Mode, string>> = {
  single: 'redis.single.xu1.large.1',
  ha: 'redis.ha.xu1.large.r2.1',
  cluster: 'redis.cluster.xu1.large.r2.4',
};

/** The Go SDK's first documented record error code, `dcs.08.0001`, is a tool start failure. */
export const DEFAULT_RESTORE_ERROR = 'dcs.08.0002';

/**
 * Instance statuses that are not "running" at all (DCS.4049) versus running-but-busy ones whose
 * state does not allow a restore (DCS.4026). RESTORING is DCS.4097 and EXTENDING is DCS.4113
 * (huawei-apis.md, after the Terraform provider's services/dcs/common.go).
 */
const NOT_RUNNING = new Set([
  'CREATING',
  'CREATEFAILED',
  'ERROR',
  'RESTARTING',
  'FROZEN',
  'CLOSING',
  'CLOSED',
]);

const isoMs = (ms: number): string => new Date(ms).toISOString();

/** `yyyyMMddHHmmss` (UTC) -> ms, or undefined when malformed. */
const parseCompactTime = (value: string): number | undefined => {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  return new Date(ms).getUTCDate() === d && h < 24 && mi < 60 && s < 60 ? ms : undefined;
};

/** An integer query parameter within [min, max], the default when absent, or 'invalid'. */
const intParam = (value: string | null, fallback: number, min: number, max: number): number | 'invalid' => {
  if (value === null || value === '') return fallback;
  if (!/^\d+$/.test(value)) return 'invalid';
  const n = Number(value);
  return n >= min && n <= max ? n : 'invalid';
};

/** `HH:mm-HH:mm` (UTC) of the hour a backup ran in: the period's format is not documented. */
const periodOf = (ms: number): string => {
  const hour = new Date(ms).getUTCHours();
  const hh = (h: number) => `${String(h % 24).padStart(2, '0')}:00`;
  return `${hh(hour)}-${hh(hour + 1)}`;
};

/** A seeded backup as the list shows it (fields of the Go SDK's BackupRecordResponse). */
const backupEntry = (instanceId: string, backup: DcsBackup, index: number, now: number): BackupEntry => {
  const createdMs =
    backup.createdAt === undefined
      ? now
      : typeof backup.createdAt === 'number'
        ? backup.createdAt
        : Date.parse(backup.createdAt);
  if (Number.isNaN(createdMs)) throw new Error(`simulator: backups[${index}].createdAt is not a time`);
  const status = backup.status ?? 'succeed';
  const done = status !== 'waiting' && status !== 'backuping';
  const updatedMs = done ? createdMs + 60_000 : createdMs;
  return {
    createdMs,
    record: {
      backup_id: backup.backupId,
      period: periodOf(createdMs),
      backup_name: backup.name ?? `backup_${isoMs(createdMs).replace(/\D/g, '').slice(0, 14)}`,
      instance_id: instanceId,
      size: status === 'succeed' ? 1_048_576 : 0,
      backup_type: backup.backupType ?? 'manual',
      created_at: isoMs(createdMs),
      updated_at: isoMs(updatedMs),
      progress: status === 'succeed' ? '100.00' : status === 'backuping' ? '50.00' : '0.00',
      error_code: status === 'failed' ? DEFAULT_RESTORE_ERROR : null,
      remark: backup.remark ?? '',
      status,
      is_support_restore: status === 'succeed' && backup.supportsRestore !== false ? 'TRUE' : 'FALSE',
      execution_at: isoMs(createdMs),
      backup_format: 'rdb',
    },
  };
};

const dcsVersion = (request: ServiceRequest): DcsVersion => (request.version === 'v1.0' ? 'v1.0' : 'v2');

export const createDcs = (options: { restoreMs: number; now: () => number; order: DcsRecordOrder }) => {
  const instances = new Map<string, Instance>();

  const settle = (instance: Instance, now: number): Instance => {
    for (const entry of instance.restores) {
      const { record } = entry;
      if (record.status === 'succeed' || record.status === 'failed') continue;
      if (now >= entry.endsAt) {
        record.status = entry.failsWith === undefined ? 'succeed' : 'failed';
        record.progress = entry.failsWith === undefined ? '100.00' : record.progress;
        record.error_code = entry.failsWith ?? null;
        record.updated_at = isoMs(entry.endsAt);
        if (instance.status === 'RESTORING') instance.status = 'RUNNING';
      } else if (now >= entry.startsAt) {
        const done = (now - entry.startsAt) / Math.max(1, entry.endsAt - entry.startsAt);
        if (record.status === 'waiting') record.updated_at = isoMs(entry.startsAt);
        record.status = 'restoring';
        record.progress = (Math.floor(done * 10_000) / 100).toFixed(2);
      }
    }
    return instance;
  };

  const find = (projectId: string, id: string, now: number): Instance | undefined => {
    const instance = instances.get(key(projectId, id));
    return instance && settle(instance, now);
  };

  const ordered = (instance: Instance, order: DcsRecordOrder): RestoreEntry[] => {
    const byCreation = [...instance.restores].sort((a, b) => a.createdMs - b.createdMs);
    return order === 'oldest-first' ? byCreation : byCreation.reverse();
  };

  const restore: ServiceHandler = (request) => {
    const { projectId, id = '', body, now } = request;
    const version = dcsVersion(request);
    const backupId = isObject(body) ? body['backup_id'] : undefined;
    const remark = isObject(body) ? body['remark'] : undefined;
    // The doc names no DCS parameter-check code: DCS.4800 is this simulator's (unverified) choice.
    if (typeof backupId !== 'string' || !backupId)
      return dcsFail(version, 400, 'DCS.4800', 'Invalid backup_id.');
    if (remark !== undefined && typeof remark !== 'string') {
      return dcsFail(version, 400, 'DCS.4800', 'Invalid remark.');
    }
    const instance = find(projectId, id, now);
    if (!instance) return dcsFail(version, 404, 'DCS.3022', 'The instance does not exist.');
    if (instance.mode === 'single') {
      return dcsFail(version, 400, 'DCS.4086', 'Only master/standby instances support this operation.');
    }
    if (instance.status === 'RESTORING') {
      return dcsFail(version, 400, 'DCS.4097', 'A restoration task is running on the instance.');
    }
    if (instance.status === 'EXTENDING') {
      return dcsFail(version, 400, 'DCS.4113', 'The instance is being scaled.');
    }
    if (NOT_RUNNING.has(instance.status)) {
      return dcsFail(version, 400, 'DCS.4049', 'The instance is not running.');
    }
    if (instance.status !== 'RUNNING') {
      return dcsFail(version, 400, 'DCS.4026', 'The current instance state does not support this operation.');
    }
    const created = isoMs(now);
    const record: RestoreRecord = {
      restore_id: randomUUID(),
      restore_name: `restore_${created.replace(/\D/g, '').slice(0, 14)}`,
      backup_id: backupId,
      backup_name: `backup_${backupId}`,
      backup_remark: '',
      restore_remark: remark ?? '',
      status: 'waiting',
      progress: '0.00',
      error_code: null,
      created_at: created,
      updated_at: created,
    };
    const restoreMs = instance.restoreMs ?? options.restoreMs;
    instance.restores.push({
      record,
      createdMs: now,
      // A quarter waiting, the rest restoring (a restore that never ends is restoring at once: 0 %).
      startsAt: now + (Number.isFinite(restoreMs) ? Math.floor(restoreMs / 4) : 0),
      endsAt: now + restoreMs,
      ...(instance.restoreFails === undefined ? {} : { failsWith: instance.restoreFails }),
    });
    instance.status = 'RESTORING';
    return ok({ restore_id: record.restore_id }, true);
  };

  /**
   * One page of a record list, in `order` (creation time), narrowed by the time window.
   * v2: `offset` 0-based (default 0), `limit` 1-1000 (default 10), `begin_time` / `end_time`;
   * 204 with no body when nothing matches. v1.0: `start` 1-based (default 1), `limit` >= 1
   * (default 10), `beginTime` / `endTime`; the v1.0 reference documents only a 200, so an empty
   * result is a 200 with an empty list there.
   */
  const page = (
    request: ServiceRequest,
    field: 'restore_record_response' | 'backup_record_response',
    entries: (instance: Instance) => readonly { record: object; createdMs: number }[],
  ): ServiceResult => {
    const { projectId, id = '', query, now } = request;
    const version = dcsVersion(request);
    const v2 = version === 'v2';
    const first = v2
      ? intParam(query.get('offset'), 0, 0, Number.MAX_SAFE_INTEGER)
      : intParam(query.get('start'), 1, 1, Number.MAX_SAFE_INTEGER);
    const limit = intParam(query.get('limit'), 10, 1, v2 ? 1000 : Number.MAX_SAFE_INTEGER);
    const beginText = query.get(v2 ? 'begin_time' : 'beginTime');
    const endText = query.get(v2 ? 'end_time' : 'endTime');
    const begin = beginText ? parseCompactTime(beginText) : -Infinity;
    const end = endText ? parseCompactTime(endText) : Infinity;
    if (first === 'invalid' || limit === 'invalid' || begin === undefined || end === undefined) {
      return dcsFail(version, 400, 'DCS.4800', 'Invalid query parameter.');
    }
    const instance = find(projectId, id, now);
    if (!instance) return dcsFail(version, 404, 'DCS.3022', 'The instance does not exist.');
    const byCreation = [...entries(instance)].sort((a, b) => a.createdMs - b.createdMs);
    if (options.order === 'newest-first') byCreation.reverse();
    // begin_time / end_time have a precision of one second.
    const matching = byCreation.filter(({ createdMs }) => createdMs >= begin && createdMs < end + 1000);
    if (matching.length === 0 && v2) return noContent();
    const from = v2 ? first : first - 1;
    return ok({
      [field]: matching.slice(from, from + limit).map(({ record }) => ({ ...record })),
      total_num: matching.length,
    });
  };

  const list: ServiceHandler = (request) =>
    page(request, 'restore_record_response', (instance) => instance.restores);

  const listBackups: ServiceHandler = (request) =>
    page(request, 'backup_record_response', (instance) => instance.backups);

  const handlers: Partial<Record<RouteId, ServiceHandler>> = {
    'dcs.restore': restore,
    'dcs.restores.list': list,
    'dcs.backups.list': listBackups,
    'dcs.instance.show': (request) => {
      const { projectId, id = '', now } = request;
      const instance = find(projectId, id, now);
      if (!instance) return dcsFail(dcsVersion(request), 404, 'DCS.3022', 'The instance does not exist.');
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
    const restores = (init.history ?? []).map((past, index): RestoreEntry => {
      const createdMs = typeof past.createdAt === 'number' ? past.createdAt : Date.parse(past.createdAt);
      if (Number.isNaN(createdMs)) throw new Error(`simulator: history[${index}].createdAt is not a time`);
      const failed = past.status === 'failed';
      const endsAt = createdMs + options.restoreMs;
      return {
        record: {
          restore_id: past.restoreId ?? randomUUID(),
          restore_name: `restore_${isoMs(createdMs).replace(/\D/g, '').slice(0, 14)}`,
          backup_id: past.backupId,
          backup_name: `backup_${past.backupId}`,
          backup_remark: '',
          restore_remark: past.remark ?? '',
          status: failed ? 'failed' : 'succeed',
          progress: failed ? '0.00' : '100.00',
          error_code: failed ? (past.errorCode ?? DEFAULT_RESTORE_ERROR) : null,
          created_at: isoMs(createdMs),
          updated_at: isoMs(endsAt),
        },
        createdMs,
        startsAt: createdMs,
        endsAt,
      };
    });
    instances.set(key(projectId, instanceId), {
      id: instanceId,
      mode: init.mode ?? 'ha',
      status: init.status ?? 'RUNNING',
      createdAt: isoMs(options.now()),
      ...(init.restoreFails === undefined
        ? {}
        : { restoreFails: init.restoreFails === true ? DEFAULT_RESTORE_ERROR : init.restoreFails }),
      ...(init.restoreMs === undefined ? {} : { restoreMs: init.restoreMs }),
      restores,
      backups: (init.backups ?? []).map((backup, index) =>
        backupEntry(instanceId, backup, index, options.now()),
      ),
    });
  };

  /** The records newest first (whatever order the HTTP list uses), for assertions. */
  const records = (projectId: string, instanceId: string): Record<string, unknown>[] => {
    const instance = find(projectId, instanceId, options.now());
    return instance ? ordered(instance, 'newest-first').map(({ record }) => ({ ...record })) : [];
  };

  return { handlers, seed, restores: records };
};
