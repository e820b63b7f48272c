/**
 * The request status record: the schema (the contract behind `GET /v1/requests/{id}`), the port
 * its users depend on (`StatusStore`) and the DynamoDB store behind it (`DynamoStatusStore`; the
 * in-memory one for unit tests is test/fixtures/memoryStore.ts, and both are held to
 * test/store/statusStore.contract.ts). Owns: items `req#<idempotency key>` in STATE_TABLE. Must not
 * touch: queues, the Huawei client.
 *
 * The record is also the idempotency record (one item, so one write claims the key and marks the
 * call): besides the status shown to users it keeps
 *   `call`          `sending` is written *before* a remote call and `answered` after a definite
 *                   answer; a record still `sending` when an attempt starts means an earlier attempt
 *                   may have taken effect: the executor reconciles before calling;
 *   `lease_*`       the attempt that holds the key, until when (the invocation's end): another
 *                   delivery meanwhile is "in progress elsewhere"; a crashed holder's lease lapses;
 *   `request_hash`  the request the key was first used for: another request under it is refused.
 */
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import * as z from '../schema/zod.ts';
import { KEY_PREFIX } from './keys.ts';

export const REQUEST_STATUSES = [
  'queued',
  'awaiting_approval',
  'in_progress',
  'succeeded',
  'skipped',
  'failed',
  'dead_lettered',
] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

export const ErrorSummarySchema = z.lazySchema(() =>
  z.object({
    kind: z.enum(['permanent', 'transient', 'ambiguous']),
    message: z.string(),
    http_status: z.optional(z.number()),
    error_code: z.optional(z.string()),
    error_msg: z.optional(z.string()),
    huawei_request_id: z.optional(z.string()),
  }),
);
export type ErrorSummary = z.infer<typeof ErrorSummarySchema>;

export const OPERATION_STATES = ['running', 'completed', 'failed', 'stalled'] as const;
export type OperationRecordState = (typeof OPERATION_STATES)[number];

/** The remote operation an accepted call started, followed to its end (lib/operations/tracker.ts). */
export const OperationRecordSchema = z.lazySchema(() =>
  z.object({
    state: z.enum(OPERATION_STATES),
    observed: z.string(),
    progress: z.optional(z.string()),
    error: z.optional(z.string()),
    started_at: z.string(),
    checked_at: z.string(),
    finished_at: z.optional(z.string()),
    /** Checks applied so far, which is also the sequence number of the next one (duplicates are dropped). */
    checks: z.number(),
    /** The operation was once seen under way (a resource back at rest after that is done). */
    seen_running: z.optional(z.boolean()),
    /** Past the hard limit: no longer checked. */
    abandoned: z.optional(z.boolean()),
    /** People were told of the end (completed / failed), of the stall: each at most once. */
    notified_end: z.optional(z.boolean()),
    notified_stall: z.optional(z.boolean()),
  }),
);
export type OperationRecord = z.infer<typeof OperationRecordSchema>;
export type OperationNotice = 'end' | 'stall';

/** Who decided a request that awaited approval, when, why and how. */
export const ApprovalDecisionSchema = z.lazySchema(() =>
  z.object({
    decision: z.enum(['approve', 'deny', 'cancel']),
    by: z.string(),
    at: z.string(),
    reason: z.optional(z.string()),
    via: z.enum(['cli', 'api', 'timer']),
  }),
);
export type ApprovalDecision = z.infer<typeof ApprovalDecisionSchema>;

/** A route asked a person first (lib/approval/desk.ts): the proposal, its deadline, and the decision. */
export const ApprovalRecordSchema = z.lazySchema(() =>
  z.object({
    required: z.literal(true),
    deadline: z.string(),
    on_timeout: z.enum(['cancel', 'proceed']),
    approvers: z.optional(z.array(z.string())),
    route: z.string(),
    cooldown_seconds: z.number(),
    /** The ActionRequest to run once approved (as JSON), and the alarm that proposed it. */
    request: z.string(),
    alarm: z.optional(z.string()),
    /** Other alarms on the same target while it waited, attached here (never a second request). */
    attached: z.optional(z.array(z.string())),
    resolved_at: z.optional(z.string()),
    decision: z.optional(ApprovalDecisionSchema),
    notified_requested: z.optional(z.boolean()),
    notified_decided: z.optional(z.boolean()),
  }),
);
export type ApprovalRecord = z.infer<typeof ApprovalRecordSchema>;

