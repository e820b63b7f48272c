/**
 * `osls invoke local` runs the real, bundled handlers against the embedded local stack (dynalite,
 * fauxqs and the Huawei simulator on 127.0.0.1, no poller; one stack per function under test):
 * - `-f requests -p events/sqs/requests.json`: every record succeeds, each remote effect happens
 *   exactly once, and a replay of the same event calls nothing;
 * - `-f alarms -p events/alarms/cloudwatch-sns-alarm.json`: the alarm is routed by
 *   events/routes/routes.yml to exactly one DWS failover, and the same event again fails over nothing;
 *   the same alarm from account 999999999999 is refused (dead-lettered, no call). invoke local has no
 *   function ARN to read the own account from, so the sample's account and topic are given as
 *   DR_AWS_ACCOUNT_IDS and DR_ALARM_TOPIC_ARN, as the local stack gives them.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  LOCAL_ALARM_TOPIC_ARN,
  LOCAL_AWS_ACCOUNT_ID,
  LOCAL_CREDENTIALS,
  type LocalStack,
  startLocalStack,
} from '../../tools/local/stack.ts';
import {
  COMMAND_TIMEOUT_SECONDS,
  type CommandResult,
  lastJsonValue,
  offlineEnv,
  osls,
  REPO_ROOT,
  uniqueWorkFolder,
} from './helpers.ts';

const EVENT_FILE = 'events/sqs/requests.json';
const ALARM_EVENT_FILE = 'events/alarms/cloudwatch-sns-alarm.json';
/** Relative, as deployed (serverless.yml sets the same path; invoke local runs in the repository). */
const ROUTES_FILE = 'events/routes/routes.yml';
/** The route events/alarms/cloudwatch-sns-alarm.json matches. */
const ALARM_ROUTE = 'dws-prod-failover-cloudwatch';
const HOOK_TIMEOUT_MS = (COMMAND_TIMEOUT_SECONDS + 30) * 1000;

interface Body {
  action: string;
  project_id: string;
  params: Record<string, string>;
}
const event = JSON.parse(readFileSync(join(REPO_ROOT, EVENT_FILE), 'utf8')) as {
  Records: { body: string }[];
};
const bodies = event.Records.map((r) => JSON.parse(r.body) as Body);

interface RouteDefinition extends Body {
  name: string;
}
const routes = (
  parseYaml(readFileSync(join(REPO_ROOT, ROUTES_FILE), 'utf8')) as { routes: RouteDefinition[] }
).routes;

// Captured before a local stack writes its own variables into this process's environment.
const baseEnv = { ...process.env };

/** Runs `osls invoke local -f <fn> -p <eventFile>` against `stack`, AK/SK from the environment. */
const invokeLocal = async (
  stack: LocalStack,
  fn: string,
  eventFile: string,
  workFolder: string,
  extraEnv: Record<string, string> = {},
): Promise<CommandResult> => {
  const { urls } = stack;
  const overrides: Record<string, string> = {
    REQUEST_QUEUE_URL: urls.requestQueueUrl,
    DEAD_LETTER_QUEUE_URL: urls.deadLetterQueueUrl,
    STATE_TABLE: urls.stateTable,
    HUAWEICLOUD_SDK_AK: LOCAL_CREDENTIALS.ak,
    HUAWEICLOUD_SDK_SK: LOCAL_CREDENTIALS.sk,
    DR_ENDPOINT_DWS: urls.simulator,
    DR_ENDPOINT_CSBS: urls.simulator,
    DR_ENDPOINT_DCS: urls.simulator,
    ...extraEnv,
  };
  const result = await osls(
    [
      'invoke',
      'local',
      '-f',
      fn,
      '-p',
      eventFile,
      '--stage',
      'test',
      // invoke local sets AWS_REGION from the provider's region, over the environment below.
      '--region',
      'us-east-1',
      // Leaves HUAWEI_CREDENTIALS_SECRET_ID unset, so the AK/SK below are used (an empty
      // `--env HUAWEI_CREDENTIALS_SECRET_ID=` cannot unset it: see serverless.yml).
      '--param',
      'huaweiCredentials=env',
      // Checked and compiled to .routes/routes.json (what the functions load) before the invocation.
      '--param',
      'routesFile=events/routes/routes.yml',
      '--param',
      `esbuildWorkFolder=${workFolder}`,
      ...Object.entries(overrides).flatMap(([name, value]) => ['--env', `${name}=${value}`]),
    ],
    offlineEnv(
      {
        AWS_ENDPOINT_URL_SQS: urls.sqs,
        AWS_ENDPOINT_URL_DYNAMODB: urls.dynamodb,
        // Were the secret read after all, fail fast on a closed port instead of reaching AWS.
        AWS_ENDPOINT_URL_SECRETS_MANAGER: 'http://127.0.0.1:9',
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
      },
      baseEnv,
    ),
  );
  console.info(`osls invoke local -f ${fn}: exit ${result.code} in ${(result.ms / 1000).toFixed(1)} s`);
  return result;
};

