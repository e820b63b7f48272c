/**
 * The security battery's plumbing: the webhook app (request routes + alert routes, composed as
 * lib/runtime/webhook.ts composes them) and the SQS record handler, each wired to recording fakes
 * for every side effect (enqueue, status store, Idempotency-Key store, alarm pipeline, SMN
 * certificate and subscription fetches, Huawei calls, SQS, dead letters, logs), plus the checks every
 * case shares: a well-formed answer, no secret echoed, Object.prototype untouched.
 * Owns: test plumbing only. Must not touch: lib/ (it only calls the public entry points).
 */
import { createPrivateKey, sign as rsaSign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { SQSRecord } from 'aws-lambda';
import type { ActionRequest } from '../../lib/actions/request.ts';
import type { DeadLetter } from '../../lib/deadLetters/deadLetter.ts';
import { MAX_ISSUES, ValidationError } from '../../lib/errors.ts';
import type { Job, Outcome as RunOutcome } from '../../lib/execution/executor.ts';
import { alertRoutes } from '../../lib/http/alerts.ts';
import { fromApiGateway } from '../../lib/http/apigw.ts';
import { requestRoutes } from '../../lib/http/requests.ts';
import { createRouter } from '../../lib/http/router.ts';
import { signatureHeader } from '../../lib/http/signature.ts';
import type { HttpRequest, HttpResponse } from '../../lib/http/types.ts';
import type { SignalResult } from '../../lib/intake/alarmSignals.ts';
import { makeRecordHandler, type RecordResult } from '../../lib/intake/queueRecord.ts';
import { type AlarmSignal, SmnVerifier } from '../../lib/sources/index.ts';
import { type SmnMessage, smnStringToSign } from '../../lib/sources/smn.ts';
import type { IdempotencyBegin, StoredResponse } from '../../lib/store/idempotencyKeys.ts';
import type { RequestStatus, StatusChange, StatusRecord } from '../../lib/store/status.ts';
import {
  SMN_CERT_URL,
  SMN_REGIONAL_CERT_URL,
  SMN_SAMPLE_TOPIC_URNS,
  SMN_TEST_CERT_PEM,
  SMN_TEST_KEY_PEM,
  smnTimestamp,
} from '../../tools/local/smn/signing.ts';

// --- run settings ----------------------------------------------------------------------------------

/** One seed for the whole battery: a failure replays exactly (fast-check prints the path). */
export const SEED = 0x5ec_b477;
/** Runs per parser / entry point. */
export const RUNS = 20_000;
export const runs = (numRuns: number = RUNS) => ({ numRuns, seed: SEED }) as const;

/**
 * A check for the battery's hot paths: throws (failing the property, which fast-check then shrinks)
 * only when `condition` is false. expect() costs microseconds per call, which add up to seconds
 * over hundreds of thousands of checks.
 */
export function ensure(condition: unknown, message: string | (() => string)): asserts condition {
  if (!condition) throw new Error(typeof message === 'string' ? message : message());
}

/** Deep equality for ensure(). */
export { isDeepStrictEqual as deepEqual } from 'node:util';

// --- secrets and clock -----------------------------------------------------------------------------

export const HMAC_SECRET = 'whsec-battery-current-7c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f';
export const OLD_HMAC_SECRET = 'whsec-battery-previous-0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d';
export const BEARER_TOKEN = 'alert-token-battery-5f0c9e2d7a4853b6';
export const OLD_BEARER_TOKEN = 'alert-token-battery-old-a1b2c3d4e5f6';
/** Every value that must never appear in an answer or a log line. */
export const SECRETS: readonly string[] = [HMAC_SECRET, OLD_HMAC_SECRET, BEARER_TOKEN, OLD_BEARER_TOKEN];

export const NOW = new Date('2026-11-23T10:00:00Z');
export const NOW_SECONDS = Math.floor(NOW.getTime() / 1000);

const SMN_TEST_KEY = createPrivateKey(SMN_TEST_KEY_PEM);

/**
 * `message` signed as SMN signs (tools/local/smn/signing.ts signSmn, same key), with the key
 * parsed once: a third of the cost, which matters over 20,000 cases.
 */
export const signSmnFast = <M extends SmnMessage>(message: M): M => ({
  ...message,
  signature: rsaSign('sha256', Buffer.from(smnStringToSign(message), 'utf8'), SMN_TEST_KEY).toString(
    'base64',
  ),
});

export const sign = (body: string, t: number = NOW_SECONDS, secret: string = HMAC_SECRET): string =>
  signatureHeader(secret, body, t);

/** A v2 signature over GET and `path` (the only kind a status read accepts). */
export const signGet = (path: string, t: number = NOW_SECONDS, secret: string = HMAC_SECRET): string =>
  signatureHeader(secret, '', t, { method: 'GET', path });

export const signedHeaders = (body: string, extra: Record<string, string | undefined> = {}) => ({
  'content-type': 'application/json',
  'x-dr-signature': sign(body),
  ...extra,
});
export const bearerHeaders = (extra: Record<string, string | undefined> = {}) => ({
  authorization: `Bearer ${BEARER_TOKEN}`,
  'content-type': 'application/json',
  ...extra,
});

// --- recording fakes -------------------------------------------------------------------------------

export type Effect =
  | 'enqueue'
  | 'store.get'
  | 'store.createQueued'
  | 'idempotency.begin'
  | 'idempotency.complete'
  | 'idempotency.abandon'
  | 'process'
  | 'smn.certFetch'
  | 'smn.subscribeFetch'
  | 'huawei.run'
  | 'status.set'
  | 'sqs.send'
  | 'deadLetter.send'
  | 'deadLetter.notify';

export interface Call {
  readonly effect: Effect;
  readonly args: readonly unknown[];
}

export class Calls {
  readonly list: Call[] = [];
  record(effect: Effect, ...args: unknown[]): void {
    this.list.push({ effect, args });
  }
  count(...effects: Effect[]): number {
    return this.list.filter((c) => effects.length === 0 || effects.includes(c.effect)).length;
  }
  of(effect: Effect): Call[] {
    return this.list.filter((c) => c.effect === effect);
  }
  clear(): void {
    this.list.length = 0;
  }
}

export interface LogLine {
  readonly level: 'info' | 'warn' | 'error';
  readonly message: string;
  readonly extra: readonly unknown[];
}

const recordingLog = (lines: LogLine[]) => ({
  info: (message: string, ...extra: Record<string, unknown>[]) =>
    lines.push({ level: 'info', message, extra }),
  warn: (message: string, ...extra: Record<string, unknown>[]) =>
    lines.push({ level: 'warn', message, extra }),
  error: (message: string, ...extra: Record<string, unknown>[]) =>
    lines.push({ level: 'error', message, extra }),
});

/**
 * SMN certificate fetches go through one verifier shared by every app (as a warm Lambda shares it),
 * warmed with the test certificate: a rejected message under the known URL then fetches nothing,
 * and any fetch that does happen is recorded on the app that caused it.
 */
let certFetchSink: (url: string) => void = () => undefined;
const sharedVerifier = new SmnVerifier({
  fetch: async (url) => {
    certFetchSink(url);
    return url === SMN_CERT_URL || url === SMN_REGIONAL_CERT_URL
      ? { status: 200, text: async () => SMN_TEST_CERT_PEM }
      : { status: 404, text: async () => 'not found' };
  },
});

const SMN_SAMPLE_DIR = new URL('../../events/alarms/', import.meta.url);
/**
 * A sample SMN delivery as SMN would send it at NOW (the samples are dated 2024, older than the
 * freshness window): timestamp set, signed again. Its topic is one of SMN_TOPICS.
 */
const smnSample = (file: string) => {
  const { headers, body } = JSON.parse(readFileSync(new URL(file, SMN_SAMPLE_DIR), 'utf8')) as {
    headers: Record<string, string>;
    body: SmnMessage & Record<string, unknown>;
  };
  return { headers, body: signSmnFast({ ...body, timestamp: smnTimestamp(NOW.getTime()) }) };
};
await sharedVerifier.verify(smnSample('cloud-eye-smn-alarm.json').body);
await sharedVerifier.verify(smnSample('cloud-eye-smn-subscription-regional.json').body);

/** The SMN topics the webhook app allows: those of the samples. */
export const SMN_TOPICS: readonly string[] = SMN_SAMPLE_TOPIC_URNS;

export interface WebhookAppOptions {
  /** Status of every record the store already knows (a replay of a finished request). */
  readonly knownStatus?: RequestStatus;
  readonly hmacSecrets?: readonly string[];
  readonly bearerTokens?: readonly string[];
  /** The SMN topics allowed (default SMN_TOPICS). */
  readonly smnTopics?: readonly string[];
}

/** The webhook function's router over recording fakes. Every side effect lands in `calls`. */
export const webhookApp = (options: WebhookAppOptions = {}) => {
  const calls = new Calls();
  const logs: LogLine[] = [];
  const clock = { now: NOW };
  const records = new Map<string, StatusRecord>();
  const keys = new Map<string, { fingerprint: string; response?: StoredResponse }>();
  certFetchSink = (url) => calls.record('smn.certFetch', url);

  const router = createRouter([
    ...requestRoutes({
      hmacSecrets: async () => options.hmacSecrets ?? [HMAC_SECRET, OLD_HMAC_SECRET],
      queue: {
        send: async (request: ActionRequest) => {
          calls.record('enqueue', request);
        },
      },
      store: {
        get: async (requestId: string) => {
          calls.record('store.get', requestId);
          return records.get(requestId);
        },
        createQueued: async (requestId: string, action: string, target: string) => {
          calls.record('store.createQueued', requestId, action, target);
          if (records.has(requestId)) return false;
          const at = clock.now.toISOString();
          records.set(requestId, {
            request_id: requestId,
            action,
            target,
            status: options.knownStatus ?? 'queued',
            attempts: 0,
            created_at: at,
            updated_at: at,
          });
          return options.knownStatus === undefined;
        },
      },
      idempotencyKeys: {
        begin: async (key: string, fingerprint: string): Promise<IdempotencyBegin> => {
          calls.record('idempotency.begin', key, fingerprint);
          const known = keys.get(key);
          if (!known) {
            keys.set(key, { fingerprint });
            return { kind: 'new' };
          }
          if (known.fingerprint !== fingerprint) return { kind: 'mismatch' };
          return known.response ? { kind: 'replay', response: known.response } : { kind: 'in_progress' };
        },
        complete: async (key: string, response: StoredResponse) => {
          calls.record('idempotency.complete', key, response);
          const known = keys.get(key);
          if (known) known.response = response;
        },
        abandon: async (key: string) => {
          calls.record('idempotency.abandon', key);
          keys.delete(key);
        },
      },
      now: () => clock.now,
      log: recordingLog(logs),
    }),
    ...alertRoutes({
      bearerTokens: async () => options.bearerTokens ?? [BEARER_TOKEN, OLD_BEARER_TOKEN],
      pipeline: {
        process: async (signals: AlarmSignal[]): Promise<SignalResult[]> => {
          calls.record('process', signals);
          return signals.map((s) => ({ signal: s.name, result: 'no_route' as const }));
        },
      },
      smn: {
        verifier: sharedVerifier,
        fetch: async (url: string) => {
          calls.record('smn.subscribeFetch', url);
          return { status: 200, text: async () => '' };
        },
        topics: async () => options.smnTopics ?? SMN_TOPICS,
        now: () => clock.now.getTime(),
      },
      log: recordingLog(logs),
    }),
  ]);

  const invocation = { remainingMs: () => 25_000 };
  const send = (request: Omit<HttpRequest, 'params'>): Promise<HttpResponse> => {
    certFetchSink = (url) => calls.record('smn.certFetch', url);
    return router(request, invocation);
  };
  const post = (path: string, body: string, headers: Record<string, string | undefined> = {}) =>
    send({ method: 'POST', path, headers, query: {}, body });
  const get = (path: string, headers: Record<string, string | undefined> = {}) =>
    send({ method: 'GET', path, headers, query: {}, body: '' });
  /** As API Gateway delivers it (header names in any case, maybe base64): through the real adapter. */
  const sendEvent = (event: Parameters<typeof fromApiGateway>[0]) => send(fromApiGateway(event));
  /** Back to a fresh app (no calls, logs, records or keys): the battery reuses one app per property. */
  const reset = () => {
    calls.clear();
    logs.length = 0;
    records.clear();
    keys.clear();
    clock.now = NOW;
  };
  return { calls, logs, clock, records, keys, router, send, post, get, sendEvent, reset };
};
export type WebhookApp = ReturnType<typeof webhookApp>;

export const smnDelivery = smnSample;

// --- the SQS record handler ------------------------------------------------------------------------

export const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/dr-relay-battery-requests';

export const sqsRecord = (
  body: string,
  messageAttributes: SQSRecord['messageAttributes'] = {},
  receiveCount = '1',
): SQSRecord => ({
  messageId: 'battery-message-1',
  receiptHandle: 'battery-receipt-1',
  body,
  attributes: {
    ApproximateReceiveCount: receiveCount,
    SentTimestamp: '1700000000000',
    SenderId: 'battery',
    ApproximateFirstReceiveTimestamp: '1700000000000',
  },
  messageAttributes,
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:dr-relay-battery-requests',
  awsRegion: 'eu-west-1',
});

/**
 * makeRecordHandler over fakes: the executor (`run`, which is what makes the Huawei call), the
 * status store, SQS and the dead-letter queue, which serialises each letter exactly as
 * DeadLetterQueue does (JSON.stringify) so an unserialisable letter fails here as it would there.
 */
export const recordApp = () => {
  const calls = new Calls();
  const logs: LogLine[] = [];
  const letters: DeadLetter[] = [];
  const log = recordingLog(logs);
  const store = {
    set: async (requestId: string, change: StatusChange): Promise<StatusRecord> => {
      calls.record('status.set', requestId, change);
      const at = NOW.toISOString();
      return {
        request_id: requestId,
        action: change.action ?? 'unknown',
        status: change.status,
        attempts: change.attempts ?? 0,
        created_at: at,
        updated_at: at,
      };
    },
  };
  const handle = makeRecordHandler({
    run: async (job: Job): Promise<RunOutcome> => {
      calls.record('huawei.run', job);
      return { status: 'succeeded', remote: {} } as unknown as RunOutcome;
    },
    store,
    deadLetters: {
      queue: {
        send: async (letter: DeadLetter) => {
          calls.record('deadLetter.send', letter);
          letters.push(JSON.parse(JSON.stringify(letter)) as DeadLetter);
          return 'dead-letter-1';
        },
      },
      notify: async (letter: DeadLetter) => {
        calls.record('deadLetter.notify', letter);
      },
      store,
      log,
      now: () => NOW,
    },
    sqs: {
      send: async (command: unknown) => {
        calls.record('sqs.send', command);
        return {};
      },
    } as never,
    queueUrl: QUEUE_URL,
    maxAttempts: 4,
    backoff: { baseSeconds: 2, maxSeconds: 900 },
    log,
    now: () => NOW,
  });
  const handleBody = (body: string, attributes: SQSRecord['messageAttributes'] = {}): Promise<RecordResult> =>
    handle(sqsRecord(body, attributes));
  const reset = () => {
    calls.clear();
    logs.length = 0;
    letters.length = 0;
  };
  return { calls, logs, letters, handle, handleBody, reset };
};

// --- shared checks ---------------------------------------------------------------------------------

const WATCHED_PROTOTYPES = [
  Object.prototype,
  Array.prototype,
  Function.prototype,
  String.prototype,
  Number.prototype,
  Boolean.prototype,
  Promise.prototype,
] as const;

interface PrototypeSnapshot {
  readonly proto: object;
  readonly keyCount: number;
  readonly data: readonly (readonly [key: string | symbol, value: unknown])[];
  readonly accessors: readonly (readonly [key: string | symbol, get: unknown, set: unknown])[];
}

/** Every own property of the built-in prototypes an attack could reach: its value, or its accessors. */
export const prototypeSnapshot = (): readonly PrototypeSnapshot[] =>
  WATCHED_PROTOTYPES.map((proto) => {
    const keys = Reflect.ownKeys(proto);
    const descriptors = keys.map((key) => [key, Object.getOwnPropertyDescriptor(proto, key)!] as const);
    return {
      proto,
      keyCount: keys.length,
      data: descriptors.filter(([, d]) => 'value' in d).map(([key, d]) => [key, d.value] as const),
      accessors: descriptors
        .filter(([, d]) => !('value' in d))
        .map(([key, d]) => [key, d.get, d.set] as const),
    };
  });

const SNAPSHOT = prototypeSnapshot();
const CANARIES = ['polluted', 'isAdmin', 'action', 'status', 'x'];

/**
 * The built-in prototypes are exactly as at start-up: no key added or removed, no value or accessor
 * replaced, no prototype chain changed. (Cheap enough to run after every one of the battery's cases.)
 */
export const prototypesUntouched = (): boolean => {
  for (const { proto, keyCount, data, accessors } of SNAPSHOT) {
    if (Reflect.ownKeys(proto).length !== keyCount) return false;
    // A data property read directly (fast); one turned into an accessor shows as another value or a throw.
    for (const [key, value] of data)
      if (!Object.is((proto as Record<string | symbol, unknown>)[key], value)) return false;
    for (const [key, get, set] of accessors) {
      const descriptor = Object.getOwnPropertyDescriptor(proto, key);
      if (!descriptor || descriptor.get !== get || descriptor.set !== set) return false;
    }
    if (Object.getPrototypeOf(proto) !== (proto === Object.prototype ? null : Object.prototype)) return false;
  }
  const plain: Record<string, unknown> = {};
  const array = [] as unknown as Record<string, unknown>;
  return CANARIES.every((c) => plain[c] === undefined && array[c] === undefined);
};

export const expectPrototypesUntouched = (): void => {
  ensure(prototypesUntouched(), 'a built-in prototype was changed');
};

const OBJECT_PROTOTYPE_KEYS = Reflect.ownKeys(Object.prototype).length;
let checks = 0;

/**
 * For the battery's tens of thousands of cases: Object.prototype (the usual target) and the canaries
 * after every case, every built-in prototype in full every 16th case (a change found later still
 * fails the property: prototypes do not heal).
 */
export const expectPrototypesUntouchedFast = (): void => {
  checks += 1;
  const plain: Record<string, unknown> = {};
  const quick =
    Reflect.ownKeys(Object.prototype).length === OBJECT_PROTOTYPE_KEYS &&
    plain['polluted'] === undefined &&
    plain['isAdmin'] === undefined &&
    Object.getPrototypeOf(plain) === Object.prototype;
  ensure(quick && (checks % 16 !== 0 || prototypesUntouched()), 'a built-in prototype was changed');
};

/** Every object inside `value` is a plain object or array (no prototype swapped by a `__proto__` key). */
export const hasOrdinaryPrototypes = (value: unknown, seen = new Set<unknown>()): boolean => {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === null || typeof node !== 'object' || seen.has(node)) continue;
    seen.add(node);
    const proto = Object.getPrototypeOf(node);
    if (proto !== Object.prototype && proto !== Array.prototype) return false;
    for (const key of Object.keys(node)) stack.push((node as Record<string, unknown>)[key]);
  }
  return true;
};

