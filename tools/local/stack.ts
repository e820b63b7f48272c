/**
 * The embedded local stack, all on 127.0.0.1: dynalite (DynamoDB), fauxqs (SQS), the Huawei API
 * simulator, and a poller driving handlers/requests.ts unmodified. It creates its own table and
 * queues (with the same redrive policy as serverless.yml) and sets the environment the handler reads.
 * Owns: starting, wiring and stopping those servers. Must not touch: handler logic.
 */
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import dynalite from 'dynalite';
import { buildApp as buildFauxqs } from 'fauxqs';
import { ENDPOINT_VARIABLES } from '../../lib/huawei/endpoints.ts';
import { compileRoutes } from '../../lib/routing/routes.ts';
import { sqsClient } from '../../lib/runtime/aws.ts';
import { type Simulator, type SimulatorOptions, startSimulator } from '../simulator/index.ts';
import { LOCAL } from './constants.ts';
import { type LocalApi, startLocalApi } from './http.ts';
import { type BatchReport, SqsPoller } from './poller.ts';
import { SMN_SAMPLE_TOPIC_URNS } from './smn/signing.ts';

export const LOCAL_CREDENTIALS = LOCAL.huawei;
/** The bearer token the local Alertmanager route accepts unless ALERTMANAGER_BEARER_TOKENS is set. */
export const LOCAL_ALERT_TOKEN = LOCAL.alertToken;
/** The bearer token the local Grafana route accepts unless GRAFANA_BEARER_TOKENS is set. */
export const LOCAL_GRAFANA_TOKEN = LOCAL.grafanaToken;
/** The HMAC secret the local /v1/requests accepts unless WEBHOOK_HMAC_SECRETS is set. */
export const LOCAL_HMAC_SECRET = LOCAL.hmacSecret;
/** Local defaults: the sample routes, and the test certificate the sample SMN deliveries are signed with. */
export const LOCAL_ROUTES_FILE = LOCAL.routesFile;
export const LOCAL_SMN_CERT_FILE = LOCAL.smnCertFile;
/**
 * The AWS account and alarm topic the sample CloudWatch events (events/alarms/cloudwatch-*.json)
 * carry: the only ones whose alarms act locally (DR_AWS_ACCOUNT_IDS, DR_ALARM_TOPIC_ARN).
 */
export const LOCAL_AWS_ACCOUNT_ID = '123456789012';
export const LOCAL_ALARM_TOPIC_ARN = `arn:aws:sns:eu-west-1:${LOCAL_AWS_ACCOUNT_ID}:dr-relay-alarms`;

/** Compiles a routes file (YAML or JSON) to a temporary JSON file, as packaging does. */
const compiledRoutesFile = (file: string): string => {
  const out = join(mkdtempSync(join(tmpdir(), 'dr-relay-routes-')), 'routes.json');
  writeFileSync(out, compileRoutes(file));
  return out;
};

export interface StackOptions {
  /** Ports: 0 = any free port. */
  readonly sqsPort?: number;
  readonly dynamodbPort?: number;
  readonly simulatorPort?: number;
  /** The local HTTP API (webhook handler); default 0. */
  readonly apiPort?: number;
  /** Extra environment for the handler (DR_MAX_ATTEMPTS, DR_BACKOFF_BASE_SECONDS...). */
  readonly env?: Record<string, string>;
  readonly simulator?: Partial<SimulatorOptions>;
  /** Concurrent pollers, like Lambda's concurrent batches. Default 2. */
  readonly concurrency?: number;
  readonly visibilityTimeoutSeconds?: number;
  readonly maxReceiveCount?: number;
  readonly onBatch?: (report: BatchReport) => void | Promise<void>;
  /** Start polling at once (default true). */
  readonly poll?: boolean;
}

export interface LocalStack {
  readonly urls: {
    readonly sqs: string;
    readonly dynamodb: string;
    readonly simulator: string;
    readonly api: string;
    readonly requestQueueUrl: string;
    readonly deadLetterQueueUrl: string;
    /** Receives, through the local SNS topic DEAD_LETTER_TOPIC_ARN, a summary of each dead letter. */
    readonly notificationQueueUrl: string;
    readonly stateTable: string;
  };
  readonly simulator: Simulator;
  readonly sqs: SQSClient;
  readonly dynamodb: DynamoDBClient;
  readonly poller: SqsPoller;
  /** What the local API received and answered. */
  readonly api: LocalApi;
  stop(): Promise<void>;
}