const effectsOf = (stack: LocalStack) =>
  stack.simulator.calls
    .filter((c) => c.effectApplied)
    .map((c) => c.route)
    .sort();

const deadLettersIn = async (stack: LocalStack) => {
  const { Messages = [] } = await stack.sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: stack.urls.deadLetterQueueUrl,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 0,
    }),
  );
  return Messages;
};

describe(`osls invoke local -f requests -p ${EVENT_FILE}`, () => {
  let stack: LocalStack;
  let workFolder: string;
  let first: CommandResult;
  const invoke = () => invokeLocal(stack, 'requests', EVENT_FILE, workFolder);

  beforeAll(async () => {
    stack = await startLocalStack({ poll: false });
    for (const { action, project_id, params } of bodies) {
      if (action.startsWith('dws.dr.')) {
        stack.simulator.seed.drPair(project_id, params['disaster_recovery_id'] ?? '', { status: 'running' });
      } else if (action === 'dcs.restore') {
        stack.simulator.seed.dcsInstance(project_id, params['instance_id'] ?? '', { mode: 'ha' });
      }
    }
    workFolder = uniqueWorkFolder('invoke-local-test');
    first = await invoke();
  }, HOOK_TIMEOUT_MS);

  afterAll(async () => {
    await stack?.stop();
    if (workFolder) rmSync(join(REPO_ROOT, workFolder), { recursive: true, force: true });
  });

  it('holds one DWS failover and one DCS restore request', () => {
    expect(bodies.map((b) => b.action).sort()).toEqual(['dcs.restore', 'dws.dr.failover']);
  });

  it('exits 0 and prints {"batchItemFailures":[]}', () => {
    expect(first.code, `${first.stdout}\n${first.stderr}`).toBe(0);
    expect(lastJsonValue(first.stdout)).toEqual({ batchItemFailures: [] });
  });

  it('applies exactly one failover and one DCS restore, signed with the local AK/SK', () => {
    expect(effectsOf(stack)).toEqual(['dcs.restore', 'dws.dr.failover']);
    expect(stack.simulator.calls.every((c) => c.authorized && c.status < 400)).toBe(true);
  });

  it('dead-letters nothing', async () => {
    expect(await deadLettersIn(stack)).toEqual([]);
  });

  it(
    'answers a replay of the same event from the state table, without calling Huawei again',
    async () => {
      const callsBefore = stack.simulator.calls.length;
      const replay = await invoke();
      expect(replay.code, `${replay.stdout}\n${replay.stderr}`).toBe(0);
      expect(lastJsonValue(replay.stdout)).toEqual({ batchItemFailures: [] });
      expect(stack.simulator.calls.length).toBe(callsBefore);
      expect(effectsOf(stack)).toEqual(['dcs.restore', 'dws.dr.failover']);
    },
    HOOK_TIMEOUT_MS,
  );
});

interface AlarmSummary {
  signals: number;
  results: {
    signal: string;
    route?: string;
    result: string;
    key?: string;
    outcome?: { status: string; remote?: Record<string, string>; reason?: string };
  }[];
  invalid?: string;
  refused?: string;
}

