/**
 * `dr-relay status <request_id> [--table] [--wait]`: where a request stands. Default: a signed
 * `GET <api>/v1/requests/<request_id>`; `--table`: its status record read straight from
 * STATE_TABLE (DynamoStatusStore.get). Prints status, attempts, remote ids, the last error (kind, HTTP
 * status, Huawei code, message), reason, the operation the accepted call started (state, how long,
 * what was observed, progress, the provider's error, times), the approval of a route that asks a
 * person first (deadline, on_timeout, approvers, the decision: who, when, why, via) and updated_at.
 * Exit 1 when the request is unknown. `--wait` follows the operation to its end (cli/wait.ts) and exits by it.
 * Owns: that report. Must not touch: the status record (lib/store/status.ts), the API.
 */
import { publicApproval, publicOperation } from '../lib/http/requests.ts';
import { DynamoStatusStore } from '../lib/store/status.ts';
import { callApi, problemLines, problemOf } from './api.ts';
import type { Command, CommandArgs } from './command.ts';
import { type CliIo, EXIT, UsageError } from './io.ts';
import { placeOptions, step, type Target, withTarget } from './target.ts';
import {
  DEFAULT_WAIT_INTERVAL,
  DEFAULT_WAIT_TIMEOUT,
  durationText,
  endNote,
  follow,
  progressText,
  WAIT_EXIT,
  type WaitRead,
  waitSettings,
} from './wait.ts';

/** The followed operation, as GET /v1/requests/{id} shows it (lib/http/requests.ts publicOperation). */
export interface OperationView {
  readonly state: string;
  readonly observed: string;
  readonly progress?: string;
  readonly error?: string;
  readonly started_at: string;
  readonly checked_at: string;
  readonly finished_at?: string;
}

/** The approval, as GET /v1/requests/{id} shows it (lib/http/requests.ts publicApproval). */
export interface ApprovalView {
  readonly deadline: string;
  readonly on_timeout: string;
  readonly approvers?: readonly string[];
  readonly route?: string;
  readonly alarm?: string;
  readonly attached?: readonly string[];
  readonly resolved_at?: string;
  readonly decision?: {
    readonly decision: string;
    readonly by: string;
    readonly at: string;
    readonly reason?: string;
    readonly via: string;
  };
}

/** What `status` shows, from the API or the table (the API's public projection). */
export interface RequestStatusView {
  readonly request_id: string;
  readonly action?: string;
  readonly target?: string;
  readonly status: string;
  readonly attempts?: number;
  readonly remote?: Record<string, string>;
  readonly error?: {
    readonly kind?: string;
    readonly message?: string;
    readonly http_status?: number;
    readonly error_code?: string;
    readonly error_msg?: string;
    readonly huawei_request_id?: string;
  };
  readonly reason?: string;
  readonly operation?: OperationView;
  readonly approval?: ApprovalView;
  readonly updated_at?: string;
}

/** `completed after 12s`, `running for 1m05s`, `stalled: not done after 1h02m`. */
export const operationHeadline = (operation: OperationView, now: number): string => {
  const started = Date.parse(operation.started_at);
  const ended = operation.finished_at === undefined ? undefined : Date.parse(operation.finished_at);
  if (ended !== undefined) return `${operation.state} after ${durationText(ended - started)}`;
  if (operation.state === 'stalled') return `stalled: not done after ${durationText(now - started)}`;
  return `${operation.state} for ${durationText(now - started)}`;
};

/** `permanent, HTTP 404, DCS.4204: The instance does not exist.` */
export const errorLine = (error: NonNullable<RequestStatusView['error']>): string => {
  const head = [
    error.kind,
    error.http_status === undefined ? undefined : `HTTP ${error.http_status}`,
    error.error_code,
  ].filter(Boolean);
  const message = error.error_msg ?? error.message;
  return `${head.join(', ')}${message ? `: ${message}` : ''}${
    error.huawei_request_id ? ` (Huawei request ${error.huawei_request_id})` : ''
  }`;
};

