/**
 * Only our own CloudWatch alarms can act (rule 7): every account a delivery names, and the SNS topic
 * it came through, is compared with the deployment's; each field that is not ours is named.
 */
import { describe, expect, it } from 'vitest';
import { parseCloudWatchDelivery } from '../../lib/sources/cloudwatch.ts';
import {
  accountOfFunctionArn,
  assertTrustedOrigin,
  cloudWatchTrust,
  UntrustedAlarmError,
  untrustedFields,
} from '../../lib/sources/cloudwatchTrust.ts';
import { changed, type Json, loadEvent, type SampleFile } from './helpers.ts';

const OURS = '123456789012';
const FOREIGN = '999999999999';
const TOPIC = `arn:aws:sns:eu-west-1:${OURS}:dr-relay-alarms`;
const FUNCTION_ARN = `arn:aws:lambda:eu-west-1:${OURS}:function:dr-relay-prod-alarms`;
const trust = cloudWatchTrust({ functionArn: FUNCTION_ARN, alarmTopicArn: TOPIC });

const CLOUDWATCH_SAMPLES: SampleFile[] = [
  'cloudwatch-sns-alarm.json',
  'cloudwatch-sns-ok.json',
  'cloudwatch-eventbridge-alarm.json',
  'cloudwatch-eventbridge-ok.json',
  'cloudwatch-lambda-action-alarm.json',
  'cloudwatch-composite-suppressed-lambda-action.json',
  'cloudwatch-composite-suppressed-eventbridge.json',
];

const fieldsOf = (event: unknown, using = trust) =>
  untrustedFields(parseCloudWatchDelivery(event).origin, using).map((i) => i.path);

/** The SNS sample with its alarm JSON (the Message string) changed. */
const snsWith = (change: (alarm: Json) => void): Json =>
  changed(loadEvent('cloudwatch-sns-alarm.json'), (event) => {
    const alarm = JSON.parse(event.Records[0].Sns.Message);
    change(alarm);
    event.Records[0].Sns.Message = JSON.stringify(alarm);
  });
const foreignArn = (arn: string) => arn.replace(`:${OURS}:`, `:${FOREIGN}:`);

describe('cloudWatchTrust: which accounts', () => {
  it('trusts the account of the invoked function ARN, with or without a version or alias', () => {
    // Act
    const accounts = [FUNCTION_ARN, `${FUNCTION_ARN}:live`, `${FUNCTION_ARN}:$LATEST`].map(
      accountOfFunctionArn,
    );

    // Assess
    expect(accounts).toEqual([OURS, OURS, OURS]);
    expect(trust.accounts).toEqual(new Set([OURS]));
  });

  it('adds DR_AWS_ACCOUNT_IDS to the own account', () => {
    // Act
    const both = cloudWatchTrust({ functionArn: FUNCTION_ARN, accounts: ['210987654321'] });

    // Assess
    expect(both.accounts).toEqual(new Set([OURS, '210987654321']));
  });

  it.each([undefined, '', 'not-an-arn', `arn:aws:sns:eu-west-1:${OURS}:dr-relay-alarms`])(
    'reads no account from %j (invoke local has no function ARN): only the configured ones',
    (functionArn) => {
      // Act
      const local = cloudWatchTrust({ functionArn, accounts: [OURS] });

      // Assess
      expect(accountOfFunctionArn(functionArn)).toBeUndefined();
      expect(local.accounts).toEqual(new Set([OURS]));
    },
  );
});

describe('untrustedFields: our own account and topic', () => {
  it.each(CLOUDWATCH_SAMPLES)('%s is ours: nothing to refuse', (file) => {
    expect(fieldsOf(loadEvent(file))).toEqual([]);
  });
});

describe('untrustedFields: an alarm from account 999999999999, on every field that names an account', () => {
  it.each<[string, () => Json, string[]]>([
    [
      'SNS: AWSAccountId',
      () => snsWith((a) => (a.AWSAccountId = FOREIGN)),
      ['Records.0.Sns.Message.AWSAccountId'],
    ],
    [
      'SNS: the alarm ARN',
      () => snsWith((a) => (a.AlarmArn = foreignArn(a.AlarmArn))),
      ['Records.0.Sns.Message.AlarmArn'],
    ],
    [
      'SNS: both, as a foreign alarm really arrives',
      () =>
        snsWith((a) => {
          a.AWSAccountId = FOREIGN;
          a.AlarmArn = foreignArn(a.AlarmArn);
        }),
      ['Records.0.Sns.Message.AWSAccountId', 'Records.0.Sns.Message.AlarmArn'],
    ],
    [
      'EventBridge: account',
      () => changed(loadEvent('cloudwatch-eventbridge-alarm.json'), (e) => (e.account = FOREIGN)),
      ['account'],
    ],
    [
      'EventBridge: the alarm ARN in resources',
      () =>
        changed(
          loadEvent('cloudwatch-eventbridge-alarm.json'),
          (e) => (e.resources[0] = foreignArn(e.resources[0])),
        ),
      ['resources.0'],
    ],
    [
      'Lambda alarm action: accountId',
      () => changed(loadEvent('cloudwatch-lambda-action-alarm.json'), (e) => (e.accountId = FOREIGN)),
      ['accountId'],
    ],
    [
      'Lambda alarm action: alarmArn',
      () =>
        changed(
          loadEvent('cloudwatch-lambda-action-alarm.json'),
          (e) => (e.alarmArn = foreignArn(e.alarmArn)),
        ),
      ['alarmArn'],
    ],
  ])('%s', (_case, event, paths) => {
    // Act
    const fields = fieldsOf(event());

    // Assess
    expect(fields).toEqual(paths);
  });

  it('names the account and the trusted ones in the message', () => {
    // Prepare
    const event = changed(loadEvent('cloudwatch-eventbridge-alarm.json'), (e) => (e.account = FOREIGN));

    // Act
    const [issue] = untrustedFields(parseCloudWatchDelivery(event).origin, trust);

    // Assess
    expect(issue?.message).toBe(`account "${FOREIGN}" is not this deployment's (trusted: ${OURS})`);
  });
});