/** The text a secret could leak through: the answer (body and headers) and every log line. */
export const leakedSecrets = (texts: readonly string[]): string[] =>
  SECRETS.filter((secret) => texts.some((text) => text.includes(secret)));

const logText = (logs: readonly LogLine[]): string[] =>
  logs.map((line) => {
    try {
      return `${line.message} ${JSON.stringify(line.extra)}`;
    } catch {
      return line.message;
    }
  });

export const expectNoSecretLeaked = (response: HttpResponse | undefined, logs: readonly LogLine[]): void => {
  const texts = [...logText(logs), ...(response ? [response.body, JSON.stringify(response.headers)] : [])];
  const leaked = leakedSecrets(texts);
  ensure(leaked.length === 0, () => `secret(s) echoed: ${leaked.length}`);
};

export interface ProblemBody {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
  readonly issues?: readonly { path: string; message: string }[];
}

/** The statuses the webhook may answer to a bad input; 5xx only where the caller should retry. */
export const CLIENT_STATUSES = [400, 401, 403, 404, 405, 409, 413, 415, 422] as const;

/**
 * A well-formed HTTP answer: JSON; for an error, RFC 9457 problem+json whose `status` is the status
 * code and whose issues (if any) are {path, message} strings. Returns the problem (or undefined).
 */
