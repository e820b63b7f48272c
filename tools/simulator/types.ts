/**
 * Huawei Cloud API simulator: the public types (options, routes, fault rules, call log, the
 * Simulator handle) and the small internal contract every service module implements.
 * Owns: type declarations only, no behaviour.
 */

export interface SimulatorOptions {
  host?: string;
  port?: number;
  credentials: { ak: string; sk: string }[];
  transitionMs?: number;
  restoreMs?: number;
  hangMs?: number;
  seed?: number;
  now?: () => number;
  /**
   * Order of DCS restore-record lists. Huawei does not document it; the default, newest first,
   * is not "in the order we asked", and 'oldest-first' puts a new record behind every older one,
   * so a reader that looks only at page 1 is caught by a test with many records.
   */
  dcsRecordOrder?: DcsRecordOrder;
  /**
   * What a CBR restore answers (202 either way): `job_id` (default; the Terraform provider reads it
   * from the answer) or `empty`, no body at all (the API reference's "Response Parameters: None" and
   * the Go SDK's RestoreBackupResponse, which has no field).
   */
  cbrRestoreAnswer?: CbrRestoreAnswer;
}

export type CbrRestoreAnswer = 'job_id' | 'empty';

/** A CBR backup as seeded (Go SDK services/cbr/v1/model/model_backup_resp.go). */
export interface CbrInit {
  /** The backed-up server or disk (a random id by default). */
  resourceId?: string;
  /** OS::Nova::Server (default), OS::Cinder::Volume, OS::Ironic::BareMetalServer... */
  resourceType?: string;
  /** available (default), protecting, deleting, restoring, error, waiting_protect, waiting_delete, waiting_restore. */
  status?: string;
  vaultId?: string;
  /** The disk backups of a server backup (its `children`): what a server restore's mappings name. */
  disks?: { backupId: string; volumeId: string }[];
  /** Every restore of this backup ends with its task failed, with this error code (true: BackupService.9910). */
  restoreFails?: string | true;
}

/** A CSBS checkpoint item as seeded. */
export interface CsbsInit {
  checkpointId?: string;
  serverId?: string;
  /** available (default), protecting, restoring, error, ... */
  status?: string;
  /** Every restore from this item ends with the item in status `error` (restoring -> error). */
  restoreFails?: boolean;
  /** How long a restore from this item takes, in place of the simulator's `restoreMs`. `Infinity`: never ends. */
  restoreMs?: number;
}

export type DcsRecordOrder = 'newest-first' | 'oldest-first';

/** A past (already ended) DCS restore, seeded so lists can hold many records. */
export interface DcsPastRestore {
  backupId: string;
  /** ms since the epoch, or an ISO time. */
  createdAt: number | string;
  status?: 'succeed' | 'failed';
  /** The record's error_code when failed (default `dcs.08.0002`). */
  errorCode?: string;
  remark?: string;
  restoreId?: string;
}

/**
 * A backup of a DCS instance, as its backup list shows it (Go SDK services/dcs/v2/model
 * model_backup_record_response.go). Restores do not look the backup up: the list is read only.
 */
export interface DcsBackup {
  backupId: string;
  /** succeed (default), waiting, backuping, failed, expired, deleted. */
  status?: 'waiting' | 'backuping' | 'succeed' | 'failed' | 'expired' | 'deleted';
  /** ms since the epoch, or an ISO time (default: when seeded). */
  createdAt?: number | string;
  /** manual (default) or auto. */
  backupType?: 'manual' | 'auto';
  name?: string;
  remark?: string;
  /** is_support_restore: TRUE by default for a backup that succeeded, always FALSE otherwise. */
  supportsRestore?: boolean;
}