describe('untrustedFields: SNS only through the stack alarm topic', () => {
  const withTopic = (arn: string) =>
    changed(loadEvent('cloudwatch-sns-alarm.json'), (e) => (e.Records[0].Sns.TopicArn = arn));

  it.each([
    ['another topic of our account', `arn:aws:sns:eu-west-1:${OURS}:someone-elses-topic`],
    ['the same name in another account', `arn:aws:sns:eu-west-1:${FOREIGN}:dr-relay-alarms`],
    ['the same name in another region', `arn:aws:sns:us-east-1:${OURS}:dr-relay-alarms`],
  ])('refuses %s', (_case, arn) => {
    // Act
    const [issue, ...rest] = untrustedFields(parseCloudWatchDelivery(withTopic(arn)).origin, trust);

    // Assess
    expect(rest).toEqual([]);
    expect(issue).toEqual({
      path: 'Records.0.Sns.TopicArn',
      message: `topic ${JSON.stringify(arn)} is not the stack's alarm topic ${TOPIC}`,
    });
  });

  it('refuses every SNS delivery when no alarm topic is configured (EventBridge and alarm actions still pass)', () => {
    // Prepare
    const noTopic = cloudWatchTrust({ functionArn: FUNCTION_ARN });

    // Act
    const sns = fieldsOf(loadEvent('cloudwatch-sns-alarm.json'), noTopic);
    const others = ['cloudwatch-eventbridge-alarm.json', 'cloudwatch-lambda-action-alarm.json'] as const;

    // Assess
    expect(sns).toEqual(['Records.0.Sns.TopicArn']);
    for (const file of others) expect(fieldsOf(loadEvent(file), noTopic)).toEqual([]);
  });

  it('checks every record of a (hand-made) SNS batch', () => {
    // Prepare
    const event = changed(loadEvent('cloudwatch-sns-alarm.json'), (e) => {
      const second = structuredClone(e.Records[0]);
      second.Sns.TopicArn = `arn:aws:sns:eu-west-1:${FOREIGN}:dr-relay-alarms`;
      e.Records.push(second);
    });

    // Act
    const fields = fieldsOf(event);

    // Assess
    expect(fields).toEqual(['Records.1.Sns.TopicArn']);
  });
});

describe('assertTrustedOrigin', () => {
  it('fails closed: with no account trusted at all, our own samples are refused too', () => {
    // Prepare
    const nothing = cloudWatchTrust({});
    const origin = parseCloudWatchDelivery(loadEvent('cloudwatch-lambda-action-alarm.json')).origin;

    // Act
    const act = () => assertTrustedOrigin(origin, nothing);

    // Assess
    expect(act).toThrow(UntrustedAlarmError);
    expect(act).toThrow(/no account is trusted/);
  });

  it('throws a permanent UntrustedAlarmError naming each field, the message capped at three', () => {
    // Prepare
    const event = changed(loadEvent('cloudwatch-sns-alarm.json'), (e) => {
      e.Records[0].Sns.TopicArn = `arn:aws:sns:eu-west-1:${FOREIGN}:x`;
      const alarm = JSON.parse(e.Records[0].Sns.Message);
      alarm.AWSAccountId = FOREIGN;
      alarm.AlarmArn = foreignArn(alarm.AlarmArn);
      e.Records[0].Sns.Message = JSON.stringify(alarm);
      e.Records.push(structuredClone(e.Records[0]));
    });

    // Act
    let error: unknown;
    try {
      assertTrustedOrigin(parseCloudWatchDelivery(event).origin, trust);
    } catch (caught) {
      error = caught;
    }

    // Assess
    expect(error).toBeInstanceOf(UntrustedAlarmError);
    const refused = error as UntrustedAlarmError;
    expect(refused.kind).toBe('permanent');
    expect(refused.issues.map((i) => i.path)).toEqual([
      'Records.0.Sns.Message.AWSAccountId',
      'Records.0.Sns.Message.AlarmArn',
      'Records.1.Sns.Message.AWSAccountId',
      'Records.1.Sns.Message.AlarmArn',
      'Records.0.Sns.TopicArn',
      'Records.1.Sns.TopicArn',
    ]);
    expect(refused.message).toMatch(/^CloudWatch alarm refused: not from this deployment \(.*; 3 more\)$/);
  });
});
