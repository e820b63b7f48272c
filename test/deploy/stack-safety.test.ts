/**
 * A stack that deploys safely and pages someone (issue 10, item 4), read from the template
 * `osls package` writes, offline: twice, with the defaults and with the paging parameters
 * (`alertEmail`, `alertTopicArn`, `alarmNamePrefix`, `requestsMaxConcurrency`).
 * - the alarm topic: only CloudWatch alarms of the stack's account (and prefix) may publish; a publish
 *   by anyone else is denied explicitly, judged by test/deploy/policy.ts against the policy's statements;
 * - concurrency: reserved for the alarms and webhook functions, capped on the request queue's mapping;
 * - the state table and the queues survive `osls remove` and replacements (retain, deletion protection);
 * - every alarm: metric, statistic, threshold, and its actions (the operations topic, and the
 *   --param alertTopicArn topic), and the --param alertEmail subscription;
 * - the alarms function's own failures queue, RedriveAllowPolicy, the stage's metrics namespace, tags,
 *   HTTP API access logs and throttling.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CloudFormationResource,
  COMMAND_TIMEOUT_SECONDS,
  offlineEnv,
  osls,
  type Packaged,
  packageService,
} from './helpers.ts';
import { type Deployment, resolveIn } from './intrinsics.ts';
import { evaluatePolicy, type PolicyRequest, type PolicyStatement } from './policy.ts';

const STAGE = 'test';
const ROUTES_FILE = 'events/routes/routes.yml';
const ACCOUNT = '111122223333';
const OTHER_ACCOUNT = '999999999999';
const REGION = 'eu-west-1';
const ALARM_TOPIC_ARN = `arn:aws:sns:${REGION}:${ACCOUNT}:dr-relay-${STAGE}-alarms`;
const OPERATIONS_TOPIC_ARN = `arn:aws:sns:${REGION}:${ACCOUNT}:dr-relay-${STAGE}-dead-letter-alarm`;
/** The paging parameters of the second package. */
const ALERT_EMAIL = 'oncall@example.com';
const PAGER_TOPIC_ARN = `arn:aws:sns:${REGION}:${ACCOUNT}:pager`;
const PREFIX = 'DR-';

/** Where the template is deployed, for the intrinsic functions (Refs of topics resolve to their ARNs). */
const DEPLOYMENT: Deployment = {
  account: ACCOUNT,
  region: REGION,
  refs: { AlarmTopic: ALARM_TOPIC_ARN, DeadLetterAlarmTopic: OPERATIONS_TOPIC_ARN },
};

let byDefault: Packaged;
let paging: Packaged;
let printed: { provider: { stackTags?: Record<string, string> } };

beforeAll(
  async () => {
    const [packaged, withParams, print] = await Promise.all([
      packageService('stack-safety', { routesFile: ROUTES_FILE }),
      packageService('stack-safety-paging', {
        routesFile: ROUTES_FILE,
        alertEmail: ALERT_EMAIL,
        alertTopicArn: PAGER_TOPIC_ARN,
        alarmNamePrefix: PREFIX,
        requestsMaxConcurrency: '3',
      }),
      osls(
        ['print', '--format', 'json', '--stage', STAGE, '--region', REGION],
        offlineEnv({ AWS_ENDPOINT_URL: 'http://127.0.0.1:9' }),
      ),
    ]);
    byDefault = packaged;
    paging = withParams;
    if (print.code !== 0) throw new Error(`osls print failed:\n${print.stdout}\n${print.stderr}`);
    printed = JSON.parse(print.stdout.slice(print.stdout.indexOf('{')));
  },
  (COMMAND_TIMEOUT_SECONDS + 10) * 1000,
);

afterAll(() => {
  byDefault?.cleanup();
  paging?.cleanup();
});

const resourceIn = (packaged: Packaged, logicalId: string, type: string): CloudFormationResource => {
  const found = packaged.template.Resources[logicalId];
  expect(found, `resource ${logicalId}`).toBeDefined();
  expect(found?.Type).toBe(type);
  return found as CloudFormationResource;
};
const resourcesOfType = (packaged: Packaged, type: string) =>
  Object.entries(packaged.template.Resources).filter(([, r]) => r.Type === type);
