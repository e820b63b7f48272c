/**
 * `osls package` of serverless.yml, offline and without AWS credentials: the CloudFormation template
 * it generates (function, event source mapping, queues, table, alarm, least-privilege role) and the
 * deployment artifact (one CommonJS bundle, dependencies included).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  COMMAND_TIMEOUT_SECONDS,
  type CommandResult,
  offlineEnv,
  osls,
  REPO_ROOT,
  readZip,
  uniqueWorkFolder,
  type ZipEntry,
} from './helpers.ts';

interface Resource {
  readonly Type: string;
  readonly Properties: Record<string, unknown>;
  readonly DependsOn?: readonly string[];
}
interface Template {
  readonly Resources: Record<string, Resource>;
  readonly Outputs: Record<string, { readonly Value: unknown }>;
}
interface Statement {
  readonly Effect: string;
  readonly Action: string | readonly string[];
  readonly Resource: unknown;
  readonly Condition?: unknown;
}
interface RolePolicy {
  readonly PolicyName: string;
  readonly PolicyDocument: { readonly Statement: readonly Statement[] };
}

const STAGE = 'test';
const SERVICE = 'dr-relay';
const FUNCTION = 'RequestsLambdaFunction';
const ROLE = 'RequestsFunctionRole';
const HANDLER_BUNDLE = 'handlers/requests.cjs';
/** Budget for the handler bundle (minified, as deployed): the 800 KiB target; ~607 KiB today. */
const BUNDLE_BUDGET_KIB = 800;

const getAtt = (logicalId: string, attribute = 'Arn') => ({ 'Fn::GetAtt': [logicalId, attribute] });
const ref = (logicalId: string) => ({ Ref: logicalId });

let outDir: string;
let workFolder: string;
let run: CommandResult;
let template: Template;
let entries: ZipEntry[];

const resource = (logicalId: string, type: string): Resource => {
  const found = template.Resources[logicalId];
  expect(found, `resource ${logicalId}`).toBeDefined();
  expect(found?.Type).toBe(type);
  return found as Resource;
};
/** Every module the code really imports or requires (esbuild's parser: strings and comments don't count). */
const requiredModules = async (code: string): Promise<Set<string>> => {
  const found = new Set<string>();
  await build({
    stdin: { contents: code, loader: 'js' },
    bundle: true,
    write: false,
    platform: 'node',
    logLevel: 'silent',
    plugins: [
      {
        name: 'record-imports',
        setup(b) {
          b.onResolve({ filter: /.*/ }, (args) => {
            found.add(args.path);
            return { path: args.path, external: true };
          });
        },
      },
    ],
  });
  return found;
};
const environmentOf = (fn: Resource) =>
  (fn.Properties['Environment'] as { Variables: Record<string, unknown> }).Variables;
const handlerBundle = (): ZipEntry => {
  const entry = entries.find((e) => e.name === HANDLER_BUNDLE);
  expect(entry, `${HANDLER_BUNDLE} in the artifact`).toBeDefined();
  return entry as ZipEntry;
};

beforeAll(
  async () => {
    outDir = mkdtempSync(join(tmpdir(), 'dr-relay-package-'));
    workFolder = uniqueWorkFolder('package-test');
    run = await osls(
      [
        'package',
        '--stage',
        STAGE,
        '--region',
        'eu-west-1',
        '--package',
        outDir,
        '--param',
        `esbuildWorkFolder=${workFolder}`,
      ],
      // Any AWS call would go to a closed loopback port and fail at once, not hang.
      offlineEnv({ AWS_ENDPOINT_URL: 'http://127.0.0.1:9' }),
    );
    console.info(`osls package: exit ${run.code} in ${(run.ms / 1000).toFixed(1)} s`);
    if (run.code !== 0) throw new Error(`osls package failed (${run.code}):\n${run.stdout}\n${run.stderr}`);
    template = JSON.parse(readFileSync(join(outDir, 'cloudformation-template-update-stack.json'), 'utf8'));
    entries = readZip(join(outDir, `${SERVICE}.zip`));
  },
  (COMMAND_TIMEOUT_SECONDS + 10) * 1000,
);

afterAll(() => {
  if (outDir) rmSync(outDir, { recursive: true, force: true });
  if (workFolder) rmSync(join(REPO_ROOT, workFolder), { recursive: true, force: true });
});