export interface DcsInit {
  mode?: 'single' | 'ha' | 'cluster';
  /** RUNNING (default), RESTORING, EXTENDING, ERROR, FROZEN, RESTARTING, ... */
  status?: string;
  /** Every restore of this instance ends 'failed' with this error_code (true: `dcs.08.0002`). */
  restoreFails?: string | true;
  /**
   * How long a restore of this instance takes, in place of the simulator's `restoreMs` (a quarter
   * of it `waiting`, the rest `restoring`). `Infinity`: it never ends (a restore that hangs).
   */
  restoreMs?: number;
  history?: DcsPastRestore[];
  /** The instance's backups (`GET .../backups`); none by default. */
  backups?: DcsBackup[];
}

export type RouteId =
  | 'dws.dr.start'
  | 'dws.dr.failover'
  | 'dws.dr.recovery'
  | 'dws.dr.show'
  | 'csbs.restore'
  | 'csbs.checkpoint_item.show'
  | 'dcs.restore'
  | 'dcs.restores.list'
  | 'dcs.backups.list'
  | 'dcs.instance.show'
  | 'cbr.restore'
  | 'cbr.backup.show'
  | 'cbr.operation_log.show'
  | 'cbr.operation_logs.list';

export interface FaultCall {
  route: RouteId;
  projectId: string;
  resourceId?: string;
  body?: unknown;
}

export interface FaultRule {
  route?: RouteId | RouteId[];
  kind: 'status' | 'timeout' | 'reset' | 'latency';
  status?: number;
  body?: Record<string, unknown>;
  when?: 'before' | 'after';
  rate?: number;
  times?: number;
  latencyMs?: number;
  match?: (call: FaultCall) => boolean;
}

export interface CallLogEntry {
  seq: number;
  at: number;
  method: string;
  path: string;
  route: RouteId | 'unknown';
  projectId?: string;
  resourceId?: string;
  body?: unknown;
  status: number;
  errorCode?: string;
  fault?: string;
  effectApplied: boolean;
  requestId: string;
  authorized: boolean;
}

export interface Simulator {
  readonly url: string;
  readonly calls: readonly CallLogEntry[];
  readonly seed: {
    drPair(
      projectId: string,
      id: string,
      init?: { status?: string; name?: string; primaryClusterId?: string; standbyClusterId?: string },
    ): void;
    csbsCheckpointItem(projectId: string, itemId: string, init?: CsbsInit): void;
    dcsInstance(projectId: string, instanceId: string, init?: DcsInit): void;
    cbrBackup(projectId: string, backupId: string, init?: CbrInit): void;
  };
  readonly faults: { add(rule: FaultRule): () => void; clear(): void };
  /** Current state views for assertions (after applying due transitions). */
  drPair(projectId: string, id: string): Record<string, unknown> | undefined;
  checkpointItem(projectId: string, itemId: string): Record<string, unknown> | undefined;
  /** The instance's restore records, newest first (whatever order the HTTP list uses). */
  dcsRestores(projectId: string, instanceId: string): Record<string, unknown>[];
  /** The CBR backup as `GET /v3/{project_id}/backups/{id}` shows it. */
  cbrBackup(projectId: string, backupId: string): Record<string, unknown> | undefined;
  /** The project's CBR tasks (operation logs), newest first. */
  cbrTasks(projectId: string): Record<string, unknown>[];
  close(): Promise<void>;
}

/** What a routed, authorized call hands to a service. `id` is the path resource id, if any. */
export interface ServiceRequest {
  projectId: string;
  id?: string;
  /** The API version in the path (`v1`, `v1.0`, `v2`). */
  version: string;
  body: unknown;
  query: URLSearchParams;
  now: number;
}

/** What a service answers; `effectApplied` is true only when the call changed state; a 204 sends no body. */
export interface ServiceResult {
  status: number;
  body: Record<string, unknown>;
  effectApplied: boolean;
  /** Send no body at all, whatever the status (a CBR restore answered as documented: 202, none). */
  empty?: boolean;
}

export type ServiceHandler = (request: ServiceRequest) => ServiceResult;
