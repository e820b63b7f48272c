/**
 * CBR (Cloud Backup and Recovery, CSBS's successor): restore a server or a disk from a CBR backup.
 * Sources (docs/contracts.md "CBR: verified / not verified" says which fact comes from where):
 * the official Go SDK services/cbr/v1 (cbr_meta.go, model_backup_restore.go,
 * model_backup_restore_server_mapping.go, model_restore_details.go, model_backup_resp.go,
 * model_operation_log.go, model_list_op_logs_request.go), the Terraform provider's
 * huaweicloud/services/cbr/resource_huaweicloud_cbr_restore.go, and the CBR API reference's
 * "Restoring a Backup", "Querying a Single Task", "Querying the Task List" and "Error Codes".
 *
 * - The call: `POST /v3/{project_id}/backups/{backup_id}/restore`, body `{"restore": {mappings?,
 *   power_on?, server_id | volume_id, details?}}`, answered 202. The API reference documents no
 *   response body and the Go SDK reads none; the Terraform provider reads `job_id` from it and fails
 *   without one. So `job_id` is kept where returned, and everything works without it.
 * - The state: the backup (`GET /v3/{project_id}/backups/{backup_id}`, `backup.status` one of
 *   available, protecting, deleting, restoring, error, waiting_protect, waiting_delete,
 *   waiting_restore). The preflight wants it `available`.
 * - What a restore leaves behind: a task (operation log) of type `restore` naming the backup
 *   (`extra_info.restore.backup_id`) with `created_at`, `status` (waiting, running, success,
 *   failed, timeout, skipped) and `error_info {code, message}`. The Terraform provider polls
 *   `GET /v3/{project_id}/operation-logs/{job_id}` until success (done) or failed | timeout.
 *   Reconciliation reads the backup and then the restore tasks (`GET /v3/{project_id}/operation-logs
 *   ?operation_type=restore`, every page): a task of our backup created since the call is proof,
 *   and gives back the job id a lost answer carried.
 * - What cannot be told: whether a restore ran when no task of it is listed and the backup is not
 *   restoring depends on CBR listing a task as soon as it accepts the restore (the Terraform provider
 *   polls the job right after the answer: consistent with it, not a proof). Two restores of the same
 *   backup started within a minute of each other (clock slack) cannot be told apart.
 */
import * as z from '../schema/zod.ts';
import { resourceId } from './ids.ts';
import type {
  ActionDefinition,
  OperationContext,
  OperationObservation,
  Preflight,
  Reconciliation,
  RemoteCall,
  RequestEnvelope,
} from './types.ts';

const mapping = z.lazySchema(() => z.strictObject({ backup_id: resourceId, volume_id: resourceId }));

const params = z.lazySchema(() =>
  z
    .strictObject({
      backup_id: resourceId,
      server_id: z.optional(resourceId),
      volume_id: z.optional(resourceId),
      power_on: z.optional(z.boolean()),
      mappings: z.optional(z.array(mapping).check(z.minLength(1), z.maxLength(64))),
      /** RestoreDetails: `destination_path` (1-255 characters), mandatory within `details`. */
      details: z.optional(
        z.strictObject({ destination_path: z.string().check(z.minLength(1), z.maxLength(255)) }),
      ),
    })
    .check(
      z.superRefine((p, ctx) => {
        if (p.server_id === undefined && p.volume_id === undefined) {
          for (const field of ['server_id', 'volume_id'])
            ctx.addIssue({
              code: 'custom',
              path: [field],
              message:
                'exactly one of server_id (restore a whole server) or volume_id (restore a disk) is required',
            });
        }
        if (p.server_id !== undefined && p.volume_id !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['volume_id'],
            message: 'give server_id (restore a whole server) or volume_id (restore a disk), not both',
          });
        }
        if (p.server_id !== undefined && p.mappings === undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['mappings'],
            message:
              'required with server_id: one {backup_id, volume_id} per disk (the disk backup ids are the backup’s children)',
          });
        }
        if (p.volume_id !== undefined && p.mappings !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['mappings'],
            message: 'only for a server restore (server_id): a disk restore (volume_id) does not use them',
          });
        }
      }),
    ),
);
type Params = z.infer<typeof params>;