const STATE_TABLE = LOCAL.stateTable;
const LOCAL_REGION = LOCAL.region;

const startDynalite = async (port: number): Promise<{ url: string; close: () => Promise<void> }> => {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
};

const createQueues = async (sqs: SQSClient, visibility: number, maxReceiveCount: number) => {
  const { QueueUrl: deadLetterQueueUrl = '' } = await sqs.send(
    new CreateQueueCommand({
      QueueName: LOCAL.deadLetterQueue,
      Attributes: { MessageRetentionPeriod: '1209600' },
    }),
  );
  const arnOf = async (url: string) =>
    (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] })))
      .Attributes?.QueueArn ?? '';
  const deadLetterArn = await arnOf(deadLetterQueueUrl);
  const { QueueUrl: requestQueueUrl = '' } = await sqs.send(
    new CreateQueueCommand({
      QueueName: LOCAL.requestQueue,
      Attributes: {
        VisibilityTimeout: String(visibility),
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: deadLetterArn,
          maxReceiveCount: String(maxReceiveCount),
        }),
      },
    }),
  );
  return { requestQueueUrl, deadLetterQueueUrl, requestQueueArn: await arnOf(requestQueueUrl) };
};

/** fauxqs also speaks SNS: a topic for dead-letter summaries, delivered to a queue the stack can read. */
const createNotificationTopic = async (sqs: SQSClient, endpoint: string) => {
  const sns = new SNSClient({
    region: LOCAL_REGION,
    endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const { TopicArn: topicArn = '' } = await sns.send(
    new CreateTopicCommand({ Name: LOCAL.notificationTopic }),
  );
  const { QueueUrl: queueUrl = '' } = await sqs.send(
    new CreateQueueCommand({ QueueName: LOCAL.notificationQueue }),
  );
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  await sns.send(
    new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: Attributes?.QueueArn ?? '' }),
  );
  sns.destroy();
  return { topicArn, queueUrl };
};

