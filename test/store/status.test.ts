/**
 * The DynamoDB status store in the state table, against a real (local) DynamoDB: how `set` merges
 * a change into the stored item, the failure timestamps, the TTL, `createQueued`'s once-only
 * creation, and reading items back through the schema. What every StatusStore must do, this one
 * included, is specified once in statusStore.contract.ts.
 */
import { type DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoStatusStore, type StatusRecord } from '../../lib/store/status.ts';
import { type LocalTable, startLocalTable } from '../fixtures/dynalite.ts';

const TABLE = 'dr-relay-test-state';
const TTL_SECONDS = 3_600;
const T1 = new Date('2026-11-23T17:00:00.000Z');
const T2 = new Date('2026-11-23T17:05:30.250Z');
const T3 = new Date('2026-11-23T18:00:00.999Z');
const TARGET = 'dws:89cd04f168b84af6be287f71730fdb4b/e59d6b86-9072-46eb-a996-13f8b44994c1';

let local: LocalTable;
let client: DynamoDBClient;
let ids = 0;

beforeAll(async () => {
  local = await startLocalTable(TABLE);
  client = local.client;
});
afterAll(async () => local?.stop());

/** A store whose clock the test moves by hand, and a request id no other test uses. */
const fixture = () => {
  const clock = { now: T1 };
  const store = new DynamoStatusStore({
    client,
    table: TABLE,
    ttlSeconds: TTL_SECONDS,
    now: () => clock.now,
  });
  ids += 1;
  return { store, clock, requestId: `status-test-${ids}` };
};

/** The item as DynamoDB holds it, without the schema in between. */
const rawItem = async (key: string): Promise<Record<string, unknown> | undefined> => {
  const { Item } = await client.send(
    new GetItemCommand({ TableName: TABLE, Key: { id: { S: key } }, ConsistentRead: true }),
  );
  return Item ? unmarshall(Item) : undefined;
};

const epochSeconds = (date: Date): number => Math.floor(date.getTime() / 1000);

describe('DynamoStatusStore.keyOf', () => {
  it.each([
    { requestId: 'failover-prod-1', id: 'req#failover-prod-1' },
    { requestId: 'sha256:8a7c00ff', id: 'req#sha256:8a7c00ff' },
  ])('keys $requestId as $id', ({ requestId, id }) => {
    // Act
    const key = DynamoStatusStore.keyOf(requestId);
    // Assess
    expect(key).toStrictEqual({ id: { S: id } });
  });
});

describe('DynamoStatusStore.begin', () => {
  it('starts a new attempt in one write and returns the record as it was', async () => {
    const { store, requestId } = fixture();
    const fresh = await store.begin(
      requestId,
      { status: 'in_progress', action: 'dcs.restore', attempts: 1 },
      { reopen: false },
    );
    await store.set(requestId, { status: 'failed', error: { kind: 'transient', message: '503' } });

    const again = await store.begin(
      requestId,
      { status: 'in_progress', action: 'dcs.restore', attempts: 2 },
      { reopen: false },
    );

    expect(fresh).toEqual({ started: true, prior: undefined });
    expect(again).toMatchObject({ started: true, prior: { status: 'failed', attempts: 1 } });
    expect(await store.get(requestId)).toMatchObject({ status: 'in_progress', attempts: 2 });
  });

  it('is refused while an earlier call is unconfirmed (call.state sending), changing nothing', async () => {
    const { store, requestId } = fixture();
    await store.set(requestId, {
      status: 'in_progress',
      action: 'dcs.restore',
      call: { state: 'sending', sent_at: T1.toISOString() },
    });

    const begun = await store.begin(requestId, { status: 'in_progress', attempts: 2 }, { reopen: true });

    expect(begun).toEqual({ started: false });
    expect((await store.get(requestId))?.call?.state).toBe('sending');
  });

  it('is refused for a dead-lettered request unless it is a redrive (reopen)', async () => {
    const { store, requestId } = fixture();
    await store.set(requestId, { status: 'dead_lettered', action: 'dcs.restore' });

    expect(await store.begin(requestId, { status: 'in_progress' }, { reopen: false })).toEqual({
      started: false,
    });
    expect(await store.begin(requestId, { status: 'in_progress' }, { reopen: true })).toMatchObject({
      started: true,
    });
  });
});

