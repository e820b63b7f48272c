/**
 * A human in the loop when the route asks for one (rule 9): the alarm proposes, a person (or the
 * timer) decides, and only then does the action run, through the same execution path.
 *   propose  status awaiting_approval, the target's cooldown claimed for the wait, the timer set,
 *            the approvers told what would be done; no Huawei call. Re-notifications and other
 *            alarms on the same target attach to the pending request, never a second one.
 *   decide   the first decision wins (a conditional write); later ones are answered with it; after
 *            the deadline, or by someone not among the route's approvers, refused
 *   timer    at the deadline: cancel (skipped, cooldown given back) or proceed (approved by timeout)
 *   decided  approve: told, then run (the preflight runs again at that moment); deny or cancel:
 *            the cooldown given back, told
 * Owns: that flow. Must not touch: the remote call (the executor runs approved requests), queues, SNS.
 */
import { actionFor } from '../actions/catalogue.ts';
import { type ActionRequest, parseActionRequest } from '../actions/request.ts';
import type { Log } from '../log.ts';
import type { Approval } from '../routing/schema.ts';
import type { CooldownStore } from '../store/cooldowns.ts';
import type { ApprovalDecision, ApprovalRecord, StatusRecord, StatusStore } from '../store/status.ts';
import { APPROVAL_EVENT_TYPE, type ApprovalEvent } from './event.ts';

/** What the approvers are told. */
export interface ApprovalNotice {
  readonly event: 'requested' | 'approved' | 'denied' | 'cancelled';
  readonly request_id: string;
  readonly action: string;
  readonly target: string;
  readonly route: string;
  readonly alarm?: string;
  readonly deadline: string;
  readonly on_timeout: 'cancel' | 'proceed';
  /** What would be done (method and URL), and the target's state now, for a request. */
  readonly call?: string;
  readonly state?: string;
  readonly decision?: ApprovalDecision;
}

export interface DeskDeps {
  readonly store: Pick<
    StatusStore,
    'get' | 'requestApproval' | 'decideApproval' | 'noteApproval' | 'claimApprovalNotice'
  >;
  readonly cooldowns?: Pick<CooldownStore, 'claim' | 'release'>;
  /** Puts an approval event on the request queue, delayed (at most 900 s). */
  readonly schedule: (event: ApprovalEvent, delaySeconds: number) => Promise<void>;
  /** The call that would be made and the target's state now (a read; never the call). */
  readonly preview?: (request: ActionRequest) => Promise<{ call: string; state?: string }>;
  readonly notify?: (notice: ApprovalNotice) => Promise<void>;
  readonly log: Log;
  readonly now?: () => Date;
}

export type Decided =
  | { readonly ok: true; readonly record: StatusRecord }
  | {
      readonly ok: false;
      readonly status: 403 | 404 | 409;
      readonly message: string;
      readonly record?: StatusRecord;
    };

/** What an approved request runs with: its request, and the route's cooldown. */
export interface ApprovedJob {
  readonly key: string;
  readonly request: ActionRequest;
  readonly cooldown: { readonly seconds: number; readonly route: string };
}

const MAX_DELAY_SECONDS = 900;

export class ApprovalDesk {
  readonly #deps: DeskDeps;
  readonly #now: () => Date;

  constructor(deps: DeskDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? (() => new Date());
  }

