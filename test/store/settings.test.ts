/**
 * The automation mode an operator sets at run time (`dr-relay mode`), on a real DynamoDB (dynalite),
 * and how a function reads it: at most every 30 s, never silently back to `on`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modeReader, SettingsStore } from '../../lib/store/settings.ts';
import { type LocalTable, startLocalTable } from '../fixtures/dynalite.ts';

const TABLE = 'settings-test';
let local: LocalTable;

beforeAll(async () => {
  local = await startLocalTable(TABLE);
});
afterAll(async () => local?.stop());

describe('SettingsStore', () => {
  it('has no mode until one is set, then the last one set, with when and by whom', async () => {
    // Prepare
    const store = new SettingsStore({
      client: local.client,
      table: TABLE,
      now: () => new Date('2026-12-07T10:00:00Z'),
    });
    // Act
    const before = await store.mode();
    await store.setMode('off', 'alice');
    await store.setMode('dry-run');
    // Assess
    expect(before).toBeUndefined();
    expect(await store.mode()).toEqual({ mode: 'dry-run', updated_at: '2026-12-07T10:00:00.000Z' });
  });
});

describe('modeReader', () => {
  const fakeStore = (modes: (string | Error | undefined)[]) => {
    let reads = 0;
    return {
      reads: () => reads,
      mode: async () => {
        const next = modes[Math.min(reads++, modes.length - 1)];
        if (next instanceof Error) throw next;
        return next === undefined ? undefined : { mode: next as 'on', updated_at: 'x' };
      },
    };
  };

  it('reads the store at most once per max age, then again', async () => {
    // Prepare
    let clock = 0;
    const store = fakeStore(['off', 'on']);
    const read = modeReader(store, 'on', { maxAgeMs: 30_000, now: () => clock });
    // Act
    const first = await read();
    clock = 29_999;
    const cached = await read();
    clock = 30_000;
    const fresh = await read();
    // Assess
    expect([first, cached, fresh]).toEqual(['off', 'off', 'on']);
    expect(store.reads()).toBe(2);
  });

  it('uses the deployment default while no mode is stored', async () => {
    expect(await modeReader(fakeStore([undefined]), 'dry-run')()).toBe('dry-run');
  });

  it('keeps the last known mode when a read fails (never silently back to on)', async () => {
    // Prepare
    let clock = 0;
    const read = modeReader(fakeStore(['off', new Error('throttled')]), 'on', {
      maxAgeMs: 10,
      now: () => clock,
    });
    // Act
    await read();
    clock = 100;
    // Assess
    expect(await read()).toBe('off');
  });
});
