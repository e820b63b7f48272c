/**
 * The alarms function and the Alertmanager route on the local stack, with the simulator's call log
 * as witness (issue 9: only our own alarms act; every real payload is understood):
 * - a CloudWatch alarm from account 999999999999 (EventBridge, alarm action, SNS) and an SNS alarm
 *   from another topic are refused: dead-lettered, 0 Huawei calls; our own account and topic then act
 *   once, and the other deliveries of that state change act no more;
 * - a composite alarm whose actions are suppressed (EventBridge, WaitPeriod) does nothing, and the
 *   alarm action that releases them (ALARM -> ALARM after the WaitPeriod) fails over once;
 * - an Alertmanager < 0.19 notification (no fingerprints) fails over once, and the same alerts from
 *   Alertmanager 0.25 (with fingerprints) are the same episode: no second call.
 * Each case has a DR pair of its own, so no cooldown of another case hides a call.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LOCAL_ALERT_TOKEN,
  LOCAL_AWS_ACCOUNT_ID,
  type LocalStack,
  startLocalStack,
} from '../../tools/local/stack.ts';

const PROJECT = '89cd04f168b84af6be287f71730fdb4b';
const DR = {
  cloudwatch: 'e59d6b86-9072-46eb-a996-13f8b44994c1',
  composite: '0c6f2d1e-3b4a-4c5d-8e9f-a0b1c2d3e4f5',
  alertmanager: '7a8b9c0d-1e2f-4a3b-9c4d-5e6f7a8b9c0d',
} as const;
const FOREIGN = '999999999999';

const route = (name: string, source: string, alarm: string, dr: string) => `
  - name: ${name}
    match: { source: ${source}, alarm: "${alarm}" }
    action: dws.dr.failover
    region: cn-north-4
    project_id: ${PROJECT}
    params: { disaster_recovery_id: ${dr} }
    cooldown_seconds: 3600
`;
const ROUTES = `routes:${[
  route('cloudwatch', 'cloudwatch', 'DWSPrimaryDown-prod', DR.cloudwatch),
  route('composite', 'cloudwatch', 'DWSPrimaryDown-prod-composite', DR.composite),
  route('alertmanager', 'alertmanager', 'DWSPrimaryDown', DR.alertmanager),
].join('')}`;

// biome-ignore lint/suspicious/noExplicitAny: sample events are JSON documents
type Json = any;
const sample = (file: string): Json =>
  JSON.parse(readFileSync(new URL(`../../events/alarms/${file}`, import.meta.url), 'utf8'));
/** A sample with every account it names replaced by 999999999999 (as a foreign alarm arrives). */
const fromForeignAccount = (file: string): Json =>
  JSON.parse(JSON.stringify(sample(file)).replaceAll(LOCAL_AWS_ACCOUNT_ID, FOREIGN));

let stack: LocalStack;

