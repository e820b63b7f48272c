/**
 * The security suite's rows and how each is run: an input, its entry point, the expected refusal
 * (HTTP status and issue path, or error class and issue path) and the side effects allowed (none
 * unless a row says otherwise). Every row also checks that no secret is echoed, no built-in
 * prototype changed, and that the answer came back in bounded time.
 * Owns: row types, runners and input builders. Must not touch: lib/.
 */
import { expect } from 'vitest';
import { ValidationError } from '../../lib/errors.ts';
import type { HttpResponse } from '../../lib/http/types.ts';
import type { RecordResult } from '../../lib/intake/queueRecord.ts';
import type { SmnMessage } from '../../lib/sources/smn.ts';
import { loadJson } from './arbitraries.ts';
import {
  type Calls,
  checkAnswer,
  type Effect,
  expectNoSecretLeaked,
  expectPrototypesUntouched,
  isBoundedIssueList,
  leakedSecrets,
  recordApp,
  signedHeaders,
  signSmnFast,
  smnDelivery,
  sqsRecord,
  type WebhookAppOptions,
  webhookApp,
} from './harness.ts';

/** No row may take longer than this: a hang or a quadratic blow-up fails the row, not the run. */
export const ROW_TIME_LIMIT_MS = 5_000;

const ALL_EFFECTS: readonly Effect[] = [
  'enqueue',
  'store.get',
  'store.createQueued',
  'idempotency.begin',
  'idempotency.complete',
  'idempotency.abandon',
  'process',
  'smn.certFetch',
  'smn.subscribeFetch',
  'huawei.run',
  'status.set',
  'sqs.send',
  'deadLetter.send',
  'deadLetter.notify',
];

export type Effects = Partial<Record<Effect, number>>;

/** Exactly the effects listed (count each), and none of the others. */
export const expectEffects = (calls: Calls, allowed: Effects = {}): void => {
  const actual = Object.fromEntries(ALL_EFFECTS.map((e) => [e, calls.count(e)]));
  const expected = Object.fromEntries(ALL_EFFECTS.map((e) => [e, allowed[e] ?? 0]));
  expect(actual).toEqual(expected);
};

export type IssuePath = string | RegExp;

const matchesPath = (path: string, wanted: IssuePath) =>
  typeof wanted === 'string' ? path === wanted : wanted.test(path);

// --- HTTP rows -----------------------------------------------------------------------------------------

export interface HttpCase {
  readonly name: string;
  readonly method?: 'GET' | 'POST';
  readonly path: string;
  readonly body?: string;
  readonly headers?: Record<string, string | undefined>;
  /** Expected status. */
  readonly status: number;
  /** An issue path the problem must name. */
  readonly issue?: IssuePath;
  /** A header the answer must carry. */
  readonly header?: readonly [name: string, value: string];
  /** Side effects the row is allowed (exact counts); none when absent. */
  readonly effects?: Effects;
  readonly app?: WebhookAppOptions;
  /** Extra checks on the answer. */
  readonly check?: (response: HttpResponse, calls: Calls) => void;
}

export const runHttpCase = async (row: HttpCase): Promise<HttpResponse> => {
  // Prepare
  const app = webhookApp(row.app);
  const started = performance.now();
  // Act
  const response = await app.send({
    method: row.method ?? 'POST',
    path: row.path,
    headers: row.headers ?? {},
    query: {},
    body: row.body ?? '',
  });
  // Assess
  expect(performance.now() - started).toBeLessThan(ROW_TIME_LIMIT_MS);
  const problem = checkAnswer(response);
  expect(response.statusCode, response.body.slice(0, 500)).toBe(row.status);
  if (row.issue !== undefined) {
    const paths = (problem?.issues ?? []).map((i) => i.path);
    expect(
      paths.some((p) => matchesPath(p, row.issue!)),
      `issues ${JSON.stringify(paths.slice(0, 20))}`,
    ).toBe(true);
  }
  if (row.header) expect(response.headers[row.header[0]]).toBe(row.header[1]);
  expectEffects(app.calls, row.effects);
  expectNoSecretLeaked(response, app.logs);
  expectPrototypesUntouched();
  row.check?.(response, app.calls);
  return response;
};

// --- parser rows ---------------------------------------------------------------------------------------

export interface ParserCase {
  readonly name: string;
  /** The entry point, as a reader finds it (e.g. `parseCloudWatchEvent`). */
  readonly entry: string;
  readonly act: () => unknown;
  /** Refused with a ValidationError naming this path; or accepted when `accepted` is given instead. */
  readonly issue?: IssuePath;
  readonly accepted?: (value: never) => void;
  /** Extra checks on the ValidationError of a refusal. */
  readonly check?: (error: never) => void;
  /** Strings the error must not contain (secrets). */
  readonly secrets?: readonly string[];
}

