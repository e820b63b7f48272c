/**
 * `osls invoke local -f requests -p events/sqs/requests.json` runs the real, bundled handler against
 * the embedded local stack (dynalite, fauxqs and the Huawei simulator on 127.0.0.1, no poller):
 * every record succeeds, each remote effect happens exactly once, and a replay of the same event
 * calls nothing.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, type LocalStack, startLocalStack } from '../../lib/local/stack.ts';
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

// Captured before the local stack writes its own variables into this process's environment.
const baseEnv = { ...process.env };

let stack: LocalStack;
let workFolder: string;
let first: CommandResult;

const invokeLocal = async (): Promise<CommandResult> => {
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
  };
  const result = await osls(
    [
      'invoke',
      'local',
      '-f',
      'requests',
      '-p',
      EVENT_FILE,
      '--stage',
      'test',
      // invoke local sets AWS_REGION from the provider's region, over the environment below.
      '--region',
      'us-east-1',
      // Leaves HUAWEI_CREDENTIALS_SECRET_ID unset, so the AK/SK below are used (an empty
      // `--env HUAWEI_CREDENTIALS_SECRET_ID=` cannot unset it: see serverless.yml).
      '--param',
      'huaweiCredentials=env',
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
  console.info(`osls invoke local: exit ${result.code} in ${(result.ms / 1000).toFixed(1)} s`);
  return result;
};

const effects = () =>
  stack.simulator.calls
    .filter((c) => c.effectApplied)
    .map((c) => c.route)
    .sort();

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
  first = await invokeLocal();
}, HOOK_TIMEOUT_MS);

afterAll(async () => {
  await stack?.stop();
  if (workFolder) rmSync(join(REPO_ROOT, workFolder), { recursive: true, force: true });
});

describe(`osls invoke local -f requests -p ${EVENT_FILE}`, () => {
  it('holds one DWS failover and one DCS restore request', () => {
    expect(bodies.map((b) => b.action).sort()).toEqual(['dcs.restore', 'dws.dr.failover']);
  });

  it('exits 0 and prints {"batchItemFailures":[]}', () => {
    expect(first.code, `${first.stdout}\n${first.stderr}`).toBe(0);
    expect(lastJsonValue(first.stdout)).toEqual({ batchItemFailures: [] });
  });

  it('applies exactly one failover and one DCS restore, signed with the local AK/SK', () => {
    expect(effects()).toEqual(['dcs.restore', 'dws.dr.failover']);
    expect(stack.simulator.calls.every((c) => c.authorized && c.status < 400)).toBe(true);
  });

  it('dead-letters nothing', async () => {
    const { Messages = [] } = await stack.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: stack.urls.deadLetterQueueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
      }),
    );
    expect(Messages).toEqual([]);
  });

  it(
    'answers a replay of the same event from the state table, without calling Huawei again',
    async () => {
      const callsBefore = stack.simulator.calls.length;
      const replay = await invokeLocal();
      expect(replay.code, `${replay.stdout}\n${replay.stderr}`).toBe(0);
      expect(lastJsonValue(replay.stdout)).toEqual({ batchItemFailures: [] });
      expect(stack.simulator.calls.length).toBe(callsBefore);
      expect(effects()).toEqual(['dcs.restore', 'dws.dr.failover']);
    },
    HOOK_TIMEOUT_MS,
  );
});