interface Summary {
  signals: number;
  results: { route?: string; result: string; reason?: string; outcome?: { status: string } }[];
  invalid?: string;
  refused?: string;
}
const postAlarm = async (event: unknown): Promise<Summary> => {
  const response = await fetch(`${stack.urls.api}/_local/alarms`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(event),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as Summary;
};
const failovers = (dr: string) =>
  stack.simulator.calls.filter(
    (c) => c.route === 'dws.dr.failover' && c.resourceId === dr && c.effectApplied,
  );
const deadLetters = async () => {
  const { Messages = [] } = await stack.sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: stack.urls.deadLetterQueueUrl,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 0,
      VisibilityTimeout: 0,
    }),
  );
  return Messages.map((m) => JSON.parse(m.Body ?? '{}') as Json);
};
const until = async (what: string, check: () => boolean, timeoutMs = 20_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

beforeAll(async () => {
  const routesFile = join(mkdtempSync(join(tmpdir(), 'dr-relay-trust-')), 'routes.yml');
  writeFileSync(routesFile, ROUTES);
  stack = await startLocalStack({
    env: { DR_ROUTES_FILE: routesFile },
    simulator: { transitionMs: 600_000 },
  });
  for (const dr of Object.values(DR)) stack.simulator.seed.drPair(PROJECT, dr, { status: 'running' });
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

describe('CloudWatch: only our own account and alarm topic act', () => {
  const refusals: [string, () => Json, string][] = [
    [
      'EventBridge from account 999999999999',
      () => fromForeignAccount('cloudwatch-eventbridge-alarm.json'),
      'account',
    ],
    [
      'an alarm action from account 999999999999',
      () => fromForeignAccount('cloudwatch-lambda-action-alarm.json'),
      'accountId',
    ],
    [
      'SNS, an alarm of account 999999999999 on our topic',
      () => {
        const event = fromForeignAccount('cloudwatch-sns-alarm.json');
        event.Records[0].Sns.TopicArn = sample('cloudwatch-sns-alarm.json').Records[0].Sns.TopicArn;
        return event;
      },
      'Records.0.Sns.Message.AWSAccountId',
    ],
    [
      'SNS from another topic of our account',
      () => {
        const event = sample('cloudwatch-sns-alarm.json');
        event.Records[0].Sns.TopicArn = `arn:aws:sns:eu-west-1:${LOCAL_AWS_ACCOUNT_ID}:someone-elses-topic`;
        return event;
      },
      'Records.0.Sns.TopicArn',
    ],
  ];

  it('refuses each foreign delivery first: not routed, dead-lettered naming the field, 0 Huawei calls', async () => {
    // Act
    const summaries = [];
    for (const [, event] of refusals) summaries.push(await postAlarm(event()));

    // Assess
    for (const summary of summaries) {
      expect(summary.results).toEqual([]);
      expect(summary.refused).toMatch(/^permanent: CloudWatch alarm refused: not from this deployment/);
    }
    expect(stack.simulator.calls).toHaveLength(0);
    const letters = await deadLetters();
    expect(letters).toHaveLength(refusals.length);
    expect(letters.map((l) => l.error.issues[0].path).sort()).toEqual(
      refusals.map(([, , path]) => path).sort(),
    );
    for (const letter of letters) expect(letter.source).toEqual({ type: 'alarm' });
  });

  it('then acts once on our own alarm via SNS, and not again for its EventBridge and alarm-action deliveries', async () => {
    // Act
    const viaSns = await postAlarm(sample('cloudwatch-sns-alarm.json'));
    const others = [
      await postAlarm(sample('cloudwatch-eventbridge-alarm.json')),
      await postAlarm(sample('cloudwatch-lambda-action-alarm.json')),
    ];

    // Assess
    expect(viaSns.refused).toBeUndefined();
    expect(viaSns.results).toEqual([
      expect.objectContaining({
        route: 'cloudwatch',
        result: 'executed',
        outcome: expect.objectContaining({ status: 'succeeded' }),
      }),
    ]);
    for (const other of others) expect(other.refused).toBeUndefined();
    expect(failovers(DR.cloudwatch)).toHaveLength(1);
  });
});

describe('CloudWatch composite alarm with an actions suppressor', () => {
  it('does nothing while the actions are suppressed (EventBridge, WaitPeriod), then fails over once on their release', async () => {
    // Act
    const suppressed = await postAlarm(sample('cloudwatch-composite-suppressed-eventbridge.json'));
    const callsWhileSuppressed = failovers(DR.composite).length;
    const released = await postAlarm(sample('cloudwatch-composite-suppressed-lambda-action.json'));
    const again = await postAlarm(sample('cloudwatch-composite-suppressed-lambda-action.json'));

    // Assess
    expect(suppressed.results).toEqual([
      {
        signal: 'cloudwatch:DWSPrimaryDown-prod-composite:alarm',
        route: 'composite',
        result: 'ignored',
        reason: 'actions suppressed by WaitPeriod at the source',
      },
    ]);
    expect(callsWhileSuppressed).toBe(0);
    expect(released.results).toEqual([
      expect.objectContaining({
        route: 'composite',
        result: 'executed',
        outcome: expect.objectContaining({ status: 'succeeded' }),
      }),
    ]);
    expect(again.results[0]?.result).toMatch(/^(executed|in_progress_elsewhere)$/);
    expect(failovers(DR.composite)).toHaveLength(1);
  });
});

describe('Alertmanager before 0.19 (no fingerprints) and 0.25 agree on the episode', () => {
  const post = (file: string) =>
    fetch(`${stack.urls.api}/v1/alerts/alertmanager`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${LOCAL_ALERT_TOKEN}` },
      body: readFileSync(new URL(`../../events/alarms/${file}`, import.meta.url), 'utf8'),
    });

  it('fails over once for the old notification; the same alerts with fingerprints call nothing more', async () => {
    // Act
    const old = await post('alertmanager-no-fingerprint.json');
    await until('the failover of the old notification', () => failovers(DR.alertmanager).length >= 1);
    const current = await post('alertmanager-firing.json');
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // a queued second call would have landed

    // Assess
    expect(old.status).toBeLessThan(300);
    expect(current.status).toBeLessThan(300);
    expect(failovers(DR.alertmanager)).toHaveLength(1);
  }, 30_000);
});