export const runParserCase = async (row: ParserCase): Promise<void> => {
  // Prepare
  const started = performance.now();
  let thrown: unknown;
  let value: unknown;
  // Act
  try {
    value = await row.act();
  } catch (error) {
    thrown = error;
  }
  // Assess
  expect(performance.now() - started).toBeLessThan(ROW_TIME_LIMIT_MS);
  if (row.issue !== undefined) {
    expect(thrown, `expected a ValidationError, got ${String(thrown ?? 'a result')}`).toBeInstanceOf(
      ValidationError,
    );
    const error = thrown as ValidationError;
    expect(error.kind).toBe('permanent');
    const paths = error.issues.map((i) => i.path);
    expect(
      paths.some((p) => matchesPath(p, row.issue!)),
      `issues ${JSON.stringify(paths.slice(0, 20))}`,
    ).toBe(true);
    for (const secret of row.secrets ?? [])
      expect(`${error.message}${JSON.stringify(error.issues)}`).not.toContain(secret);
    expect(leakedSecrets([error.message])).toEqual([]);
    expect(isBoundedIssueList(error.issues), `${error.issues.length} issues`).toBe(true);
    (row.check as ((e: ValidationError) => void) | undefined)?.(error);
  } else {
    expect(thrown, String((thrown as Error | undefined)?.stack ?? thrown)).toBeUndefined();
    (row.accepted as ((v: unknown) => void) | undefined)?.(value);
  }
  expectPrototypesUntouched();
};

// --- SQS rows ------------------------------------------------------------------------------------------

export interface RecordCase {
  readonly name: string;
  readonly body: string;
  /** Dead-lettered naming this issue path; or executed when `executed` is set. */
  readonly issue?: IssuePath;
  readonly executed?: boolean;
  readonly receiveCount?: string;
}

export const runRecordCase = async (row: RecordCase): Promise<RecordResult> => {
  // Prepare
  const app = recordApp();
  const started = performance.now();
  // Act
  const result = await app.handle(sqsRecord(row.body, {}, row.receiveCount ?? '1'));
  // Assess
  expect(performance.now() - started).toBeLessThan(ROW_TIME_LIMIT_MS);
  if (row.executed) {
    expect(result.result).toBe('executed');
    expectEffects(app.calls, { 'huawei.run': 1 });
  } else {
    expect(result.result).toBe('dead_lettered');
    expectEffects(app.calls, { 'deadLetter.send': 1, 'deadLetter.notify': 1 });
    const letter = app.letters[0]!;
    expect(letter.error.kind).toBe('permanent');
    expect(letter.raw_body).toBe(row.body);
    const paths = (letter.error.issues ?? []).map((i) => i.path);
    if (row.issue !== undefined)
      expect(
        paths.some((p) => matchesPath(p, row.issue!)),
        `issues ${JSON.stringify(paths.slice(0, 20))}`,
      ).toBe(true);
  }
  expectPrototypesUntouched();
  return result;
};

// --- builders ------------------------------------------------------------------------------------------

export type Json = Record<string, unknown>;

export const REQUESTS = {
  start: loadJson('requests/dws-dr-start.json') as Json,
  failover: loadJson('requests/dws-dr-failover.json') as Json,
  recovery: loadJson('requests/dws-dr-recovery.json') as Json,
  csbs: loadJson('requests/csbs-restore.json') as Json,
  dcs: loadJson('requests/dcs-restore.json') as Json,
  cbr: loadJson('requests/cbr-restore.json') as Json,
};

export const ALARMS = {
  alertmanager: loadJson('alarms/alertmanager-firing.json') as Json,
  grafana: loadJson('alarms/grafana-firing.json') as Json,
  cloudwatchSns: loadJson('alarms/cloudwatch-sns-alarm.json') as Json,
  eventBridge: loadJson('alarms/cloudwatch-eventbridge-alarm.json') as Json,
  lambdaAction: loadJson('alarms/cloudwatch-lambda-action-alarm.json') as Json,
};

/** A deep copy of `value` after `change`. */
export const changed = <T>(value: T, change: (copy: Json) => void): T => {
  const copy = structuredClone(value) as Json;
  change(copy);
  return copy as T;
};

/** A signed POST /v1/requests row. */
export const signedPost = (
  body: string,
  rest: Omit<HttpCase, 'path' | 'body' | 'headers' | 'name'> & {
    headers?: Record<string, string | undefined>;
  },
): Omit<HttpCase, 'name'> => ({
  ...rest,
  path: '/v1/requests',
  body,
  headers: signedHeaders(body, rest.headers),
});

export const ACCEPTED_REQUEST: Effects = { enqueue: 1, 'store.createQueued': 1 };

export type SmnFile =
  | 'cloud-eye-smn-alarm.json'
  | 'cloud-eye-smn-ok.json'
  | 'cloud-eye-smn-subscription.json'
  | 'cloud-eye-smn-subscription-regional.json';

/** An SMN delivery (headers and body text), changed, and signed again with the test key unless `resign` is false. */
export const smnCase = (
  file: SmnFile,
  change: (body: Json) => void = () => undefined,
  options: { resign?: boolean; headers?: Record<string, string | undefined> } = {},
): { path: string; body: string; headers: Record<string, string | undefined> } => {
  const delivery = smnDelivery(file);
  const body = changed(delivery.body as unknown as Json, change);
  const signed =
    options.resign === false ? body : (signSmnFast(body as unknown as SmnMessage) as unknown as Json);
  return {
    path: '/v1/alerts/cloud-eye',
    body: JSON.stringify(signed),
    headers: { ...delivery.headers, ...options.headers },
  };
};

/** The Cloud Eye alarm inside the sample notification, changed, and the delivery signed again. */
export const cloudEyeCase = (change: (alarm: Json) => void, file: SmnFile = 'cloud-eye-smn-alarm.json') =>
  smnCase(file, (body) => {
    const alarm = JSON.parse(body['message'] as string) as Json;
    change(alarm);
    body['message'] = JSON.stringify(alarm);
  });