/** `approve by alice at 2026-… via cli: confirmed outage` */
export const decisionText = (decision: NonNullable<ApprovalView['decision']>): string =>
  `${decision.decision} by ${decision.by} at ${decision.at} via ${decision.via}${
    decision.reason ? `: ${decision.reason}` : ''
  }`;

const approvalRows = (view: RequestStatusView): [string, string | undefined][] => {
  const { approval } = view;
  if (!approval) return [];
  const then = approval.on_timeout === 'proceed' ? 'it runs' : 'it is cancelled';
  return [
    [
      'approval',
      `${approval.route ? `route ${approval.route}; ` : ''}deadline ${approval.deadline}; on_timeout ${approval.on_timeout} (then ${then})`,
    ],
    ['approvers', approval.approvers?.join(', ') ?? 'anyone who can sign a request'],
    ['alarm', approval.alarm],
    ['attached', approval.attached?.join(', ')],
    ['resolved_at', approval.resolved_at && `${approval.resolved_at} (the alarm resolved; not cancelled)`],
    [
      'decision',
      approval.decision
        ? decisionText(approval.decision)
        : `pending: dr-relay approve ${view.request_id} --by <name> | dr-relay deny ${view.request_id} --by <name> --reason "…"`,
    ],
  ];
};

export const statusLines = (view: RequestStatusView, now = Date.now()): string[] => {
  const { operation } = view;
  const rows: [string, string | undefined][] = [
    ['request_id', view.request_id],
    ['action', view.action],
    ['target', view.target],
    ['status', view.status],
    ['attempts', view.attempts === undefined ? undefined : String(view.attempts)],
    [
      'remote',
      view.remote && Object.keys(view.remote).length > 0
        ? Object.entries(view.remote)
            .map(([k, v]) => `${k}=${v}`)
            .join(' ')
        : undefined,
    ],
    ['error', view.error ? errorLine(view.error) : undefined],
    ['reason', view.reason],
    ...approvalRows(view),
    ['operation', operation ? operationHeadline(operation, now) : undefined],
    ['observed', operation?.observed],
    ['progress', operation?.progress === undefined ? undefined : progressText(operation.progress)],
    ['op_error', operation?.error],
    ['started_at', operation?.started_at],
    ['finished_at', operation?.finished_at],
    ['checked_at', operation && operation.finished_at === undefined ? operation.checked_at : undefined],
    ['updated_at', view.updated_at],
  ];
  const shown = rows.filter((r): r is [string, string] => r[1] !== undefined && r[1] !== '');
  const width = Math.max(...shown.map(([k]) => k.length));
  return shown.map(([k, v]) => `${k.padEnd(width)}  ${v}`);
};

type Found = WaitRead;

const fromApi = async (target: Target, requestId: string): Promise<Found> => {
  const path = `/v1/requests/${encodeURIComponent(requestId)}`;
  const answer = await step(`GET ${target.api()}${path}`, () => callApi(target, 'GET', path));
  const body = answer.json as Record<string, unknown> | undefined;
  if (answer.status === 200 && body && typeof body['status'] === 'string')
    return { view: body as unknown as RequestStatusView };
  const problem = problemOf(answer);
  if (answer.status === 404) return { unknown: problemLines(problem)[0] ?? 'HTTP 404' };
  return { failed: [`REFUSED by ${target.api()}${path}`, ...problemLines(problem)] };
};

const fromTable = async (target: Target, requestId: string): Promise<Found> => {
  const table = target.stateTable();
  const store = new DynamoStatusStore({ client: target.dynamo(), table, ttlSeconds: 0 });
  const record = await step(`reading req#${requestId} from the state table ${table}`, () =>
    store.get(requestId),
  );
  if (!record) return { unknown: `no status record req#${requestId} in ${table}` };
  const {
    call: _call,
    first_failure_at: _first,
    last_failure_at: _last,
    created_at: _created,
    operation,
    approval,
    ...rest
  } = record;
  // As the API shows it: the operation and the approval without their bookkeeping.
  return {
    view: {
      ...rest,
      ...(operation ? { operation: publicOperation(operation) } : {}),
      ...(approval ? { approval: publicApproval(approval) } : {}),
    },
  };
};

