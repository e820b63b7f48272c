/**
 * `dr-relay status <request_id> [--table]`: where a request stands. Default: a signed
 * `GET <api>/v1/requests/<request_id>`; `--table`: its status record read straight from
 * STATE_TABLE (DynamoStatusStore.get). Prints status, attempts, remote ids, the last error (kind, HTTP
 * status, Huawei code, message), reason and updated_at. Exit 1 when the request is unknown.
 * Owns: that report. Must not touch: the status record (lib/store/status.ts), the API.
 */
import { DynamoStatusStore } from '../lib/store/status.ts';
import { callApi, problemLines, problemOf } from './api.ts';
import type { Command, CommandArgs } from './command.ts';
import { type CliIo, EXIT } from './io.ts';
import { placeOptions, step, type Target, withTarget } from './target.ts';

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
  readonly updated_at?: string;
}

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

export const statusLines = (view: RequestStatusView): string[] => {
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
    ['updated_at', view.updated_at],
  ];
  const shown = rows.filter((r): r is [string, string] => r[1] !== undefined && r[1] !== '');
  const width = Math.max(...shown.map(([k]) => k.length));
  return shown.map(([k, v]) => `${k.padEnd(width)}  ${v}`);
};

type Found =
  | { readonly view: RequestStatusView }
  | { readonly unknown: string }
  | { readonly failed: string[] };

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
    ...view
  } = record;
  return { view };
};

const status = async ({ positionals, values }: CommandArgs, io: CliIo): Promise<number> => {
  const requestId = positionals[0]!;
  const json = values['json'] === true;
  const table = values['table'] === true;
  return withTarget(io, values, [table ? 'stateTable' : 'api'], async (target) => {
    const found = table ? await fromTable(target, requestId) : await fromApi(target, requestId);
    const from = table ? 'table' : 'api';
    if ('view' in found) {
      io.out(
        json
          ? JSON.stringify({ found: true, from, ...found.view }, null, 2)
          : statusLines(found.view).join('\n'),
      );
      return EXIT.ok;
    }
    if ('unknown' in found) {
      if (json) io.out(JSON.stringify({ found: false, from, request_id: requestId }, null, 2));
      io.err(`dr-relay: unknown request ${requestId} (${found.unknown})`);
      return EXIT.invalid;
    }
    if (json)
      io.out(JSON.stringify({ found: false, from, request_id: requestId, error: found.failed }, null, 2));
    else io.out(found.failed.join('\n'));
    return EXIT.invalid;
  });
};

export const statusCommand: Command = {
  words: ['status'],
  args: '<request_id> [--table] [--json]',
  summary:
    'status, attempts, remote ids and last error of a request (from the API; --table: from STATE_TABLE)',
  options: {
    table: { type: 'boolean' },
    json: { type: 'boolean' },
    ...placeOptions('api', 'stateTable'),
  },
  positionals: { min: 1, max: 1 },
  run: status,
};
