/**
 * The one execution path every source ends in (rules 1-3 of the design):
 *   claim the key -> kill switch -> reconcile an earlier unconfirmed call -> preflight -> mark
 *   `sending` -> signed call -> success | busy/ambiguous: reconcile by reading state | error:
 *   rethrown with its kind (and the claim given back).
 * Rule 1 (at most one remote call per key) in one item, the status record: the write that starts
 * an attempt also claims the key for it (a lease that ends with the invocation) and, in the common
 * case, marks the call `sending`; the outcome's write gives the claim back. So a request costs three
 * round trips: that write, the call, the outcome. A key already done returns its recorded outcome
 * (`replayed`); a key another delivery holds raises InProgressElsewhereError; a key first used for
 * another request raises RequestConflictError.
 * Owns: the order of those steps, the claim, and the status record's `call` bookkeeping.
 * Must not touch: queues (the record handler decides retry vs dead-letter), HTTP details (the
 * Huawei client).
 */
import { createHash, randomUUID } from 'node:crypto';
import { actionFor } from '../actions/catalogue.ts';
import { type ActionRequest, canonicalJson } from '../actions/request.ts';
import {
  type ActionDefinition,
  type ActionSettings,
  DEFAULT_ACTION_SETTINGS,
  type OperationObservation,
  type Reconciliation,
  type RemoteCall,
} from '../actions/types.ts';
import type { HuaweiClient } from '../huawei/client.ts';
import { type EndpointOverrides, endpointFor } from '../huawei/endpoints.ts';
import { HuaweiApiError } from '../huawei/errors.ts';
import type { Log } from '../log.ts';
import type { CooldownStore } from '../store/cooldowns.ts';
import type { AutomationMode } from '../store/settings.ts';
import {
  type BeginOptions,
  type StatusChange,
  type StatusRecord,
  type StatusStore,
  startedOperation,
} from '../store/status.ts';
import {
  AlreadyDeadLetteredError,
  InProgressElsewhereError,
  RequestConflictError,
  RetryLaterError,
  UnconfirmedOutcomeError,
} from './errors.ts';

export type { AutomationMode };

export interface Job {
  readonly key: string;
  readonly request: ActionRequest;
  readonly attempt: number;
  /** True when an operator redrove this request from the dead-letter queue. */
  readonly redrive?: boolean;
  /** The operator checked: an earlier unconfirmed call did not take effect (a call is made even if the state cannot tell). */
  readonly verifiedNotApplied?: boolean;
  /** The automation mode read for this attempt (the stored setting); the executor's own otherwise. */
  readonly mode?: AutomationMode;
  /** Alarm-driven requests: at most one action per target per window (claimed just before the call). */
  readonly cooldown?: { readonly seconds: number; readonly route: string };
}

/** `replayed`: the key was done before, and this is its recorded outcome (nothing was called now). */
export type Outcome =
  | {
      readonly status: 'succeeded';
      readonly remote: Record<string, string>;
      readonly reconciled?: string;
      readonly replayed?: true;
    }
  | {
      readonly status: 'skipped';
      readonly reason: string;
      readonly dryRun?: DryRunCall;
      readonly replayed?: true;
    };

/** Without a Lambda context (tests, tools), a claim lasts as long as Lambda's longest invocation. */
const DEFAULT_LEASE_MS = 15 * 60 * 1000;

/** What a key's record remembers of its request, to refuse another request under the same key. */
export const requestHash = (request: ActionRequest): string =>
  createHash('sha256').update(canonicalJson(request)).digest('base64url');

export interface DryRunCall {
  readonly method: string;
  readonly url: string;
  readonly body?: unknown;
}

export interface ExecutorDeps {
  readonly client: Pick<HuaweiClient, 'send'>;
  readonly store: Pick<StatusStore, 'get' | 'set' | 'begin' | 'release'>;
  readonly endpoints: EndpointOverrides;
  /** Deployment settings the catalogue's calls depend on (DCS API version); defaults otherwise. */
  readonly settings?: ActionSettings;
  readonly mode: AutomationMode;
  readonly cooldowns?: Pick<CooldownStore, 'claim' | 'release'>;
  readonly log: Log;
  readonly now?: () => Date;
}