const optionText = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

const status = async ({ positionals, values }: CommandArgs, io: CliIo): Promise<number> => {
  const requestId = positionals[0]!;
  const json = values['json'] === true;
  const table = values['table'] === true;
  const wait = values['wait'] === true;
  const timeout = optionText(values['timeout']);
  const interval = optionText(values['interval']);
  if (!wait && (timeout !== undefined || interval !== undefined))
    throw new UsageError('--timeout and --interval go with --wait');
  const settings = wait ? waitSettings({ timeout, interval }) : undefined;
  return withTarget(io, values, [table ? 'stateTable' : 'api'], async (target) => {
    const read = () => (table ? fromTable(target, requestId) : fromApi(target, requestId));
    const from = table ? 'table' : 'api';
    const first = await read();
    // A refused first read (signature, permissions) is not waited on: said at once.
    if (settings && !('failed' in first)) {
      const waited = await follow(io, first, read, settings);
      if ('outcome' in waited) {
        const summary = { outcome: waited.outcome, seconds: Math.round(waited.waitedMs / 1000) };
        io.out(
          json
            ? JSON.stringify({ found: true, from, ...waited.view, wait: summary }, null, 2)
            : statusLines(waited.view).join('\n'),
        );
        const note = endNote(waited, requestId);
        if (note) io.err(note);
        return WAIT_EXIT[waited.outcome];
      }
      return notFound(io, waited, { json, from, requestId });
    }
    const found = first;
    if ('view' in found) {
      io.out(
        json
          ? JSON.stringify({ found: true, from, ...found.view }, null, 2)
          : statusLines(found.view).join('\n'),
      );
      return EXIT.ok;
    }
    return notFound(io, found, { json, from, requestId });
  });
};

/** An unknown request, or a refused read: exit 1. */
const notFound = (
  io: CliIo,
  found: Exclude<Found, { view: RequestStatusView }>,
  { json, from, requestId }: { json: boolean; from: string; requestId: string },
): number => {
  if ('unknown' in found) {
    if (json) io.out(JSON.stringify({ found: false, from, request_id: requestId }, null, 2));
    io.err(`dr-relay: unknown request ${requestId} (${found.unknown})`);
    return EXIT.invalid;
  }
  if (json)
    io.out(JSON.stringify({ found: false, from, request_id: requestId, error: found.failed }, null, 2));
  else io.out(found.failed.join('\n'));
  return EXIT.invalid;
};

export const statusCommand: Command = {
  words: ['status'],
  args: `<request_id> [--table] [--json] [--wait [--timeout ${DEFAULT_WAIT_TIMEOUT}]]`,
  summary:
    'status, attempts, remote ids, last error, approval and operation of a request (from the API; --table: from STATE_TABLE); --wait: until the operation ends',
  details: [
    `--wait reads the request every --interval (${DEFAULT_WAIT_INTERVAL}) until its operation ends, for at most --timeout (${DEFAULT_WAIT_TIMEOUT};`,
    'durations such as 90s, 30m, 1h); on a terminal a live line shows where it stands, otherwise only the end is printed.',
    'exit codes with --wait: 0 the operation completed; 1 it failed, or the request was dead-lettered (its call was',
    'never accepted), or the request is unknown; 3 it stalled (past its time limit), the request was skipped (nothing',
    'done), or the wait timed out. Without --wait: 0 found, 1 unknown.',
  ],
  options: {
    table: { type: 'boolean' },
    json: { type: 'boolean' },
    wait: { type: 'boolean' },
    timeout: { type: 'string' },
    interval: { type: 'string' },
    ...placeOptions('api', 'stateTable'),
  },
  positionals: { min: 1, max: 1 },
  run: status,
};
