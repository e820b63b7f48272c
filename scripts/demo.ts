/**
 * `npm run demo`: self-contained. Starts the local stack on free loopback ports, plays the sample
 * requests of events/requests/ plus the failure cases, prints a table of outcomes and the dead
 * letters, and exits 0 only when every outcome is the expected one.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ActionRequest, idempotencyKey } from '../lib/actions/request.ts';
import type { SmnMessage } from '../lib/sources/smn.ts';
import {
  readDeadLetters,
  sendBodies,
  statusStore,
  TERMINAL,
  waitForEmptyQueue,
  waitForOutcomes,
} from '../tools/local/driver.ts';
import { loadSamples, SAMPLES_DIR, seedSamples } from '../tools/local/samples.ts';
import { freshSmn } from '../tools/local/smn/signing.ts';
import { LOCAL_ALERT_TOKEN, LOCAL_GRAFANA_TOKEN, startLocalStack } from '../tools/local/stack.ts';
import { resourceOf, seedFor, uuidOf } from '../tools/local/workload.ts';

process.env['POWERTOOLS_LOG_LEVEL'] ??= 'ERROR';
const TRANSITION_MS = 1_500;
const stack = await startLocalStack({
  env: {
    DR_MAX_ATTEMPTS: '3',
    DR_BACKOFF_BASE_SECONDS: '1',
    DR_BACKOFF_MAX_SECONDS: '2',
    DR_HTTP_TIMEOUT_MS: '1000',
  },
  simulator: { transitionMs: TRANSITION_MS, restoreMs: 20_000, hangMs: 1_500 },
});

const samples = loadSamples();
const sample = (file: string): ActionRequest => {
  const request = samples.get(file);
  if (!request) throw new Error(`missing sample ${file}`);
  return request;
};
seedSamples(stack.simulator, samples.values());

/** A DCS restore on an instance of its own, so faults can target it alone. */
type DcsRestore = Extract<ActionRequest, { action: 'dcs.restore' }>;
const dcsOn = (label: string): DcsRestore => {
  const base = sample('dcs-restore.json');
  if (base.action !== 'dcs.restore') throw new Error('dcs-restore.json is not a dcs.restore');
  const request = {
    ...base,
    request_id: `demo-${label}`,
    params: { ...base.params, instance_id: uuidOf(label) },
  };
  seedFor(stack.simulator, request);
  return request;
};
const flaky = dcsOn('flaky-then-ok');
const broken = dcsOn('always-503');
const ambiguous = {
  ...sample('dws-dr-failover.json'),
  request_id: 'demo-ambiguous-failover',
  params: { disaster_recovery_id: uuidOf('ambiguous-dr') },
} as ActionRequest;
seedFor(stack.simulator, ambiguous);
stack.simulator.faults.add({
  route: 'dcs.restore',
  kind: 'status',
  status: 503,
  times: 2,
  match: (c) => c.resourceId === flaky.params.instance_id,
});
stack.simulator.faults.add({
  route: 'dcs.restore',
  kind: 'status',
  status: 503,
  match: (c) => c.resourceId === broken.params.instance_id,
});
stack.simulator.faults.add({
  route: 'dws.dr.failover',
  kind: 'timeout',
  when: 'after',
  match: (c) => c.resourceId === uuidOf('ambiguous-dr'),
});

interface Scenario {
  readonly name: string;
  readonly request: ActionRequest;
  readonly deliveries: number;
  readonly expect: { status: string; calls: number };
}
const scenarios: Scenario[] = [
  {
    name: 'start DR replication',
    request: sample('dws-dr-start.json'),
    deliveries: 1,
    expect: { status: 'succeeded', calls: 1 },
  },
  {
    name: 'DR failover',
    request: sample('dws-dr-failover.json'),
    deliveries: 1,
    expect: { status: 'succeeded', calls: 1 },
  },
  {
    name: 'CSBS server restore',
    request: sample('csbs-restore.json'),
    deliveries: 1,
    expect: { status: 'succeeded', calls: 1 },
  },
  {
    name: 'CBR server restore, delivered twice',
    request: sample('cbr-restore.json'),
    deliveries: 2,
    expect: { status: 'succeeded', calls: 1 },
  },
  {
    name: 'DCS restore, delivered 3 times',
    request: sample('dcs-restore.json'),
    deliveries: 3,
    expect: { status: 'succeeded', calls: 1 },
  },
  {
    name: '503 twice, then succeeds',
    request: flaky,
    deliveries: 1,
    expect: { status: 'succeeded', calls: 3 },
  },
  {
    name: 'never succeeds (503 always)',
    request: broken,
    deliveries: 1,
    expect: { status: 'dead_lettered', calls: 3 },
  },
  {
    name: 'failover times out after taking effect',
    request: ambiguous,
    deliveries: 1,
    expect: { status: 'succeeded', calls: 1 },
  },
];
const recovery: Scenario = {
  name: 'DR recovery after the failover',
  request: sample('dws-dr-recovery.json'),
  deliveries: 1,
  expect: { status: 'succeeded', calls: 1 },
};
const invalidBody = readFileSync(join(SAMPLES_DIR, 'invalid-request.json'), 'utf8');

