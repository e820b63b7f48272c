/**
 * Follows every accepted call's remote operation to its end ("accepted is not done", rule 8):
 *   start  the status record gains `operation: running`, and a delayed check goes on the queue
 *   check  one progress read (through the executor), judged by the catalogue; then
 *            completed | failed       -> the end is recorded and told once
 *            running, past the limit  -> `stalled`, told once, checked on at the slow rate
 *            running                  -> the next check, later (seconds, doubling, to 15 min)
 *            past the hard limit      -> no longer checked (stays stalled)
 * Every check carries its sequence number and is applied only at its turn (a conditional write),
 * so a duplicate check changes nothing. A check redelivered after a crash (receive count > 1) that
 * finds its own write done re-sends the next check and any notice not yet sent; notices are
 * claimed before they are sent, so none is ever sent twice.
 * Owns: that state machine. Must not touch: the remote read (the executor), queues, SNS.
 */
import { actionFor } from '../actions/catalogue.ts';
import { type ActionRequest, parseActionRequest } from '../actions/request.ts';
import type { OperationObservation } from '../actions/types.ts';
import type { Log } from '../log.ts';
import {
  type OperationNotice,
  type OperationRecord,
  type StatusRecord,
  type StatusStore,
  startedOperation,
} from '../store/status.ts';
import { OPERATION_CHECK_TYPE, type OperationCheck } from './check.ts';

export interface OperationPolicy {
  /** First check after this many seconds, doubling each time... */
  readonly baseSeconds: number;
  /** ...up to this (SQS allows at most 900 s of delay). Stalled operations are checked at this rate. */
  readonly maxSeconds: number;
  /** Overrides every action's own time limit (seconds) when set. */
  readonly timeLimitSeconds?: number | undefined;
  /** Past this many time limits, an operation is no longer checked. */
  readonly hardLimitFactor: number;
}

export const DEFAULT_OPERATION_POLICY: OperationPolicy = {
  baseSeconds: 5,
  maxSeconds: 900,
  hardLimitFactor: 6,
};

/** What people are told when an operation ends or stalls. */
export interface OperationEvent {
  readonly event: 'completed' | 'failed' | 'stalled';
  readonly request_id: string;
  readonly action: string;
  readonly target: string;
  readonly started_at: string;
  readonly seconds: number;
  readonly observed: string;
  readonly error?: string;
  /** Alarm-driven requests: the route (from the episode key). */
  readonly route?: string;
}

export interface TrackerDeps {
  readonly store: Pick<StatusStore, 'get' | 'setOperation' | 'claimNotice'>;
  /** The progress read, judged (lib/execution/executor.ts observe). */
  readonly observe: (
    request: ActionRequest,
    context: {
      remote: Record<string, string>;
      before?: unknown;
      seenRunning: boolean;
      elapsedSeconds?: number;
    },
  ) => Promise<OperationObservation>;
  /** Puts a check on the request queue, delayed. */
  readonly schedule: (check: OperationCheck, delaySeconds: number) => Promise<void>;
  /** Tells people (SNS); best effort. */
  readonly notify?: (event: OperationEvent) => Promise<void>;
  readonly log: Log;
  readonly policy?: OperationPolicy;
  readonly now?: () => Date;
}

const FINISHED = new Set(['completed', 'failed']);
const EPISODE_ROUTE = /^(?:dry-run:)?alarm:([^:]+):/;

export class OperationTracker {
  readonly #deps: TrackerDeps;
  readonly #policy: OperationPolicy;
  readonly #now: () => Date;

  constructor(deps: TrackerDeps) {
    this.#deps = deps;
    this.#policy = deps.policy ?? DEFAULT_OPERATION_POLICY;
    this.#now = deps.now ?? (() => new Date());
  }

