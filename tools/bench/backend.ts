/**
 * The bench backend, run as a child process (forked by backendClient.ts): the embedded local stack
 * (dynalite, fauxqs, the Huawei simulator, the local API driving handlers/webhook.ts unmodified, the
 * poller driving handlers/requests.ts only while a figure asks: alarm_to_failover), DR pairs with a
 * generated routes file (one route per pair, matching `dr: r<n>`), the DR pairs of cold_alarm_to_call
 * (whose fresh processes read routes files of their own), and the alarm baseline server. Out of the
 * measuring process, the servers' CPU time and memory (dynalite keeps every record, the simulator its
 * call log) stay out of the handler's figures.
 * Owns: serving the IPC commands of protocol.ts. Must not touch: what the handlers do.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PurgeQueueCommand } from '@aws-sdk/client-sqs';
import { LOCAL_ALERT_TOKEN, LOCAL_CREDENTIALS, startLocalStack } from '../local/stack.ts';
import { uuidOf } from '../local/workload.ts';
import type { RouteId } from '../simulator/index.ts';
import { startAlarmBaseline } from './baseline.ts';
import { createIoCounter } from './io.ts';
import type { BackendConfig, BackendReady, ColdTargets, Commands, Reply, Request } from './protocol.ts';
import { PROJECT, REGION } from './workload.ts';

const config = JSON.parse(process.argv[2] ?? '{}') as BackendConfig;
const pairs = Math.max(1, config.alarmPairs ?? 1);
const run = process.pid.toString(36);
const targets = (prefix: string): [string, string][] =>
  Array.from({ length: pairs }, (_, i) => [`${prefix}${i}`, uuidOf(`bench/${run}/${prefix}${i}`)]);
const drRelayTargets = targets('r');
const baselineTargets = targets('b');
const coldCount = Math.max(0, config.coldPairs ?? 0);
const coldTargets = (prefix: string): [string, string][] =>
  Array.from({ length: coldCount }, (_, i) => [`${prefix}${i}`, uuidOf(`bench/${run}/${prefix}${i}`)]);
const cold: ColdTargets = {
  alarms: coldTargets('BenchCold-c'),
  webhook: coldTargets('w'),
  baseline: coldTargets('k').map(([, id]) => id),
  barePost: coldTargets('p').map(([, id]) => id),
};

const dir = mkdtempSync(join(tmpdir(), 'dr-relay-bench-'));
const routesFile = join(dir, 'routes.json');
writeFileSync(
  routesFile,
  JSON.stringify({
    routes: drRelayTargets.map(([label, id]) => ({
      name: `bench-${label}`,
      match: { source: 'alertmanager', alarm: 'BenchDown', labels: { dr: label } },
      action: 'dws.dr.failover',
      region: REGION,
      project_id: PROJECT,
      params: { disaster_recovery_id: id },
    })),
  }),
);

const before = { ...process.env };
const stack = await startLocalStack({ poll: false, env: { DR_ROUTES_FILE: routesFile } });
const env = Object.fromEntries(
  Object.entries(process.env).filter(
    (entry): entry is [string, string] => entry[1] !== undefined && before[entry[0]] !== entry[1],
  ),
);
for (const id of [
  ...[...drRelayTargets, ...baselineTargets, ...cold.alarms, ...cold.webhook].map(([, id]) => id),
  ...cold.baseline,
  ...cold.barePost,
]) {
  stack.simulator.seed.drPair(PROJECT, id, { status: 'running' });
}
const alarmBaseline = await startAlarmBaseline({
  simulatorUrl: stack.urls.simulator,
  credentials: LOCAL_CREDENTIALS,
  token: LOCAL_ALERT_TOKEN,
  projectId: PROJECT,
  targets: new Map(baselineTargets),
});
const io = createIoCounter({
  dynamodb: stack.urls.dynamodb,
  simulator: stack.urls.simulator,
  sqs: stack.urls.sqs,
});

let stopping: Promise<void> | undefined;
const stop = (): Promise<void> => {
  stopping ??= (async () => {
    io.close();
    await alarmBaseline.close();
    await stack.stop();
    rmSync(dir, { recursive: true, force: true });
  })();
  return stopping;
};

const handlers: {
  [C in keyof Commands]: (
    args: Commands[C]['args'],
  ) => Commands[C]['result'] | Promise<Commands[C]['result']>;
} = {
  seedDcs: ({ ids }) => {
    for (const id of ids) stack.simulator.seed.dcsInstance(PROJECT, id);
    return ids.length;
  },
  latency: ({ route, ms }) => {
    stack.simulator.faults.add({ route: route as RouteId, kind: 'latency', latencyMs: ms });
    return null;
  },
  clearFaults: () => {
    stack.simulator.faults.clear();
    return null;
  },
  io: () => io.snapshot(),
  failovers: ({ ids }) => {
    const wanted = new Set(ids);
    return stack.simulator.calls
      .filter((c) => c.route === 'dws.dr.failover' && c.resourceId !== undefined && wanted.has(c.resourceId))
      .map((c) => ({ resourceId: c.resourceId as string, at: c.at, status: c.status }));
  },
  memory: () => {
    globalThis.gc?.();
    const { rss, heapUsed } = process.memoryUsage();
    return { rss, heapUsed };
  },
  purgeRequests: async () => {
    await stack.sqs.send(new PurgeQueueCommand({ QueueUrl: stack.urls.requestQueueUrl }));
    return null;
  },
  poll: async ({ on }) => {
    if (on) stack.poller.start();
    else await stack.poller.stop();
    return null;
  },
  stop: () => null,
};

process.on('message', async (message: Request) => {
  const reply = (answer: Reply) => process.send?.(answer);
  try {
    const handle = handlers[message.cmd] as (args: unknown) => unknown;
    const result = await handle(message.args);
    reply({ id: message.id, ok: true, result });
    if (message.cmd === 'stop') void stop().then(() => process.exit(0));
  } catch (error) {
    reply({ id: message.id, ok: false, error: (error as Error).message });
  }
});
// The parent went away: do not linger.
process.on('disconnect', () => void stop().finally(() => process.exit(0)));

const ready: BackendReady = {
  type: 'ready',
  urls: {
    dynamodb: stack.urls.dynamodb,
    simulator: stack.urls.simulator,
    sqs: stack.urls.sqs,
    api: stack.urls.api,
    alarmBaseline: alarmBaseline.url,
    stateTable: stack.urls.stateTable,
  },
  env,
  alarmTargets: { drRelay: drRelayTargets, baseline: baselineTargets },
  coldTargets: cold,
  token: LOCAL_ALERT_TOKEN,
};
process.send?.(ready);