export const checkAnswer = (response: HttpResponse): ProblemBody | undefined => {
  ensure(Number.isInteger(response.statusCode), 'status is an integer');
  const parsed = JSON.parse(response.body) as unknown;
  const type = response.headers['content-type'];
  if (response.statusCode < 400) {
    ensure(type === 'application/json', () => `content-type ${type} for ${response.statusCode}`);
    return undefined;
  }
  ensure(type === 'application/problem+json', () => `content-type ${type} for ${response.statusCode}`);
  const problem = parsed as ProblemBody;
  ensure(problem.type === 'about:blank', 'problem type');
  ensure(typeof problem.title === 'string', 'problem title');
  ensure(
    problem.status === response.statusCode,
    () => `problem status ${problem.status} != ${response.statusCode}`,
  );
  if (problem.issues !== undefined) {
    ensure(Array.isArray(problem.issues), 'issues is a list');
    ensure(isBoundedIssueList(problem.issues), () => `${problem.issues?.length} issues in one answer`);
    for (const issue of problem.issues) {
      ensure(
        typeof issue.path === 'string' && issue.path.length > 0 && typeof issue.message === 'string',
        () => `malformed issue ${JSON.stringify(issue)}`,
      );
    }
  }
  return problem;
};

/** A thrown value is a ValidationError that names every issue in its message. */
/** At most MAX_ISSUES issues, then one `(more)` issue saying how many more: a refusal stays small. */
export const isBoundedIssueList = (issues: readonly { path: string }[]): boolean =>
  issues.length <= MAX_ISSUES || (issues.length === MAX_ISSUES + 1 && issues[MAX_ISSUES]!.path === '(more)');