/**
 * Busy or wrong-state answers (all 400 but BackupService.0002, a 500), CBR API reference "Error
 * Codes": our restore did not start, the resource or backup is doing something else.
 *   BackupService.2010 the resource is being restored      BackupService.2002 it is being backed up
 *   BackupService.2005 the backup's status does not allow a restore
 *   BackupService.2008 the server's status does not allow it  BackupService.2011 the disk's does not
 *   BackupService.0002 resources are being backed up (500)
 */
export const CBR_BUSY_CODES = [
  'BackupService.2010',
  'BackupService.2002',
  'BackupService.2005',
  'BackupService.2008',
  'BackupService.2011',
  'BackupService.0002',
] as const;

/** Not found: the backup (404), the task (404). Parameter check: BackupService.9900 (400). */
export const CBR_NOT_FOUND_CODES = [
  'BackupService.6200',
  'BackupService.6500',
  'BackupService.6501',
] as const;

/** The task list's largest page (`limit` 1-1000, default 1000). */
export const CBR_TASK_PAGE = 1000;
/** At most this many pages of restore tasks are read (10,000 tasks): past that, the read is incomplete. */
const MAX_TASK_PAGES = 10;
/** Server clocks differ: a task created up to this long before our call still counts as ours. */
const CLOCK_SLACK_MS = 60_000;

const backupPath = (r: RequestEnvelope<Params>) => `/v3/${r.project_id}/backups/${r.params.backup_id}`;
const BACKUP_PATH = /^\/v3\/(?<p>[^/?]+)\/backups\/[^/?]+$/;
const TASKS_PATH = /^\/v3\/(?<p>[^/?]+)\/operation-logs\?/;
const tasksPage = (projectId: string, offset: number): RemoteCall => ({
  method: 'GET',
  // The first page without offset: the reference says offset "minimum 1" for the query and
  // "minimum 0, default 0" in the answer; leaving it out reads from the start either way.
  path: `/v3/${projectId}/operation-logs?operation_type=restore&limit=${CBR_TASK_PAGE}${offset > 0 ? `&offset=${offset}` : ''}`,
});

const backupBody = z.lazySchema(() =>
  z.looseObject({ backup: z.looseObject({ id: z.string(), status: z.string() }) }),
);
const task = z.lazySchema(() =>
  z.looseObject({
    id: z.string(),
    status: z.string(),
    created_at: z.string(),
    extra_info: z.nullish(
      z.looseObject({
        restore: z.nullish(z.looseObject({ backup_id: z.optional(z.string()) })),
      }),
    ),
    error_info: z.nullish(z.looseObject({ code: z.nullish(z.string()), message: z.nullish(z.string()) })),
  }),
);
type Task = z.infer<typeof task>;
const taskBody = z.lazySchema(() => z.looseObject({ operation_log: task }));
const taskList = z.lazySchema(() =>
  z.looseObject({ operation_logs: z.array(z.unknown()), count: z.optional(z.number()) }),
);
const accepted = z.lazySchema(() => z.looseObject({ job_id: z.string().check(z.minLength(1)) }));

/** The state reconciliation and progress read: the backup, then every page of restore tasks. */
const combined = z.lazySchema(() =>
  z.strictObject({
    backup: z.unknown(),
    restore_tasks: z.array(z.unknown()),
    /** false when a page was unreadable or the page limit was reached: a task may be missing. */
    complete: z.boolean(),
  }),
);
type Combined = z.infer<typeof combined>;

/** CBR prints backup times without a zone (`2020-02-05T10:38:34.209782`) and task times in UTC (`Z`). */
const utcMs = (text: string): number => Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : `${text}Z`);

const restoredBackupOf = (t: Task): string | undefined => t.extra_info?.restore?.backup_id ?? undefined;

/**
 * The restore tasks of `backupId` among those read (unreadable entries naming it count as
 * unreadable), newest first.
 */
const tasksOf = (entries: readonly unknown[], backupId: string): { tasks: Task[]; unreadable: boolean } => {
  const wanted = backupId.toLowerCase();
  const tasks: Task[] = [];
  let unreadable = false;
  for (const entry of entries) {
    const parsed = task.safeParse(entry);
    if (!parsed.success) {
      if (
        JSON.stringify(entry ?? null)
          .toLowerCase()
          .includes(wanted)
      )
        unreadable = true;
      continue;
    }
    if (restoredBackupOf(parsed.data)?.toLowerCase() !== wanted) continue;
    if (Number.isNaN(utcMs(parsed.data.created_at))) unreadable = true;
    else tasks.push(parsed.data);
  }
  tasks.sort((a, b) => utcMs(b.created_at) - utcMs(a.created_at));
  return { tasks, unreadable };
};

