/**
 * What happens to one SQS record of the request queue (rule 3: nothing dropped).
 *   invalid body               -> dead letter at once (naming the bad fields), record removed
 *   executed / replayed        -> removed
 *   transient, attempts left   -> visibility set to the backoff, reported as a batch item failure
 *   transient on last attempt,
 *   permanent or unconfirmed   -> dead letter with full context, status dead_lettered, removed
 *   same key in progress       -> retried shortly (the other delivery owns the call)
 * A dead-letter record sent back to this queue is a redrive of the request inside it; an alarm action
 * (lib/intake/alarmAction.ts) runs its request with the route's cooldown and names the alarm in dead letters.
 * Owns: acting on that table (visibility, status, dead letter); the decision itself is lib/intake/outcome.ts,
 * shared with the alarm pipeline. Must not touch: the remote call or the claim (both the executor's).
 */

import { ChangeMessageVisibilityCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { actionFor } from '../actions/catalogue.ts';
import { type ActionRequest, idempotencyKey, parseActionRequestJson } from '../actions/request.ts';
import type { ApprovalDesk } from '../approval/desk.ts';
import { type ApprovalEvent, ApprovalEventSchema } from '../approval/event.ts';
import { type DeadLetterDeps, DeadLetterSchema, deadLetter } from '../deadLetters/deadLetter.ts';
import type { BackoffPolicy } from '../execution/backoff.ts';
import type { Job, Outcome } from '../execution/executor.ts';
import type { Log } from '../log.ts';
import { type OperationCheck, OperationCheckSchema } from '../operations/check.ts';
import type { OperationTracker } from '../operations/tracker.ts';
import { KEY_PREFIX } from '../store/keys.ts';
import type { AutomationMode } from '../store/settings.ts';
import type { StatusStore } from '../store/status.ts';
import { ALARM_ACTION_TYPE, type AlarmAction, AlarmActionSchema } from './alarmAction.ts';
import { decideOutcome } from './outcome.ts';

/** Message attribute an operator's redrive sets: only a redrive may run a dead-lettered request again. */
export const REDRIVE_ATTRIBUTE = 'dr_relay_redrive';
/**
 * Set with a redrive after an operator checked the resource and found that an unconfirmed earlier
 * call did NOT take effect: the request may then be called again although the state cannot tell.
 */
export const VERIFIED_NOT_APPLIED_ATTRIBUTE = 'dr_relay_verified_not_applied';
/** Delay before a duplicate delivery looks again at a request another delivery is executing. */
const IN_PROGRESS_RETRY_SECONDS = 5;

export type RecordResult =
  | { readonly result: 'executed'; readonly outcome: Outcome & { readonly replayed?: boolean } }
  | { readonly result: 'paused'; readonly recheckSeconds: number }
  | { readonly result: 'operation_checked'; readonly check: 'applied' | 'duplicate' | 'done' }
  | { readonly result: 'awaiting_approval' | 'attached' | 'approval_event' }
  | { readonly result: 'dead_lettered'; readonly reason: string }
  /** Not dead-lettered: another delivery recorded this outcome after this one gave its claim back. */
  | { readonly result: 'ended_elsewhere'; readonly status: 'succeeded' | 'skipped' }
  | { readonly result: 'duplicate_of_dead_letter' };

export interface RecordHandlerDeps {
  readonly run: (job: Job, signal?: AbortSignal) => Promise<Outcome>;
  readonly store: Pick<StatusStore, 'set'>;
  readonly deadLetters: DeadLetterDeps;
  readonly sqs: Pick<SQSClient, 'send'>;
  readonly queueUrl: string;
  readonly maxAttempts: number;
  readonly backoff: BackoffPolicy;
  readonly log: Log;
  readonly now?: () => Date;
  /** The automation mode in force (the stored setting, read at most every 30 s); `on` when absent. */
  readonly mode?: () => Promise<AutomationMode>;
  /** While paused, a message is put back on the queue, delayed this long, and looked at again (60 s). */
  readonly pauseRecheckSeconds?: number;
  /** Counts `AutomationNotOn` for each record handled while the mode is not `on` (an alarm watches it). */
  readonly count?: (metric: 'AutomationNotOn') => void;
  /** Routes that ask a person first: proposals, the timer and decisions (lib/approval/desk.ts). */
  readonly approvals?: Pick<ApprovalDesk, 'propose' | 'onEvent'>;
  /** Follows accepted operations to their end: started after a success, advanced by check messages. */
  readonly operations?: Pick<OperationTracker, 'start' | 'check'>;
}

/** An approval's timer or decision, when the body is one. */
const approvalEventOf = (body: string): ApprovalEvent | undefined => {
  try {
    const parsed = ApprovalEventSchema.safeParse(JSON.parse(body));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
};

/** A delayed check of a followed operation, when the body is one. */
const operationCheckOf = (body: string): OperationCheck | undefined => {
  try {
    const parsed = OperationCheckSchema.safeParse(JSON.parse(body));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
};

/** Thrown to make the batch report this record as failed (after its visibility was set). */
export class RetryScheduledError extends Error {
  readonly delaySeconds: number;
  constructor(delaySeconds: number, options?: { cause?: unknown }) {
    super(`retry scheduled in ${delaySeconds}s`, options);
    this.name = 'RetryScheduledError';
    this.delaySeconds = delaySeconds;
  }
}

/**
 * A dead-letter record moved back to the request queue (SQS's own DLQ redrive, the console's
 * "Start DLQ redrive", or the CLI) is a redrive of the request it carries.
 */
const unwrapDeadLetter = (body: string): { body: string; redriven: boolean } => {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return { body, redriven: false };
  }
  const letter = DeadLetterSchema.safeParse(value);
  if (!letter.success) return { body, redriven: false };
  if (letter.data.request === undefined) return { body: letter.data.raw_body ?? '', redriven: true };
  try {
    return { body: JSON.stringify(letter.data.request), redriven: true };
  } catch {
    return { body, redriven: false }; // nested too deep to be a request: judged (and refused) as it is
  }
};

/** An alarm's action handed over by the webhook (or the alarms function): the request and its route context. */
const unwrapAlarmAction = (body: string): { body: string; context?: AlarmContext } => {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return { body };
  }
  const action = AlarmActionSchema.safeParse(value);
  if (!action.success) return { body };
  try {
    const { route, cooldown_seconds, alarm, approval, approved } = action.data;
    return {
      body: JSON.stringify(action.data.request),
      context: {
        route,
        cooldown_seconds,
        alarm,
        ...(approval ? { approval } : {}),
        ...(approved ? { approved } : {}),
      },
    };
  } catch {
    return { body }; // nested too deep to be a request: judged (and refused) as it is
  }
};

interface AlarmContext {
  readonly route: string;
  readonly cooldown_seconds: number;
  readonly alarm: AlarmAction['alarm'];
  readonly approval?: AlarmAction['approval'];
  readonly approved?: true;
}

export const makeRecordHandler = (deps: RecordHandlerDeps) => {
  const deadLetterRecord = async (
    record: SQSRecord,
    error: unknown,
    context: {
      key?: string;
      request?: ActionRequest;
      attempts: number;
      alarm?: AlarmContext | undefined;
      keepStatus?: boolean | undefined;
    },
  ): Promise<RecordResult> => {
    const letter = await deadLetter(deps.deadLetters, {
      error,
      attempts: context.attempts,
      key: context.key,
      request: context.request,
      keepStatus: context.keepStatus,
      rawBody: record.body,
      ...(context.alarm
        ? { ...(context.alarm.alarm ? { alarm: context.alarm.alarm } : {}), route: context.alarm.route }
        : {}),
      // An alarm's action handed over through the queue is still an alarm's: say so, and where it came from.
      source: {
        type: context.alarm ? 'alarm' : 'sqs',
        queue_url: deps.queueUrl,
        message_id: record.messageId,
      },
    });
    return 'outcome' in letter
      ? { result: 'ended_elsewhere', status: letter.outcome }
      : { result: 'dead_lettered', reason: letter.reason };
  };

  const retryLater = async (record: SQSRecord, delaySeconds: number, cause: unknown): Promise<never> => {
    await deps.sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: deps.queueUrl,
        ReceiptHandle: record.receiptHandle,
        VisibilityTimeout: delaySeconds,
      }),
    );
    throw new RetryScheduledError(delaySeconds, { cause });
  };

  /**
   * Paused (`off`): the message goes back on the queue unchanged, delayed, as a new message (so
   * waiting never spends its receive count), and this one is done. Nothing runs, nothing is lost.
   */
  const recheckSeconds = deps.pauseRecheckSeconds ?? 60;
  const pause = async (record: SQSRecord): Promise<RecordResult> => {
    await deps.sqs.send(
      new SendMessageCommand({
        QueueUrl: deps.queueUrl,
        MessageBody: record.body,
        DelaySeconds: recheckSeconds,
        MessageAttributes: Object.fromEntries(
          Object.entries(record.messageAttributes ?? {}).flatMap(([name, value]) =>
            value.stringValue === undefined
              ? []
              : [[name, { DataType: value.dataType || 'String', StringValue: value.stringValue }]],
          ),
        ),
      }),
    );
    deps.log.info('automation is off: message put back on the queue', {
      message_id: record.messageId,
      recheck_seconds: recheckSeconds,
    });
    return { result: 'paused', recheckSeconds };
  };

  return async (delivered: SQSRecord, abort?: AbortSignal): Promise<RecordResult> => {
    let record = delivered;
    const attempt = Math.max(1, Number(record.attributes.ApproximateReceiveCount) || 1);
    const check = deps.operations ? operationCheckOf(record.body) : undefined;
    if (check && deps.operations) {
      return { result: 'operation_checked', check: await deps.operations.check(check, attempt) };
    }
    const approvalEvent = deps.approvals ? approvalEventOf(record.body) : undefined;
    if (approvalEvent && deps.approvals) {
      const job = await deps.approvals.onEvent(approvalEvent);
      if (!job) return { result: 'approval_event' };
      // Approved: run it now, as the alarm would have, the preflight read again at this moment.
      record = {
        ...record,
        body: JSON.stringify({
          type: ALARM_ACTION_TYPE,
          version: 1,
          request: job.request,
          route: job.cooldown.route,
          cooldown_seconds: job.cooldown.seconds,
          approved: true,
        }),
      };
    }
    const { body: unwrapped, redriven } = unwrapDeadLetter(record.body);
    const { body, context: alarm } = unwrapAlarmAction(unwrapped);
    let request: ActionRequest;
    try {
      request = parseActionRequestJson(body);
    } catch (error) {
      return deadLetterRecord({ ...record, body }, error, { attempts: attempt, alarm });
    }
    if (alarm?.approval && !alarm.approved && deps.approvals) {
      const key = idempotencyKey(request);
      const proposed = await deps.approvals.propose(
        key,
        request,
        { name: alarm.route, cooldown_seconds: alarm.cooldown_seconds, approval: alarm.approval },
        alarm.alarm ? `${alarm.alarm.source} ${alarm.alarm.name} (${alarm.alarm.state})` : undefined,
      );
      return { result: proposed };
    }
    const mode = (await deps.mode?.()) ?? 'on';
    if (mode !== 'on') deps.count?.('AutomationNotOn');
    if (mode === 'off') return pause(record);
    // A dry run has its own key space: a later real run of the same request still acts.
    const key = `${mode === 'dry-run' ? KEY_PREFIX.dryRun : ''}${idempotencyKey(request)}`;
    const redrive = redriven || record.messageAttributes?.[REDRIVE_ATTRIBUTE] !== undefined;
    const verifiedNotApplied =
      redrive && record.messageAttributes?.[VERIFIED_NOT_APPLIED_ATTRIBUTE] !== undefined;
    let outcome: Outcome;
    try {
      outcome = await deps.run(
        {
          key,
          request,
          attempt,
          ...(redrive ? { redrive } : {}),
          ...(verifiedNotApplied ? { verifiedNotApplied } : {}),
          ...(alarm ? { cooldown: { seconds: alarm.cooldown_seconds, route: alarm.route } } : {}),
          mode,
        },
        abort,
      );
    } catch (error) {
      const disposition = decideOutcome(error, {
        key,
        attempt,
        maxAttempts: deps.maxAttempts,
        backoff: deps.backoff,
      });
      switch (disposition.kind) {
        case 'duplicate_of_dead_letter':
          deps.log.info('duplicate of a dead-lettered request: dropped', { request_id: key });
          return { result: 'duplicate_of_dead_letter' };
        case 'in_progress_elsewhere':
          // Another delivery of this key holds (or just released) the claim: look again shortly, and
          // write nothing (its outcome may already be recorded).
          deps.log.info('same request in progress elsewhere: will look again', { request_id: key });
          return retryLater(record, IN_PROGRESS_RETRY_SECONDS, error);
        case 'retry':
          await deps.store.set(key, {
            status: 'failed',
            action: request.action,
            target: actionFor(request.action).target(request),
            attempts: attempt,
            error: disposition.summary,
            failure: true,
          });
          deps.log.warn('transient failure: retry scheduled', {
            request_id: key,
            attempt,
            delay_seconds: disposition.delaySeconds,
            error: disposition.summary,
          });
          return retryLater(record, disposition.delaySeconds, error);
        case 'dead_letter':
        case 'hand_off': // never asked for here: the queue is where hand-offs go
          return deadLetterRecord(record, disposition.kind === 'dead_letter' ? disposition.error : error, {
            key,
            request,
            attempts: attempt,
            alarm,
            keepStatus: disposition.kind === 'dead_letter' && disposition.keepStatus,
          });
      }
    }
    deps.log.info('request done', { request_id: key, action: request.action, outcome });
    // Accepted is not done: follow the operation (again after a redelivery: start is idempotent).
    // Outside the decision above: a failure here retries the follow-up only, it never touches the
    // recorded outcome or dead-letters a request that succeeded (the redelivery replays it).
    if (outcome.status === 'succeeded' && deps.operations) {
      try {
        await deps.operations.start(key, request, { recorded: outcome.replayed !== true });
      } catch (error) {
        deps.log.warn('following the operation could not start: will look again', { request_id: key });
        return retryLater(record, IN_PROGRESS_RETRY_SECONDS, error);
      }
    }
    return { result: 'executed', outcome };
  };
};
