/**
 * AWS SDK clients, one place. Endpoints follow the SDK's standard AWS_ENDPOINT_URL_SQS /
 * AWS_ENDPOINT_URL_DYNAMODB. `useQueueUrlAsEndpoint: false`: the SDK would otherwise send to the
 * queue URL's host, which for local SQS servers (sqs.<region>.localhost) does not resolve; in AWS
 * both are the same host, so nothing changes there.
 */
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { SQSClient, type SQSClientConfig } from '@aws-sdk/client-sqs';

export const sqsClient = (config: SQSClientConfig = {}): SQSClient =>
  new SQSClient({ useQueueUrlAsEndpoint: false, ...config });

export const dynamoClient = (config: DynamoDBClientConfig = {}): DynamoDBClient => new DynamoDBClient(config);