describe('osls package (offline, no AWS credentials)', () => {
  it('packages the service and writes the template and the artifact', () => {
    expect(run.code).toBe(0);
    expect(existsSync(join(outDir, 'cloudformation-template-update-stack.json'))).toBe(true);
    expect(existsSync(join(outDir, `${SERVICE}.zip`))).toBe(true);
  });

  it('runs handlers/requests.handler on nodejs22.x, arm64, 512 MB, 60 s, logs kept 30 days', () => {
    const fn = resource(FUNCTION, 'AWS::Lambda::Function');
    expect(fn.Properties).toMatchObject({
      FunctionName: `${SERVICE}-${STAGE}-requests`,
      Runtime: 'nodejs22.x',
      Handler: 'handlers/requests.handler',
      Architectures: ['arm64'],
      MemorySize: 512,
      Timeout: 60,
    });
    expect(resource('RequestsLogGroup', 'AWS::Logs::LogGroup').Properties).toMatchObject({
      LogGroupName: `/aws/lambda/${SERVICE}-${STAGE}-requests`,
      RetentionInDays: 30,
    });
  });

  it('feeds the function from the request queue in batches of 10 with partial batch responses', () => {
    const mappings = Object.values(template.Resources).filter(
      (r) => r.Type === 'AWS::Lambda::EventSourceMapping',
    );
    expect(mappings).toHaveLength(1);
    expect(mappings[0]?.Properties).toMatchObject({
      EventSourceArn: getAtt('RequestQueue'),
      FunctionName: getAtt(FUNCTION),
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      Enabled: true,
    });
    // Created only once the role may read the queue.
    expect(mappings[0]?.DependsOn).toContain(ROLE);
  });

  it('redrives the request queue to the dead-letter queue after 10 receives, visibility >= 6x the timeout', () => {
    const queue = resource('RequestQueue', 'AWS::SQS::Queue').Properties;
    const timeout = resource(FUNCTION, 'AWS::Lambda::Function').Properties['Timeout'] as number;
    expect(queue['QueueName']).toBe(`${SERVICE}-${STAGE}-requests`);
    expect(queue['RedrivePolicy']).toEqual({
      deadLetterTargetArn: getAtt('DeadLetterQueue'),
      maxReceiveCount: 10,
    });
    expect(queue['VisibilityTimeout']).toBeGreaterThanOrEqual(6 * timeout);
    expect(queue['SqsManagedSseEnabled']).toBe(true);
    // The handler gives up (and dead-letters with context) before SQS's own redrive would.
    const maxAttempts = Number(environmentOf(resource(FUNCTION, 'AWS::Lambda::Function'))['DR_MAX_ATTEMPTS']);
    expect(maxAttempts).toBeGreaterThan(0);
    expect(maxAttempts).toBeLessThan(10);

    const deadLetters = resource('DeadLetterQueue', 'AWS::SQS::Queue').Properties;
    expect(deadLetters).toMatchObject({
      QueueName: `${SERVICE}-${STAGE}-dead-letters`,
      MessageRetentionPeriod: 1209600,
      SqsManagedSseEnabled: true,
    });
  });

  it('keys the state table on id (S) only, with TTL on expiration, PITR and SSE', () => {
    const table = resource('StateTable', 'AWS::DynamoDB::Table').Properties;
    expect(table).toMatchObject({
      TableName: `${SERVICE}-${STAGE}-state`,
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
    });
    expect(table['KeySchema']).toEqual([{ AttributeName: 'id', KeyType: 'HASH' }]);
    expect(table['AttributeDefinitions']).toEqual([{ AttributeName: 'id', AttributeType: 'S' }]);
  });

  it('alarms as soon as one message waits in the dead-letter queue and notifies the topic', () => {
    resource('DeadLetterAlarmTopic', 'AWS::SNS::Topic');
    const alarm = resource('DeadLetterQueueDepthAlarm', 'AWS::CloudWatch::Alarm').Properties;
    expect(alarm).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: getAtt('DeadLetterQueue', 'QueueName') }],
      Statistic: 'Maximum',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
    expect(alarm['AlarmActions']).toEqual([ref('DeadLetterAlarmTopic')]);
  });

  it('runs the function under its own role, assumable by Lambda only, and no other role exists', () => {
    const fn = resource(FUNCTION, 'AWS::Lambda::Function');
    expect(fn.Properties['Role']).toEqual(getAtt(ROLE));
    const role = resource(ROLE, 'AWS::IAM::Role').Properties;
    expect(role['AssumeRolePolicyDocument']).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
      ],
    });
    expect(role['ManagedPolicyArns']).toBeUndefined();
    const roles = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::IAM::Role');
    expect(roles.map(([id]) => id)).toEqual([ROLE]);
  });

  it('grants exactly the actions the function uses, each on its one resource, with no wildcards', () => {
    const policies = resource(ROLE, 'AWS::IAM::Role').Properties['Policies'] as RolePolicy[];
    const statements = policies.flatMap((p) => p.PolicyDocument.Statement);
    const grants: Record<string, string[]> = {};
    for (const statement of statements) {
      expect(statement.Effect).toBe('Allow');
      expect(statement.Condition).toBeUndefined();
      // No statement here needs `Resource: "*"` (X-Ray would; it is not enabled).
      expect(statement.Resource).not.toBe('*');
      expect(Array.isArray(statement.Resource), 'one resource per statement').toBe(false);
      const key = JSON.stringify(statement.Resource);
      const actions = [statement.Action].flat();
      for (const action of actions) expect(action).not.toContain('*');
      grants[key] = [...(grants[key] ?? []), ...actions].sort();
    }
    const secretArn = {
      'Fn::Sub': `arn:\${AWS::Partition}:secretsmanager:\${AWS::Region}:\${AWS::AccountId}:secret:${SERVICE}/${STAGE}/huawei-??????`,
    };
    expect(grants).toEqual({
      [JSON.stringify(getAtt('RequestsLogGroup'))]: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      [JSON.stringify(getAtt('RequestQueue'))]: [
        'sqs:ChangeMessageVisibility',
        'sqs:DeleteMessage',
        'sqs:GetQueueAttributes',
        'sqs:ReceiveMessage',
      ],
      [JSON.stringify(getAtt('DeadLetterQueue'))]: ['sqs:SendMessage'],
      [JSON.stringify(getAtt('StateTable'))]: [
        'dynamodb:DeleteItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
      ],
      [JSON.stringify(secretArn)]: ['secretsmanager:GetSecretValue'],
    });
  });

  it('keeps Huawei AK/SK out of the environment and names the credentials secret instead', () => {
    const env = environmentOf(resource(FUNCTION, 'AWS::Lambda::Function'));
    expect(Object.keys(env).filter((name) => name.startsWith('HUAWEICLOUD_SDK_'))).toEqual([]);
    expect(env['HUAWEI_CREDENTIALS_SECRET_ID']).toBe(`${SERVICE}/${STAGE}/huawei`);
    // Nowhere else in the template either.
    expect(JSON.stringify(template)).not.toMatch(/HUAWEICLOUD_SDK_(AK|SK)/);
  });

  it('points the environment at the deployed queues and table, automation on', () => {
    const env = environmentOf(resource(FUNCTION, 'AWS::Lambda::Function'));
    expect(env).toMatchObject({
      REQUEST_QUEUE_URL: ref('RequestQueue'),
      DEAD_LETTER_QUEUE_URL: ref('DeadLetterQueue'),
      STATE_TABLE: resource('StateTable', 'AWS::DynamoDB::Table').Properties['TableName'],
      DR_AUTOMATION: 'on',
      POWERTOOLS_SERVICE_NAME: 'dr-relay',
    });
    // No source maps shipped, so no --enable-source-maps cost either.
    expect(env['NODE_OPTIONS']).toBeUndefined();
  });

  it('outputs the queue URLs, the table name and the alarm topic', () => {
    expect(template.Outputs).toMatchObject({
      RequestQueueUrl: { Value: ref('RequestQueue') },
      DeadLetterQueueUrl: { Value: ref('DeadLetterQueue') },
      StateTableName: { Value: ref('StateTable') },
      DeadLetterAlarmTopicArn: { Value: ref('DeadLetterAlarmTopic') },
    });
  });

  it('ships one .cjs handler bundle that needs only Node built-ins and exports handler', async () => {
    expect(entries.map((e) => e.name)).toEqual([HANDLER_BUNDLE]);
    const code = handlerBundle().read().toString('utf8');
    expect([...(await requiredModules(code))].filter((name) => !isBuiltin(name))).toEqual([]);

    const dir = mkdtempSync(join(tmpdir(), 'dr-relay-bundle-'));
    try {
      const file = join(dir, 'requests.cjs');
      writeFileSync(file, code);
      const loaded = createRequire(import.meta.url)(file) as { handler?: unknown };
      expect(typeof loaded.handler).toBe('function');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it(`keeps the handler bundle under ${BUNDLE_BUDGET_KIB} KiB (and reports its size)`, () => {
    const bundle = handlerBundle();
    const kib = (bytes: number) => (bytes / 1024).toFixed(1);
    console.info(
      `handler bundle ${HANDLER_BUNDLE}: ${kib(bundle.size)} KiB (${kib(bundle.compressedSize)} KiB zipped)`,
    );
    expect(bundle.size).toBeGreaterThan(0);
    expect(bundle.size / 1024).toBeLessThan(BUNDLE_BUDGET_KIB);
  });
});