  /** An alarm proposes `request` (key = its episode key) on a route that asks for approval. */
  async propose(
    key: string,
    request: ActionRequest,
    route: { readonly name: string; readonly cooldown_seconds: number; readonly approval: Approval },
    alarm?: string,
  ): Promise<'awaiting_approval' | 'attached'> {
    const { store, log } = this.#deps;
    const target = actionFor(request.action).target(request);
    const deadline = new Date(this.#now().getTime() + route.approval.timeout_seconds * 1000).toISOString();
    const approval: ApprovalRecord = {
      required: true,
      deadline,
      on_timeout: route.approval.on_timeout,
      ...(route.approval.approvers ? { approvers: [...route.approval.approvers] } : {}),
      route: route.name,
      cooldown_seconds: route.cooldown_seconds,
      request: JSON.stringify(request),
      ...(alarm ? { alarm } : {}),
    };
    if (!(await store.requestApproval(key, { action: request.action, target }, approval))) {
      const pending = (await store.get(key))?.approval;
      // Proposed already. If that proposal stopped before its last step (the notice: a crash, a
      // failed send), this redelivery finishes it; every step is idempotent. Else it attaches.
      if (!pending || pending.notified_requested || pending.decision) {
        log.info('re-notification attached to its pending request', { request_id: key });
        return 'attached';
      }
      return this.#announce(key, request, target, route, pending, alarm);
    }
    return this.#announce(key, request, target, route, approval, alarm);
  }

  /** The proposal's steps after it is recorded: hold the target, set the timer, tell the approvers. */
  async #announce(
    key: string,
    request: ActionRequest,
    target: string,
    route: { readonly name: string; readonly cooldown_seconds: number; readonly approval: Approval },
    approval: ApprovalRecord,
    alarm: string | undefined,
  ): Promise<'awaiting_approval' | 'attached'> {
    const { store, log } = this.#deps;
    const deadline = approval.deadline;
    // The target is held for the wait (and the cooldown after it): another alarm on it attaches here.
    const claim = await this.#deps.cooldowns?.claim(
      target,
      key,
      route.approval.timeout_seconds + route.cooldown_seconds,
      route.name,
    );
    if (claim && !claim.granted) {
      const holder = await store.get(claim.holder);
      const pending = holder?.status === 'awaiting_approval';
      if (pending) await store.noteApproval(claim.holder, { attached: key });
      await store.decideApproval(
        key,
        { decision: 'cancel', by: 'dr-relay', at: this.#now().toISOString(), via: 'timer' },
        pending
          ? `attached to the pending request ${claim.holder} on the same target`
          : `cooldown: ${target} was acted on by ${claim.holder}`,
      );
      log.info('alarm attached to the request already holding its target', {
        request_id: key,
        holder: claim.holder,
      });
      return 'attached';
    }
    await this.#timer(key, (Date.parse(deadline) - this.#now().getTime()) / 1000);
    if (await store.claimApprovalNotice(key, 'requested')) {
      const preview = await this.#deps.preview?.(request).catch((error: unknown) => ({
        call: 'unknown',
        state: `the target could not be read: ${(error as Error).message}`,
      }));
      await this.#deps.notify?.({
        event: 'requested',
        request_id: key,
        action: request.action,
        target,
        route: route.name,
        ...(alarm ? { alarm } : {}),
        deadline,
        on_timeout: route.approval.on_timeout,
        ...(preview ? { call: preview.call, ...(preview.state ? { state: preview.state } : {}) } : {}),
      });
    }
    log.info('approval requested', { request_id: key, route: route.name, deadline });
    return 'awaiting_approval';
  }

  /** A person's decision (CLI or API): recorded once, then the request function acts on it. */
  async decide(
    key: string,
    input: { decision: 'approve' | 'deny'; by: string; reason?: string | undefined; via: 'cli' | 'api' },
  ): Promise<Decided> {
    const { store } = this.#deps;
    const record = await store.get(key);
    if (!record) return { ok: false, status: 404, message: `no request ${key}` };
    const approval = record.approval;
    if (!approval)
      return { ok: false, status: 409, message: `request ${key} does not await approval`, record };
    if (approval.decision)
      return {
        ok: false,
        status: 409,
        message: `already decided: ${approval.decision.decision} by ${approval.decision.by}`,
        record,
      };
    if (this.#now().getTime() > Date.parse(approval.deadline))
      return { ok: false, status: 409, message: `the approval timed out at ${approval.deadline}`, record };
    if (approval.approvers && !approval.approvers.includes(input.by))
      return { ok: false, status: 403, message: `${input.by} is not among the route's approvers`, record };
    const decision: ApprovalDecision = {
      decision: input.decision,
      by: input.by,
      at: this.#now().toISOString(),
      ...(input.reason ? { reason: input.reason } : {}),
      via: input.via,
    };
    const reason =
      input.decision === 'approve'
        ? `approved by ${input.by}${input.reason ? `: ${input.reason}` : ''}`
        : `denied by ${input.by}${input.reason ? `: ${input.reason}` : ''}`;
    if (!(await store.decideApproval(key, decision, reason))) {
      const now = await store.get(key);
      return {
        ok: false,
        status: 409,
        message: `already decided: ${now?.approval?.decision?.decision ?? 'unknown'} by ${now?.approval?.decision?.by ?? 'unknown'}`,
        ...(now ? { record: now } : {}),
      };
    }
    this.#deps.log.info('approval decided', { request_id: key, ...decision });
    await this.#deps.schedule({ type: APPROVAL_EVENT_TYPE, version: 1, key, event: 'decided' }, 0);
    return { ok: true, record: (await store.get(key)) ?? record };
  }

  /** The timer or a decision: returns the job to run when the request was approved. */
  async onEvent(event: ApprovalEvent): Promise<ApprovedJob | undefined> {
    const { store } = this.#deps;
    let record = await store.get(event.key);
    const approval = record?.approval;
    if (!record || !approval) return undefined;
    if (!approval.decision) {
      const left = (Date.parse(approval.deadline) - this.#now().getTime()) / 1000;
      if (left > 0) {
        await this.#timer(event.key, left);
        return undefined;
      }
      const proceed = approval.on_timeout === 'proceed';
      await store.decideApproval(
        event.key,
        {
          decision: proceed ? 'approve' : 'cancel',
          by: 'timeout',
          at: this.#now().toISOString(),
          via: 'timer',
        },
        proceed ? 'approved by timeout (on_timeout: proceed)' : 'approval timed out (on_timeout: cancel)',
      );
      record = await store.get(event.key);
    }
    const decided = record?.approval;
    if (!record || !decided?.decision) return undefined;
    const request = parseActionRequest(JSON.parse(decided.request));
    const approved = decided.decision.decision === 'approve';
    if (!approved)
      await this.#deps.cooldowns?.release(
        record.target ?? actionFor(request.action).target(request),
        event.key,
      );
    if (await store.claimApprovalNotice(event.key, 'decided')) {
      await this.#deps.notify?.({
        event: approved ? 'approved' : decided.decision.decision === 'deny' ? 'denied' : 'cancelled',
        request_id: event.key,
        action: record.action,
        target: record.target ?? 'unknown',
        route: decided.route,
        ...(decided.alarm ? { alarm: decided.alarm } : {}),
        deadline: decided.deadline,
        on_timeout: decided.on_timeout,
        decision: decided.decision,
      });
    }
    return approved
      ? { key: event.key, request, cooldown: { seconds: decided.cooldown_seconds, route: decided.route } }
      : undefined;
  }

  async #timer(key: string, seconds: number): Promise<void> {
    await this.#deps.schedule(
      { type: APPROVAL_EVENT_TYPE, version: 1, key, event: 'timer' },
      Math.max(1, Math.min(MAX_DELAY_SECONDS, Math.ceil(seconds))),
    );
  }
}