type Action = ActionDefinition<unknown>;

export class Executor {
  readonly #deps: ExecutorDeps;
  readonly #now: () => Date;
  readonly #settings: ActionSettings;
  #remainingMs: () => number = () => DEFAULT_LEASE_MS;

  constructor(deps: ExecutorDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? (() => new Date());
    this.#settings = deps.settings ?? DEFAULT_ACTION_SETTINGS;
  }

  /** Claims end with the invocation: a crashed one's key is free when SQS redelivers (once per invocation). */
  registerContext(context: { getRemainingTimeInMillis(): number }): void {
    this.#remainingMs = () => context.getRemainingTimeInMillis();
  }

  async execute(job: Job, signal?: AbortSignal): Promise<Outcome> {
    const { key, request, attempt } = job;
    const action = actionFor(request.action);
    const target = action.target(request);
    const begin: StatusChange = { status: 'in_progress', action: request.action, target, attempts: attempt };
    const claim: BeginOptions = {
      reopen: job.redrive === true,
      lease: { owner: randomUUID(), until: this.#now().getTime() + this.#remainingMs() },
      requestHash: requestHash(request),
    };
    // The common case in one write: the key claimed and, with nothing to check before calling, the
    // attempt already marked `sending`. Refused when the key is held, done or dead-lettered, used
    // for another request, or an earlier call is unconfirmed: then the careful start reads why.
    const mode = this.#modeOf(job);
    const direct = mode === 'on' && !action.preflight && !this.#cooldownOf(job);
    const sentAt = this.#now().toISOString();
    const giveBack = (error: unknown) => this.#giveBack(key, claim, error);
    // A claim write that got no answer may still have been applied: give it back before failing.
    const begun = await this.#deps.store
      .begin(key, direct ? { ...begin, call: { state: 'sending', sent_at: sentAt } } : begin, claim)
      .catch(giveBack);
    const resumed = begun.started ? { prior: begun.prior } : await this.#resume(job, begin, claim);
    if ('outcome' in resumed) return resumed.outcome;
    // The key is ours from here: any failure gives it back (the outcome's write gives it back on success).
    try {
      if (begun.started && direct) return await this.#call(job, action, { sentAt }, signal);
      return await this.#claimed(job, action, mode, resumed.prior, signal);
    } catch (error) {
      return giveBack(error);
    }
  }

  /** Ends this attempt's lease (only if it still holds it), then fails with `error`. */
  async #giveBack(key: string, claim: BeginOptions, error: unknown): Promise<never> {
    await this.#deps.store.release(key, claim.lease?.owner ?? '').catch((cause: unknown) => {
      this.#deps.log.warn('giving the claim back failed: it lapses with the invocation', {
        request_id: key,
        error: (cause as Error).message,
      });
    });
    throw error;
  }

  /** The attempt after its key was claimed, when it is not the direct case. */
  async #claimed(
    job: Job,
    action: Action,
    mode: AutomationMode,
    prior: StatusRecord | undefined,
    signal?: AbortSignal,
  ): Promise<Outcome> {
    const { key, request } = job;
    const target = action.target(request);

    // Callers never run a job while paused (the queue holds it); were one to reach here, it waits too:
    // nothing is completed, so it runs when automation is back on.
    if (mode === 'off')
      throw new RetryLaterError('automation is off (paused): the request waits until it is on', {
        unconfirmed: false,
      });

    const earlier = await this.#reconcileEarlierCall(
      action,
      request,
      prior,
      signal,
      job.verifiedNotApplied === true,
    );
    if (earlier)
      return this.#succeed(
        key,
        earlier.remote ?? {},
        earlier.observed,
        prior?.call?.sent_at,
        prior?.call?.before,
      );

    // Cooldown first (the clearest reason to skip, and no state read when held); given back if the
    // preflight then refuses, so a skipped alarm never blocks the next one. Dry-run claims nothing.
    const cooldown = this.#cooldownOf(job);
    const claimed = cooldown ? this.#deps.cooldowns : undefined;
    if (claimed && cooldown) {
      const claim = await claimed.claim(target, key, cooldown.seconds, cooldown.route);
      if (!claim.granted) {
        return this.#skip(
          key,
          `cooldown: ${target} was acted on by ${claim.holder}${claim.route ? ` (route ${claim.route})` : ''}; next action allowed after ${claim.until}`,
        );
      }
    }

    let before: unknown;
    if (action.preflight) {
      before = await this.#read(request, action.stateCall(request, this.#settings), signal);
      const verdict = action.preflight(before);
      if (!verdict.ok) {
        await claimed?.release(target, key);
        return this.#skip(key, verdict.reason);
      }
    }

    const call = action.call(request, this.#settings);
    if (mode === 'dry-run') {
      // No `body` key for a call without one (the outcome is logged and returned as plain JSON).
      const dryRun = {
        method: call.method,
        url: this.#urlOf(action, request, call),
        ...(call.body === undefined ? {} : { body: call.body }),
      };
      this.#deps.log.info('dry-run: not sending', { request_id: key, ...dryRun });
      return this.#skip(key, `dry-run (DR_AUTOMATION=dry-run): would ${call.method} ${dryRun.url}`, dryRun);
    }

    const marked = this.#now().toISOString();
    const snapshot = before === undefined ? undefined : JSON.stringify(before);
    await this.#record(key, {
      status: 'in_progress',
      call: { state: 'sending', sent_at: marked, before: snapshot },
    });
    return this.#call(job, action, { sentAt: marked, before, snapshot }, signal);
  }

  /** The one remote call, its record already marked `sending`: success, or the error decided on. */
  async #call(
    job: Job,
    action: Action,
    marked: { sentAt: string; before?: unknown; snapshot?: string | undefined },
    signal?: AbortSignal,
  ): Promise<Outcome> {
    const { key, request } = job;
    const { sentAt, before, snapshot } = marked;
    try {
      const response = await this.#send(request, action.call(request, this.#settings), signal);
      return await this.#succeed(key, action.remote(response.body), undefined, sentAt, snapshot);
    } catch (error) {
      return await this.#onCallError(error, { job, action, before, sentAt, snapshot, signal });
    }
  }

  async #onCallError(
    error: unknown,
    ctx: {
      job: Job;
      action: Action;
      before: unknown;
      sentAt: string;
      snapshot?: string | undefined;
      signal?: AbortSignal | undefined;
    },
  ): Promise<Outcome> {
    const { job, action, before, sentAt, snapshot, signal } = ctx;
    if (!(error instanceof HuaweiApiError)) throw error; // unknown failure: `sending` stays, the next attempt reconciles
    const busy = error.errorCode !== undefined && action.busyCodes.includes(error.errorCode);
    if (error.kind !== 'ambiguous' && !busy) {
      await this.#record(job.key, {
        status: 'in_progress',
        call: { state: 'answered', sent_at: sentAt, before: snapshot },
      });
      throw error;
    }
    const seen = await this.#reconcile(action, job.request, { before, sentAt }, signal);
    if (seen.verdict === 'applied')
      return this.#succeed(job.key, seen.remote ?? {}, seen.observed, sentAt, snapshot);
    if (busy) {
      // Refused: our call did not take effect. The resource is busy with something else: wait for it.
      await this.#record(job.key, {
        status: 'in_progress',
        call: { state: 'answered', sent_at: sentAt, before: snapshot },
      });
      throw new RetryLaterError(`${error.message} (${seen.observed}); will retry when the resource is free`, {
        cause: error,
        unconfirmed: false,
      });
    }
    if (seen.verdict === 'not_applied') {
      // `sending` stays on the record: the next attempt reads the state again before any new call.
      throw new RetryLaterError(
        `${error.message}; no effect seen (${seen.observed}); will check again before retrying`,
        { cause: error, unconfirmed: true },
      );
    }
    throw new UnconfirmedOutcomeError(
      `${error.message}; whether ${job.request.action} took effect cannot be confirmed: ${seen.observed}. Check the resource before redriving.`,
      seen.observed,
      { cause: error },
    );
  }

  /**
   * The careful start, when `begin` was refused, from the record read: another request under the
   * key is refused; a request that already has its outcome returns it, replayed (never called
   * again); duplicates of dead letters stop; a key another attempt holds is in progress elsewhere;
   * otherwise this attempt claims the key (one conditional write) and reconciles what is pending.
   */
  async #resume(
    job: Job,
    begin: StatusChange,
    claim: BeginOptions,
  ): Promise<{ outcome: Outcome } | { prior: StatusRecord | undefined }> {
    const prior = await this.#deps.store.get(job.key);
    if (prior?.request_hash !== undefined && prior.request_hash !== claim.requestHash)
      throw new RequestConflictError(job.key);
    if (prior?.status === 'succeeded')
      return { outcome: { status: 'succeeded', remote: prior.remote ?? {}, replayed: true } };
    if (prior?.status === 'skipped')
      return { outcome: { status: 'skipped', reason: prior.reason ?? 'skipped earlier', replayed: true } };
    if (prior?.status === 'dead_lettered' && !job.redrive) throw new AlreadyDeadLetteredError(job.key);
    if (prior?.lease_until !== undefined && prior.lease_until >= this.#now().getTime())
      throw new InProgressElsewhereError(job.key);
    // As the first claim write: one that got no answer may have been applied, so it is given back.
    const claimed = await this.#deps.store
      .begin(job.key, begin, { ...claim, resume: true })
      .catch((error: unknown) => this.#giveBack(job.key, claim, error));
    if (!claimed.started) throw new InProgressElsewhereError(job.key); // another delivery got there first
    return { prior: claimed.prior };
  }

  /**
   * The cooldown an alarm-driven request claims; none in dry-run or off, or without a store. A route
   * with cooldown 0 claims for 0 s: it holds nothing, but still respects another route's claim.
   */
  #cooldownOf(job: Job): Job['cooldown'] {
    const cooldown = job.cooldown;
    return this.#modeOf(job) === 'on' && cooldown && this.#deps.cooldowns ? cooldown : undefined;
  }

  #modeOf(job: Job): AutomationMode {
    return job.mode ?? this.#deps.mode;
  }

  /** An earlier attempt marked `sending` and never learnt its answer: decide before calling again. */
  async #reconcileEarlierCall(
    action: Action,
    request: ActionRequest,
    prior: StatusRecord | undefined,
    signal: AbortSignal | undefined,
    verifiedNotApplied: boolean,
  ): Promise<Reconciliation | undefined> {
    if (prior?.call?.state !== 'sending') return undefined;
    const before = prior.call.before === undefined ? undefined : (JSON.parse(prior.call.before) as unknown);
    const seen = await this.#reconcile(action, request, { before, sentAt: prior.call.sent_at }, signal);
    this.#deps.log.info('reconciled an earlier unconfirmed call', {
      verdict: seen.verdict,
      observed: seen.observed,
    });
    if (seen.verdict === 'applied') return seen;
    if (seen.verdict === 'unknown' && verifiedNotApplied) {
      this.#deps.log.warn(
        'earlier call unconfirmed; the operator verified it did not take effect: calling again',
        {
          observed: seen.observed,
        },
      );
      return undefined;
    }
    if (seen.verdict === 'unknown') {
      throw new UnconfirmedOutcomeError(
        `an earlier attempt of ${request.action} (sent ${prior.call.sent_at}) got no answer and its effect cannot be confirmed: ${seen.observed}. Check the resource before redriving.`,
        seen.observed,
      );
    }
    return undefined;
  }

  async #reconcile(
    action: Action,
    request: ActionRequest,
    context: { before: unknown; sentAt: string },
    signal?: AbortSignal,
  ): Promise<Reconciliation> {
    const stateCall = action.stateCall(request, this.#settings);
    if (!stateCall)
      return {
        verdict: 'unknown',
        observed: `this ${request.action} request gives no way to read its state`,
      };
    try {
      const state = await this.#readPages(action, request, stateCall, signal);
      return action.reconcile(state, { request, before: context.before, sentAt: context.sentAt });
    } catch (error) {
      if (error instanceof HuaweiApiError && error.kind === 'permanent') {
        return { verdict: 'unknown', observed: `reading the state failed: ${error.message}` };
      }
      throw new RetryLaterError(`reading the state to reconcile failed: ${(error as Error).message}`, {
        cause: error,
        unconfirmed: true,
      });
    }
  }

  /**
   * Where the operation an accepted call started stands (issue: "accepted is not done"): its
   * progress read (read whole when paged), judged by the catalogue. A read is never effectful.
   */
  async observe(
    request: ActionRequest,
    context: {
      remote: Record<string, string>;
      before?: unknown;
      seenRunning: boolean;
      elapsedSeconds?: number;
    },
    signal?: AbortSignal,
  ): Promise<OperationObservation> {
    const action = actionFor(request.action);
    const call = action.operation.progressCall(request, this.#settings, context.remote);
    if (!call) return { state: 'completed', observed: 'nothing to follow for this action' };
    const state = await this.#readPages(action, request, call, signal);
    return action.operation.judge(state, { request, ...context });
  }

  /**
   * What an approval is asked for: the call that would be made (method and URL), and the target's
   * state now, as its preflight (or, without one, its state read) sees it. Only reads.
   */
  async preview(request: ActionRequest, signal?: AbortSignal): Promise<{ call: string; state?: string }> {
    const action = actionFor(request.action);
    const remote = action.call(request, this.#settings);
    const call = `${remote.method} ${this.#urlOf(action, request, remote)}`;
    if (action.preflight) {
      const verdict = action.preflight(
        await this.#read(request, action.stateCall(request, this.#settings), signal),
      );
      return { call, state: verdict.ok ? 'the preflight allows it now' : verdict.reason };
    }
    return { call };
  }

  /** The whole state: every page of a paged read (DCS restore records), combined. */
  async #readPages(
    action: Action,
    request: ActionRequest,
    first: RemoteCall,
    signal?: AbortSignal,
  ): Promise<unknown> {
    const paging = action.statePaging;
    const body = (await this.#send(request, first, signal)).body;
    if (!paging) return body;
    const bodies = [body];
    for (let next = paging.next(first, body); next; ) {
      const page = (await this.#send(request, next, signal)).body;
      bodies.push(page);
      next = paging.next(next, page);
    }
    return paging.combine(bodies);
  }

  /** A state read has no effect: one that got no answer is simply retried later (transient). */
  async #read(request: ActionRequest, call: RemoteCall, signal?: AbortSignal): Promise<unknown> {
    try {
      return (await this.#send(request, call, signal)).body;
    } catch (error) {
      if (error instanceof HuaweiApiError && error.kind === 'ambiguous') {
        throw new RetryLaterError(`${error.message} (a state read; retried)`, {
          cause: error,
          unconfirmed: false,
        });
      }
      throw error;
    }
  }

  #urlOf(action: Action, request: ActionRequest, call: RemoteCall): string {
    return `${endpointFor(action.service, request.region, this.#deps.endpoints)}${call.path}`;
  }

  #send(request: ActionRequest, call: RemoteCall, signal?: AbortSignal) {
    const action = actionFor(request.action);
    return this.#deps.client.send(
      {
        method: call.method,
        url: this.#urlOf(action, request, call),
        projectId: request.project_id,
        body: call.body,
      },
      signal ? { signal } : undefined,
    );
  }

  async #succeed(
    key: string,
    remote: Record<string, string>,
    reconciled?: string,
    sentAt?: string,
    /** The snapshot before the call, kept: following the operation compares against it. */
    before?: string,
  ): Promise<Outcome> {
    // The outcome, the operation it started (lib/operations/tracker.ts follows it) and the claim
    // given back: one write.
    await this.#record(key, {
      status: 'succeeded',
      remote,
      ...(reconciled ? { reason: `reconciled: ${reconciled}` } : {}),
      ...(sentAt ? { call: { state: 'answered', sent_at: sentAt, ...(before ? { before } : {}) } } : {}),
      operation: startedOperation(this.#now().toISOString()),
      release: true,
    });
    return reconciled ? { status: 'succeeded', remote, reconciled } : { status: 'succeeded', remote };
  }

  async #skip(key: string, reason: string, dryRun?: DryRunCall): Promise<Outcome> {
    await this.#record(key, { status: 'skipped', reason, release: true });
    return dryRun ? { status: 'skipped', reason, dryRun } : { status: 'skipped', reason };
  }

  #record(key: string, change: StatusChange): Promise<unknown> {
    return this.#deps.store.set(key, change);
  }
}