  /**
   * After an accepted call: the operation runs, and its first check is scheduled. `recorded`: the
   * executor wrote the started operation with the success (the usual case: one SendMessage here).
   * Otherwise (a redelivery replaying the outcome, or a record from before that) it starts it now.
   */
  async start(key: string, request: ActionRequest, options: { recorded: boolean }): Promise<void> {
    if (options.recorded) return this.#schedule(key, request, 0);
    // One conditional write (the request succeeded, no operation yet): no read when it starts here.
    const started = await this.#deps.store.setOperation(
      key,
      startedOperation(this.#now().toISOString()),
      'none',
    );
    if (started) return this.#schedule(key, request, 0);
    // Started already (a redelivery): while its first check is still due, re-send it (a lost send).
    const operation = (await this.#deps.store.get(key))?.operation;
    if (operation?.checks === 0 && !FINISHED.has(operation.state)) await this.#schedule(key, request, 0);
  }

  /** One delayed check; `receiveCount` > 1 means this message was delivered before (a crash). */
  async check(check: OperationCheck, receiveCount: number): Promise<'applied' | 'duplicate' | 'done'> {
    const record = await this.#deps.store.get(check.key);
    const operation = record?.operation;
    if (!record || !operation) return 'done';
    const request = parseActionRequest(check.request);
    if (operation.checks === check.seq && !FINISHED.has(operation.state) && !operation.abandoned) {
      return this.#apply(record, operation, request, check.seq);
    }
    if (operation.checks === check.seq + 1 && receiveCount > 1) {
      // Our own write was done before a crash: finish what came after it.
      await this.#follow(record, operation, request);
      return 'applied';
    }
    return FINISHED.has(operation.state) ? 'done' : 'duplicate';
  }

  async #apply(
    record: StatusRecord,
    operation: OperationRecord,
    request: ActionRequest,
    seq: number,
  ): Promise<'applied' | 'duplicate'> {
    const seen = await this.#observe(record, operation, request);
    const now = this.#now();
    const elapsed = (now.getTime() - Date.parse(operation.started_at)) / 1000;
    const limit = this.#policy.timeLimitSeconds ?? actionFor(request.action).operation.timeLimitSeconds;
    const finished = seen.state !== 'running';
    const next: OperationRecord = {
      ...operation,
      state: finished ? seen.state : elapsed > limit || operation.state === 'stalled' ? 'stalled' : 'running',
      observed: seen.observed,
      ...(seen.progress !== undefined ? { progress: seen.progress } : {}),
      ...(seen.error !== undefined ? { error: seen.error } : {}),
      checked_at: now.toISOString(),
      ...(finished ? { finished_at: now.toISOString() } : {}),
      checks: seq + 1,
      ...(seen.started !== false && seen.state === 'running' ? { seen_running: true } : {}),
      ...(!finished && elapsed > limit * this.#policy.hardLimitFactor ? { abandoned: true } : {}),
    };
    if (!(await this.#deps.store.setOperation(record.request_id, next, seq))) return 'duplicate';
    this.#deps.log.info('operation checked', {
      request_id: record.request_id,
      state: next.state,
      observed: next.observed,
      check: seq,
    });
    await this.#follow(record, next, request);
    return 'applied';
  }

  /** After a check's write: the notice it calls for (once), and the next check. */
  async #follow(record: StatusRecord, operation: OperationRecord, request: ActionRequest): Promise<void> {
    if (FINISHED.has(operation.state)) {
      if (!operation.notified_end) await this.#tell(record, operation, 'end');
      return;
    }
    if (operation.state === 'stalled' && !operation.notified_stall)
      await this.#tell(record, operation, 'stall');
    if (!operation.abandoned) await this.#schedule(record.request_id, request, operation.checks);
  }

  async #observe(
    record: StatusRecord,
    operation: OperationRecord,
    request: ActionRequest,
  ): Promise<OperationObservation> {
    try {
      const before =
        record.call?.before === undefined ? undefined : (JSON.parse(record.call.before) as unknown);
      return await this.#deps.observe(request, {
        remote: record.remote ?? {},
        before,
        seenRunning: operation.seen_running === true,
        elapsedSeconds: (this.#now().getTime() - Date.parse(operation.started_at)) / 1000,
      });
    } catch (error) {
      // A read that fails says nothing about the operation: still running, checked again later.
      return {
        state: 'running',
        observed: `the progress read failed: ${(error as Error).message}`,
        started: false,
      };
    }
  }

  async #schedule(key: string, request: ActionRequest, seq: number): Promise<void> {
    const { baseSeconds, maxSeconds } = this.#policy;
    const delay = Math.min(maxSeconds, baseSeconds * 2 ** Math.min(seq, 30));
    await this.#deps.schedule({ type: OPERATION_CHECK_TYPE, version: 1, key, request, seq }, delay);
  }

  async #tell(record: StatusRecord, operation: OperationRecord, notice: OperationNotice): Promise<void> {
    if (!(await this.#deps.store.claimNotice(record.request_id, notice))) return;
    const route = EPISODE_ROUTE.exec(record.request_id)?.[1];
    const event: OperationEvent = {
      event: operation.state === 'stalled' ? 'stalled' : (operation.state as 'completed' | 'failed'),
      request_id: record.request_id,
      action: record.action,
      target: record.target ?? 'unknown',
      started_at: operation.started_at,
      seconds: Math.round(
        (Date.parse(operation.finished_at ?? operation.checked_at) - Date.parse(operation.started_at)) / 1000,
      ),
      observed: operation.observed,
      ...(operation.error ? { error: operation.error } : {}),
      ...(route ? { route } : {}),
    };
    this.#deps.log.info(`operation ${event.event}`, { ...event });
    await this.#deps.notify?.(event);
  }
}
