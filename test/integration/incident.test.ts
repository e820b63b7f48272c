/**
 * Incident-grade delivery on the local stack (issue 10), the simulator's call log as witness:
 * - the Huawei endpoint answers 503 to everything for a while, then recovers: queued requests, signed
 *   API requests, an Alertmanager alert (webhook -> request queue) and a CloudWatch event (alarms
 *   function) all end succeeded with exactly one effect each, and nothing is dead-lettered. The
 *   horizon is shortened by configuration (1-2 s backoff, 40 attempts, 15 s of outage); the default
 *   horizon (30 min+) is in docs/guarantees.md and held by test/execution/backoff.test.ts;
 * - automation switched off then on during a run: nothing runs while off, nothing is lost, each
 *   request runs once after;
 * - a dry run of an alarm episode, then on: the episode acts once.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ActionRequest, idempotencyKey } from '../../lib/actions/request.ts';
import { signatureHeader } from '../../lib/http/signature.ts';
import { SettingsStore } from '../../lib/store/settings.ts';
import { readDeadLetters, sendBodies, statusStore, TERMINAL } from '../../tools/local/driver.ts';
import {
  LOCAL_ALERT_TOKEN,
  LOCAL_HMAC_SECRET,
  type LocalStack,
  startLocalStack,
} from '../../tools/local/stack.ts';
import { PROJECT, requestFor, resourceOf, seedFor } from '../../tools/local/workload.ts';

const DR = {
  outageAlert: '1a2b3c4d-0000-4000-8000-000000000001',
  outageCloudWatch: '1a2b3c4d-0000-4000-8000-000000000002',
  pausedAlert: '1a2b3c4d-0000-4000-8000-000000000003',
  dryRunAlert: '1a2b3c4d-0000-4000-8000-000000000004',
} as const;
const route = (name: string, source: string, alarm: string, dr: string) => `
  - name: ${name}
    match: { source: ${source}, alarm: "${alarm}" }
    action: dws.dr.failover
    region: cn-north-4
    project_id: ${PROJECT}
    params: { disaster_recovery_id: ${dr} }
    cooldown_seconds: 3600
`;
const CLOUDWATCH_EVENT = JSON.parse(readFileSync('events/alarms/cloudwatch-eventbridge-alarm.json', 'utf8'));
const ROUTES = `routes:${[
  route('outage-alert', 'alertmanager', 'OutageAlert', DR.outageAlert),
  route('outage-cloudwatch', 'cloudwatch', CLOUDWATCH_EVENT.detail.alarmName, DR.outageCloudWatch),
  route('paused-alert', 'alertmanager', 'PausedAlert', DR.pausedAlert),
  route('dry-run-alert', 'alertmanager', 'DryRunAlert', DR.dryRunAlert),
].join('')}`;

let stack: LocalStack;

beforeAll(async () => {
  const routesFile = join(mkdtempSync(join(tmpdir(), 'dr-relay-incident-')), 'routes.yml');
  writeFileSync(routesFile, ROUTES);
  stack = await startLocalStack({
    env: {
      DR_ROUTES_FILE: routesFile,
      DR_MAX_ATTEMPTS: '40',
      DR_BACKOFF_BASE_SECONDS: '1',
      DR_BACKOFF_MAX_SECONDS: '2',
      DR_SETTINGS_MAX_AGE_SECONDS: '0',
      DR_PAUSE_RECHECK_SECONDS: '1',
    },
    maxReceiveCount: 60,
    simulator: { transitionMs: 600_000 },
  });
  for (const dr of Object.values(DR)) stack.simulator.seed.drPair(PROJECT, dr, { status: 'running' });
}, 60_000);
afterAll(async () => {
  await stack?.stop();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const until = async (what: string, check: () => Promise<boolean>, timeoutMs = 90_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
};
const statusOf = async (key: string) => (await statusStore(stack).get(key))?.status;
const effects = (resource: string) =>
  stack.simulator.calls.filter((c) => c.resourceId === resource && c.effectApplied && c.method === 'POST')
    .length;
/** One Alertmanager notification with one firing alert named `name` (its own fingerprint). */
const alert = (name: string) => {
  const body = JSON.parse(readFileSync('events/alarms/alertmanager-firing.json', 'utf8'));
  body.alerts = [
    { ...body.alerts[0], labels: { ...body.alerts[0].labels, alertname: name }, fingerprint: undefined },
  ];
  return JSON.stringify(body);
};
const postAlert = async (name: string): Promise<string> => {
  const response = await fetch(`${stack.urls.api}/v1/alerts/alertmanager`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${LOCAL_ALERT_TOKEN}` },
    body: alert(name),
  });
  expect(response.status).toBe(202);
  const [key] = ((await response.json()) as { request_ids: string[] }).request_ids;
  return key!;
};
const postSigned = async (request: ActionRequest) => {
  const body = JSON.stringify(request);
  const response = await fetch(`${stack.urls.api}/v1/requests`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-dr-signature': signatureHeader(LOCAL_HMAC_SECRET, body, Math.floor(Date.now() / 1000), {
        method: 'POST',
        path: '/v1/requests',
      }),
    },
    body,
  });
  expect(response.status).toBe(202);
};
/** DWS, DCS and CBR requests only (their calls name the resource, so effects can be counted per request). */
const requestsOf = (run: string, count: number) =>
  Array.from({ length: count * 2 }, (_, i) => requestFor(run, i))
    .filter((r) => r.action !== 'csbs.restore')
    .slice(0, count);

describe('a Huawei API outage (every call answered 503), then recovery', () => {
  it('ends every entry path succeeded with exactly one effect, and dead-letters nothing', async () => {
    // Prepare
    const queued = requestsOf('outage-queue', 6);
    const signed = requestsOf('outage-api', 4);
    for (const r of [...queued, ...signed]) seedFor(stack.simulator, r);
    const removeOutage = stack.simulator.faults.add({ kind: 'status', status: 503 });
    // Act: everything arrives during the outage
    await sendBodies(
      stack.sqs,
      stack.urls.requestQueueUrl,
      queued.map((r) => JSON.stringify(r)),
    );
    for (const r of signed) await postSigned(r);
    const alertKey = await postAlert('OutageAlert');
    const cloudWatch = fetch(`${stack.urls.api}/_local/alarms`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(CLOUDWATCH_EVENT),
    });
    await sleep(15_000);
    const refusedDuringOutage = stack.simulator.calls.filter((c) => c.status === 503).length;
    removeOutage();
    expect((await cloudWatch).status).toBe(200);
    const keys = [...queued, ...signed].map(idempotencyKey);
    await until('every request to end', async () => {
      const statuses = await Promise.all([...keys, alertKey].map(statusOf));
      return statuses.every((s) => TERMINAL.has(s ?? ''));
    });
    await until('the CloudWatch failover', async () => effects(DR.outageCloudWatch) === 1);
    // Assess
    expect(refusedDuringOutage).toBeGreaterThan(10);
    for (const key of [...keys, alertKey]) expect(await statusOf(key), key).toBe('succeeded');
    for (const r of [...queued, ...signed]) expect(effects(resourceOf(r)), resourceOf(r)).toBe(1);
    expect(effects(DR.outageAlert)).toBe(1);
    expect(effects(DR.outageCloudWatch)).toBe(1);
    expect(await readDeadLetters(stack)).toEqual([]);
  }, 150_000);
});

describe('pausing', () => {
  it('off then on: nothing runs while off, nothing is lost, each request runs once after', async () => {
    // Prepare
    const settings = new SettingsStore({ client: stack.dynamodb, table: stack.urls.stateTable });
    const requests = requestsOf('paused', 5);
    for (const r of requests) seedFor(stack.simulator, r);
    await settings.setMode('off', 'test');
    // Act
    await sendBodies(
      stack.sqs,
      stack.urls.requestQueueUrl,
      requests.map((r) => JSON.stringify(r)),
    );
    const alertKey = await postAlert('PausedAlert');
    await sleep(4_000);
    const whileOff = [...requests.map(resourceOf), DR.pausedAlert].map(effects);
    await settings.setMode('on', 'test');
    const keys = [...requests.map(idempotencyKey), alertKey];
    await until('every request to end', async () =>
      (await Promise.all(keys.map(statusOf))).every((s) => TERMINAL.has(s ?? '')),
    );
    // Assess
    expect(whileOff).toEqual(whileOff.map(() => 0));
    for (const key of keys) expect(await statusOf(key), key).toBe('succeeded');
    for (const r of requests) expect(effects(resourceOf(r))).toBe(1);
    expect(effects(DR.pausedAlert)).toBe(1);
    expect(await readDeadLetters(stack)).toEqual([]);
  }, 120_000);

  it('a dry run of an alarm episode, then on: the episode acts once', async () => {
    // Prepare
    const settings = new SettingsStore({ client: stack.dynamodb, table: stack.urls.stateTable });
    await settings.setMode('dry-run', 'test');
    // Act: the alert in dry-run, then the same episode re-notified once on
    const key = await postAlert('DryRunAlert');
    await until('the dry run', async () => (await statusOf(`dry-run:${key}`)) === 'skipped');
    const afterDryRun = effects(DR.dryRunAlert);
    await settings.setMode('on', 'test');
    expect(await postAlert('DryRunAlert')).toBe(key);
    await until('the real run', async () => (await statusOf(key)) === 'succeeded');
    // Assess
    expect(afterDryRun).toBe(0);
    expect(effects(DR.dryRunAlert)).toBe(1);
  }, 60_000);
});
