/**
 * The shape of one catalogue entry: everything dr-relay knows about one remote action.
 * Owns: the ActionDefinition contract. Must not touch: HTTP, storage, queues.
 */
import type * as z from '../schema/zod.ts';

/**
 * The Huawei Cloud services the catalogue acts on, each with its own endpoint (lib/huawei/endpoints.ts)
 * and its override DR_ENDPOINT_<SERVICE> (lib/config/env.ts): everything that lists services reads this.
 */
export const SERVICES = ['dws', 'csbs', 'dcs', 'cbr'] as const;
export type Service = (typeof SERVICES)[number];

/** The common envelope of every ActionRequest; `params` is per action. */
export interface RequestEnvelope<P> {
  readonly action: string;
  readonly region: string;
  readonly project_id: string;
  readonly request_id?: string | undefined;
  readonly params: P;
}

/** A call relative to the service's base URL. */
export interface RemoteCall {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly body?: unknown;
}

/**
 * Deployment settings that shape an action's calls (configuration, never the request).
 * `dcsApiVersion`: DCS v2 (current SDKs, Terraform) or the outdated v1.0 some regions and Huawei
 * Cloud Stack installations still serve (DR_DCS_API_VERSION).
 */
export interface ActionSettings {
  readonly dcsApiVersion: 'v2' | 'v1.0';
}
export const DEFAULT_ACTION_SETTINGS: ActionSettings = { dcsApiVersion: 'v2' };

/**
 * A state read that takes more than one call: pages of a list (DCS restore records), or a read the
 * first answer leads to (CBR: the backup, then the restore tasks). `next` is the call after
 * `previous` given its answer (undefined when that was the last), `combine` how the answers read
 * combine into the one state `reconcile` and `operation.judge` see. The preflight sees only the
 * first answer (the `stateCall` itself).
 */
export interface StatePaging {
  next(previous: RemoteCall, body: unknown): RemoteCall | undefined;
  combine(bodies: readonly unknown[]): unknown;
}

/** What reading the resource state says about whether our operation took effect. */
export type Verdict = 'applied' | 'not_applied' | 'unknown';

export interface Reconciliation {
  readonly verdict: Verdict;
  /** What was seen, in words: goes into status records, logs and dead letters. */
  readonly observed: string;
  readonly remote?: Record<string, string>;
}

export interface ReconcileContext<P> {
  readonly request: RequestEnvelope<P>;
  /** The state read just before the call, when the action takes a snapshot. */
  readonly before?: unknown;
  /** When the (possibly) effective call was sent, ISO 8601. */
  readonly sentAt: string;
}

export type Preflight = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** Where a remote operation stands, as one progress read shows it. */
export type OperationState = 'running' | 'completed' | 'failed';

export interface OperationObservation {
  readonly state: OperationState;
  /** What was seen, in words (statuses as the provider names them). */
  readonly observed: string;
  /** The provider's own progress figure, when it gives one (e.g. DCS `progress`). */
  readonly progress?: string;
  /** For a failure: the provider's error (code and message) as the read shows it. */
  readonly error?: string;
  /** False when `running` only means "not seen under way yet" (default: running means under way). */
  readonly started?: boolean;
}

export interface OperationContext<P> {
  readonly request: RequestEnvelope<P>;
  /** The ids the accepting answer carried (or reconciliation found). */
  readonly remote: Readonly<Record<string, string>>;
  /** The state read just before the call (the preflight snapshot), when the action takes one. */
  readonly before?: unknown;
  /** Whether an earlier check saw the operation running (a resource back at rest since then is done). */
  readonly seenRunning: boolean;
  /** Seconds since the call was accepted. */
  readonly elapsedSeconds?: number;
}

/**
 * How the asynchronous operation an accepted call started is followed to its end ("accepted is
 * not done"): the read that shows its progress, what that read means, and how long it may take
 * before it is called stalled.
 */
export interface OperationSpec<P> {
  /** The progress read; a paged read (`statePaging`) is read whole. Undefined: nothing to follow. */
  progressCall(
    request: RequestEnvelope<P>,
    settings: ActionSettings,
    remote: Readonly<Record<string, string>>,
  ): RemoteCall | undefined;
  /** Running, completed or failed, from one progress read. Unknown or transitional: running. */
  judge(state: unknown, context: OperationContext<P>): OperationObservation;
  /** Past this the operation is `stalled` (and still checked, slowly, up to a hard limit). */
  readonly timeLimitSeconds: number;
}

/** What every action says, with or without a preflight. */
interface ActionCommon<P> {
  readonly id: string;
  readonly service: Service;
  readonly summary: string;
  /** Zod schema of `params`: the single source of its type. */
  readonly params: z.Schema<P>;
  /** A stable name of the resource acted on, e.g. `dws:<project>/<dr id>` (cooldowns, tables, logs). */
  target(request: RequestEnvelope<P>): string;
  /** The action's own call. */
  call(request: RequestEnvelope<P>, settings: ActionSettings): RemoteCall;
  /** The ids a 2xx answer carries (kept on the status record). */
  remote(body: unknown): Record<string, string>;
  /** Huawei error codes meaning "busy / already under way": reconciled, never retried blindly. */
  readonly busyCodes: readonly string[];
  /** Decides, from the state read after an ambiguous or busy answer, whether our operation took effect. */
  reconcile(state: unknown, context: ReconcileContext<P>): Reconciliation;
  /** Present when the state read is paged: every page is read before reconciling. */
  readonly statePaging?: StatePaging;
  /** How the operation the call starts is followed to its end. */
  readonly operation: OperationSpec<P>;
}

/** An action called without reading the state first: the state is read only to reconcile. */
export interface ActionWithoutPreflight<P = unknown> extends ActionCommon<P> {
  /** How to read the resource's state; undefined when this request gives no way to read it. */
  stateCall(request: RequestEnvelope<P>, settings: ActionSettings): RemoteCall | undefined;
  readonly preflight?: undefined;
}

/** An action whose state is read before every call: so every request of it must say how. */
export interface ActionWithPreflight<P = unknown> extends ActionCommon<P> {
  /** How to read the resource's state, for every request. */
  stateCall(request: RequestEnvelope<P>, settings: ActionSettings): RemoteCall;
  /**
   * The state is read before every call: the answer is kept as the snapshot for reconciliation,
   * and the call is made only if the preflight allows it (else: skipped, with the reason).
   */
  preflight(state: unknown): Preflight;
}

/** One catalogue entry. A preflight without a state call for every request cannot be written. */
export type ActionDefinition<P = unknown> = ActionWithoutPreflight<P> | ActionWithPreflight<P>;
