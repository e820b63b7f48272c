/**
 * What `dr-relay doctor` checks, and how it judges what it reads: the routed and requested targets
 * (grouped: one target, every action aimed at it), the read-only state reads each needs (the
 * catalogue's own `stateCall` wherever it exists, plus the DCS instance and its backup list, and the
 * CBR restore tasks), and
 * the verdict: ok, would be refused (naming the action and why, by the action's own `preflight`
 * where it has one, so the rule is the executor's), or why the reads failed (unreachable, bad
 * signature, no permission, not found, read failed).
 * Owns: those rules. Must not touch: the network (reads come through the `Read` function given;
 * only cli/doctor.ts sends), the text of the report (cli/doctorReport.ts).
 */

import { actionFor } from '../lib/actions/catalogue.ts';
import { CBR_NOT_FOUND_CODES } from '../lib/actions/cbr.ts';
import type { ActionRequest } from '../lib/actions/request.ts';
import { canonicalJson } from '../lib/actions/request.ts';
import type { ActionSettings, RemoteCall, Service } from '../lib/actions/types.ts';
import { HuaweiApiError } from '../lib/huawei/errors.ts';
import { isRecord } from '../lib/json.ts';

/** One request to check, and where it comes from (`route dws-prod-failover`, `request x.json`). */
export interface Subject {
  readonly request: ActionRequest;
  readonly from: string;
}

/** One action aimed at a target, with every place that asks for it. */
export interface PlannedCheck {
  readonly action: string;
  readonly request: ActionRequest;
  readonly from: string[];
}

/** One target (the catalogue's `target(request)`) and the actions aimed at it. */
export interface TargetPlan {
  readonly target: string;
  readonly region: string;
  readonly projectId: string;
  readonly service: Service;
  readonly checks: PlannedCheck[];
}

/** What one read gave: a 2xx answer, or the error (a HuaweiApiError when it came from the client). */
export type ReadResult =
  | {
      readonly ok: true;
      readonly url: string;
      readonly status: number;
      readonly body: unknown;
      readonly requestId?: string;
    }
  | { readonly ok: false; readonly url: string; readonly error: unknown };

/** Reads `call` (always a GET) of `service` for `request`'s region and project. */
export type Read = (service: Service, request: ActionRequest, call: RemoteCall) => Promise<ReadResult>;

export type VerdictKind =
  | 'ok'
  | 'would be refused'
  | 'unreachable'
  | 'bad signature'
  | 'no permission'
  | 'not found'
  | 'read failed';

/** One read as reported: what was asked and what came back. */
export interface ReadReport {
  readonly method: 'GET';
  readonly url: string;
  readonly what: string;
  /** The HTTP status; absent when no answer came. */
  readonly status?: number;
  readonly error_code?: string;
  readonly error?: string;
  readonly huawei_request_id?: string;
}

export interface CheckReport {
  readonly action: string;
  readonly from: readonly string[];
  readonly verdict: 'ok' | 'would be refused';
  readonly reason?: string;
}

export interface TargetReport {
  readonly target: string;
  readonly region: string;
  readonly project_id: string;
  readonly service: Service;
  readonly actions: readonly string[];
  readonly from: readonly string[];
  /** An HTTP answer came back (any status). */
  readonly reachable: boolean;
  /** false on a 401; true once any other answer came; null when nothing answered. */
  readonly signature_accepted: boolean | null;
  /** false on a 403; true once a read succeeded; null when it cannot be told. */
  readonly permission: boolean | null;
  /** What was seen, in words (absent when nothing could be read). */
  readonly state?: string;
  readonly verdict: VerdictKind;
  readonly reason?: string;
  readonly checks: readonly CheckReport[];
  readonly reads: readonly ReadReport[];
}

