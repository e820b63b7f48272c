/**
 * Every StatusStore is held to one specification (statusStore.contract.ts): the DynamoDB store on a
 * local DynamoDB (dynalite), which is the reference, and the in-memory one the unit tests use.
 */
import { afterAll, beforeAll } from 'vitest';
import { DynamoStatusStore } from '../../lib/store/status.ts';
import { type LocalTable, startLocalTable } from '../fixtures/dynalite.ts';
import { MemoryStatusStore } from '../fixtures/memoryStore.ts';
import { describeStatusStoreContract } from './statusStore.contract.ts';

const TABLE = 'dr-relay-contract-state';

let local: LocalTable;
beforeAll(async () => {
  local = await startLocalTable(TABLE);
});
afterAll(async () => local?.stop());

describeStatusStoreContract(
  'DynamoStatusStore',
  (now) => new DynamoStatusStore({ client: local.client, table: TABLE, ttlSeconds: 3_600, now }),
);

describeStatusStoreContract('MemoryStatusStore', (now) => new MemoryStatusStore({ now }));
