/**
 * Where the `dlq`, `send` and `status` commands find things: the request queue, the dead-letter
 * queue, the state table, the HTTP API and the secret that signs for it. A flag wins over the
 * environment (the variables the functions themselves read); when none of REQUEST_QUEUE_URL,
 * DEAD_LETTER_QUEUE_URL, STATE_TABLE, DR_API_URL nor a location flag is set, everything is the
 * local stack of `npm start` (its fixed ports and names, dummy credentials), said once on stderr.
 * Owns: that resolution and the AWS clients the CLI uses. Must not touch: what a command does.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetQueueUrlCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { dynamoClient, sqsClient } from '../lib/runtime/aws.ts';
import type { CommandArgs } from './command.ts';
import { type CliIo, EXIT, envValue, UsageError } from './io.ts';
import { LOCAL_DEFAULTS as LOCAL } from './localDefaults.ts';

/** The local stack as `npm start` runs it: the CLI's defaults when no stage is configured. */
export { LOCAL };

export type Place = 'requestQueue' | 'deadLetterQueue' | 'stateTable' | 'api';

export const PLACES: Readonly<Record<Place, { readonly variable: string; readonly flag: string }>> = {
  requestQueue: { variable: 'REQUEST_QUEUE_URL', flag: 'queue-url' },
  deadLetterQueue: { variable: 'DEAD_LETTER_QUEUE_URL', flag: 'dlq-url' },
  stateTable: { variable: 'STATE_TABLE', flag: 'state-table' },
  api: { variable: 'DR_API_URL', flag: 'api' },
};

/** The parseArgs options for the places a command uses. */
export const placeOptions = (...places: Place[]) =>
  Object.fromEntries(places.map((p) => [PLACES[p].flag, { type: 'string' as const }]));

export interface Target {
  /** True when everything is the local stack of `npm start`. */
  readonly local: boolean;
  readonly sqs: () => SQSClient;
  readonly dynamo: () => DynamoDBClient;
  readonly queueUrl: (which: 'requestQueue' | 'deadLetterQueue') => Promise<string>;
  readonly stateTable: () => string;
  /** The API's base URL, without a trailing slash. */
  readonly api: () => string;
  /** The secret that signs API requests: the first of WEBHOOK_HMAC_SECRETS. */
  readonly hmacSecret: () => string;
  /** One line for a failed AWS or HTTP call (with a hint when the local stack is not running). */
  readonly failure: (what: string, error: unknown) => string;
  readonly close: () => void;
}

const given = (io: CliIo, values: CommandArgs['values'], place: Place): string | undefined => {
  const flag = values[PLACES[place].flag];
  return typeof flag === 'string' && flag.trim() !== '' ? flag.trim() : envValue(io, PLACES[place].variable);
};

const isHttpUrl = (text: string): boolean => {
  try {
    return ['http:', 'https:'].includes(new URL(text).protocol);
  } catch {
    return false;
  }
};

/** `https://sqs.eu-west-1.amazonaws.com/123/q` -> `eu-west-1` (so a queue URL alone is enough). */
export const regionOfQueueUrl = (url: string | undefined): string | undefined =>
  url === undefined ? undefined : /^https:\/\/sqs\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\//.exec(url)?.[1];

const localPort = (io: CliIo, which: keyof typeof LOCAL.ports): number => {
  const value = Number(envValue(io, LOCAL.portVariables[which]));
  return Number.isInteger(value) && value > 0 && value < 65536 ? value : LOCAL.ports[which];
};

const secretsOf = (io: CliIo): string[] =>
  (envValue(io, 'WEBHOOK_HMAC_SECRETS') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);

/** The first error code along the cause chain (ECONNREFUSED…), else the innermost cause's message. */
const causeOf = (error: unknown): string | undefined => {
  let innermost: string | undefined;
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string') return code;
    const nested = (e as { errors?: unknown[] }).errors?.[0];
    if (nested instanceof Error && typeof (nested as NodeJS.ErrnoException).code === 'string')
      return (nested as NodeJS.ErrnoException).code;
    if (e !== error) innermost = e.message;
  }
  return innermost;
};

/**
 * Resolves the places `needs` (the first one names the local-stack note). Throws UsageError when
 * some place is configured but one this command needs is not, or a URL is not a URL.
 */
