/**
 * One soak run: plan -> backend child (never killed) -> seed, faults on -> worker child (killed
 * mid-batch K times, restarted) -> the traffic through all three entry paths at once -> wait for
 * every key to be terminal and the queue empty -> faults off, redrive every dead letter (the
 * runbook's check first for ambiguous ones) -> wait again -> evaluate the invariants.
 * Everything is bounded by the global deadline; children are stopped whatever happens.
 * Owns: the order of the phases. Must not touch: the invariants (checks.ts), printing (report.ts).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { idempotencyKey } from '../../lib/actions/request.ts';
import { sqsClient } from '../../lib/runtime/aws.ts';
import { DynamoStatusStore } from '../../lib/store/status.ts';
import { LOCAL } from '../local/constants.ts';
import { buildAlarmSide } from './alarms.ts';
import { evaluate, type Invariant, type Keyed, type Observed } from './checks.ts';
import { type Child, forkChild } from './child.ts';
import { soakFaults } from './faults.ts';
import { observationsOf } from './observations.ts';
import type { SoakOptions } from './options.ts';
import { makePlan, randomOf } from './plan.ts';
import type { BackendCommands, BackendConfig, BackendReady } from './protocol.ts';
import { type HeldLetter, type RedriveResult, readDeadLetterQueue, redriveAll } from './redrive.ts';
import { buildSends } from './sends.ts';
import { readStatuses, TERMINAL, waitUntilSettled } from './settle.ts';
import { WorkerSupervisor } from './supervisor.ts';
import { sendTraffic, type TrafficResult } from './traffic.ts';
import { effectsOf, type Witness, witnessOf } from './witness.ts';

const BACKEND = fileURLToPath(new URL('./backend.ts', import.meta.url));

/** Lambda-like settings: a short function time-out, a visibility above it, quick retries. */
export const SOAK_SETTINGS = {
  functionTimeoutMs: 8_000,
  visibilityTimeoutSeconds: 10,
  workerConcurrency: 4,
  env: {
    DR_MAX_ATTEMPTS: '4',
    DR_BACKOFF_BASE_SECONDS: '1',
    DR_BACKOFF_MAX_SECONDS: '3',
    DR_HTTP_TIMEOUT_MS: '400',
    // Operations are followed to their end: with the simulator's long operations (below) each one
    // stalls past 3 s and is abandoned after 6x that, checked every 1-2 s meanwhile.
    DR_OPERATION_CHECK_BASE_SECONDS: '1',
    DR_OPERATION_CHECK_MAX_SECONDS: '2',
    DR_OPERATION_TIME_LIMIT_SECONDS: '3',
    POWERTOOLS_LOG_LEVEL: 'WARN',
  },
  simulator: { transitionMs: 600_000, restoreMs: 600_000, hangMs: 600 },
} as const;

export interface SoakResult {
  readonly passed: boolean;
  readonly invariants: readonly Invariant[];
  readonly counts: Record<string, unknown>;
  /** Where the children's logs are (kept when the run failed). */
  readonly logDir: string;
}

const EMPTY_TRAFFIC: TrafficResult = {
  sent: {},
  answers: {},
  alarmResults: {},
  alarmKeys: new Map(),
  retries: 0,
  failures: [],
};
const EMPTY_WITNESS: Witness = {
  calls: 0,
  effectfulCalls: 0,
  effects: new Map(),
  callsAfterEffect: new Map(),
  faults: {},
  readFaults: {},
};