/** Subjects grouped by target (in order of first appearance); equal requests are checked once. */
export const targetsOf = (subjects: readonly Subject[]): TargetPlan[] => {
  const targets = new Map<string, TargetPlan>();
  for (const { request, from } of subjects) {
    const action = actionFor(request.action);
    const target = action.target(request);
    const key = `${request.region} ${target}`;
    let plan = targets.get(key);
    if (!plan) {
      plan = {
        target,
        region: request.region,
        projectId: request.project_id,
        service: action.service,
        checks: [],
      };
      targets.set(key, plan);
    }
    const same = plan.checks.find(
      (c) => c.action === request.action && canonicalJson(c.request.params) === canonicalJson(request.params),
    );
    if (same) {
      if (!same.from.includes(from)) same.from.push(from);
    } else plan.checks.push({ action: request.action, request, from: [from] });
  }
  return [...targets.values()];
};

// ---- reading the failure of a read ----

/** Not-found answers of the state reads (huawei-apis.md): DWS.0015 is a 403 that may also mean no permission. */
const NOT_FOUND_CODES = new Set(['DWS.10101', 'DCS.3022', '111404022', 'CSBS.3001', ...CBR_NOT_FOUND_CODES]);

interface Failure {
  readonly verdict: Exclude<VerdictKind, 'ok' | 'would be refused'>;
  readonly reason: string;
}

const failureOf = (result: Extract<ReadResult, { ok: false }>, what: string): Failure => {
  const { error } = result;
  if (!(error instanceof HuaweiApiError) || error.phase !== 'response' || error.httpStatus === undefined) {
    const message = error instanceof Error ? error.message : String(error);
    return { verdict: 'unreachable', reason: `${what}: ${message}` };
  }
  const status = error.httpStatus;
  const code = error.errorCode;
  const said = `${what}: ${error.message}`;
  if (status === 401) return { verdict: 'bad signature', reason: said };
  if (code === 'DWS.0015')
    return { verdict: 'not found', reason: `${said} (DWS answers so for no permission too)` };
  if (status === 403) return { verdict: 'no permission', reason: said };
  if (status === 404 || (code !== undefined && NOT_FOUND_CODES.has(code)))
    return { verdict: 'not found', reason: said };
  return { verdict: 'read failed', reason: said };
};

const readReport = (result: ReadResult, what: string): ReadReport => {
  if (result.ok) {
    return {
      method: 'GET',
      url: result.url,
      what,
      status: result.status,
      ...(result.requestId === undefined ? {} : { huawei_request_id: result.requestId }),
    };
  }
  const { error } = result;
  const api = error instanceof HuaweiApiError ? error : undefined;
  return {
    method: 'GET',
    url: result.url,
    what,
    ...(api?.httpStatus === undefined ? {} : { status: api.httpStatus }),
    ...(api?.errorCode === undefined ? {} : { error_code: api.errorCode }),
    error: error instanceof Error ? error.message : String(error),
    ...(api?.requestId === undefined ? {} : { huawei_request_id: api.requestId }),
  };
};

// ---- what each service reads and how it judges ----

/** A check's outcome once its reads succeeded: allowed, or refused with the reason. */
type Judgement = { readonly state: string[]; readonly refusal?: string };

/** The reads of one check, run in order; the first failed read stops the target. */
interface Reader {
  /** Reads `call`, or stops the target with its failure (thrown as Stop). */
  get(what: string, call: RemoteCall): Promise<unknown>;
}