const send = (list: readonly Scenario[]) =>
  sendBodies(
    stack.sqs,
    stack.urls.requestQueueUrl,
    list.flatMap((s) => Array.from({ length: s.deliveries }, () => JSON.stringify(s.request))),
  );

console.log(
  `dr-relay demo: local stack up (SQS ${stack.urls.sqs}, DynamoDB ${stack.urls.dynamodb}, simulator ${stack.urls.simulator})`,
);
console.log(`sending ${scenarios.reduce((n, s) => n + s.deliveries, 0)} messages and 1 invalid one...`);
await send(scenarios);
await sendBodies(stack.sqs, stack.urls.requestQueueUrl, [invalidBody]);
const statuses = await waitForOutcomes(
  stack,
  scenarios.map((s) => s.request),
  60_000,
);
console.log('waiting for the failover to complete, then sending the recovery...');
await new Promise((resolve) => setTimeout(resolve, TRANSITION_MS + 200));
await send([recovery]);
for (const [key, status] of await waitForOutcomes(stack, [recovery.request], 30_000))
  statuses.set(key, status);
await waitForEmptyQueue(stack, 10_000);

const callsFor = (r: ActionRequest) =>
  stack.simulator.calls.filter((c) => c.route === r.action && c.resourceId === resourceOf(r)).length;

interface Row {
  ok: boolean;
  scenario: string;
  action: string;
  sent: number;
  status: string;
  attempts: number;
  calls: number;
  detail: string;
}
const rows: Row[] = [...scenarios, recovery].map((s) => {
  const status = statuses.get(idempotencyKey(s.request));
  const calls = callsFor(s.request);
  const ok = status?.status === s.expect.status && calls === s.expect.calls;
  const detail =
    status?.status === 'succeeded'
      ? Object.entries(status.remote ?? {})
          .map(([k, v]) => `${k}=${v}`)
          .join(' ') + (status.reason ? ` (${status.reason})` : '')
      : (status?.error?.message ?? status?.reason ?? '');
  return {
    ok,
    scenario: s.name,
    action: s.request.action,
    sent: s.deliveries,
    status: status?.status ?? 'none',
    attempts: status?.attempts ?? 0,
    calls,
    detail,
  };
});
const queueLetters = await readDeadLetters(stack);
const invalidLetter = queueLetters.find((d) => d.raw_body === invalidBody);
rows.push({
  ok: invalidLetter?.attempts === 1,
  scenario: 'invalid request',
  action: 'dcs.restore',
  sent: 1,
  status: invalidLetter ? 'dead_lettered' : 'none',
  attempts: invalidLetter?.attempts ?? 0,
  calls: 0,
  detail: invalidLetter?.reason ?? '',
});

// Alarm-driven: once the recovery has completed, an Alertmanager alert fails the same DR pair over;
// its re-notification does nothing; a Cloud Eye alarm for the same pair meets the cooldown.
const drId = 'e59d6b86-9072-46eb-a996-13f8b44994c1';
const project = '89cd04f168b84af6be287f71730fdb4b';
const drDeadline = Date.now() + 10_000;
while (stack.simulator.drPair(project, drId)?.['status'] !== 'running' && Date.now() < drDeadline) {
  await new Promise((resolve) => setTimeout(resolve, 100));
}
const alarmFailovers = () =>
  stack.simulator.calls.filter(
    (c) => c.route === 'dws.dr.failover' && c.resourceId === drId && c.effectApplied,
  ).length;
