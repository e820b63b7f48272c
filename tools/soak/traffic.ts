/**
 * Sends the soak's deliveries, spread over the traffic time in small waves that overlap: queue
 * messages with SendMessageBatch, `POST /v1/requests` signed with X-DR-Signature (409 -> retried
 * after Retry-After, 5xx -> retried), alarm deliveries to the alert webhooks and `POST /_local/alarms`
 * (5xx -> retried, as senders do). It collects every answer, and the idempotency keys the alarm
 * answers name (`results[].key`, or the webhook's `request_ids`), per planned request.
 * Owns: sending and what came back. Must not touch: what the handlers do with it.
 */
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { signatureHeader } from '../../lib/http/signature.ts';
import type { Send } from './sends.ts';

export interface TrafficDeps {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly apiUrl: string;
  readonly hmacSecret: string;
  readonly deadline: number;
  readonly spreadMs: number;
  readonly progress: (line: string) => void;
}

export interface TrafficResult {
  /** Deliveries that went out, by way (queue, api, and each alarm shape). */
  readonly sent: Record<string, number>;
  /** HTTP answers by way and status (`api 202`, `alertmanager 200`...). */
  readonly answers: Record<string, number>;
  /** Alarm results by kind (executed, in_progress_elsewhere, dead_lettered, no_route, ignored). */
  readonly alarmResults: Record<string, number>;
  /** Planned request index -> the keys alarm answers named for its route. */
  readonly alarmKeys: ReadonlyMap<number, ReadonlySet<string>>;
  readonly retries: number;
  /** Deliveries that could not be delivered (never accepted), with why. */
  readonly failures: readonly string[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const limiter = (size: number) => {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async <T>(work: () => Promise<T>): Promise<T> => {
    while (active >= size) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await work();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
};

const ATTEMPTS = 8;
const ROUTE_INDEX = /^soak-a(\d+)$/;

/** The alarms function answers with its results; the webhook (which hands over) with request ids only. */
interface AlarmAnswer {
  readonly results?: { route?: string; result?: string; key?: string }[];
  readonly request_ids?: string[];
  readonly queued?: number;
  readonly invalid?: string;
}
/** An episode key names its route: `alarm:<route>:<hash>`. */
const EPISODE_KEY = /^alarm:([^:]+):/;

export const sendTraffic = async (sends: readonly Send[], deps: TrafficDeps): Promise<TrafficResult> => {
  const sent: Record<string, number> = {};
  const answers: Record<string, number> = {};
  const alarmResults: Record<string, number> = {};
  const alarmKeys = new Map<number, Set<string>>();
  const failures: string[] = [];
  let retries = 0;
  const count = (into: Record<string, number>, name: string) => {
    into[name] = (into[name] ?? 0) + 1;
  };
  const apiSlots = limiter(8);
  const alarmSlots = limiter(16);

  const post = async (
    way: string,
    path: string,
    headers: () => Record<string, string>,
    body: string,
    accept: (status: number, text: string) => boolean,
  ): Promise<void> => {
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      if (Date.now() > deps.deadline) {
        failures.push(`${way} ${path}: not delivered before the deadline`);
        return;
      }
      let status = 0;
      let text = '';
      let retryAfterMs = 500;
      try {
        const response = await fetch(`${deps.apiUrl}${path}`, {
          method: 'POST',
          headers: headers(),
          body,
          signal: AbortSignal.timeout(Math.max(1_000, Math.min(35_000, deps.deadline - Date.now()))),
        });
        status = response.status;
        text = await response.text();
        retryAfterMs = Number(response.headers.get('retry-after') ?? '0.5') * 1000;
      } catch (error) {
        text = (error as Error).message;
      }
      if (status > 0) count(answers, `${way} ${status}`);
      if (status >= 200 && status < 300) {
        if (!accept(status, text)) failures.push(`${way} ${path}: ${status} ${text.slice(0, 200)}`);
        return;
      }
      if (status !== 0 && status !== 409 && status < 500) {
        failures.push(`${way} ${path}: refused ${status} ${text.slice(0, 200)}`);
        return;
      }
      retries++;
      await sleep(retryAfterMs);
    }
    failures.push(`${way} ${path}: still failing after ${ATTEMPTS} attempts`);
  };

  const sendApi = (send: Extract<Send, { kind: 'api' }>) =>
    apiSlots(() =>
      post(
        'api',
        '/v1/requests',
        () => ({
          'content-type': 'application/json',
          'x-dr-signature': signatureHeader(deps.hmacSecret, send.body, Math.floor(Date.now() / 1000), {
            method: 'POST',
            path: '/v1/requests',
          }),
          ...(send.idempotencyKey ? { 'idempotency-key': send.idempotencyKey } : {}),
        }),
        send.body,
        (status, text) => {
          try {
            return status === 202 && (JSON.parse(text) as { request_id?: string }).request_id === send.key;
          } catch {
            return false;
          }
        },
      ),
    );

  const sendAlarm = (send: Extract<Send, { kind: 'alarm' }>) =>
    alarmSlots(() =>
      post(
        send.via,
        send.path,
        () => ({ ...send.headers }),
        send.body,
        (_status, text) => {
          let answer: AlarmAnswer;
          try {
            answer = JSON.parse(text) as AlarmAnswer;
          } catch {
            return false;
          }
          if (answer.invalid) return false;
          const seen = (route: string | undefined, key: string | undefined) => {
            const index = Number(ROUTE_INDEX.exec(route ?? '')?.[1] ?? Number.NaN);
            if (key && Number.isInteger(index)) {
              const keys = alarmKeys.get(index) ?? new Set<string>();
              keys.add(key);
              alarmKeys.set(index, keys);
            }
          };
          for (const result of answer.results ?? []) {
            count(alarmResults, result.result ?? '?');
            seen(result.route, result.key);
          }
          for (const key of answer.request_ids ?? []) seen(EPISODE_KEY.exec(key)?.[1], key);
          for (let i = 0; i < (answer.queued ?? 0); i++) count(alarmResults, 'queued');
          return (answer.results ?? []).length > 0 || (answer.request_ids ?? []).length > 0;
        },
      ),
    );

  const sendQueue = async (bodies: readonly string[]) => {
    for (let attempt = 1; ; attempt++) {
      try {
        const { Failed = [] } = await deps.sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: deps.queueUrl,
            Entries: bodies.map((body, i) => ({ Id: String(i), MessageBody: body })),
          }),
        );
        if (Failed.length === 0) return;
        bodies = Failed.map((f) => bodies[Number(f.Id)] ?? '');
      } catch (error) {
        if (attempt >= ATTEMPTS) {
          failures.push(`queue: ${bodies.length} message(s) not sent: ${(error as Error).message}`);
          return;
        }
      }
      retries++;
      await sleep(200);
    }
  };

  // Waves every 250 ms; each starts at once (duplicates in the same wave race), none waits for the last.
  const waves = Math.max(1, Math.round(deps.spreadMs / 250));
  const perWave = Math.ceil(sends.length / waves);
  const inFlight: Promise<unknown>[] = [];
  const started = Date.now();
  for (let w = 0; w * perWave < sends.length; w++) {
    const wave = sends.slice(w * perWave, (w + 1) * perWave);
    const queued = wave.flatMap((s) => (s.kind === 'queue' ? [s.body] : []));
    for (let i = 0; i < queued.length; i += 10) inFlight.push(sendQueue(queued.slice(i, i + 10)));
    for (const send of wave) {
      count(sent, send.kind === 'alarm' ? send.via : send.kind);
      if (send.kind === 'api') inFlight.push(sendApi(send));
      if (send.kind === 'alarm') inFlight.push(sendAlarm(send));
    }
    if (w % 40 === 0) {
      deps.progress(`traffic: ${Math.min(sends.length, (w + 1) * perWave)}/${sends.length} deliveries out`);
    }
    const next = started + (w + 1) * 250;
    await sleep(Math.max(0, next - Date.now()));
  }
  await Promise.all(inFlight);
  return { sent, answers, alarmResults, alarmKeys, retries, failures };
};
