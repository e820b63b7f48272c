/**
 * CBR (Cloud Backup and Recovery) restore: backups keyed by (project, backup id), the restore body's
 * parameter checks (BackupService.9900), one restore at a time per restored resource (server or
 * disk: BackupService.2010), backups being backed up (BackupService.2002) or in another state
 * (BackupService.2005), unknown backups (BackupService.6200, 404); a restore answers 202 with its
 * `job_id` (or, by option, with no body at all, as the API reference and the Go SDK document it),
 * puts the backup in waiting_restore -> restoring -> available, and leaves a task (operation log)
 * that goes waiting -> running -> success, or failed with its error_info when the backup was seeded
 * to fail, `restoreMs` after the call (evaluated lazily). Tasks are read one by one
 * (`GET /v3/{project_id}/operation-logs/{id}`, BackupService.6500 when unknown) and listed
 * (`GET /v3/{project_id}/operation-logs`, filtered by operation_type / status / resource_id, paged by
 * limit (1-1000, default 1000) and offset (0-based), newest first: the order is not documented).
 * Fields: the Go SDK services/cbr/v1/model (model_backup_resp.go, model_operation_log.go,
 * model_op_extend_info_restore.go, model_list_op_logs_response.go); codes: the CBR API reference's
 * "Error Codes" (docs/contracts.md, "CBR: verified / not verified").
 * Owns: CBR state and answers. Must not touch: auth, faults, sockets.
 */
import { randomUUID } from 'node:crypto';
import { assertProjectId, fail, isObject, isoSeconds, key } from './errors.ts';
import type { CbrInit, CbrRestoreAnswer, RouteId, ServiceHandler, ServiceResult } from './types.ts';

/** Backup provider ids (Go SDK model_backup_resp.go): cloud servers and cloud disks. */
export const CBR_SERVER_PROVIDER = '0daac4c5-6707-4851-97ba-169e36266b66';
export const CBR_DISK_PROVIDER = 'd1603440-187d-4516-af25-121250c7cc97';
/** The error a failed restore task carries when the seed names none (unverified: no code is documented for it). */
export const DEFAULT_CBR_TASK_ERROR = 'BackupService.9910';

interface Backup {
  id: string;
  projectId: string;
  resourceId: string;
  resourceType: string;
  status: string;
  vaultId: string;
  children: { id: string; volumeId: string }[];
  createdMs: number;
  updatedMs: number;
  restoreFails?: string;
  /** The status is a restore's (waiting_restore, restoring): it returns to available when they end. */
  byTask?: boolean;
}

interface Task {
  id: string;
  projectId: string;
  backupId: string;
  /** The restored server or disk. */
  targetId: string;
  createdMs: number;
  startsAt: number;
  endsAt: number;
  failsWith?: string;
}

const nonEmpty = (value: unknown): value is string => typeof value === 'string' && value !== '';

/** CBR prints backup times with microseconds and no zone (`2020-02-05T10:38:34.209782`). */
const backupTime = (ms: number): string => `${new Date(ms).toISOString().slice(0, 23)}000`;

/** The first failed parameter check of a restore body (BackupService.9900), or undefined. */
const checkRestore = (body: unknown): string | undefined => {
  const restore = isObject(body) ? body['restore'] : undefined;
  if (!isObject(restore)) return 'restore is required';
  const server = restore['server_id'];
  const volume = restore['volume_id'];
  if (server !== undefined && !nonEmpty(server)) return 'server_id is invalid';
  if (volume !== undefined && !nonEmpty(volume)) return 'volume_id is invalid';
  if (server === undefined && volume === undefined) return 'server_id or volume_id is required';
  if (server !== undefined && volume !== undefined) return 'server_id and volume_id are exclusive';
  const mappings = restore['mappings'];
  if (server !== undefined && !Array.isArray(mappings)) return 'mappings is required to restore a server';
  if (mappings !== undefined) {
    if (!Array.isArray(mappings)) return 'mappings is invalid';
    for (const [index, mapping] of mappings.entries()) {
      for (const field of ['backup_id', 'volume_id']) {
        const value = isObject(mapping) ? mapping[field] : undefined;
        if (!nonEmpty(value)) return `mappings[${index}].${field} is required`;
      }
    }
  }
  if (restore['power_on'] !== undefined && typeof restore['power_on'] !== 'boolean')
    return 'power_on is invalid';
  const details = restore['details'];
  if (details !== undefined) {
    const path = isObject(details) ? details['destination_path'] : undefined;
    if (!nonEmpty(path) || path.length > 255) return 'details.destination_path is invalid';
  }
  return undefined;
};

const parameterError = (problem: string): ServiceResult =>
  fail(400, 'BackupService.9900', `Parameter verification failed: ${problem}`);
const backupNotFound = (): ServiceResult => fail(404, 'BackupService.6200', 'The backup does not exist.');

const SERVER_TYPES = new Set(['OS::Nova::Server', 'OS::Ironic::BareMetalServer']);
const BACKING_UP = new Set(['protecting', 'waiting_protect']);

