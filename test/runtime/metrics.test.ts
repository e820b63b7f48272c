/**
 * When metrics are written: a ColdStart metric on the first invocation, the invocation's metrics
 * when it added any (also when it failed), and nothing at all (no "No application metrics to
 * publish" warning) when it added none. Every byte written to stdout and stderr is captured.
 */

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Metrics } from '@aws-lambda-powertools/metrics';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { compileRoutes } from '../../lib/routing/routes.ts';
import { publishMetrics } from '../../lib/runtime/metrics.ts';

let written: string[] = [];

beforeEach(() => {
  written = [];
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation((chunk: unknown) => {
      written.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      return true;
    });
  }
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', undefined);
  vi.stubEnv('POWERTOOLS_DEV', undefined);
  // What Lambda sets for an on-demand execution environment: Powertools counts cold starts only there.
  vi.stubEnv('AWS_LAMBDA_INITIALIZATION_TYPE', 'on-demand');
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

const context = (functionName = 'dr-relay-dev-alarms') =>
  ({
    functionName,
    awsRequestId: 'c0ffee',
    getRemainingTimeInMillis: () => 10_000,
  }) as unknown as Context;

/** The EMF documents written, by metric name. */
const emf = () =>
  written
    .flatMap((chunk) => chunk.split('\n'))
    .filter((line) => line.includes('"_aws"'))
    .map(
      (line) =>
        JSON.parse(line) as Record<string, unknown> & {
          _aws: { CloudWatchMetrics: { Metrics: { Name: string }[] }[] };
        },
    );
const names = () =>
  emf().flatMap((d) => d._aws.CloudWatchMetrics.flatMap((m) => m.Metrics.map((x) => x.Name)));

/** A handler with the middleware over a fresh instance; `count` adds that metric before answering. */
const handlerWith = (target: Metrics, count?: string, fail = false) =>
  middy<unknown, string, Error, Context>()
    .use(publishMetrics(target))
    .handler(async () => {
      if (count) target.addMetric(count, 'Count', 1);
      if (fail) throw new Error('boom');
      return 'ok';
    });

describe('publishMetrics', () => {
  it('first invocation: only the ColdStart metric, with the function name; no warning', async () => {
    // Prepare
    const metrics = new Metrics({ namespace: 'dr-relay-test', serviceName: 'dr-relay' });

    // Act
    await handlerWith(metrics)({}, context());

    // Assess
    expect(names()).toEqual(['ColdStart']);
    expect(emf()[0]).toMatchObject({
      function_name: 'dr-relay-dev-alarms',
      service: 'dr-relay',
      ColdStart: 1,
    });
    expect(written.join('')).not.toContain('No application metrics');
  });

  it('a later invocation that adds no metric writes nothing at all', async () => {
    // Prepare
    const metrics = new Metrics({ namespace: 'dr-relay-test', serviceName: 'dr-relay' });
    const handler = handlerWith(metrics);
    await handler({}, context());
    written = [];

    // Act
    await handler({}, context());
    await handler({}, context());

    // Assess
    expect(written).toEqual([]);
  });

  it('an invocation that adds a metric publishes it (once), also when it fails', async () => {
    // Prepare
    const metrics = new Metrics({ namespace: 'dr-relay-test', serviceName: 'dr-relay' });
    await handlerWith(metrics)({}, context());
    written = [];

    // Act
    await handlerWith(metrics, 'SignalsUnrouted')({}, context());
    await expect(handlerWith(metrics, 'AlarmEventsRefused', true)({}, context())).rejects.toThrow('boom');

    // Assess
    expect(names()).toEqual(['SignalsUnrouted', 'AlarmEventsRefused']);
    expect(metrics.hasStoredMetrics()).toBe(false);
  });

  it('disabled (POWERTOOLS_METRICS_DISABLED=true, as in the local stack): silent, cold start included', async () => {
    // Prepare
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
    const metrics = new Metrics({ namespace: 'dr-relay-test', serviceName: 'dr-relay' });
    const handler = handlerWith(metrics);

    // Act
    await handler({}, context());
    await handler({}, context());
    await handlerWith(metrics, 'SignalsIgnored')({}, context());

    // Assess
    expect(written).toEqual([]);
  });
});

describe('the webhook function (handlers/webhook.ts) as deployed, metrics enabled', () => {
  it('an invocation with no metric: the ColdStart metric first, then nothing; never the warning', async () => {
    // Prepare
    vi.stubEnv('REQUEST_QUEUE_URL', 'https://sqs.eu-west-1.amazonaws.com/123456789012/dr-relay-dev-requests');
    vi.stubEnv('DEAD_LETTER_QUEUE_URL', 'https://sqs.eu-west-1.amazonaws.com/123456789012/dr-relay-dev-dlq');
    vi.stubEnv('STATE_TABLE', 'dr-relay-dev-state');
    // The functions load compiled routes, as packaging ships them.
    const routes = join(mkdtempSync(join(tmpdir(), 'dr-relay-metrics-')), 'routes.json');
    writeFileSync(routes, compileRoutes('events/routes/routes.yml'));
    vi.stubEnv('DR_ROUTES_FILE', routes);
    vi.stubEnv('AWS_REGION', 'eu-west-1');
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'ERROR');
    vi.resetModules(); // a fresh execution environment: the modules (and the metrics instance) load now
    const { handler } = await import('../../handlers/webhook.ts');
    const event = {
      version: '2.0',
      routeKey: '$default',
      rawPath: '/nowhere',
      rawQueryString: '',
      headers: {},
      isBase64Encoded: false,
      requestContext: { http: { method: 'GET', path: '/nowhere' }, requestId: 'r-1' },
    } as unknown as APIGatewayProxyEventV2;

    // Act
    const first = await handler(event, context('dr-relay-dev-webhook'));
    const cold = [...written];
    written = [];
    const second = await handler(event, context('dr-relay-dev-webhook'));

    // Assess
    expect(first).toMatchObject({ statusCode: 404 });
    expect(second).toMatchObject({ statusCode: 404 });
    expect(names()).toEqual([]);
    expect(written).toEqual([]);
    written = cold;
    expect(names()).toEqual(['ColdStart']);
    expect(emf()[0]).toMatchObject({ function_name: 'dr-relay-dev-webhook', ColdStart: 1 });
    expect(cold.join('')).not.toContain('No application metrics');
  });
});