describe(`osls invoke local -f alarms -p ${ALARM_EVENT_FILE}`, () => {
  const route = routes.find((r) => r.name === ALARM_ROUTE);
  let stack: LocalStack;
  let workFolder: string;
  let first: CommandResult;
  /** The sample's account and topic (123456789012, dr-relay-alarms): what the local stack trusts. */
  const trusted = {
    DR_ROUTES_FILE: '.routes/routes.json', // compiled from ROUTES_FILE by the routes plugin
    DR_AWS_ACCOUNT_IDS: LOCAL_AWS_ACCOUNT_ID,
    DR_ALARM_TOPIC_ARN: LOCAL_ALARM_TOPIC_ARN,
  };
  const invoke = (eventFile = ALARM_EVENT_FILE) =>
    invokeLocal(stack, 'alarms', eventFile, workFolder, trusted);

  beforeAll(async () => {
    stack = await startLocalStack({ poll: false });
    if (route) {
      stack.simulator.seed.drPair(route.project_id, route.params['disaster_recovery_id'] ?? '', {
        status: 'running',
      });
    }
    workFolder = uniqueWorkFolder('invoke-local-alarms-test');
    first = await invoke();
  }, HOOK_TIMEOUT_MS);

  afterAll(async () => {
    await stack?.stop();
    if (workFolder) rmSync(join(REPO_ROOT, workFolder), { recursive: true, force: true });
  });

  it(`is routed by ${ROUTES_FILE} (${ALARM_ROUTE}) to a failover of DR e59d6b86-…`, () => {
    expect(route).toMatchObject({
      action: 'dws.dr.failover',
      project_id: '89cd04f168b84af6be287f71730fdb4b',
      params: { disaster_recovery_id: 'e59d6b86-9072-46eb-a996-13f8b44994c1' },
    });
  });

  it('exits 0 and prints one signal, executed by its route, succeeded', () => {
    expect(first.code, `${first.stdout}\n${first.stderr}`).toBe(0);
    const summary = lastJsonValue(first.stdout) as AlarmSummary;
    expect(summary.invalid).toBeUndefined();
    expect(summary.signals).toBe(1);
    expect(summary.results).toHaveLength(1);
    expect(summary.results[0]).toMatchObject({
      route: ALARM_ROUTE,
      result: 'executed',
      outcome: { status: 'succeeded' },
    });
  });

  it('applies exactly one DWS failover, signed with the local AK/SK', () => {
    expect(effectsOf(stack)).toEqual(['dws.dr.failover']);
    expect(stack.simulator.calls.every((c) => c.authorized && c.status < 400)).toBe(true);
  });

  it('dead-letters nothing', async () => {
    expect(await deadLettersIn(stack)).toEqual([]);
  });

  it(
    'fails over nothing when the same alarm event arrives again (replayed or skipped)',
    async () => {
      const replay = await invoke();
      expect(replay.code, `${replay.stdout}\n${replay.stderr}`).toBe(0);
      const summary = lastJsonValue(replay.stdout) as AlarmSummary;
      console.info(`alarms replay: ${JSON.stringify(summary.results)}`);
      expect(summary.signals).toBe(1);
      const [result] = summary.results;
      // Either the stored outcome of the first run, or a decision not to act: never a new call.
      expect(['executed', 'ignored']).toContain(result?.result);
      if (result?.result === 'executed') expect(result.outcome?.status).toMatch(/^(succeeded|skipped)$/);
      expect(effectsOf(stack)).toEqual(['dws.dr.failover']);
      expect(await deadLettersIn(stack)).toEqual([]);
    },
    HOOK_TIMEOUT_MS,
  );

  it(
    'refuses the same alarm from account 999999999999: exits 0 (no retry), dead-letters it, calls nothing',
    async () => {
      // Prepare: the sample with every account it names replaced, in a file invoke local can read
      const foreign = readFileSync(join(REPO_ROOT, ALARM_EVENT_FILE), 'utf8').replaceAll(
        LOCAL_AWS_ACCOUNT_ID,
        '999999999999',
      );
      const foreignFile = join(
        mkdtempSync(join(tmpdir(), 'dr-relay-invoke-')),
        'cloudwatch-sns-alarm-foreign.json',
      );
      writeFileSync(foreignFile, foreign);
      const callsBefore = stack.simulator.calls.length;

      // Act
      const refused = await invoke(foreignFile);

      // Assess
      expect(refused.code, `${refused.stdout}\n${refused.stderr}`).toBe(0);
      const summary = lastJsonValue(refused.stdout) as AlarmSummary;
      expect(summary).toMatchObject({ signals: 1, results: [] });
      expect(summary.refused).toContain('not from this deployment');
      expect(stack.simulator.calls.length).toBe(callsBefore);
      const letters = await deadLettersIn(stack);
      expect(letters).toHaveLength(1);
      expect(JSON.parse(letters[0]?.Body ?? '{}')).toMatchObject({
        source: { type: 'alarm' },
        error: { kind: 'permanent' },
      });
    },
    HOOK_TIMEOUT_MS,
  );
});