describe('DynamoStatusStore.set', () => {
  it('creates a readable record even when the first change names no action', async () => {
    const { store, requestId } = fixture();

    await store.set(requestId, { status: 'failed', attempts: 1, failure: true });

    expect(await store.get(requestId)).toMatchObject({ status: 'failed', action: 'unknown' });
  });

  it('creates the record under req#<id> with created_at = updated_at = now', async () => {
    // Prepare
    const { store, requestId } = fixture();
    // Act
    const stored = await store.set(requestId, {
      status: 'in_progress',
      action: 'dws.dr.failover',
      target: TARGET,
      attempts: 1,
    });
    // Assess
    const expected: StatusRecord = {
      request_id: requestId,
      action: 'dws.dr.failover',
      target: TARGET,
      status: 'in_progress',
      attempts: 1,
      created_at: T1.toISOString(),
      updated_at: T1.toISOString(),
    };
    expect(stored).toStrictEqual(expected);
    expect(await store.get(requestId)).toStrictEqual(expected);
    expect(await rawItem(`req#${requestId}`)).toMatchObject({
      id: `req#${requestId}`,
      status: 'in_progress',
    });
    expect(await rawItem(requestId)).toBeUndefined();
  });

  it('keeps created_at and every field the change does not name, and moves updated_at', async () => {
    // Prepare
    const { store, clock, requestId } = fixture();
    await store.set(requestId, {
      status: 'in_progress',
      action: 'dcs.restore',
      target: TARGET,
      attempts: 2,
      remote: { restore_id: 'r-1' },
      reason: 'first reason',
    });
    clock.now = T2;
    // Act
    const stored = await store.set(requestId, { status: 'succeeded' });
    // Assess
    const expected: StatusRecord = {
      request_id: requestId,
      action: 'dcs.restore',
      target: TARGET,
      status: 'succeeded',
      attempts: 2,
      remote: { restore_id: 'r-1' },
      reason: 'first reason',
      created_at: T1.toISOString(),
      updated_at: T2.toISOString(),
    };
    expect(stored).toStrictEqual(expected);
    expect(await store.get(requestId)).toStrictEqual(expected);
  });

  it('leaves a field alone when the change carries it as undefined', async () => {
    // Prepare
    const { store, clock, requestId } = fixture();
    await store.set(requestId, { status: 'failed', action: 'csbs.restore', reason: 'kept', attempts: 3 });
    clock.now = T2;
    // Act
    const stored = await store.set(requestId, {
      status: 'in_progress',
      reason: undefined,
      attempts: undefined,
    });
    // Assess
    expect(stored.reason).toBe('kept');
    expect(stored.attempts).toBe(3);
    expect(stored.status).toBe('in_progress');
  });

  it('writes nested call and error objects and the remote map, and reads them back through get', async () => {
    // Prepare
    const { store, requestId } = fixture();
    const change = {
      status: 'failed',
      action: 'dws.dr.failover',
      attempts: 4,
      remote: { disaster_recovery_id: 'e59d6b86-9072-46eb-a996-13f8b44994c1', job_id: 'job-7' },
      error: {
        kind: 'transient',
        message: 'POST /v2/…/failover -> 503 APIGW.0503: Service unavailable',
        http_status: 503,
        error_code: 'APIGW.0503',
        error_msg: 'Service unavailable',
        huawei_request_id: 'hw-req-1',
      },
      call: {
        state: 'sending',
        sent_at: T1.toISOString(),
        before: JSON.stringify({ status: 'running', primary: 'cluster-a' }),
      },
    } as const;
    // Act
    await store.set(requestId, change);
    // Assess
    const record = await store.get(requestId);
    expect(record?.remote).toStrictEqual(change.remote);
    expect(record?.error).toStrictEqual(change.error);
    expect(record?.call).toStrictEqual(change.call);
    const raw = await rawItem(`req#${requestId}`);
    expect(raw?.['error']).toMatchObject({ http_status: 503 });
    expect(raw?.['call']).toMatchObject({ state: 'sending' });
  });

  it('replaces call and remote as a whole, and drops a call field given as undefined', async () => {
    // Prepare
    const { store, clock, requestId } = fixture();
    await store.set(requestId, {
      status: 'in_progress',
      action: 'dws.dr.failover',
      remote: { a: '1', b: '2' },
      call: { state: 'sending', sent_at: T1.toISOString(), before: '{"status":"running"}' },
    });
    clock.now = T2;
    // Act
    await store.set(requestId, {
      status: 'succeeded',
      remote: { c: '3' },
      call: { state: 'answered', sent_at: T1.toISOString(), before: undefined },
    });
    // Assess
    const record = await store.get(requestId);
    expect(record?.remote).toStrictEqual({ c: '3' });
    expect(record?.call).toStrictEqual({ state: 'answered', sent_at: T1.toISOString() });
  });

  it('sets first_failure_at once and moves last_failure_at on each failure', async () => {
    // Prepare
    const { store, clock, requestId } = fixture();
    const first = await store.set(requestId, {
      status: 'failed',
      action: 'dcs.restore',
      attempts: 1,
      failure: true,
    });
    clock.now = T2;
    // Act
    const second = await store.set(requestId, { status: 'failed', attempts: 2, failure: true });
    clock.now = T3;
    const succeeded = await store.set(requestId, { status: 'succeeded' });
    // Assess
    expect([first.first_failure_at, first.last_failure_at]).toStrictEqual([
      T1.toISOString(),
      T1.toISOString(),
    ]);
    expect([second.first_failure_at, second.last_failure_at]).toStrictEqual([
      T1.toISOString(),
      T2.toISOString(),
    ]);
    expect([succeeded.first_failure_at, succeeded.last_failure_at]).toStrictEqual([
      T1.toISOString(),
      T2.toISOString(),
    ]);
    expect(succeeded.updated_at).toBe(T3.toISOString());
  });

  it('does not write failure timestamps, nor a failure field, without failure: true', async () => {
    // Prepare
    const { store, requestId } = fixture();
    // Act
    const stored = await store.set(requestId, { status: 'failed', action: 'dcs.restore', failure: false });
    // Assess
    expect(stored.first_failure_at).toBeUndefined();
    expect(stored.last_failure_at).toBeUndefined();
    const raw = await rawItem(`req#${requestId}`);
    expect(raw).not.toHaveProperty('failure');
    expect(raw).not.toHaveProperty('first_failure_at');
  });

  it('sets expiration to now + ttlSeconds (epoch seconds) and moves it on each change', async () => {
    // Prepare
    const { store, clock, requestId } = fixture();
    await store.set(requestId, { status: 'in_progress', action: 'dws.dr.start' });
    const first = await rawItem(`req#${requestId}`);
    clock.now = T2;
    // Act
    await store.set(requestId, { status: 'succeeded' });
    // Assess
    const second = await rawItem(`req#${requestId}`);
    expect(first?.['expiration']).toBe(epochSeconds(T1) + TTL_SECONDS);
    expect(second?.['expiration']).toBe(epochSeconds(T2) + TTL_SECONDS);
  });
});

