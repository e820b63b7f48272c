/**
 * A dynalite (in-process DynamoDB) with one STATE_TABLE-shaped table, for the HTTP tests that need
 * real conditional writes. Owns: starting and stopping it. Used by idempotencyKeys / requests tests.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';

export interface LocalTable {
  readonly client: DynamoDBClient;
  readonly table: string;
  stop(): Promise<void>;
}

export const startLocalTable = async (table: string): Promise<LocalTable> => {
  const server = dynalite({ createTableMs: 0 }) as {
    listen(port: number, host: string): void;
    address(): unknown;
    close(cb: () => void): void;
  } & NodeJS.EventEmitter;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await client.send(
    new CreateTableCommand({
      TableName: table,
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  return {
    client,
    table,
    stop: async () => {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};