export const StatusRecordSchema = z.lazySchema(() =>
  z.object({
    request_id: z.string(),
    action: z.string(),
    target: z.optional(z.string()),
    status: z.enum(REQUEST_STATUSES),
    attempts: z._default(z.number(), 0),
    remote: z.optional(z.record(z.string(), z.string())),
    reason: z.optional(z.string()),
    error: z.optional(ErrorSummarySchema),
    call: z.optional(
      z.object({
        state: z.enum(['sending', 'answered']),
        sent_at: z.string(),
        before: z.optional(z.string()),
      }),
    ),
    first_failure_at: z.optional(z.string()),
    last_failure_at: z.optional(z.string()),
    operation: z.optional(OperationRecordSchema),
    approval: z.optional(ApprovalRecordSchema),
    /** Bookkeeping of the claim (never shown to clients): see the head of this file. */
    lease_owner: z.optional(z.string()),
    lease_until: z.optional(z.number()),
    request_hash: z.optional(z.string()),
    created_at: z.string(),
    updated_at: z.string(),
  }),
);
export type StatusRecord = z.infer<typeof StatusRecordSchema>;

/** What a status change writes; absent fields are left as they are. */
export interface StatusChange {
  readonly status: RequestStatus;
  readonly action?: string;
  readonly target?: string;
  readonly attempts?: number;
  readonly remote?: Record<string, string>;
  readonly reason?: string;
  readonly error?: ErrorSummary;
  readonly call?: StatusRecord['call'];
  /** Set first_failure_at (if not yet set) and last_failure_at to now. */
  readonly failure?: boolean;
  /** The operation the accepted call started (written with the success: one write, not two). */
  readonly operation?: OperationRecord;
  /** Ends the attempt's lease on the key (its holder writes the outcome). */
  readonly release?: boolean;
}

/** The operation as it starts, right after the call was accepted (lib/operations/tracker.ts follows it). */
export const startedOperation = (at: string): OperationRecord => ({
  state: 'running',
  observed: 'accepted by the provider',
  started_at: at,
  checked_at: at,
  checks: 0,
});

/** An attempt's hold on a key: who (a random id per attempt) and until when (epoch ms). */
export interface Lease {
  readonly owner: string;
  readonly until: number;
}

export interface BeginOptions {
  /** A redrive: a dead-lettered request may start again. */
  readonly reopen: boolean;
  /** Claims the key for this attempt: refused while another attempt's lease runs. */
  readonly lease?: Lease;
  /** Refused when the key was first used for another request (a different hash). */
  readonly requestHash?: string;
  /**
   * The careful start, after the record was read: an earlier call still `sending` does not refuse
   * (the caller reconciles it first).
   */
  readonly resume?: boolean;
}

/** What `begin` answers: the record as it was before the attempt started, or a refusal. */
export type BeginResult = { started: true; prior: StatusRecord | undefined } | { started: false };

/**
 * The status store port: every operation the relay performs on status records. Consumers that need
 * only some of it take a `Pick<StatusStore, …>`.
 */
export interface StatusStore {
  /** The record, or undefined when the request has none. */
  get(requestId: string): Promise<StatusRecord | undefined>;
  /**
   * Applies a change, creating the record if needed; returns the record as stored. A failure
   * (`failed`, `dead_lettered`) never replaces an outcome (`succeeded`, `skipped`): the record is
   * then returned unchanged.
   */
  set(requestId: string, change: StatusChange): Promise<StatusRecord>;
  /**
   * Starts an attempt in one atomic write: applies `change` (and takes the lease) unless the request
   * already has its outcome (succeeded, skipped; dead-lettered unless `reopen`), an earlier call is
   * still unconfirmed (`call.state` = sending, unless `resume`), another attempt's lease runs, or
   * the key was used for another request.
   */
  begin(requestId: string, change: StatusChange, options: BeginOptions): Promise<BeginResult>;
  /** Ends the lease if `owner` still holds it (an attempt that failed); nothing otherwise. */
  release(requestId: string, owner: string): Promise<void>;
  /** Creates the record as `queued` unless one exists; returns false when it already existed. */
  createQueued(requestId: string, action: string, target: string): Promise<boolean>;
  /**
   * Writes the operation, only if it is at the expected point: `'none'` (a succeeded request with no
   * operation yet) or the number of checks applied so far. False when another writer got there first (a duplicate).
   */
  setOperation(requestId: string, operation: OperationRecord, expect: 'none' | number): Promise<boolean>;
  /** Marks a notice as sent, only once: true for the one caller that may send it. */
  claimNotice(requestId: string, notice: OperationNotice): Promise<boolean>;
  /**
   * Proposes the request for approval: status `awaiting_approval` with the approval, unless it was
   * proposed (or started) already. False when it was: the caller attaches instead.
   */
  requestApproval(
    requestId: string,
    base: { action: string; target: string },
    approval: ApprovalRecord,
  ): Promise<boolean>;
  /** Records the one decision (the first wins): status queued (approve) or skipped (deny, cancel). */
  decideApproval(requestId: string, decision: ApprovalDecision, reason: string): Promise<boolean>;
  /** Adds to the approval: an attached episode, or the time the alarm resolved. */
  noteApproval(requestId: string, note: { attached?: string; resolved_at?: string }): Promise<void>;
  /** Marks an approval notice as sent, only once. */
  claimApprovalNotice(requestId: string, notice: 'requested' | 'decided'): Promise<boolean>;
}

