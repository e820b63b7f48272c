/**
 * Counts this process's outgoing HTTP requests by service and operation, through Node's diagnostics
 * channels: `http.client.request.start` (node:http: the AWS SDK v3 clients and the Huawei client) and
 * `undici:request:create` (fetch). Destinations are told apart by port: DynamoDB (operation from
 * X-Amz-Target), the Huawei simulator (by method), the SQS/SNS server, anything else.
 * Owns: counting. Costs one map increment per request, paid equally by every variant measured.
 */
import dc from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';

export type IoCounts = Record<string, number>;

export interface IoTargets {
  readonly dynamodb: string;
  readonly simulator: string;
  readonly sqs?: string;
}

export interface IoCounter {
  snapshot(): IoCounts;
  close(): void;
}

const portOf = (url: string): string => {
  const parsed = new URL(url);
  return parsed.port || (parsed.protocol === 'https:' ? '443' : '80');
};

export const createIoCounter = (targets: IoTargets): IoCounter => {
  const services = new Map<string, string>([
    [portOf(targets.dynamodb), 'dynamodb'],
    [portOf(targets.simulator), 'huawei'],
    ...(targets.sqs ? ([[portOf(targets.sqs), 'queue']] as const) : []),
  ]);
  const counts: IoCounts = {};
  const add = (key: string): void => {
    counts[key] = (counts[key] ?? 0) + 1;
  };
  const classify = (port: string, method: string, amzTarget: string | undefined): void => {
    const service = services.get(port) ?? `other:${port}`;
    if (service === 'dynamodb') add(`dynamodb.${amzTarget?.split('.').pop() ?? 'unknown'}`);
    else if (service === 'huawei') add(`huawei.${method}`);
    else if (service === 'queue') add(`queue.${amzTarget?.split('.').pop() ?? 'query'}`);
    else add(service);
  };
  const onHttp = (message: unknown): void => {
    const { request } = message as { request: ClientRequest };
    const host = String(request.getHeader('host') ?? '');
    const target = request.getHeader('x-amz-target');
    classify(host.split(':').pop() ?? '', request.method, target === undefined ? undefined : String(target));
  };
  const onFetch = (message: unknown): void => {
    const { request } = message as { request: { origin: string; method: string } };
    classify(portOf(String(request.origin)), request.method, undefined);
  };
  dc.subscribe('http.client.request.start', onHttp);
  dc.subscribe('undici:request:create', onFetch);
  return {
    snapshot: () => ({ ...counts }),
    close: () => {
      dc.unsubscribe('http.client.request.start', onHttp);
      dc.unsubscribe('undici:request:create', onFetch);
    },
  };
};

/** after - before, keeping only what changed. */
export const ioDelta = (after: IoCounts, before: IoCounts): IoCounts => {
  const delta: IoCounts = {};
  for (const [key, value] of Object.entries(after)) {
    const d = value - (before[key] ?? 0);
    if (d !== 0) delta[key] = d;
  }
  return delta;
};

export const addInto = (into: IoCounts, counts: IoCounts): void => {
  for (const [key, value] of Object.entries(counts)) into[key] = (into[key] ?? 0) + value;
};

export interface IoPerRequest {
  readonly dynamodb: number;
  readonly huawei_http: number;
  readonly queue: number;
  readonly other: number;
  readonly total: number;
  readonly by_op: Record<string, number>;
}

/** Counts summed over `requests` requests -> the calls one request makes, per kind and per operation. */
export const perRequest = (counts: IoCounts, requests: number): IoPerRequest => {
  const per = (value: number) => Number((value / Math.max(1, requests)).toFixed(2));
  const sum = (prefix: string) =>
    Object.entries(counts)
      .filter(([key]) => key.startsWith(prefix))
      .reduce((total, [, value]) => total + value, 0);
  const all = Object.values(counts).reduce((a, b) => a + b, 0);
  const dynamodb = sum('dynamodb.');
  const huawei = sum('huawei.');
  const queue = sum('queue.');
  return {
    dynamodb: per(dynamodb),
    huawei_http: per(huawei),
    queue: per(queue),
    other: per(all - dynamodb - huawei - queue),
    total: per(all),
    by_op: Object.fromEntries(
      Object.entries(counts)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([key, value]) => [key, per(value)]),
    ),
  };
};

/** The operations `mine` does more often than `theirs`, e.g. ["dynamodb.GetItem +1"]. */
export const extraOps = (mine: IoPerRequest, theirs: IoPerRequest): string[] =>
  Object.entries(mine.by_op)
    .map(([op, n]) => [op, Number((n - (theirs.by_op[op] ?? 0)).toFixed(2))] as const)
    .filter(([, d]) => d > 0)
    .map(([op, d]) => `${op} +${d}`);