export const isWellFormedValidationError = (error: unknown): error is ValidationError =>
  error instanceof ValidationError &&
  error.kind === 'permanent' &&
  error.issues.length > 0 &&
  isBoundedIssueList(error.issues) &&
  error.issues.every(
    (i) =>
      typeof i.path === 'string' &&
      i.path.length > 0 &&
      typeof i.message === 'string' &&
      error.message.includes(i.message),
  );

export type Outcome<T> =
  | { readonly ok: T }
  | { readonly refused: ValidationError }
  | { readonly other: unknown };

export const outcomeOf = <T>(act: () => T): Outcome<T> => {
  try {
    return { ok: act() };
  } catch (error) {
    return error instanceof ValidationError ? { refused: error } : { other: error };
  }
};

export const asyncOutcomeOf = async <T>(act: () => Promise<T>): Promise<Outcome<T>> => {
  try {
    return { ok: await act() };
  } catch (error) {
    return error instanceof ValidationError ? { refused: error } : { other: error };
  }
};

export const describeOutcome = (outcome: Outcome<unknown>): string => {
  if ('other' in outcome) {
    const error = outcome.other as Error;
    return `threw ${error?.name ?? typeof error}: ${String(error?.stack ?? error).slice(0, 600)}`;
  }
  if ('refused' in outcome) return `refused: ${outcome.refused.message.slice(0, 300)}`;
  return 'accepted';
};