export const locate = (io: CliIo, values: CommandArgs['values'], needs: readonly Place[]): Target => {
  const all = Object.keys(PLACES) as Place[];
  const local = all.every((p) => given(io, values, p) === undefined);
  if (!local) {
    for (const place of needs) {
      const value = given(io, values, place);
      const { variable, flag } = PLACES[place];
      if (value === undefined)
        throw new UsageError(
          `${variable} is not set (give it, or --${flag}; with none of them set: the local stack)`,
        );
      if (place !== 'stateTable' && !isHttpUrl(value))
        throw new UsageError(`${variable} / --${flag} must be an http(s) URL, not ${JSON.stringify(value)}`);
    }
    if (needs.includes('api') && secretsOf(io).length === 0)
      throw new UsageError('WEBHOOK_HMAC_SECRETS is not set: requests to the API must be signed');
  } else if (needs[0] !== undefined) {
    io.err(`(no ${PLACES[needs[0]].variable}: using the local stack started by npm start)`);
  }

  const localUrl = (which: keyof typeof LOCAL.ports) => `http://${LOCAL.host}:${localPort(io, which)}`;
  const region =
    envValue(io, 'AWS_REGION') ??
    envValue(io, 'AWS_DEFAULT_REGION') ??
    regionOfQueueUrl(given(io, values, 'deadLetterQueue') ?? given(io, values, 'requestQueue'));
  const config = (endpoint: string | undefined, localEndpoint: string) =>
    local
      ? { region: LOCAL.region, credentials: LOCAL.credentials, endpoint: endpoint ?? localEndpoint }
      : { ...(region ? { region } : {}), ...(endpoint ? { endpoint } : {}) };

  let sqs: SQSClient | undefined;
  let dynamo: DynamoDBClient | undefined;
  const queueUrls = new Map<string, Promise<string>>();
  const target: Target = {
    local,
    sqs: () => {
      sqs ??= sqsClient(config(envValue(io, 'AWS_ENDPOINT_URL_SQS'), localUrl('sqs')));
      return sqs;
    },
    dynamo: () => {
      dynamo ??= dynamoClient(config(envValue(io, 'AWS_ENDPOINT_URL_DYNAMODB'), localUrl('dynamodb')));
      return dynamo;
    },
    queueUrl: (which) => {
      const known = given(io, values, which);
      if (known !== undefined) return Promise.resolve(known);
      const name = which === 'requestQueue' ? LOCAL.requestQueue : LOCAL.deadLetterQueue;
      let url = queueUrls.get(name);
      if (!url) {
        url = target
          .sqs()
          .send(new GetQueueUrlCommand({ QueueName: name }))
          .then(({ QueueUrl }) => {
            if (!QueueUrl) throw new Error(`the local queue ${name} has no URL`);
            return QueueUrl;
          });
        queueUrls.set(name, url);
      }
      return url;
    },
    stateTable: () => given(io, values, 'stateTable') ?? LOCAL.stateTable,
    api: () => (given(io, values, 'api') ?? localUrl('api')).replace(/\/+$/, ''),
    hmacSecret: () => secretsOf(io)[0] ?? LOCAL.hmacSecret,
    failure: (what, error) => {
      const code = causeOf(error);
      const name = error instanceof Error ? error.name : 'Error';
      const message = error instanceof Error ? error.message : String(error);
      // `TypeError: fetch failed` says less than its cause (ECONNREFUSED, bad port…): the name goes.
      const named = name === 'Error' || name === 'TypeError' ? '' : `${name}: `;
      const text = `${what} failed: ${named}${message}${code && !message.includes(code) ? ` (${code})` : ''}`;
      const unreachable = ['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ECONNRESET'].includes(code ?? '');
      return local && unreachable ? `${text}; is the local stack running (npm start)?` : text;
    },
    close: () => {
      sqs?.destroy();
      dynamo?.destroy();
    },
  };
  return target;
};

/** A call to AWS or the API that failed: `withTarget` prints it (what was being done, and why) and exits 1. */
export class StepFailure extends Error {
  readonly what: string;
  constructor(what: string, cause: unknown) {
    super(what, { cause });
    this.name = 'StepFailure';
    this.what = what;
  }
}

/** Runs `work`, turning a rejection into a StepFailure that names `what`. */
export const step = async <T>(what: string, work: () => Promise<T>): Promise<T> => {
  try {
    return await work();
  } catch (error) {
    throw error instanceof StepFailure ? error : new StepFailure(what, error);
  }
};

/**
 * Locates the places a command needs, runs it, closes the clients. A StepFailure becomes one line
 * on stderr and exit 1; a UsageError goes to the dispatcher (exit 2); anything else is a bug.
 */
export const withTarget = async (
  io: CliIo,
  values: CommandArgs['values'],
  needs: readonly Place[],
  run: (target: Target) => Promise<number>,
): Promise<number> => {
  const target = locate(io, values, needs);
  try {
    return await run(target);
  } catch (error) {
    if (!(error instanceof StepFailure)) throw error;
    io.err(`dr-relay: ${target.failure(error.what, error.cause)}`);
    return EXIT.invalid;
  } finally {
    target.close();
  }
};