export const startLocalStack = async (options: StackOptions = {}): Promise<LocalStack> => {
  // fauxqs's own startFauxqs listens on every interface: bind loopback only.
  const fauxqs = buildFauxqs({ logger: false });
  const sqsUrl = await fauxqs.listen({ port: options.sqsPort ?? 0, host: '127.0.0.1' });
  const dynamo = await startDynalite(options.dynamodbPort ?? 0);
  const userKeys =
    process.env['HUAWEICLOUD_SDK_AK'] && process.env['HUAWEICLOUD_SDK_SK']
      ? [{ ak: process.env['HUAWEICLOUD_SDK_AK'], sk: process.env['HUAWEICLOUD_SDK_SK'] }]
      : [];
  const simulator = await startSimulator({
    port: options.simulatorPort ?? 0,
    credentials: [LOCAL_CREDENTIALS, ...userKeys],
    ...options.simulator,
  });

  const clientConfig = {
    region: LOCAL_REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  };
  const sqs = sqsClient({ ...clientConfig, endpoint: sqsUrl });
  const dynamodb = new DynamoDBClient({ ...clientConfig, endpoint: dynamo.url });
  await dynamodb.send(
    new CreateTableCommand({
      TableName: STATE_TABLE,
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  const queues = await createQueues(
    sqs,
    options.visibilityTimeoutSeconds ?? 30,
    options.maxReceiveCount ?? 10,
  );
  const notifications = await createNotificationTopic(sqs, sqsUrl);

  // The environment handlers/requests.ts reads, exactly as in the cloud; DR_ENDPOINT_* set by the user win.
  const env: Record<string, string> = {
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_SQS: sqsUrl,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.url,
    REQUEST_QUEUE_URL: queues.requestQueueUrl,
    DEAD_LETTER_QUEUE_URL: queues.deadLetterQueueUrl,
    AWS_ENDPOINT_URL_SNS: sqsUrl,
    DEAD_LETTER_TOPIC_ARN: notifications.topicArn,
    STATE_TABLE,
    HUAWEICLOUD_SDK_AK: process.env['HUAWEICLOUD_SDK_AK'] ?? LOCAL_CREDENTIALS.ak,
    HUAWEICLOUD_SDK_SK: process.env['HUAWEICLOUD_SDK_SK'] ?? LOCAL_CREDENTIALS.sk,
    // Every service of the catalogue (DR_ENDPOINT_DWS, _CSBS, _DCS, _CBR) to the simulator.
    ...Object.fromEntries(ENDPOINT_VARIABLES.map((name) => [name, process.env[name] ?? simulator.url])),
    AWS_LAMBDA_FUNCTION_NAME: 'dr-relay-local-requests',
    DR_ROUTES_FILE: process.env['DR_ROUTES_FILE'] ?? LOCAL_ROUTES_FILE,
    ALERTMANAGER_BEARER_TOKENS: process.env['ALERTMANAGER_BEARER_TOKENS'] ?? LOCAL_ALERT_TOKEN,
    GRAFANA_BEARER_TOKENS: process.env['GRAFANA_BEARER_TOKENS'] ?? LOCAL_GRAFANA_TOKEN,
    WEBHOOK_HMAC_SECRETS: process.env['WEBHOOK_HMAC_SECRETS'] ?? LOCAL_HMAC_SECRET,
    DR_SMN_CERT_FILE: process.env['DR_SMN_CERT_FILE'] ?? LOCAL_SMN_CERT_FILE,
    // The topics of the sample SMN deliveries (events/alarms/cloud-eye-smn-*.json): every other one is refused.
    DR_SMN_TOPIC_URNS: process.env['DR_SMN_TOPIC_URNS'] ?? SMN_SAMPLE_TOPIC_URNS.join(','),
    // CloudWatch alarms act only from this account and (via SNS) this topic: the samples' own.
    DR_AWS_ACCOUNT_IDS: process.env['DR_AWS_ACCOUNT_IDS'] ?? LOCAL_AWS_ACCOUNT_ID,
    DR_ALARM_TOPIC_ARN: process.env['DR_ALARM_TOPIC_ARN'] ?? LOCAL_ALARM_TOPIC_ARN,
    POWERTOOLS_LOG_LEVEL: process.env['POWERTOOLS_LOG_LEVEL'] ?? 'WARN',
    POWERTOOLS_METRICS_DISABLED: process.env['POWERTOOLS_METRICS_DISABLED'] ?? 'true',
    ...options.env,
  };
  // The functions load compiled routes (JSON, as packaging ships them): compile the file people write.
  env['DR_ROUTES_FILE'] = compiledRoutesFile(env['DR_ROUTES_FILE'] ?? LOCAL_ROUTES_FILE);
  Object.assign(process.env, env);

  const { handler } = await import('../../handlers/requests.ts');
  const api: LocalApi = await startLocalApi({
    port: options.apiPort ?? 0,
    webhook: (await import('../../handlers/webhook.ts')).handler,
    alarms: (await import('../../handlers/alarms.ts')).handler,
  });
  const poller = new SqsPoller({
    sqs,
    queueUrl: queues.requestQueueUrl,
    queueArn: queues.requestQueueArn,
    handler,
    concurrency: options.concurrency ?? 2,
    ...(options.onBatch ? { onBatch: options.onBatch } : {}),
  });
  if (options.poll ?? true) poller.start();

  return {
    urls: {
      sqs: sqsUrl,
      dynamodb: dynamo.url,
      simulator: simulator.url,
      api: api.url,
      requestQueueUrl: queues.requestQueueUrl,
      deadLetterQueueUrl: queues.deadLetterQueueUrl,
      notificationQueueUrl: notifications.queueUrl,
      stateTable: STATE_TABLE,
    },
    simulator,
    sqs,
    dynamodb,
    poller,
    api,
    stop: async () => {
      await api.close();
      await poller.stop();
      sqs.destroy();
      dynamodb.destroy();
      await simulator.close();
      await dynamo.close();
      await fauxqs.close();
    },
  };
};