describe('DynamoStatusStore.createQueued', () => {
  it('creates a queued record with no attempts, and answers true', async () => {
    // Prepare
    const { store, requestId } = fixture();
    // Act
    const created = await store.createQueued(requestId, 'csbs.restore', TARGET);
    // Assess
    expect(created).toBe(true);
    const expected: StatusRecord = {
      request_id: requestId,
      action: 'csbs.restore',
      target: TARGET,
      status: 'queued',
      attempts: 0,
      created_at: T1.toISOString(),
      updated_at: T1.toISOString(),
    };
    expect(await store.get(requestId)).toStrictEqual(expected);
    expect(await rawItem(`req#${requestId}`)).toMatchObject({
      id: `req#${requestId}`,
      expiration: epochSeconds(T1) + TTL_SECONDS,
    });
  });

  it('answers false and changes nothing the second time', async () => {
    // Prepare
    const { store, clock, requestId } = fixture();
    await store.createQueued(requestId, 'csbs.restore', TARGET);
    const before = await rawItem(`req#${requestId}`);
    clock.now = T2;
    // Act
    const created = await store.createQueued(requestId, 'dcs.restore', 'dcs:other');
    // Assess
    expect(created).toBe(false);
    expect(await rawItem(`req#${requestId}`)).toStrictEqual(before);
  });

  it('answers false and leaves a record that set already wrote', async () => {
    // Prepare
    const { store, clock, requestId } = fixture();
    const written = await store.set(requestId, {
      status: 'succeeded',
      action: 'dws.dr.failover',
      attempts: 1,
    });
    clock.now = T2;
    // Act
    const created = await store.createQueued(requestId, 'dws.dr.failover', TARGET);
    // Assess
    expect(created).toBe(false);
    expect(await store.get(requestId)).toStrictEqual(written);
  });

  it('lets a later set keep its created_at', async () => {
    // Prepare
    const { store, clock, requestId } = fixture();
    await store.createQueued(requestId, 'dcs.restore', TARGET);
    clock.now = T2;
    // Act
    const stored = await store.set(requestId, { status: 'in_progress', attempts: 1 });
    // Assess
    expect(stored).toMatchObject({
      status: 'in_progress',
      action: 'dcs.restore',
      target: TARGET,
      attempts: 1,
      created_at: T1.toISOString(),
      updated_at: T2.toISOString(),
    });
  });
});

describe('DynamoStatusStore.get', () => {
  it('answers undefined for an id it never stored', async () => {
    // Prepare
    const { store } = fixture();
    // Act
    const record = await store.get('never-stored');
    // Assess
    expect(record).toBeUndefined();
  });

  it('reads only req#<id>: an item keyed by the bare id is not its status record', async () => {
    // Prepare
    const { store, requestId } = fixture();
    await client.send(
      new PutItemCommand({
        TableName: TABLE,
        Item: marshall({
          id: requestId,
          request_id: requestId,
          action: 'dcs.restore',
          status: 'succeeded',
          created_at: T1.toISOString(),
          updated_at: T1.toISOString(),
        }),
      }),
    );
    // Act
    const record = await store.get(requestId);
    // Assess
    expect(record).toBeUndefined();
  });
});