export const runSoak = async (
  options: SoakOptions,
  progress: (line: string) => void = () => undefined,
): Promise<SoakResult> => {
  const startedAt = Date.now();
  const deadline = startedAt + options.deadlineMs;
  const phasesMs: Record<string, number> = {};
  let phaseStart = startedAt;
  const phase = (name: string) => {
    const now = Date.now();
    phasesMs[name] = now - phaseStart;
    phaseStart = now;
  };
  const errors: string[] = [];
  const logDir = mkdtempSync(join(tmpdir(), 'dr-relay-soak-'));
  const random = randomOf(options.seed);

  // The workload, the routes for its alarms, and every delivery, decided before anything starts.
  const plan = makePlan(options);
  const alarmSide = buildAlarmSide(plan.run, plan.requests, random);
  const routesFile = join(logDir, 'routes.json');
  writeFileSync(routesFile, JSON.stringify(alarmSide.routesDocument, null, 1));
  const sends = buildSends(plan.run, plan.requests, alarmSide, random);
  const keyed: Keyed[] = plan.requests.map((planned) => {
    const alarm = alarmSide.expected.get(planned.index);
    return alarm
      ? { planned, key: alarm.key, request: alarm.request, route: alarm.route }
      : { planned, key: idempotencyKey(planned.request), request: planned.request };
  });
  const keys = keyed.map((k) => k.key);
  if (new Set(keys).size !== keys.length) throw new Error('soak plan: two requests share an idempotency key');
  progress(
    `plan: ${keyed.length} requests over ${plan.primaries.length} targets, ${sends.sends.length} deliveries; logs in ${logDir}`,
  );

  let backend: Child<BackendReady, BackendCommands> | undefined;
  let supervisor: WorkerSupervisor | undefined;
  const clients: { destroy(): void }[] = [];
  let traffic = EMPTY_TRAFFIC;
  let before: Observed['before'] = { settled: false, queueDepth: Number.NaN, statuses: new Map() };
  let after: Observed['after'] = { settled: false, queueDepth: Number.NaN, statuses: new Map() };
  let lettersBefore: HeldLetter[] = [];
  let lettersAfter: HeldLetter[] = [];
  let witnessBefore = EMPTY_WITNESS;
  let witnessAfter = EMPTY_WITNESS;
  let redrive: RedriveResult = { decisions: [], failed: [] };
  try {
    const backendConfig: BackendConfig = {
      routesFile,
      env: { ...SOAK_SETTINGS.env },
      simulator: { ...SOAK_SETTINGS.simulator, seed: options.seed },
      visibilityTimeoutSeconds: SOAK_SETTINGS.visibilityTimeoutSeconds,
    };
    backend = await forkChild<BackendReady, BackendCommands>({
      script: BACKEND,
      config: backendConfig,
      logFile: join(logDir, 'backend.log'),
    });
    const { urls, env } = backend.ready;
    const clientConfig = { region: LOCAL.region, credentials: LOCAL.credentials };
    const sqs = sqsClient({ ...clientConfig, endpoint: urls.sqs });
    const dynamodb = new DynamoDBClient({ ...clientConfig, endpoint: urls.dynamodb });
    clients.push(sqs, dynamodb);
    const store = new DynamoStatusStore({ client: dynamodb, table: urls.stateTable, ttlSeconds: 3600 });
    await backend.call('seed', { requests: [...plan.primaries] });
    await backend.call('faults', { rules: soakFaults() });

    supervisor = new WorkerSupervisor({
      config: {
        env,
        queueUrl: urls.requestQueueUrl,
        queueArn: urls.requestQueueArn,
        concurrency: SOAK_SETTINGS.workerConcurrency,
        functionTimeoutMs: SOAK_SETTINGS.functionTimeoutMs,
      },
      logFile: join(logDir, 'worker.log'),
      kills: options.kills,
      spanMs: options.trafficMs,
      random,
      progress,
    });
    await supervisor.start();
    phase('start');
    progress(
      `backend pid ${backend.pid}, api ${urls.api}; worker started; traffic for ~${options.trafficMs / 1000} s`,
    );

    // Traffic through every entry path at once, while the worker is being killed.
    supervisor.startKilling();
    traffic = await sendTraffic(sends.sends, {
      sqs,
      queueUrl: urls.requestQueueUrl,
      apiUrl: urls.api,
      hmacSecret: LOCAL.hmacSecret,
      deadline,
      spreadMs: options.trafficMs,
      progress,
    });
    phase('traffic');

    // Every key terminal and the queue empty; the rest of the time is kept for the redrive.
    const settleBound = Date.now() + Math.max(10_000, (deadline - Date.now()) * 0.65);
    const settled = await waitUntilSettled({
      store,
      sqs,
      queueUrl: urls.requestQueueUrl,
      keys,
      atRest: (s) => s !== undefined && TERMINAL.has(s.status),
      deadline: settleBound,
      progress,
    });
    await supervisor.stopKilling();
    before = {
      settled: settled.settled,
      queueDepth: settled.queueDepth,
      statuses: await readStatuses(store, keys),
    };
    lettersBefore = await readDeadLetterQueue(sqs, urls.deadLetterQueueUrl, 600);
    witnessBefore = witnessOf(await backend.call('calls', {}));
    phase('settle');
    progress(
      `settled: ${settled.settled ? 'yes' : 'NO'} after ${Math.round(settled.waitedMs / 1000)} s; ${lettersBefore.length} dead letters`,
    );

    // The faults stop; every dead letter goes back (after the runbook's check for ambiguous ones).
    await backend.call('faults', { rules: [] });
    redrive = await redriveAll(
      sqs,
      { deadLetterQueueUrl: urls.deadLetterQueueUrl, requestQueueUrl: urls.requestQueueUrl },
      lettersBefore,
      (request) => effectsOf(witnessBefore, request),
    );
    const redriven = [...new Set(redrive.decisions.flatMap((d) => (d.held.key ? [d.held.key] : [])))];
    progress(`redriven: ${redrive.decisions.length} dead letters (${redrive.failed.length} could not be)`);
    const settledAgain = await waitUntilSettled({
      store,
      sqs,
      queueUrl: urls.requestQueueUrl,
      keys: redriven,
      atRest: (s) => s?.status === 'succeeded' || s?.status === 'skipped',
      deadline: deadline - 3_000,
      progress,
    });
    after = {
      settled: settledAgain.settled,
      queueDepth: settledAgain.queueDepth,
      statuses: await readStatuses(store, keys),
    };
    lettersAfter = await readDeadLetterQueue(sqs, urls.deadLetterQueueUrl, 30);
    witnessAfter = witnessOf(await backend.call('calls', {}));
    phase('redrive');
  } catch (error) {
    errors.push(`run failed: ${(error as Error).stack ?? String(error)}`);
  } finally {
    await supervisor
      ?.stop()
      .catch((error: unknown) => errors.push(`worker stop: ${(error as Error).message}`));
    for (const client of clients) client.destroy();
    await backend?.stop().catch((error: unknown) => errors.push(`backend stop: ${(error as Error).message}`));
  }

  const observed: Observed = {
    options,
    keyed,
    sends,
    traffic,
    before,
    lettersBefore,
    witnessBefore,
    redrive,
    after,
    lettersAfter,
    witnessAfter,
    worker: supervisor?.stats ?? {
      kills: [],
      starts: 0,
      unexpectedExits: 0,
      batches: 0,
      records: 0,
      redeliveries: 0,
      inFlightAtKills: 0,
      inFlightAtKillsRedelivered: 0,
      batchErrors: 0,
    },
    elapsedMs: Date.now() - startedAt,
    phasesMs,
    errors,
  };
  const { invariants, counts } = evaluate(observed);
  const passed = invariants.every((i) => i.ok);
  writeFileSync(join(logDir, 'observations.json'), JSON.stringify(observationsOf(observed), null, 1));
  if (passed && !options.keepLogs) rmSync(logDir, { recursive: true, force: true });
  return { passed, invariants, counts, logDir };
};
