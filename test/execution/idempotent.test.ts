/**
 * The idempotent runner (Powertools idempotency on a real DynamoDB, dynalite) around the real
 * executor: every outcome the executor can return is storable, and a stored outcome is returned
 * to a duplicate without a second call.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseActionRequest } from '../../lib/actions/request.ts';
import { type AutomationMode, Executor } from '../../lib/execution/executor.ts';
import { makeIdempotentRunner } from '../../lib/execution/idempotent.ts';
import { HuaweiClient } from '../../lib/huawei/client.ts';
import type { Log } from '../../lib/log.ts';
import { type Simulator, startSimulator } from '../../tools/simulator/index.ts';
import { type LocalTable, startLocalTable } from '../fixtures/dynalite.ts';
import { MemoryStatusStore } from '../fixtures/memoryStore.ts';

const KEYS = { ak: 'IDEMPOTENTTESTAK', sk: 'idempotent-test-secret' };
const PROJECT = '89cd04f168b84af6be287f71730fdb4b';
const DR = 'e59d6b86-9072-46eb-a996-13f8b44994c1';
const INSTANCE = '3f1a2b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b';
const BACKUP = '7c6b5a49-3827-4165-9453-021f3e4d5c6b';
const silent: Log = { info: () => undefined, warn: () => undefined, error: () => undefined };

let sim: Simulator;
let table: LocalTable;
let client: HuaweiClient;

beforeAll(async () => {
  sim = await startSimulator({ credentials: [KEYS] });
  sim.seed.drPair(PROJECT, DR, { status: 'running' });
  sim.seed.dcsInstance(PROJECT, INSTANCE, { mode: 'ha' });
  table = await startLocalTable('idempotent-test');
  client = new HuaweiClient({ credentials: KEYS });
});
afterAll(async () => {
  client.close();
  await table.stop();
  await sim.close();
});

const runner = (mode: AutomationMode) =>
  makeIdempotentRunner(
    new Executor({
      client,
      store: new MemoryStatusStore(),
      mode,
      log: silent,
      endpoints: { dws: sim.url, dcs: sim.url },
    }),
    { client: table.client, table: table.table, ttlSeconds: 3600 },
  );

describe('makeIdempotentRunner', () => {
  it.each([
    ['a DWS failover (no body)', 'dws.dr.failover', { disaster_recovery_id: DR }],
    ['a DCS restore (a body)', 'dcs.restore', { instance_id: INSTANCE, backup_id: BACKUP }],
  ])('stores a dry-run outcome of %s and replays it to a duplicate', async (_what, action, params) => {
    // Prepare
    const request = parseActionRequest({ action, region: 'cn-north-4', project_id: PROJECT, params });
    const run = runner('dry-run').run;
    const job = { key: `dry-${action}`, request, attempt: 1 };
    // Act
    const first = await run(job);
    const again = await run({ ...job, attempt: 2 });
    // Assess
    expect(first).toMatchObject({ status: 'skipped', dryRun: { method: 'POST' } });
    expect(again).toMatchObject({ ...first, replayed: true });
    expect(sim.calls.filter((c) => c.method === 'POST')).toHaveLength(0);
  });

  it('makes one call for a key, and replays its stored outcome to a duplicate', async () => {
    // Prepare
    const request = parseActionRequest({
      action: 'dws.dr.failover',
      region: 'cn-north-4',
      project_id: PROJECT,
      params: { disaster_recovery_id: DR },
    });
    const run = runner('on').run;
    // Act
    const first = await run({ key: 'on-1', request, attempt: 1 });
    const again = await run({ key: 'on-1', request, attempt: 2 });
    // Assess
    expect(first).toEqual({ status: 'succeeded', remote: { disaster_recovery_id: DR } });
    expect(again).toEqual({ ...first, replayed: true });
    expect(sim.calls.filter((c) => c.route === 'dws.dr.failover')).toHaveLength(1);
  });
});
