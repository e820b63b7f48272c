/**
 * `dr-relay send <request.json> [--queue] [--idempotency-key K]`: validates an ActionRequest file
 * locally first (invalid: exit 1 with every problem, nothing sent), then either
 *   - (default) signs it (X-DR-Signature) and POSTs it to `<api>/v1/requests`, printing the
 *     request_id and status the API answered (a refusal: exit 1 with the problem's title, detail
 *     and issues); `--idempotency-key` becomes the `Idempotency-Key` header;
 *   - `--queue`: puts it straight on the request queue (SendMessage), printing the message id and
 *     the idempotency key.
 * Owns: that choice and its report. Must not touch: validation rules (lib/actions), the API.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { type ActionRequest, idempotencyKey, parseActionRequestJson } from '../lib/actions/request.ts';
import { ValidationError } from '../lib/errors.ts';
import { callApi, problemLines, problemOf } from './api.ts';
import type { Command, CommandArgs } from './command.ts';
import { issueLines, issuesOfError, plural } from './format.ts';
import { type CliIo, EXIT, UsageError } from './io.ts';
import { placeOptions, step, type Target, withTarget } from './target.ts';

/** The draft's limit on an Idempotency-Key, and what an sf-string may hold (printable ASCII). */
const MAX_KEY_LENGTH = 255;
const HEADER_KEY = /^[\x20-\x7e]+$/;

/** `"key"`: the header value as a Structured Field string (quotes and backslashes escaped). */
export const idempotencyKeyHeader = (key: string): string => `"${key.replace(/[\\"]/g, '\\$&')}"`;

const readRequestFile = (file: string, io: CliIo): string => {
  try {
    return readFileSync(resolve(io.cwd, file), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const message = code === 'ENOENT' ? 'not found' : `cannot be read (${code ?? (error as Error).message})`;
    throw new ValidationError(`request file ${file} ${message}`, [{ path: '(file)', message }]);
  }
};

const viaApi = async (
  target: Target,
  io: CliIo,
  text: string,
  request: ActionRequest,
  key: string | undefined,
  json: boolean,
): Promise<number> => {
  const api = target.api();
  const answer = await step(`POST ${api}/v1/requests`, () =>
    callApi(target, 'POST', '/v1/requests', {
      body: text,
      ...(key === undefined ? {} : { headers: { 'idempotency-key': idempotencyKeyHeader(key) } }),
    }),
  );
  const body = (answer.json ?? {}) as Record<string, unknown>;
  if (answer.status >= 200 && answer.status < 300) {
    const requestId = typeof body['request_id'] === 'string' ? body['request_id'] : idempotencyKey(request);
    const status = typeof body['status'] === 'string' ? body['status'] : 'queued';
    if (json) {
      io.out(
        JSON.stringify(
          {
            ok: true,
            via: 'api',
            http_status: answer.status,
            request_id: requestId,
            status,
            action: request.action,
          },
          null,
          2,
        ),
      );
    } else {
      io.out([`request_id  ${requestId}`, `status      ${status}`].join('\n'));
      if (status === 'queued') io.err(`next: dr-relay status ${requestId}`);
      else
        io.err(
          `this request already ended (${status}) and was not queued again` +
            (status === 'dead_lettered' ? '; only a redrive runs it again (dr-relay dlq redrive)' : ''),
        );
    }
    return EXIT.ok;
  }
  const problem = problemOf(answer);
  if (json) io.out(JSON.stringify({ ok: false, via: 'api', problem }, null, 2));
  else io.out([`REFUSED by ${api}/v1/requests`, ...problemLines(problem)].join('\n'));
  return EXIT.invalid;
};

const viaQueue = async (
  target: Target,
  io: CliIo,
  text: string,
  request: ActionRequest,
  json: boolean,
): Promise<number> => {
  const url = await step('finding the request queue', () => target.queueUrl('requestQueue'));
  const { MessageId } = await step(`sending to the request queue ${url}`, () =>
    target.sqs().send(new SendMessageCommand({ QueueUrl: url, MessageBody: text })),
  );
  const key = idempotencyKey(request);
  if (json) {
    io.out(
      JSON.stringify(
        {
          ok: true,
          via: 'queue',
          queue_url: url,
          message_id: MessageId,
          idempotency_key: key,
          action: request.action,
        },
        null,
        2,
      ),
    );
  } else {
    io.out([`message_id       ${MessageId ?? '?'}`, `idempotency_key  ${key}`].join('\n'));
    io.err(`next: dr-relay status ${key}`);
  }
  return EXIT.ok;
};

const send = async ({ positionals, values }: CommandArgs, io: CliIo): Promise<number> => {
  const file = positionals[0]!;
  const json = values['json'] === true;
  const queue = values['queue'] === true;
  const rawKey = values['idempotency-key'];
  const key = typeof rawKey === 'string' ? rawKey : undefined;
  if (key !== undefined) {
    if (queue)
      throw new UsageError(
        "--idempotency-key is the API's Idempotency-Key header; with --queue the idempotency key is the request's request_id (set it in the file)",
      );
    if (!HEADER_KEY.test(key) || key.length > MAX_KEY_LENGTH)
      throw new UsageError(`--idempotency-key must be 1-${MAX_KEY_LENGTH} printable ASCII characters`);
  }
  let text: string;
  let request: ActionRequest;
  try {
    text = readRequestFile(file, io);
    request = parseActionRequestJson(text);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const issues = issuesOfError(error);
    if (json) io.out(JSON.stringify({ ok: false, file, issues }, null, 2));
    else
      io.out(
        [`INVALID: ${file}: ${plural(issues.length, 'problem')}; nothing sent`, ...issueLines(issues)].join(
          '\n',
        ),
      );
    return EXIT.invalid;
  }
  return withTarget(io, values, [queue ? 'requestQueue' : 'api'], (target) =>
    queue ? viaQueue(target, io, text, request, json) : viaApi(target, io, text, request, key, json),
  );
};

export const sendCommand: Command = {
  words: ['send'],
  args: '<request.json> [--queue] [--idempotency-key K] [--json]',
  summary:
    'validate a request file, then POST it signed to the API, or put it on the request queue (--queue)',
  options: {
    queue: { type: 'boolean' },
    'idempotency-key': { type: 'string' },
    json: { type: 'boolean' },
    ...placeOptions('api', 'requestQueue'),
  },
  positionals: { min: 1, max: 1 },
  run: send,
};