/** An integer query parameter within [min, max], the default when absent, or 'invalid'. */
const intParam = (value: string | null, fallback: number, min: number, max: number): number | 'invalid' => {
  if (value === null || value === '') return fallback;
  if (!/^\d+$/.test(value)) return 'invalid';
  const n = Number(value);
  return n >= min && n <= max ? n : 'invalid';
};

export const createCbr = (options: { restoreMs: number; now: () => number; answer: CbrRestoreAnswer }) => {
  const backups = new Map<string, Backup>();
  const tasks: Task[] = [];
  const waitingMs = Math.floor(options.restoreMs / 4);

  const taskStatus = (t: Task, now: number): 'waiting' | 'running' | 'success' | 'failed' => {
    if (now < t.startsAt) return 'waiting';
    if (now < t.endsAt) return 'running';
    return t.failsWith === undefined ? 'success' : 'failed';
  };

  /** The backup's status with its restores applied: waiting_restore, restoring, then as it was. */
  const settle = (backup: Backup, now: number): Backup => {
    const running = tasks.filter(
      (t) => t.projectId === backup.projectId && t.backupId === backup.id && now < t.endsAt,
    );
    const restoring = running.some((t) => now >= t.startsAt);
    if (running.length > 0) {
      backup.status = restoring ? 'restoring' : 'waiting_restore';
      backup.byTask = true;
    } else if (backup.byTask) {
      // Back at rest when its last restore ends (a status seeded as restoring stays: not ours to end).
      backup.status = 'available';
      backup.byTask = false;
      backup.updatedMs = Math.max(
        ...tasks
          .filter((t) => t.projectId === backup.projectId && t.backupId === backup.id)
          .map((t) => t.endsAt),
      );
    }
    return backup;
  };

  const find = (projectId: string, id: string, now: number): Backup | undefined => {
    const backup = backups.get(key(projectId, id.toLowerCase()));
    return backup && settle(backup, now);
  };

  const backupView = (b: Backup): Record<string, unknown> => {
    const server = SERVER_TYPES.has(b.resourceType);
    return {
      id: b.id,
      name: `manualbk_${b.id.slice(0, 4)}`,
      description: '',
      status: b.status,
      checkpoint_id: `checkpoint-${b.id}`,
      parent_id: null,
      project_id: b.projectId,
      provider_id: server ? CBR_SERVER_PROVIDER : CBR_DISK_PROVIDER,
      vault_id: b.vaultId,
      resource_id: b.resourceId,
      resource_name: `${server ? 'ecs' : 'evs'}-${b.resourceId.slice(0, 8)}`,
      resource_type: b.resourceType,
      resource_size: 40,
      resource_az: 'cn-north-4a',
      image_type: 'backup',
      protected_at: backupTime(b.createdMs),
      created_at: backupTime(b.createdMs),
      updated_at: backupTime(b.updatedMs),
      expired_at: null,
      extend_info: { auto_trigger: false, bootable: server, encrypted: false, incremental: false },
      children: b.children.map((c) => ({
        id: c.id,
        name: `manualbk_${c.id.slice(0, 4)}`,
        status: b.status,
        resource_id: c.volumeId,
        resource_type: 'OS::Cinder::Volume',
        provider_id: CBR_DISK_PROVIDER,
        parent_id: b.id,
        vault_id: b.vaultId,
      })),
    };
  };

  const taskView = (t: Task, now: number): Record<string, unknown> => {
    const status = taskStatus(t, now);
    const backup = backups.get(key(t.projectId, t.backupId));
    const ended = status === 'success' || status === 'failed';
    return {
      id: t.id,
      project_id: t.projectId,
      operation_type: 'restore',
      status,
      provider_id: backup && !SERVER_TYPES.has(backup.resourceType) ? CBR_DISK_PROVIDER : CBR_SERVER_PROVIDER,
      checkpoint_id: `checkpoint-${t.backupId}`,
      policy_id: '',
      vault_id: backup?.vaultId ?? '',
      vault_name: `vault-${(backup?.vaultId ?? '').slice(0, 8)}`,
      created_at: isoSeconds(t.createdMs),
      started_at: isoSeconds(Math.min(now, t.startsAt)),
      updated_at: isoSeconds(Math.min(now, ended ? t.endsAt : now)),
      ...(ended ? { ended_at: isoSeconds(t.endsAt) } : {}),
      error_info:
        status === 'failed'
          ? { code: t.failsWith, message: 'Restoring the backup failed.' }
          : { code: '', message: '' },
      extra_info: {
        restore: {
          backup_id: t.backupId,
          backup_name: `manualbk_${t.backupId.slice(0, 4)}`,
          target_resource_id: t.targetId,
          target_resource_name: `target-${t.targetId.slice(0, 8)}`,
        },
        resource: {
          id: backup?.resourceId ?? '',
          name: backup ? `res-${backup.resourceId.slice(0, 8)}` : '',
          type: backup?.resourceType ?? '',
        },
        common: {
          progress: status === 'success' ? 100 : status === 'running' ? 50 : 0,
          request_id: `req-${t.id.slice(0, 8)}`,
        },
      },
    };
  };

  const restore: ServiceHandler = ({ projectId, id = '', body, now }) => {
    const problem = checkRestore(body);
    if (problem) return parameterError(problem);
    const request = (body as { restore: Record<string, unknown> }).restore;
    const serverId = request['server_id'] as string | undefined;
    const targetId = (serverId ?? request['volume_id']) as string;
    const backup = find(projectId, id, now);
    if (!backup) return backupNotFound();
    const server = SERVER_TYPES.has(backup.resourceType);
    if (serverId !== undefined && !server)
      return parameterError('a disk backup cannot restore a server (give volume_id)');
    if (serverId === undefined && server)
      return parameterError('a server backup restores a server (give server_id and mappings)');
    const busy = tasks.some(
      (t) => t.projectId === projectId && t.targetId === targetId.toLowerCase() && now < t.endsAt,
    );
    if (busy) return fail(400, 'BackupService.2010', 'The resource is being restored.');
    if (BACKING_UP.has(backup.status))
      return fail(
        400,
        'BackupService.2002',
        'The resource is being backed up. Restore the resource after the backup is complete.',
      );
    if (backup.status !== 'available')
      return fail(400, 'BackupService.2005', 'Restoration is not allowed in the current backup status.');

    const task: Task = {
      id: randomUUID(),
      projectId,
      backupId: backup.id,
      targetId: targetId.toLowerCase(),
      createdMs: now,
      startsAt: now + waitingMs,
      endsAt: now + options.restoreMs,
      ...(backup.restoreFails === undefined ? {} : { failsWith: backup.restoreFails }),
    };
    tasks.push(task);
    backup.updatedMs = now;
    settle(backup, now);
    return options.answer === 'empty'
      ? { status: 202, body: {}, effectApplied: true, empty: true }
      : { status: 202, body: { job_id: task.id }, effectApplied: true };
  };

  const listTasks: ServiceHandler = ({ projectId, query, now }) => {
    const limit = intParam(query.get('limit'), 1000, 1, 1000);
    const offset = intParam(query.get('offset'), 0, 0, Number.MAX_SAFE_INTEGER);
    if (limit === 'invalid' || offset === 'invalid') return parameterError('limit or offset is invalid');
    const type = query.get('operation_type');
    const status = query.get('status');
    const resource = query.get('resource_id');
    // Every task here is a restore: another operation_type lists none.
    const matching = (type === null || type === 'restore' ? tasks : [])
      .filter((t) => t.projectId === projectId)
      .filter((t) => status === null || taskStatus(t, now) === status)
      .filter((t) => resource === null || backups.get(key(projectId, t.backupId))?.resourceId === resource)
      .sort((a, b) => b.createdMs - a.createdMs);
    return {
      status: 200,
      body: {
        operation_logs: matching.slice(offset, offset + limit).map((t) => taskView(t, now)),
        count: matching.length,
        limit,
        offset,
      },
      effectApplied: false,
    };
  };

  const handlers: Partial<Record<RouteId, ServiceHandler>> = {
    'cbr.restore': restore,
    'cbr.backup.show': ({ projectId, id = '', now }) => {
      const backup = find(projectId, id, now);
      return backup
        ? { status: 200, body: { backup: backupView(backup) }, effectApplied: false }
        : backupNotFound();
    },
    'cbr.operation_log.show': ({ projectId, id = '', now }) => {
      const task = tasks.find((t) => t.projectId === projectId && t.id === id);
      return task
        ? { status: 200, body: { operation_log: taskView(task, now) }, effectApplied: false }
        : fail(404, 'BackupService.6500', 'The operation log does not exist.');
    },
    'cbr.operation_logs.list': listTasks,
  };

  const seed = (projectId: string, backupId: string, init: CbrInit = {}): void => {
    assertProjectId(projectId);
    const now = options.now();
    const resourceType = init.resourceType ?? 'OS::Nova::Server';
    const resourceId = (init.resourceId ?? randomUUID()).toLowerCase();
    backups.set(key(projectId, backupId.toLowerCase()), {
      id: backupId.toLowerCase(),
      projectId,
      resourceId,
      resourceType,
      status: init.status ?? 'available',
      vaultId: init.vaultId ?? randomUUID(),
      children: (init.disks ?? []).map((d) => ({
        id: d.backupId.toLowerCase(),
        volumeId: d.volumeId.toLowerCase(),
      })),
      createdMs: now,
      updatedMs: now,
      ...(init.restoreFails === undefined
        ? {}
        : { restoreFails: init.restoreFails === true ? DEFAULT_CBR_TASK_ERROR : init.restoreFails }),
    });
  };

  const show = (projectId: string, backupId: string): Record<string, unknown> | undefined => {
    const backup = find(projectId, backupId, options.now());
    return backup && backupView(backup);
  };

  /** Every task of the project, newest first, as the list shows it. */
  const taskList = (projectId: string): Record<string, unknown>[] => {
    const now = options.now();
    return tasks
      .filter((t) => t.projectId === projectId)
      .sort((a, b) => b.createdMs - a.createdMs)
      .map((t) => taskView(t, now));
  };

  return { handlers, seed, view: show, tasks: taskList };
};
