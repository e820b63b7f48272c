/**
 * Per-target cooldown on a real DynamoDB (dynalite): one holder per target per window, atomically,
 * even when many requests race for it.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CooldownStore } from '../../lib/store/cooldowns.ts';
import { type LocalTable, startLocalTable } from '../fixtures/dynalite.ts';

const TABLE = 'cooldown-test';
let local: LocalTable;
let client: DynamoDBClient;
let clock = new Date('2026-11-23T10:00:00Z');
const store = () => new CooldownStore({ client, table: TABLE, now: () => clock });

beforeAll(async () => {
  local = await startLocalTable(TABLE);
  client = local.client;
});
afterAll(async () => local?.stop());

describe('cooldown claims', () => {
  it('grants a free target and refuses another holder until the window ends, naming the holder', async () => {
    const first = await store().claim('dws:p/dr-1', 'alarm:a:1', 3600, 'route-a');
    const second = await store().claim('dws:p/dr-1', 'alarm:b:2', 3600, 'route-b');

    expect(first).toEqual({ granted: true, until: '2026-11-23T11:00:00.000Z' });
    expect(second).toEqual({
      granted: false,
      holder: 'alarm:a:1',
      route: 'route-a',
      until: '2026-11-23T11:00:00.000Z',
    });
  });

  it('says who holds a target while its claim runs, and no one once it has run out or was never made', async () => {
    await store().claim('dws:p/dr-held', 'alarm:a:9', 60, 'route-a');

    const during = await store().holder('dws:p/dr-held');
    const never = await store().holder('dws:p/dr-never');
    clock = new Date(clock.getTime() + 61_000);
    const after = await store().holder('dws:p/dr-held');

    expect(during).toBe('alarm:a:9');
    expect(never).toBeUndefined();
    expect(after).toBeUndefined();
  });

  it('grants the same holder again (its own retries keep the claim)', async () => {
    await store().claim('dws:p/dr-2', 'alarm:a:1', 3600);

    expect((await store().claim('dws:p/dr-2', 'alarm:a:1', 3600)).granted).toBe(true);
  });

  it('grants another holder once the window has passed', async () => {
    await store().claim('dws:p/dr-3', 'alarm:a:1', 60);
    clock = new Date(clock.getTime() + 61_000);

    expect((await store().claim('dws:p/dr-3', 'alarm:b:2', 60)).granted).toBe(true);
  });

  it('refuses a 0-second claim (a route without cooldown) while another route holds the target', async () => {
    await store().claim('dws:p/dr-0', 'alarm:a:1', 3600, 'route-a');

    expect(await store().claim('dws:p/dr-0', 'alarm:b:2', 0, 'route-b')).toMatchObject({
      granted: false,
      holder: 'alarm:a:1',
      route: 'route-a',
    });
  });

  it('lets a 0-second claim act on a free target without holding it afterwards', async () => {
    expect((await store().claim('dws:p/dr-00', 'alarm:a:1', 0)).granted).toBe(true);

    expect((await store().claim('dws:p/dr-00', 'alarm:b:2', 3600)).granted).toBe(true);
  });

  it('keeps targets apart', async () => {
    await store().claim('dws:p/dr-4', 'alarm:a:1', 3600);

    expect((await store().claim('dws:p/dr-5', 'alarm:b:2', 3600)).granted).toBe(true);
  });

  it('is given back only by its holder', async () => {
    await store().claim('dws:p/dr-6', 'alarm:a:1', 3600);
    await store().release('dws:p/dr-6', 'alarm:b:2');
    expect((await store().claim('dws:p/dr-6', 'alarm:b:2', 3600)).granted).toBe(false);

    await store().release('dws:p/dr-6', 'alarm:a:1');
    expect((await store().claim('dws:p/dr-6', 'alarm:b:2', 3600)).granted).toBe(true);
  });

  it('gives exactly one of 20 concurrent claimants the target', async () => {
    const claims = await Promise.all(
      Array.from({ length: 20 }, (_, i) => store().claim('dws:p/dr-race', `alarm:r:${i}`, 3600)),
    );

    expect(claims.filter((c) => c.granted)).toHaveLength(1);
  });
});