/**
 * Statuses a failed delivery writes after giving its claim back: they never replace an outcome
 * (succeeded, skipped) that a duplicate delivery recorded meanwhile, or a later delivery would find
 * the key open and call again.
 */
export const FAILURES: ReadonlySet<RequestStatus> = new Set(['failed', 'dead_lettered']);
const KEEP_OUTCOME = {
  expression: 'attribute_not_exists(#status) OR NOT #status IN (:succeeded, :skipped)',
  names: { '#status': 'status' },
  values: { ':succeeded': 'succeeded', ':skipped': 'skipped' },
};

export class DynamoStatusStore implements StatusStore {
  readonly #client: DynamoDBClient;
  readonly #table: string;
  readonly #ttlSeconds: number;
  readonly #now: () => Date;

  constructor(options: { client: DynamoDBClient; table: string; ttlSeconds: number; now?: () => Date }) {
    this.#client = options.client;
    this.#table = options.table;
    this.#ttlSeconds = options.ttlSeconds;
    this.#now = options.now ?? (() => new Date());
  }

  static keyOf(requestId: string): Record<string, AttributeValue> {
    return { id: { S: `${KEY_PREFIX.request}${requestId}` } };
  }

  async get(requestId: string): Promise<StatusRecord | undefined> {
    const { Item } = await this.#client.send(
      new GetItemCommand({
        TableName: this.#table,
        Key: DynamoStatusStore.keyOf(requestId),
        ConsistentRead: true,
      }),
    );
    return Item ? StatusRecordSchema.parse(unmarshall(Item)) : undefined;
  }

  /** Applies a change, creating the record if needed; returns the record as stored. */
  async set(requestId: string, change: StatusChange): Promise<StatusRecord> {
    try {
      const attributes = await this.#update(
        requestId,
        change,
        'ALL_NEW',
        FAILURES.has(change.status) ? KEEP_OUTCOME : undefined,
      );
      return StatusRecordSchema.parse(unmarshall(attributes ?? {}));
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // Another delivery recorded the outcome meanwhile: it stands (see FAILURES).
      return (await this.get(requestId)) as StatusRecord;
    }
  }

  /**
   * Starts an attempt in one write (see the port). Returns the record as it was before, or
   * `started: false` when refused (the caller then reads the record and takes the careful path).
   */
  async begin(requestId: string, change: StatusChange, options: BeginOptions): Promise<BeginResult> {
    const terminal = options.reopen ? ':succeeded, :skipped' : ':succeeded, :skipped, :dead_lettered';
    const clauses = [`(attribute_not_exists(#status) OR NOT #status IN (${terminal}))`];
    const names: Record<string, string> = { '#status': 'status' };
    const values: Record<string, unknown> = {
      ':succeeded': 'succeeded',
      ':skipped': 'skipped',
      ...(options.reopen ? {} : { ':dead_lettered': 'dead_lettered' }),
    };
    if (!options.resume) {
      clauses.push('(attribute_not_exists(#call) OR #call.#call_state <> :sending)');
      Object.assign(names, { '#call': 'call', '#call_state': 'state' });
      values[':sending'] = 'sending';
    }
    if (options.lease) {
      clauses.push('(attribute_not_exists(lease_until) OR lease_until < :lease_now)');
      values[':lease_now'] = this.#now().getTime();
    }
    if (options.requestHash) {
      clauses.push('(attribute_not_exists(request_hash) OR request_hash = :request_hash)');
      values[':request_hash'] = options.requestHash;
    }
    try {
      const attributes = await this.#update(
        requestId,
        {
          ...change,
          ...(options.lease ? { lease_owner: options.lease.owner, lease_until: options.lease.until } : {}),
          ...(options.requestHash ? { request_hash: options.requestHash } : {}),
        },
        'ALL_OLD',
        { expression: clauses.join(' AND '), names, values },
      );
      return {
        started: true,
        prior: attributes ? StatusRecordSchema.parse(unmarshall(attributes)) : undefined,
      };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return { started: false };
      throw error;
    }
  }

  async release(requestId: string, owner: string): Promise<void> {
    try {
      await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#table,
          Key: DynamoStatusStore.keyOf(requestId),
          UpdateExpression: 'REMOVE lease_owner, lease_until',
          ConditionExpression: 'lease_owner = :owner',
          ExpressionAttributeValues: marshall({ ':owner': owner }),
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async setOperation(
    requestId: string,
    operation: OperationRecord,
    expect: 'none' | number,
  ): Promise<boolean> {
    try {
      await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#table,
          Key: DynamoStatusStore.keyOf(requestId),
          UpdateExpression: 'SET #operation = :operation, updated_at = :now',
          ConditionExpression:
            expect === 'none'
              ? '#status = :succeeded AND attribute_not_exists(#operation)'
              : '#operation.#checks = :expect',
          ExpressionAttributeNames: {
            '#operation': 'operation',
            ...(expect === 'none' ? { '#status': 'status' } : { '#checks': 'checks' }),
          },
          ExpressionAttributeValues: marshall(
            {
              ':operation': operation,
              ':now': this.#now().toISOString(),
              ...(expect === 'none' ? { ':succeeded': 'succeeded' } : { ':expect': expect }),
            },
            { removeUndefinedValues: true },
          ),
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async claimNotice(requestId: string, notice: OperationNotice): Promise<boolean> {
    return this.#claimFlag(requestId, 'operation', `notified_${notice}`);
  }

  /** Sets `parent.flag` to true only if it was not set yet: true for the one caller that set it. */
  async #claimFlag(requestId: string, parent: 'operation' | 'approval', flag: string): Promise<boolean> {
    try {
      await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#table,
          Key: DynamoStatusStore.keyOf(requestId),
          UpdateExpression: 'SET #parent.#flag = :yes',
          ConditionExpression: 'attribute_exists(#parent) AND attribute_not_exists(#parent.#flag)',
          ExpressionAttributeNames: { '#parent': parent, '#flag': flag },
          ExpressionAttributeValues: marshall({ ':yes': true }),
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async requestApproval(
    requestId: string,
    base: { action: string; target: string },
    approval: ApprovalRecord,
  ): Promise<boolean> {
    const now = this.#now().toISOString();
    try {
      await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#table,
          Key: DynamoStatusStore.keyOf(requestId),
          UpdateExpression:
            'SET #status = :awaiting, #approval = :approval, request_id = :id, #action = :action, target = :target, attempts = if_not_exists(attempts, :zero), created_at = if_not_exists(created_at, :now), updated_at = :now, expiration = :expiration',
          ConditionExpression:
            'attribute_not_exists(#approval) AND (attribute_not_exists(#status) OR #status = :queued)',
          ExpressionAttributeNames: { '#status': 'status', '#approval': 'approval', '#action': 'action' },
          ExpressionAttributeValues: marshall(
            {
              ':awaiting': 'awaiting_approval',
              ':queued': 'queued',
              ':approval': approval,
              ':id': requestId,
              ':action': base.action,
              ':target': base.target,
              ':zero': 0,
              ':now': now,
              ':expiration': Math.floor(this.#now().getTime() / 1000) + this.#ttlSeconds,
            },
            { removeUndefinedValues: true },
          ),
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async decideApproval(requestId: string, decision: ApprovalDecision, reason: string): Promise<boolean> {
    try {
      await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#table,
          Key: DynamoStatusStore.keyOf(requestId),
          UpdateExpression:
            'SET #approval.#decision = :decision, #status = :next, reason = :reason, updated_at = :now',
          ConditionExpression: '#status = :awaiting AND attribute_not_exists(#approval.#decision)',
          ExpressionAttributeNames: { '#status': 'status', '#approval': 'approval', '#decision': 'decision' },
          ExpressionAttributeValues: marshall(
            {
              ':decision': decision,
              ':next': decision.decision === 'approve' ? 'queued' : 'skipped',
              ':reason': reason,
              ':awaiting': 'awaiting_approval',
              ':now': this.#now().toISOString(),
            },
            { removeUndefinedValues: true },
          ),
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async noteApproval(requestId: string, note: { attached?: string; resolved_at?: string }): Promise<void> {
    const sets: string[] = [];
    const values: Record<string, unknown> = {};
    if (note.attached) {
      sets.push('#approval.attached = list_append(if_not_exists(#approval.attached, :empty), :attached)');
      values[':attached'] = [note.attached];
      values[':empty'] = [];
    }
    if (note.resolved_at) {
      sets.push('#approval.resolved_at = :resolved');
      values[':resolved'] = note.resolved_at;
    }
    if (sets.length === 0) return;
    try {
      await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#table,
          Key: DynamoStatusStore.keyOf(requestId),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: 'attribute_exists(#approval)',
          ExpressionAttributeNames: { '#approval': 'approval' },
          ExpressionAttributeValues: marshall(values),
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async claimApprovalNotice(requestId: string, notice: 'requested' | 'decided'): Promise<boolean> {
    return this.#claimFlag(requestId, 'approval', `notified_${notice}`);
  }

  async #update(
    requestId: string,
    change: StatusChange & { lease_owner?: string; lease_until?: number; request_hash?: string },
    returnValues: 'ALL_NEW' | 'ALL_OLD',
    condition?: { expression: string; names: Record<string, string>; values: Record<string, unknown> },
  ): Promise<Record<string, AttributeValue> | undefined> {
    const now = this.#now().toISOString();
    const values: Record<string, unknown> = {
      ':request_id': requestId,
      ':updated_at': now,
      ':expiration': Math.floor(this.#now().getTime() / 1000) + this.#ttlSeconds,
      ...condition?.values,
    };
    const sets = [
      'request_id = :request_id',
      'updated_at = :updated_at',
      'created_at = if_not_exists(created_at, :updated_at)',
      'expiration = :expiration',
    ];
    const names: Record<string, string> = { ...condition?.names };
    for (const [field, value] of Object.entries(change)) {
      if (value === undefined || field === 'failure' || field === 'release') continue;
      names[`#${field}`] = field;
      values[`:${field}`] = value;
      sets.push(`#${field} = :${field}`);
    }
    if (change.action === undefined) {
      // A record first written without its action (e.g. a failure before the executor ran) stays readable.
      names['#action'] = 'action';
      values[':unknown_action'] = 'unknown';
      sets.push('#action = if_not_exists(#action, :unknown_action)');
    }
    if (change.failure) {
      sets.push(
        'first_failure_at = if_not_exists(first_failure_at, :updated_at)',
        'last_failure_at = :updated_at',
      );
    }
    const { Attributes } = await this.#client.send(
      new UpdateItemCommand({
        TableName: this.#table,
        Key: DynamoStatusStore.keyOf(requestId),
        UpdateExpression: `SET ${sets.join(', ')}${change.release ? ' REMOVE lease_owner, lease_until' : ''}`,
        ...(condition ? { ConditionExpression: condition.expression } : {}),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: marshall(values, { removeUndefinedValues: true }),
        ReturnValues: returnValues,
      }),
    );
    return Attributes && Object.keys(Attributes).length > 0 ? Attributes : undefined;
  }

  /** Creates the record as `queued` unless one exists; returns false when it already existed. */
  async createQueued(requestId: string, action: string, target: string): Promise<boolean> {
    const now = this.#now().toISOString();
    try {
      await this.#client.send(
        new PutItemCommand({
          TableName: this.#table,
          Item: {
            ...DynamoStatusStore.keyOf(requestId),
            ...marshall({
              request_id: requestId,
              action,
              target,
              status: 'queued',
              attempts: 0,
              created_at: now,
              updated_at: now,
              expiration: Math.floor(this.#now().getTime() / 1000) + this.#ttlSeconds,
            }),
          },
          ConditionExpression: 'attribute_not_exists(id)',
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
