/**
 * Idempotency-Key: the header's syntax, the request fingerprint, and the key store on a real
 * DynamoDB (dynalite): first use, replay, in progress, reuse with another request, abandon, races.
 */
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  IdempotencyKeyStore,
  parseIdempotencyKey,
  requestFingerprint,
  type StoredResponse,
} from '../../lib/store/idempotencyKeys.ts';
import { type LocalTable, startLocalTable } from '../fixtures/dynalite.ts';

describe('parseIdempotencyKey', () => {
  it.each([
    ['an sf-string', '"8e03978e-40d5-43e8-bc93-6894a57f9324"', '8e03978e-40d5-43e8-bc93-6894a57f9324'],
    ['a bare token', 'ticket-CHG0042137', 'ticket-CHG0042137'],
    ['an sf-string with spaces and punctuation', '"order 42: retry #1"', 'order 42: retry #1'],
    ['an sf-string with escapes', '"a\\"b\\\\c"', 'a"b\\c'],
    ['surrounding whitespace', '  "abc"  ', 'abc'],
    ['255 characters', `"${'k'.repeat(255)}"`, 'k'.repeat(255)],
  ])('accepts %s', (_case, header, key) => {
    expect(parseIdempotencyKey(header)).toEqual({ ok: true, key });
  });

  it.each([
    ['an empty value', ''],
    ['an empty sf-string', '""'],
    ['256 characters', `"${'k'.repeat(256)}"`],
    ['256 characters, bare', 'k'.repeat(256)],
    ['an unterminated string', '"abc'],
    ['a stray quote', 'ab"c'],
    ['an unknown escape', '"a\\nb"'],
    ['a bare value with a space', 'a b'],
    ['two headers folded into one', '"a", "b"'],
    ['two bare values folded into one', 'a,b'],
    ['non-ASCII', '"clé"'],
    ['a control character', '"a\tb"'],
  ])('refuses %s', (_case, header) => {
    const parsed = parseIdempotencyKey(header);

    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.message).toMatch(/Idempotency-Key/);
  });
});

describe('requestFingerprint', () => {
  it('is a sha256 that changes with the method, the path and the body', () => {
    const base = requestFingerprint('POST', '/v1/requests', '{"a":1}');

    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(requestFingerprint('post', '/v1/requests', '{"a":1}')).toBe(base);
    expect(requestFingerprint('PUT', '/v1/requests', '{"a":1}')).not.toBe(base);
    expect(requestFingerprint('POST', '/v1/other', '{"a":1}')).not.toBe(base);
    expect(requestFingerprint('POST', '/v1/requests', '{"a":2}')).not.toBe(base);
    expect(requestFingerprint('POST', '/v1/requests', '{"a":1} ')).not.toBe(base);
  });
});

describe('IdempotencyKeyStore (dynalite)', () => {
  const TTL = 86_400;
  let local: LocalTable;
  let clock = new Date('2026-11-23T10:00:00Z');
  const store = (options: { leaseSeconds?: number } = {}) =>
    new IdempotencyKeyStore({
      client: local.client,
      table: local.table,
      ttlSeconds: TTL,
      now: () => clock,
      ...options,
    });
  const A = requestFingerprint('POST', '/v1/requests', '{"n":1}');
  const B = requestFingerprint('POST', '/v1/requests', '{"n":2}');
  const RESPONSE: StoredResponse = {
    statusCode: 202,
    headers: { 'content-type': 'application/json', location: '/v1/requests/r-1' },
    body: '{"request_id":"r-1","status":"queued"}',
  };
  const rawItem = async (key: string) => {
    const { Item } = await local.client.send(
      new GetItemCommand({ TableName: local.table, Key: { id: { S: `idem#${key}` } }, ConsistentRead: true }),
    );
    return Item ? unmarshall(Item) : undefined;
  };

  beforeAll(async () => {
    local = await startLocalTable('idempotency-keys-test');
  });
  afterAll(async () => {
    await local.stop();
  });

  it('claims a new key as idem#<key>, in progress, expiring after the TTL', async () => {
    // Act
    const begun = await store().begin('k-new', A);

    // Assess
    expect(begun).toEqual({ kind: 'new' });
    expect(await rawItem('k-new')).toMatchObject({
      id: 'idem#k-new',
      fingerprint: A,
      state: 'in_progress',
      expiration: Math.floor(clock.getTime() / 1000) + TTL,
    });
  });

  it('answers in_progress for the same request while the first is being handled', async () => {
    await store().begin('k-busy', A);

    expect(await store().begin('k-busy', A)).toEqual({ kind: 'in_progress' });
  });

  it('answers mismatch for another request with the key, in progress or done', async () => {
    await store().begin('k-mismatch-1', A);
    await store().begin('k-mismatch-2', A);
    await store().complete('k-mismatch-2', RESPONSE);

    expect(await store().begin('k-mismatch-1', B)).toEqual({ kind: 'mismatch' });
    expect(await store().begin('k-mismatch-2', B)).toEqual({ kind: 'mismatch' });
  });

  it('replays the stored answer, exactly, once the key is complete', async () => {
    // Prepare
    await store().begin('k-done', A);

    // Act
    await store().complete('k-done', RESPONSE);
    const again = await store().begin('k-done', A);

    // Assess
    expect(again).toEqual({ kind: 'replay', response: RESPONSE });
    expect(await rawItem('k-done')).toMatchObject({ state: 'done' });
  });

  it('forgets an abandoned key, so the same request may be retried with it', async () => {
    await store().begin('k-abandon', A);

    await store().abandon('k-abandon');

    expect(await rawItem('k-abandon')).toBeUndefined();
    expect(await store().begin('k-abandon', A)).toEqual({ kind: 'new' });
  });

  it('does not forget a completed key when abandoned, nor fail for an unknown one', async () => {
    await store().begin('k-kept', A);
    await store().complete('k-kept', RESPONSE);

    await store().abandon('k-kept');
    await store().abandon('k-never-used');

    expect(await store().begin('k-kept', A)).toEqual({ kind: 'replay', response: RESPONSE });
  });

  it('gives exactly one of 20 concurrent begins with one key the key', async () => {
    // Act
    const results = await Promise.all(Array.from({ length: 20 }, () => store().begin('k-race', A)));

    // Assess
    expect(results.filter((r) => r.kind === 'new')).toHaveLength(1);
    expect(results.filter((r) => r.kind === 'in_progress')).toHaveLength(19);
  });

  it('treats a key past its TTL (not yet swept by DynamoDB) as new', async () => {
    await store().begin('k-expired', A);
    await store().complete('k-expired', RESPONSE);
    clock = new Date(clock.getTime() + (TTL + 1) * 1000);

    expect(await store().begin('k-expired', B)).toEqual({ kind: 'new' });
  });

  it('lets the same request take over a key left in progress past its lease (a crashed invocation), not another one', async () => {
    await store({ leaseSeconds: 60 }).begin('k-lease', A);
    expect(await store({ leaseSeconds: 60 }).begin('k-lease', A)).toEqual({ kind: 'in_progress' });
    clock = new Date(clock.getTime() + 61_000);

    expect(await store({ leaseSeconds: 60 }).begin('k-lease', B)).toEqual({ kind: 'mismatch' });
    expect(await store({ leaseSeconds: 60 }).begin('k-lease', A)).toEqual({ kind: 'new' });
  });
});