/**
 * How one task stands: success done; failed, timeout or skipped ended without restoring; waiting
 * accepted but not under way yet; anything else (running, or unpublished) running.
 */
const judgeTask = (t: Task, how: string): OperationObservation => {
  const observed = `restore task ${t.id} is ${t.status}${how}`;
  if (t.status === 'success') return { state: 'completed', observed };
  if (t.status === 'failed' || t.status === 'timeout' || t.status === 'skipped') {
    const code = t.error_info?.code || 'no error code';
    const message = t.error_info?.message ? `: ${t.error_info.message}` : '';
    return { state: 'failed', observed, error: `CBR restore ${t.status}: ${code}${message}` };
  }
  if (t.status === 'waiting') return { state: 'running', observed, started: false };
  return { state: 'running', observed };
};

const UNDER_WAY = ['waiting_restore', 'restoring'];

/**
 * Without a job id: the newest restore task of our backup created after the backup last changed
 * before our call (the preflight snapshot's `updated_at`; without one, since the call was accepted,
 * with the clock slack), else the backup's own status, which shows a restore under way but not its
 * result.
 */
const judgeByBackup = (state: Combined, context: OperationContext<Params>): OperationObservation => {
  const parsed = backupBody.safeParse(state.backup);
  if (!parsed.success) return { state: 'running', observed: 'the backup could not be read' };
  const before = backupBody.safeParse(context.before);
  const since =
    before.success && typeof before.data.backup['updated_at'] === 'string'
      ? utcMs(before.data.backup['updated_at'])
      : context.elapsedSeconds === undefined
        ? Number.NaN
        : Date.now() - context.elapsedSeconds * 1000 - CLOCK_SLACK_MS;
  const { tasks } = tasksOf(state.restore_tasks, context.request.params.backup_id);
  const mine = tasks.find((t) => Number.isNaN(since) || utcMs(t.created_at) >= since);
  if (mine) return judgeTask(mine, ' (found by its backup: no job id)');
  const status = parsed.data.backup.status;
  const observed = `backup is ${status}, no restore task of it listed`;
  if (UNDER_WAY.includes(status)) return { state: 'running', observed };
  if (status === 'error') return { state: 'failed', observed, error: 'backup status error' };
  if (status === 'available' && context.seenRunning)
    return {
      state: 'completed',
      observed: `${observed}: available again after restoring (the backup does not say whether the restore succeeded)`,
    };
  return { state: 'running', observed: `${observed} (restore not seen under way yet)`, started: false };
};

const judgeCbr = (state: unknown, context: OperationContext<Params>): OperationObservation => {
  const one = taskBody.safeParse(state);
  if (one.success) return judgeTask(one.data.operation_log, '');
  const both = combined.safeParse(state);
  if (both.success) return judgeByBackup(both.data, context);
  return { state: 'running', observed: 'the restore task could not be read' };
};

const reconcileCbr = (state: unknown, request: RequestEnvelope<Params>, sentAt: string): Reconciliation => {
  const both = combined.safeParse(state);
  const backup = backupBody.safeParse(both.success ? both.data.backup : state);
  if (!backup.success) return { verdict: 'unknown', observed: 'the backup could not be read' };
  const status = backup.data.backup.status;
  if (!both.success) {
    return UNDER_WAY.includes(status)
      ? { verdict: 'applied', observed: `backup is ${status}` }
      : { verdict: 'unknown', observed: `backup is ${status}; its restore tasks were not read` };
  }
  const since = Date.parse(sentAt) - CLOCK_SLACK_MS;
  const { tasks, unreadable } = tasksOf(both.data.restore_tasks, request.params.backup_id);
  const ours = tasks.find((t) => utcMs(t.created_at) >= since);
  if (ours)
    return {
      verdict: 'applied',
      observed: `restore task ${ours.id} of backup ${request.params.backup_id} is ${ours.status}`,
      remote: { job_id: ours.id },
    };
  if (UNDER_WAY.includes(status))
    return { verdict: 'applied', observed: `backup is ${status} (no restore task of it listed yet)` };
  if (unreadable)
    return {
      verdict: 'unknown',
      observed: `a restore task of backup ${request.params.backup_id} has an unreadable created_at`,
    };
  if (!both.data.complete)
    return {
      verdict: 'unknown',
      observed: `backup is ${status}; not every restore task could be read, ours may be among those left`,
    };
  return {
    verdict: 'not_applied',
    observed: `backup is ${status} and no restore task of it since ${sentAt}`,
  };
};