const failoversBefore = alarmFailovers();
const postAlert = async (path: string, file: string) => {
  const sample = JSON.parse(readFileSync(join(SAMPLES_DIR, '..', 'alarms', file), 'utf8')) as Record<
    string,
    unknown
  >;
  const isSmn = path.endsWith('cloud-eye');
  const response = await fetch(`${stack.urls.api}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(isSmn
        ? (sample['headers'] as Record<string, string>)
        : { authorization: `Bearer ${path.endsWith('grafana') ? LOCAL_GRAFANA_TOKEN : LOCAL_ALERT_TOKEN}` }),
    },
    // The SMN samples are dated 2024: sent as SMN would send them now (timestamp set, signed again).
    body: JSON.stringify(isSmn ? freshSmn(sample['body'] as SmnMessage) : sample),
  });
  const answer = (await response.json()) as { request_ids?: string[] };
  // The webhook hands the action to the request queue: wait for the request function's outcome.
  const [requestId] = answer.request_ids ?? [];
  const deadline = Date.now() + 15_000;
  let record = requestId ? await statusStore(stack).get(requestId) : undefined;
  while (requestId && !TERMINAL.has(record?.status ?? '') && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    record = await statusStore(stack).get(requestId);
  }
  return { http: response.status, requestId, record };
};
const alarmRows: Row[] = [];
const firing = await postAlert('/v1/alerts/alertmanager', 'alertmanager-firing.json');
alarmRows.push({
  ok:
    firing.http === 202 && firing.record?.status === 'succeeded' && alarmFailovers() === failoversBefore + 1,
  scenario: 'alarm: Alertmanager DWSPrimaryDown firing',
  action: 'dws.dr.failover',
  sent: 1,
  status: firing.record?.status ?? 'none',
  attempts: firing.record?.attempts ?? 0,
  calls: alarmFailovers() - failoversBefore,
  detail: 'route dws-prod-failover, through the request queue',
});
const repeat = await postAlert('/v1/alerts/alertmanager', 'alertmanager-repeat.json');
alarmRows.push({
  ok:
    repeat.http === 202 &&
    repeat.requestId === firing.requestId &&
    repeat.record?.status === 'succeeded' &&
    alarmFailovers() === failoversBefore + 1,
  scenario: 'alarm: the same alert re-notified',
  action: 'dws.dr.failover',
  sent: 1,
  status: repeat.record?.status ?? 'none',
  attempts: 0,
  calls: 0,
  detail: 'same episode, same request id: no second call',
});
const cloudEye = await postAlert('/v1/alerts/cloud-eye', 'cloud-eye-smn-alarm.json');
alarmRows.push({
  ok:
    cloudEye.record?.status === 'skipped' &&
    (cloudEye.record.reason ?? '').startsWith('cooldown') &&
    alarmFailovers() === failoversBefore + 1,
  scenario: 'alarm: Cloud Eye (SMN), same DR pair',
  action: 'dws.dr.failover',
  sent: 1,
  status: cloudEye.record?.status ?? 'none',
  attempts: 0,
  calls: 0,
  detail: cloudEye.record?.reason ?? '',
});

const deadLetters = queueLetters; // the alarm phase dead-letters nothing

rows.push(...alarmRows);

const clip = (text: string, width: number) =>
  (text.length > width ? `${text.slice(0, width - 1)}…` : text).padEnd(width);
console.log(
  `\n${clip('', 2)}${clip('scenario', 40)}${clip('action', 17)}${clip('sent', 5)}${clip('status', 14)}${clip('attempts', 9)}${clip('calls', 6)}detail`,
);
for (const r of rows) {
  console.log(
    `${clip(r.ok ? '✔' : '✖', 2)}${clip(r.scenario, 40)}${clip(r.action, 17)}${clip(String(r.sent), 5)}${clip(r.status, 14)}${clip(String(r.attempts), 9)}${clip(String(r.calls), 6)}${r.detail.slice(0, 110)}`,
  );
}
console.log(
  `\n"calls" = calls that reached the simulated Huawei endpoint for that request's own action (each fault counts).`,
);
console.log(`\ndead-letter queue (${deadLetters.length}):`);
for (const d of deadLetters) {
  console.log(
    `  - ${d.dead_lettered_at} ${d.action ?? '(unparsed)'} ${d.idempotency_key ?? d.source.message_id} attempts=${d.attempts} kind=${d.error.kind}${d.error.http_status ? ` http=${d.error.http_status}` : ''}${d.error.error_code ? ` code=${d.error.error_code}` : ''}\n    ${d.reason}`,
  );
}
await stack.stop();
const failed = rows.filter((r) => !r.ok);
console.log(
  failed.length === 0
    ? '\nall outcomes as expected'
    : `\n${failed.length} outcome(s) not as expected: ${failed.map((r) => r.scenario).join(', ')}`,
);
process.exit(failed.length === 0 ? 0 : 1);