const getAtt = (logicalId: string, attribute = 'Arn') => ({ 'Fn::GetAtt': [logicalId, attribute] });
const ref = (logicalId: string) => ({ Ref: logicalId });

describe('the alarm topic: only CloudWatch alarms of this account may publish', () => {
  const statementsOf = (packaged: Packaged): PolicyStatement[] => {
    const policies = resourcesOfType(packaged, 'AWS::SNS::TopicPolicy');
    expect(policies.map(([id]) => id)).toEqual(['AlarmTopicPolicy']);
    const [, policy] = policies[0] as [string, CloudFormationResource];
    expect(policy.Properties['Topics']).toEqual([ref('AlarmTopic')]);
    const { resolve } = resolveIn(packaged.template, DEPLOYMENT);
    return (resolve(policy.Properties['PolicyDocument']) as { Statement: PolicyStatement[] }).Statement;
  };
  const publish = (
    principal: PolicyRequest['principal'],
    context?: Record<string, string>,
  ): PolicyRequest => ({
    principal,
    action: 'sns:Publish',
    resource: ALARM_TOPIC_ARN,
    ...(context ? { context } : {}),
  });
  const alarm = (name: string, account = ACCOUNT, region = REGION) =>
    publish(
      { Service: 'cloudwatch.amazonaws.com' },
      {
        'aws:SourceAccount': account,
        'aws:SourceArn': `arn:aws:cloudwatch:${region}:${account}:alarm:${name}`,
      },
    );

  it('allows a publish by CloudWatch for an alarm of the stack account and region', () => {
    // Act
    const result = evaluatePolicy(statementsOf(byDefault), alarm('DWSPrimaryDown-prod'));

    // Assess
    expect(result).toEqual({ decision: 'allow', by: ['CloudWatchAlarmsOfThisAccount'] });
  });

  it.each([
    [
      'an IAM user of the account (its own policy allows sns:Publish)',
      publish({ AWS: `arn:aws:iam::${ACCOUNT}:user/ops` }),
    ],
    ['the account root', publish({ AWS: `arn:aws:iam::${ACCOUNT}:root` })],
    [
      'a Lambda role of the account',
      publish({ AWS: `arn:aws:sts::${ACCOUNT}:assumed-role/some-function-role/some-function` }),
    ],
    ['a principal of another account', publish({ AWS: `arn:aws:iam::${OTHER_ACCOUNT}:user/attacker` })],
    ['CloudWatch for an alarm of another account', alarm('DWSPrimaryDown-prod', OTHER_ACCOUNT)],
    ['CloudWatch for an alarm of another region', alarm('DWSPrimaryDown-prod', ACCOUNT, 'us-east-1')],
    [
      'EventBridge for a rule of the account',
      publish(
        { Service: 'events.amazonaws.com' },
        { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': `arn:aws:events:${REGION}:${ACCOUNT}:rule/forge` },
      ),
    ],
    [
      'S3 for a bucket of the account',
      publish(
        { Service: 's3.amazonaws.com' },
        { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': 'arn:aws:s3:::b' },
      ),
    ],
  ])('denies a publish by %s explicitly', (_, request) => {
    // Act
    const result = evaluatePolicy(statementsOf(byDefault), request);

    // Assess: an explicit deny, which no identity policy of the account can override
    expect(result.decision).toBe('explicit-deny');
  });

  it('governs publishing only: subscribing and managing the topic stay with IAM (deploys keep working)', () => {
    // Prepare
    const subscribe = {
      ...publish({ AWS: `arn:aws:iam::${ACCOUNT}:role/deployer` }),
      action: 'sns:Subscribe',
    };

    // Act
    const result = evaluatePolicy(statementsOf(byDefault), subscribe);

    // Assess
    expect(result.decision).toBe('implicit-deny');
  });

  it(`with --param alarmNamePrefix=${PREFIX}, allows only alarms whose name starts with it`, () => {
    // Act
    const prefixed = evaluatePolicy(statementsOf(paging), alarm(`${PREFIX}DWSPrimaryDown`));
    const other = evaluatePolicy(statementsOf(paging), alarm('DWSPrimaryDown-prod'));

    // Assess
    expect(prefixed.decision).toBe('allow');
    expect(other.decision).toBe('explicit-deny');
  });

  it('scopes the alarm-action permission of the alarms function to the same alarms', () => {
    // Prepare
    const permissionOf = (packaged: Packaged) => {
      const { Principal, SourceAccount, SourceArn } = resourceIn(
        packaged,
        'AlarmsAlarmActionPermission',
        'AWS::Lambda::Permission',
      ).Properties;
      return resolveIn(packaged.template, DEPLOYMENT).resolve({ Principal, SourceAccount, SourceArn });
    };

    // Act
    const everyAlarm = permissionOf(byDefault);
    const prefixed = permissionOf(paging);

    // Assess
    expect(everyAlarm).toEqual({
      Principal: 'lambda.alarms.cloudwatch.amazonaws.com',
      SourceAccount: ACCOUNT,
      SourceArn: `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:*`,
    });
    expect(prefixed).toEqual({
      Principal: 'lambda.alarms.cloudwatch.amazonaws.com',
      SourceAccount: ACCOUNT,
      SourceArn: `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${PREFIX}*`,
    });
  });
});

describe('concurrency: restores cannot starve a failover', () => {
  it('reserves 10 executions for the alarms function and 10 for the webhook function, none for requests', () => {
    // Act
    const reserved = (id: string) =>
      resourceIn(byDefault, id, 'AWS::Lambda::Function').Properties['ReservedConcurrentExecutions'];

    // Assess
    expect(reserved('AlarmsLambdaFunction')).toBe(10);
    expect(reserved('WebhookLambdaFunction')).toBe(10);
    // Capped by its mapping instead: reserving would take executions from the account for nothing.
    expect(reserved('RequestsLambdaFunction')).toBeUndefined();
  });

  it('caps the request queue mapping at 5 concurrent invocations (--param requestsMaxConcurrency)', () => {
    // Act
    const scalingOf = (packaged: Packaged) =>
      resourcesOfType(packaged, 'AWS::Lambda::EventSourceMapping').map(
        ([, r]) => r.Properties['ScalingConfig'],
      );

    // Assess
    expect(scalingOf(byDefault)).toEqual([{ MaximumConcurrency: 5 }]);
    expect(scalingOf(paging)).toEqual([{ MaximumConcurrency: 3 }]);
  });

  it('throttles the HTTP API default route at 20 requests/s, bursts of 40', () => {
    // Act
    const stage = resourceIn(byDefault, 'HttpApiStage', 'AWS::ApiGatewayV2::Stage').Properties;

    // Assess
    expect(stage['DefaultRouteSettings']).toMatchObject({
      ThrottlingRateLimit: 20,
      ThrottlingBurstLimit: 40,
    });
  });
});

describe('stateful resources survive a remove or a replacement', () => {
  it.each([
    ['StateTable', 'AWS::DynamoDB::Table'],
    ['RequestQueue', 'AWS::SQS::Queue'],
    ['DeadLetterQueue', 'AWS::SQS::Queue'],
    ['AlarmFailuresQueue', 'AWS::SQS::Queue'],
  ])('retains %s on delete and on replacement', (id, type) => {
    // Act
    const found = resourceIn(byDefault, id, type);

    // Assess
    expect(found.DeletionPolicy).toBe('Retain');
    expect(found.UpdateReplacePolicy).toBe('Retain');
  });

  it('turns on deletion protection on the state table', () => {
    // Act
    const table = resourceIn(byDefault, 'StateTable', 'AWS::DynamoDB::Table').Properties;

    // Assess
    expect(table['DeletionProtectionEnabled']).toBe(true);
  });
});

describe('queues', () => {
  it('lets only the request queue use the dead-letter queue (RedriveAllowPolicy byQueue)', () => {
    // Prepare
    const { resolve } = resolveIn(byDefault.template, DEPLOYMENT);
    const requestQueue = resourceIn(byDefault, 'RequestQueue', 'AWS::SQS::Queue').Properties;

    // Act
    const allow = resolve(
      resourceIn(byDefault, 'DeadLetterQueue', 'AWS::SQS::Queue').Properties['RedriveAllowPolicy'],
    );

    // Assess
    expect(allow).toEqual({
      redrivePermission: 'byQueue',
      sourceQueueArns: [`arn:aws:sqs:${REGION}:${ACCOUNT}:${requestQueue['QueueName'] as string}`],
    });
    expect(requestQueue['RedrivePolicy']).toMatchObject({ deadLetterTargetArn: getAtt('DeadLetterQueue') });
  });

  it("sends the alarms function's failed events to a queue of their own, which no queue may use as a dead-letter queue", () => {
    // Act
    const queue = resourceIn(byDefault, 'AlarmFailuresQueue', 'AWS::SQS::Queue').Properties;
    const destinations = resourcesOfType(byDefault, 'AWS::Lambda::EventInvokeConfig').map(
      ([, r]) => r.Properties['DestinationConfig'],
    );

    // Assess
    expect(queue).toMatchObject({
      QueueName: `dr-relay-${STAGE}-alarm-failures`,
      MessageRetentionPeriod: 1209600,
      SqsManagedSseEnabled: true,
      RedriveAllowPolicy: { redrivePermission: 'denyAll' },
    });
    expect(destinations).toEqual([{ OnFailure: { Destination: getAtt('AlarmFailuresQueue') } }]);
    expect(JSON.stringify(destinations)).not.toContain('DeadLetterQueue');
    expect(byDefault.template.Outputs['AlarmFailuresQueueUrl']?.Value).toEqual(ref('AlarmFailuresQueue'));
  });
});

interface AlarmSpec {
  readonly namespace: string;
  readonly metric: string;
  readonly dimension: readonly [string, unknown];
  readonly statistic: 'Sum' | 'Maximum';
  readonly threshold: number;
}
const lambda = (functionId: string, metric: string): AlarmSpec => ({
  namespace: 'AWS/Lambda',
  metric,
  dimension: ['FunctionName', ref(functionId)],
  statistic: 'Sum',
  threshold: 1,
});
const sqs = (queueId: string, metric: string, threshold: number): AlarmSpec => ({
  namespace: 'AWS/SQS',
  metric,
  dimension: ['QueueName', getAtt(queueId, 'QueueName')],
  statistic: 'Maximum',
  threshold,
});
/** Every single-metric alarm of the stack: one minute, fires at >= threshold. */
const ALARMS: Record<string, AlarmSpec> = {
  RequestsErrorsAlarm: lambda('RequestsLambdaFunction', 'Errors'),
  RequestsThrottlesAlarm: lambda('RequestsLambdaFunction', 'Throttles'),
  AlarmsErrorsAlarm: lambda('AlarmsLambdaFunction', 'Errors'),
  AlarmsThrottlesAlarm: lambda('AlarmsLambdaFunction', 'Throttles'),
  WebhookErrorsAlarm: lambda('WebhookLambdaFunction', 'Errors'),
  WebhookThrottlesAlarm: lambda('WebhookLambdaFunction', 'Throttles'),
  AlarmsAsyncEventsDroppedAlarm: lambda('AlarmsLambdaFunction', 'AsyncEventsDropped'),
  AlarmsDestinationDeliveryFailuresAlarm: lambda('AlarmsLambdaFunction', 'DestinationDeliveryFailures'),
  RequestQueueOldestMessageAlarm: sqs('RequestQueue', 'ApproximateAgeOfOldestMessage', 600),
  DeadLetterQueueDepthAlarm: sqs('DeadLetterQueue', 'ApproximateNumberOfMessagesVisible', 1),
  AlarmFailuresQueueDepthAlarm: sqs('AlarmFailuresQueue', 'ApproximateNumberOfMessagesVisible', 1),
  AutomationNotOnAlarm: {
    namespace: 'dr-relay-test',
    metric: 'AutomationNotOn',
    dimension: ['service', 'dr-relay'],
    statistic: 'Sum',
    threshold: 1,
  },
  HttpApi5xxAlarm: {
    namespace: 'AWS/ApiGateway',
    metric: '5xx',
    dimension: ['ApiId', ref('HttpApi')],
    statistic: 'Sum',
    threshold: 1,
  },
};
const ARRIVAL_ALARM = 'DeadLetterArrivalAlarm';

describe('alarms: each one, and who they page', () => {
  it('has exactly these alarms, each named after the stage', () => {
    // Act
    const alarms = resourcesOfType(byDefault, 'AWS::CloudWatch::Alarm');

    // Assess
    expect(alarms.map(([id]) => id).sort()).toEqual([...Object.keys(ALARMS), ARRIVAL_ALARM].sort());
    for (const [id, alarm] of alarms) {
      expect(alarm.Properties['AlarmName'], id).toMatch(new RegExp(`^dr-relay-${STAGE}-[a-z0-9-]+$`));
      // Nothing happening is never an alarm.
      expect(alarm.Properties['TreatMissingData'], id).toBe('notBreaching');
    }
  });

  it.each(Object.entries(ALARMS))('%s: metric, statistic over one minute, threshold', (id, spec) => {
    // Act
    const alarm = resourceIn(byDefault, id, 'AWS::CloudWatch::Alarm').Properties;

    // Assess
    expect(alarm).toMatchObject({
      Namespace: spec.namespace,
      MetricName: spec.metric,
      Dimensions: [{ Name: spec.dimension[0], Value: spec.dimension[1] }],
      Statistic: spec.statistic,
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: spec.threshold,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('fires for each dead letter that arrives, even while the depth alarm is already in ALARM', () => {
    // Act
    const alarm = resourceIn(byDefault, ARRIVAL_ALARM, 'AWS::CloudWatch::Alarm').Properties;
    const metrics = alarm['Metrics'] as {
      Id: string;
      Expression?: string;
      ReturnData: boolean;
      MetricStat?: { Metric: Record<string, unknown>; Period: number; Stat: string };
    }[];
    const deadLetterQueue = [{ Name: 'QueueName', Value: getAtt('DeadLetterQueue', 'QueueName') }];

    // Assess: more visible letters than a minute before, or letters sent to the queue, in the last minute
    expect(metrics).toEqual([
      {
        Id: 'visible',
        ReturnData: false,
        MetricStat: {
          Metric: {
            Namespace: 'AWS/SQS',
            MetricName: 'ApproximateNumberOfMessagesVisible',
            Dimensions: deadLetterQueue,
          },
          Period: 60,
          Stat: 'Maximum',
        },
      },
      {
        Id: 'sent',
        ReturnData: false,
        MetricStat: {
          Metric: { Namespace: 'AWS/SQS', MetricName: 'NumberOfMessagesSent', Dimensions: deadLetterQueue },
          Period: 60,
          Stat: 'Sum',
        },
      },
      {
        Id: 'arrivals',
        Label: 'dead letters arrived',
        Expression: 'MAX([DIFF(FILL(visible, REPEAT)), FILL(sent, 0)])',
        ReturnData: true,
      },
    ]);
    expect(alarm).toMatchObject({
      EvaluationPeriods: 1,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    // It clears by itself a minute later: no OK notification for that.
    expect(alarm['OKActions']).toBeUndefined();
  });

  it('sends every alarm to the operations topic only, by default', () => {
    // Prepare
    const { resolve } = resolveIn(byDefault.template, DEPLOYMENT);

    // Act
    const actions = resourcesOfType(byDefault, 'AWS::CloudWatch::Alarm').map(([id, alarm]) => ({
      id,
      alarm: resolve(alarm.Properties['AlarmActions']),
      ok: id === ARRIVAL_ALARM ? undefined : resolve(alarm.Properties['OKActions']),
    }));

    // Assess
    for (const { id, alarm, ok } of actions) {
      expect(alarm, id).toEqual([OPERATIONS_TOPIC_ARN]);
      if (ok !== undefined) expect(ok, id).toEqual([OPERATIONS_TOPIC_ARN]);
    }
  });

  it('with --param alertTopicArn, also sends every alarm to that existing topic', () => {
    // Prepare
    const { resolve } = resolveIn(paging.template, DEPLOYMENT);

    // Act
    const actions = resourcesOfType(paging, 'AWS::CloudWatch::Alarm').map(([id, alarm]) => [
      id,
      resolve(alarm.Properties['AlarmActions']),
    ]);

    // Assess
    expect(actions).toHaveLength(Object.keys(ALARMS).length + 1);
    for (const [id, alarm] of actions)
      expect(alarm, id as string).toEqual([OPERATIONS_TOPIC_ARN, PAGER_TOPIC_ARN]);
  });
});

describe('the operations topic: who is told', () => {
  const emailSubscription = (packaged: Packaged) => {
    const found = resourcesOfType(packaged, 'AWS::SNS::Subscription').filter(
      ([, r]) => r.Properties['Protocol'] === 'email',
    );
    expect(found).toHaveLength(1);
    const [, subscription] = found[0] as [string, CloudFormationResource];
    const { condition } = resolveIn(packaged.template, DEPLOYMENT);
    return {
      created: subscription.Condition === undefined || condition(subscription.Condition),
      properties: subscription.Properties,
    };
  };

  it('subscribes no one without --param alertEmail', () => {
    // Act
    const { created } = emailSubscription(byDefault);

    // Assess
    expect(created).toBe(false);
  });

  it('subscribes the --param alertEmail address to the operations topic', () => {
    // Act
    const { created, properties } = emailSubscription(paging);

    // Assess
    expect(created).toBe(true);
    expect(properties).toEqual({
      TopicArn: ref('DeadLetterAlarmTopic'),
      Protocol: 'email',
      Endpoint: ALERT_EMAIL,
    });
  });

  it('is the topic every function announces dead letters on', () => {
    for (const id of ['RequestsLambdaFunction', 'AlarmsLambdaFunction', 'WebhookLambdaFunction']) {
      const env = (
        resourceIn(byDefault, id, 'AWS::Lambda::Function').Properties['Environment'] as {
          Variables: Record<string, unknown>;
        }
      ).Variables;
      expect(env['DEAD_LETTER_TOPIC_ARN'], id).toEqual(ref('DeadLetterAlarmTopic'));
    }
  });
});

describe('observability', () => {
  const FUNCTIONS = ['RequestsLambdaFunction', 'AlarmsLambdaFunction', 'WebhookLambdaFunction'];

  it('publishes each stage’s metrics under a namespace of its own', () => {
    for (const id of FUNCTIONS) {
      const env = (
        resourceIn(byDefault, id, 'AWS::Lambda::Function').Properties['Environment'] as {
          Variables: Record<string, unknown>;
        }
      ).Variables;
      expect(env['POWERTOOLS_METRICS_NAMESPACE'], id).toBe(`dr-relay-${STAGE}`);
    }
  });

  it('tags the stack, the functions and the HTTP API stage with the application and the stage', () => {
    // Prepare
    const tags = [
      { Key: 'application', Value: 'dr-relay' },
      { Key: 'stage', Value: STAGE },
    ];

    // Act
    const functionTags = FUNCTIONS.map(
      (id) => resourceIn(byDefault, id, 'AWS::Lambda::Function').Properties['Tags'],
    );
    const stageTags = resourceIn(byDefault, 'HttpApiStage', 'AWS::ApiGatewayV2::Stage').Properties['Tags'];

    // Assess
    for (const found of functionTags) expect(found).toEqual(expect.arrayContaining(tags));
    expect(stageTags).toEqual({ application: 'dr-relay', stage: STAGE });
    expect(printed.provider.stackTags).toEqual({ application: 'dr-relay', stage: STAGE });
  });

  it('writes HTTP API access logs as JSON to a log group kept 30 days, with no header or body', () => {
    // Act
    const stage = resourceIn(byDefault, 'HttpApiStage', 'AWS::ApiGatewayV2::Stage');
    const logGroup = resourceIn(byDefault, 'HttpApiLogGroup', 'AWS::Logs::LogGroup').Properties;
    const settings = stage.Properties['AccessLogSettings'] as { DestinationArn: unknown; Format: string };
    const format = JSON.parse(settings.Format) as Record<string, string>;

    // Assess
    expect(settings.DestinationArn).toEqual(getAtt('HttpApiLogGroup'));
    expect(logGroup).toEqual({ LogGroupName: `/aws/http-api/dr-relay-${STAGE}`, RetentionInDays: 30 });
    expect(format).toMatchObject({
      requestId: '$context.requestId',
      routeKey: '$context.routeKey',
      status: '$context.status',
      integrationError: '$context.integrationErrorMessage',
    });
    expect(settings.Format).not.toMatch(/header|authorization|body|querystring/i);
  });
});