export const cbrRestore = {
  id: 'cbr.restore' as const,
  service: 'cbr',
  summary: 'Restore a server (or a disk) from a CBR backup (CBR is CSBS’s successor)',
  params,
  target: (r) => `cbr:${r.project_id}/${r.params.server_id ?? r.params.volume_id ?? r.params.backup_id}`,
  call: (r) => {
    const p = r.params;
    return {
      method: 'POST',
      path: `${backupPath(r)}/restore`,
      body: {
        restore: {
          ...(p.mappings === undefined ? {} : { mappings: p.mappings }),
          ...(p.power_on === undefined ? {} : { power_on: p.power_on }),
          ...(p.server_id === undefined ? {} : { server_id: p.server_id }),
          ...(p.volume_id === undefined ? {} : { volume_id: p.volume_id }),
          ...(p.details === undefined ? {} : { details: p.details }),
        },
      },
    };
  },
  remote: (body): Record<string, string> => {
    const parsed = accepted.safeParse(body);
    return parsed.success ? { job_id: parsed.data.job_id } : {};
  },
  busyCodes: CBR_BUSY_CODES,
  stateCall: (r) => ({ method: 'GET', path: backupPath(r) }),
  preflight: (state): Preflight => {
    const parsed = backupBody.safeParse(state);
    if (!parsed.success) return { ok: false, reason: 'the backup could not be read (unexpected shape)' };
    const status = parsed.data.backup.status;
    return status === 'available'
      ? { ok: true }
      : { ok: false, reason: `backup status is ${status}; a restore can start only from available` };
  },
  statePaging: {
    next: (previous, body) => {
      const backup = BACKUP_PATH.exec(previous.path);
      if (backup) {
        // The backup first; then the restore tasks, if the backup could be read at all.
        return backupBody.safeParse(body).success ? tasksPage(backup.groups?.['p'] ?? '', 0) : undefined;
      }
      const tasks = TASKS_PATH.exec(previous.path);
      const page = taskList.safeParse(body);
      if (!tasks || !page.success) return undefined;
      const offset = Number(new URLSearchParams(previous.path.split('?')[1]).get('offset') ?? '0');
      const read = page.data.operation_logs.length;
      const more = page.data.count === undefined ? read === CBR_TASK_PAGE : offset + read < page.data.count;
      if (!more || read === 0 || offset / CBR_TASK_PAGE + 1 >= MAX_TASK_PAGES) return undefined;
      return tasksPage(tasks.groups?.['p'] ?? '', offset + read);
    },
    combine: (bodies): unknown => {
      const [first, ...pages] = bodies;
      if (pages.length === 0) return first; // a task read by its job id, or an unreadable backup
      const restoreTasks: unknown[] = [];
      let complete = true;
      for (const body of pages) {
        const page = taskList.safeParse(body);
        if (!page.success) {
          complete = false;
          continue;
        }
        restoreTasks.push(...page.data.operation_logs);
      }
      const last = taskList.safeParse(pages.at(-1));
      if (last.success) {
        const total = last.data.count;
        if (total !== undefined && restoreTasks.length < total) complete = false;
      }
      return { backup: first, restore_tasks: restoreTasks, complete } satisfies Combined;
    },
  },
  reconcile: (state, { request, sentAt }): Reconciliation => reconcileCbr(state, request, sentAt),
  operation: {
    /** By the job id when the answer (or reconciliation) gave one; else the backup and its restore tasks. */
    progressCall: (r, _settings, remote) => {
      const job = remote['job_id'];
      return job
        ? { method: 'GET', path: `/v3/${r.project_id}/operation-logs/${encodeURIComponent(job)}` }
        : { method: 'GET', path: backupPath(r) };
    },
    judge: judgeCbr,
    timeLimitSeconds: 4 * 3600,
  },
} satisfies ActionDefinition<Params>;