class Stop extends Error {
  readonly failure: Failure;
  constructor(failure: Failure) {
    super(failure.reason);
    this.failure = failure;
  }
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;

/** DWS: the DR detail (the catalogue's stateCall) judged by the action's own preflight. */
const judgeDws = async (
  check: PlannedCheck,
  reader: Reader,
  settings: ActionSettings,
): Promise<Judgement> => {
  const action = actionFor(check.action);
  const call = action.stateCall(check.request, settings);
  if (!call) return { state: [], refusal: `${check.action} has no state read` };
  const body = await reader.get('DR detail', call);
  const dr = isRecord(body) && isRecord(body['disaster_recovery']) ? body['disaster_recovery'] : undefined;
  const primary = dr && isRecord(dr['primary_cluster']) ? text(dr['primary_cluster']['id']) : undefined;
  const state = dr
    ? [`DR status ${text(dr['status']) ?? '?'}${primary === undefined ? '' : `, primary cluster ${primary}`}`]
    : ['DR detail unreadable'];
  const verdict = action.preflight ? action.preflight(body) : { ok: true as const };
  return verdict.ok ? { state } : { state, refusal: verdict.reason };
};

/** CSBS: the checkpoint item (the catalogue's stateCall): `available` means a restore could start. */
const judgeCsbs = async (
  check: PlannedCheck,
  reader: Reader,
  settings: ActionSettings,
): Promise<Judgement> => {
  const action = actionFor(check.action);
  const call = action.stateCall(check.request, settings);
  if (!call) return { state: [], refusal: `${check.action} has no state read` };
  const body = await reader.get('checkpoint item', call);
  const item = isRecord(body) && isRecord(body['checkpoint_item']) ? body['checkpoint_item'] : undefined;
  const status = item ? text(item['status']) : undefined;
  if (!item || status === undefined)
    return {
      state: ['checkpoint item unreadable'],
      refusal: 'the checkpoint item could not be read (unexpected shape)',
    };
  const state = [`checkpoint item ${status}`];
  const wanted = check.request.action === 'csbs.restore' ? check.request.params.checkpoint_id : undefined;
  const checkpoint = text(item['checkpoint_id']);
  if (wanted !== undefined && checkpoint !== undefined && checkpoint.toLowerCase() !== wanted.toLowerCase())
    return { state, refusal: `the checkpoint item belongs to checkpoint ${checkpoint}, not ${wanted}` };
  return status === 'available'
    ? { state }
    : { state, refusal: `the checkpoint item is ${status}; a restore can start only from available` };
};

/** The largest page DCS serves (`limit` 1-1000); at most this many pages of backups are read. */
const DCS_PAGE = 1000;
const DCS_MAX_PAGES = 20;

/** A spec code of a single-node instance (Redis `redis.single.…`, Memcached `dcs.memcached.single_node`). */
const SINGLE_NODE = /(^|\.)single([._]|$)/i;

/** A page of the instance's backup list: v2 by `offset` (0-based), v1.0 by `start` (1-based). */
const backupsPage = (
  request: ActionRequest,
  instanceId: string,
  settings: ActionSettings,
  position: number,
): RemoteCall => ({
  method: 'GET',
  path:
    settings.dcsApiVersion === 'v1.0'
      ? `/v1.0/${request.project_id}/instances/${instanceId}/backups?start=${position + 1}&limit=${DCS_PAGE}`
      : `/v2/${request.project_id}/instances/${instanceId}/backups?offset=${position}&limit=${DCS_PAGE}`,
});

/**
 * DCS restore: the instance (RUNNING, and not single-node: only master/standby and cluster instances
 * restore), the backup in the instance's backup list (succeeded, restorable), and the catalogue's
 * state read (the restore records the executor reconciles with: they must be readable too).
 */
const judgeDcs = async (
  check: PlannedCheck,
  reader: Reader,
  settings: ActionSettings,
): Promise<Judgement> => {
  const { request } = check;
  if (request.action !== 'dcs.restore') return { state: [], refusal: `${check.action} is not a DCS restore` };
  const { instance_id: instanceId, backup_id: backupId } = request.params;
  const refusals: string[] = [];
  const state: string[] = [];

  const instance = await reader.get('instance', {
    method: 'GET',
    path: `/${settings.dcsApiVersion}/${request.project_id}/instances/${instanceId}`,
  });
  const status = isRecord(instance) ? text(instance['status']) : undefined;
  const spec = isRecord(instance) ? text(instance['spec_code']) : undefined;
  const engine = isRecord(instance) ? text(instance['engine']) : undefined;
  state.push(`instance ${status ?? '?'} (${[engine, spec].filter(Boolean).join(' ') || 'type unknown'})`);
  if (spec === undefined) refusals.push('the instance type cannot be told (no spec_code)');
  else if (SINGLE_NODE.test(spec))
    refusals.push(
      `a single-node instance cannot restore (spec_code ${spec}); only master/standby and cluster instances can`,
    );
  if (status !== 'RUNNING')
    refusals.push(`the instance is ${status ?? 'of unknown status'}; a restore needs RUNNING`);

  let found: Record<string, unknown> | undefined;
  let seen = 0;
  let total: number | undefined;
  for (let page = 0; page < DCS_MAX_PAGES && found === undefined; page++) {
    const body = await reader.get('backup list', backupsPage(request, instanceId, settings, seen));
    // A 204 (no backups) reads as {}.
    const records =
      isRecord(body) && Array.isArray(body['backup_record_response']) ? body['backup_record_response'] : [];
    total = isRecord(body) && typeof body['total_num'] === 'number' ? body['total_num'] : total;
    found = records.find(
      (r): r is Record<string, unknown> =>
        isRecord(r) && text(r['backup_id'])?.toLowerCase() === backupId.toLowerCase(),
    );
    seen += records.length;
    const more = total === undefined ? records.length === DCS_PAGE : seen < total;
    if (!more || records.length === 0) break;
  }
  if (!found) {
    state.push(`backup ${backupId} absent (${total ?? seen} backups)`);
    refusals.push(`backup ${backupId} is not in the instance's backup list`);
  } else {
    const backupStatus = text(found['status']) ?? '?';
    state.push(`backup ${backupId} ${backupStatus}`);
    if (backupStatus !== 'succeed')
      refusals.push(`backup ${backupId} is ${backupStatus}; only a backup that succeeded restores`);
    else if (text(found['is_support_restore'])?.toUpperCase() === 'FALSE')
      refusals.push(`backup ${backupId} cannot be restored (is_support_restore FALSE)`);
  }

  // The records the executor reconciles with: one page shows they can be read.
  const records = actionFor(check.action).stateCall(request, settings);
  if (records) {
    await reader.get('restore records', records);
    state.push('restore records readable');
  }
  return refusals.length === 0 ? { state } : { state, refusal: refusals.join('; ') };
};

/** CBR backup resource types (Go SDK model_backup_resp.go) a server restore and a disk restore take. */
const SERVER_BACKUPS = new Set(['OS::Nova::Server', 'OS::Ironic::BareMetalServer', 'OS::Native::Server']);
const DISK_BACKUPS = new Set(['OS::Cinder::Volume']);

/**
 * CBR restore: the backup (the catalogue's stateCall) judged by the action's own preflight
 * (`available`), of the right kind for the target (a server backup for server_id, a disk backup
 * for volume_id), the mappings' disk backups among its children when it lists them; and the restore
 * task list the executor reconciles and follows the operation with (one page shows it is readable).
 */
const judgeCbr = async (
  check: PlannedCheck,
  reader: Reader,
  settings: ActionSettings,
): Promise<Judgement> => {
  const { request } = check;
  if (request.action !== 'cbr.restore') return { state: [], refusal: `${check.action} is not a CBR restore` };
  const action = actionFor(check.action);
  const call = action.stateCall(request, settings);
  if (!call) return { state: [], refusal: `${check.action} has no state read` };
  const body = await reader.get('backup', call);
  const backup = isRecord(body) && isRecord(body['backup']) ? body['backup'] : undefined;
  const status = backup ? text(backup['status']) : undefined;
  const type = backup ? text(backup['resource_type']) : undefined;
  const state = [
    backup ? `backup ${status ?? '?'}${type === undefined ? '' : ` (${type})`}` : 'backup unreadable',
  ];
  const refusals: string[] = [];
  const verdict = action.preflight ? action.preflight(body) : { ok: true as const };
  if (!verdict.ok) refusals.push(verdict.reason);
  const { server_id: serverId, volume_id: volumeId, mappings } = request.params;
  if (type !== undefined && serverId !== undefined && !SERVER_BACKUPS.has(type))
    refusals.push(`server_id needs a server backup; this backup is of ${type}`);
  if (type !== undefined && volumeId !== undefined && !DISK_BACKUPS.has(type))
    refusals.push(`volume_id needs a disk backup (OS::Cinder::Volume); this backup is of ${type}`);
  const children = backup && Array.isArray(backup['children']) ? backup['children'] : undefined;
  if (children && mappings) {
    const disks = new Set(
      children.flatMap((c) => (isRecord(c) && typeof c['id'] === 'string' ? [c['id'].toLowerCase()] : [])),
    );
    mappings.forEach((m, i) => {
      if (!disks.has(m.backup_id.toLowerCase()))
        refusals.push(`mappings[${i}].backup_id ${m.backup_id} is not a disk backup of this backup`);
    });
  }
  const tasks = action.statePaging?.next(call, body);
  if (tasks) {
    await reader.get('restore tasks', tasks);
    state.push('restore tasks readable');
  }
  return refusals.length === 0 ? { state } : { state, refusal: refusals.join('; ') };
};

const JUDGES: Readonly<
  Record<Service, (check: PlannedCheck, reader: Reader, settings: ActionSettings) => Promise<Judgement>>
> = { dws: judgeDws, csbs: judgeCsbs, dcs: judgeDcs, cbr: judgeCbr };

/** Every read of one target, then its verdict. Reads of equal URLs are the `read` function's to share. */
export const checkTarget = async (
  plan: TargetPlan,
  read: Read,
  settings: ActionSettings,
): Promise<TargetReport> => {
  const reads: ReadReport[] = [];
  const results: ReadResult[] = [];
  const checks: CheckReport[] = [];
  const state: string[] = [];
  let failure: Failure | undefined;

  for (const check of plan.checks) {
    const reader: Reader = {
      get: async (what, call) => {
        const result = await read(plan.service, check.request, call);
        results.push(result);
        if (!reads.some((r) => r.url === result.url)) reads.push(readReport(result, what));
        if (!result.ok) throw new Stop(failureOf(result, what));
        return result.body;
      },
    };
    try {
      const judged = await JUDGES[plan.service](check, reader, settings);
      for (const seen of judged.state) if (!state.includes(seen)) state.push(seen);
      checks.push(
        judged.refusal === undefined
          ? { action: check.action, from: check.from, verdict: 'ok' }
          : { action: check.action, from: check.from, verdict: 'would be refused', reason: judged.refusal },
      );
    } catch (error) {
      if (!(error instanceof Stop)) throw error;
      failure = error.failure;
      break;
    }
  }

  const answered = results.filter(
    (r) => r.ok || (r.error instanceof HuaweiApiError && r.error.phase === 'response'),
  );
  const statusOf = (r: ReadResult) =>
    r.ok ? r.status : r.error instanceof HuaweiApiError ? r.error.httpStatus : undefined;
  const codeOf = (r: ReadResult) =>
    !r.ok && r.error instanceof HuaweiApiError ? r.error.errorCode : undefined;
  const signature = answered.some((r) => statusOf(r) === 401) ? false : answered.length > 0 ? true : null;
  const permission = answered.some((r) => statusOf(r) === 403 && codeOf(r) !== 'DWS.0015')
    ? false
    : results.some((r) => r.ok)
      ? true
      : null;

  const refused = checks.filter((c) => c.verdict === 'would be refused');
  const verdict: VerdictKind = failure?.verdict ?? (refused.length > 0 ? 'would be refused' : 'ok');
  const reason =
    failure?.reason ??
    (refused.length > 0 ? refused.map((c) => `${c.action}: ${c.reason}`).join('; ') : undefined);
  return {
    target: plan.target,
    region: plan.region,
    project_id: plan.projectId,
    service: plan.service,
    actions: [...new Set(plan.checks.map((c) => c.action))],
    from: [...new Set(plan.checks.flatMap((c) => c.from))],
    reachable: answered.length > 0,
    signature_accepted: signature,
    permission,
    ...(state.length === 0 ? {} : { state: state.join(', ') }),
    verdict,
    ...(reason === undefined ? {} : { reason }),
    checks,
    reads,
  };
};
