import { describe, expect, it } from 'vitest';
import type { FaultRule } from '../../../tools/simulator/index.ts';
import { type Client, errorCode, PROJECT, type Reply, startTestSimulator } from './helpers.ts';

const DR = 'dr-0001';
const failover = `/v2/${PROJECT}/disaster-recovery/${DR}/failover`;
const show = `/v2/${PROJECT}/disaster-recovery/${DR}`;

const setup = async (options: { hangMs?: number; seed?: number } = {}) => {
  const started = await startTestSimulator(options);
  started.sim.seed.drPair(PROJECT, DR);
  started.sim.seed.drPair(PROJECT, 'dr-0002');
  started.sim.seed.dcsInstance(PROJECT, 'inst-1');
  return started;
};

/** The reply, or 'no answer' when the connection was dropped. */
const attempt = async (client: Client, method: string, path: string): Promise<Reply | 'no answer'> => {
  try {
    return await client(method, path);
  } catch {
    return 'no answer';
  }
};

describe('simulator fault injection', () => {
  it('status before: answers the fault, applies no effect', async () => {
    // Prepare
    const { sim, client } = await setup();
    sim.faults.add({ route: 'dws.dr.failover', kind: 'status', status: 503 });
    // Act
    const reply = await client('POST', failover);
    // Assess
    expect(reply.status).toBe(503);
    expect(reply.json).toEqual({
      error_code: 'APIG.0201',
      error_msg: 'Backend unavailable',
      request_id: reply.requestId,
    });
    expect(sim.drPair(PROJECT, DR)?.['status']).toBe('running');
    expect(sim.calls[0]).toMatchObject({ status: 503, fault: 'status:503:before', effectApplied: false });
  });

  it('status after: applies the effect, then answers the fault (the ambiguous case)', async () => {
    // Prepare
    const { sim, client } = await setup();
    sim.faults.add({ kind: 'status', status: 503, when: 'after' });
    // Act
    const reply = await client('POST', failover);
    // Assess
    expect(reply.status).toBe(503);
    expect(sim.drPair(PROJECT, DR)?.['status']).toBe('failovering');
    expect(sim.calls[0]).toMatchObject({
      status: 503,
      errorCode: 'APIG.0201',
      fault: 'status:503:after',
      effectApplied: true,
    });
  });

  it.each([
    [500, 'DWS.0005'],
    [502, 'APIG.0202'],
    [504, 'APIG.0203'],
  ])('status %i after: performs the failover, then answers %s', async (status, code) => {
    // Prepare
    const { sim, client } = await setup();
    sim.faults.add({ route: 'dws.dr.failover', kind: 'status', status, when: 'after' });
    // Act
    const reply = await client('POST', failover);
    // Assess
    expect(reply.status).toBe(status);
    expect(errorCode(reply)).toBe(code);
    expect(sim.drPair(PROJECT, DR)?.['status']).toBe('failovering');
    expect(sim.calls[0]).toMatchObject({
      status,
      errorCode: code,
      fault: `status:${status}:after`,
      effectApplied: true,
    });
  });

  it('status 500 after on CSBS and DCS: the restore runs, the answer is the service internal error', async () => {
    // Prepare
    const { sim, client } = await setup();
    sim.seed.csbsCheckpointItem(PROJECT, 'it-1', { checkpointId: 'cp-1', serverId: 'srv-1' });
    sim.seed.dcsInstance(PROJECT, 'inst-2');
    sim.faults.add({ route: ['csbs.restore', 'dcs.restore'], kind: 'status', status: 500, when: 'after' });
    // Act
    const csbs = await client('POST', `/v1/${PROJECT}/restores`, {
      body: {
        restore: {
          provider_id: 'fc4d5750-22e7-4798-8a46-f48f62c4c1da',
          checkpoint_id: 'cp-1',
          parameters: {
            checkpoint_item_id: 'it-1',
            power_on: true,
            targets: { server_id: 'srv-1', volumes: [{ backup_id: 'b-1', volume_id: 'v-1' }] },
          },
        },
      },
    });
    const dcsV2 = await client('POST', `/v2/${PROJECT}/instances/inst-1/restores`, {
      body: { backup_id: 'b' },
    });
    const dcsV1 = await client('POST', `/v1.0/${PROJECT}/instances/inst-2/restores`, {
      body: { backup_id: 'b' },
    });
    // Assess
    expect([csbs.status, errorCode(csbs)]).toEqual([500, 'CSBS.9999']);
    expect(sim.checkpointItem(PROJECT, 'it-1')?.['status']).toBe('restoring');
    expect([dcsV2.status, errorCode(dcsV2)]).toEqual([500, 'DCS.5092']);
    expect(dcsV2.json).toHaveProperty('error_ext_msg');
    expect(dcsV1.status).toBe(500);
    expect(dcsV1.json['error']).toMatchObject({ code: '111500092' });
    expect(sim.dcsRestores(PROJECT, 'inst-1')).toHaveLength(1);
    expect(sim.dcsRestores(PROJECT, 'inst-2')).toHaveLength(1);
    expect(sim.calls.map((c) => [c.errorCode, c.effectApplied])).toEqual([
      ['CSBS.9999', true],
      ['DCS.5092', true],
      ['111500092', true],
    ]);
  });

  it('status 500 before: no effect, the service internal error', async () => {
    // Prepare
    const { sim, client } = await setup();
    sim.faults.add({ route: 'dws.dr.failover', kind: 'status', status: 500 });
    // Act
    const reply = await client('POST', failover);
    // Assess
    expect([reply.status, errorCode(reply)]).toEqual([500, 'DWS.0005']);
    expect(sim.drPair(PROJECT, DR)?.['status']).toBe('running');
    expect(sim.calls[0]).toMatchObject({ fault: 'status:500:before', effectApplied: false });
  });

  it('status with a custom body, and the default 429 body', async () => {
    // Prepare
    const { sim, client } = await setup();
    sim.faults.add({
      kind: 'status',
      status: 500,
      body: { error_code: 'DWS.9999', error_msg: 'boom' },
      times: 1,
    });
    sim.faults.add({ kind: 'status', status: 429, times: 1 });
    // Act
    const custom = await client('GET', show);
    const throttled = await client('GET', show);
    // Assess
    expect(custom.json).toMatchObject({ error_code: 'DWS.9999', error_msg: 'boom' });
    expect(throttled.json).toMatchObject({ error_code: 'APIGW.0308', error_msg: 'The request is throttled' });
  });

  it.each([
    ['timeout', 'before', 'running', false],
    ['timeout', 'after', 'failovering', true],
    ['reset', 'before', 'running', false],
    ['reset', 'after', 'failovering', true],
  ] as const)('%s %s: no answer, DR %s', async (kind, when, status, effect) => {
    // Prepare
    const { sim, client } = await setup({ hangMs: 100 });
    sim.faults.add({ kind, when });
    const started = performance.now();
    // Act
    const reply = await attempt(client, 'POST', failover);
    const elapsed = performance.now() - started;
    // Assess
    expect(reply).toBe('no answer');
    if (kind === 'timeout') expect(elapsed).toBeGreaterThanOrEqual(90);
    expect(sim.drPair(PROJECT, DR)?.['status']).toBe(status);
    expect(sim.calls).toHaveLength(1);
    expect(sim.calls[0]).toMatchObject({ status: 0, fault: `${kind}:${when}`, effectApplied: effect });
  });

  it('close() releases a hung connection promptly', async () => {
    // Prepare
    const { sim, client } = await setup({ hangMs: 30_000 });
    sim.faults.add({ kind: 'timeout' });
    const pending = attempt(client, 'GET', show);
    while (sim.calls.length === 0) await new Promise((r) => setTimeout(r, 5));
    const started = performance.now();
    // Act
    await sim.close();
    // Assess
    expect(await pending).toBe('no answer');
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('latency: waits, then answers normally', async () => {
    // Prepare
    const { sim, client } = await setup();
    sim.faults.add({ kind: 'latency', latencyMs: 150 });
    const started = performance.now();
    // Act
    const reply = await client('POST', failover);
    // Assess
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(reply.status).toBe(200);
    expect(sim.calls[0]).toMatchObject({ fault: 'latency:150', effectApplied: true });
  });

  const pattern = async (seed: number): Promise<number[]> => {
    const { sim, client } = await setup({ seed });
    sim.faults.add({ kind: 'status', status: 503, rate: 0.5 });
    const statuses: number[] = [];
    for (let i = 0; i < 16; i++) statuses.push((await client('GET', show)).status);
    return statuses;
  };

  it('rate 0.5 with a seed gives a repeatable pattern', async () => {
    // Prepare, Act
    const first = await pattern(42);
    const again = await pattern(42);
    const other = await pattern(7);
    // Assess
    expect(again).toEqual(first);
    expect(first).toContain(503);
    expect(first).toContain(200);
    expect(other).not.toEqual(first);
  });

  it('times limits injections; removing a rule stops it; clear() removes all', async () => {
    // Prepare
    const { sim, client } = await setup();
    sim.faults.add({ kind: 'status', status: 500, times: 2 });
    // Act
    const limited = [];
    for (let i = 0; i < 3; i++) limited.push((await client('GET', show)).status);
    const remove = sim.faults.add({ kind: 'status', status: 400 });
    const withRule = (await client('GET', show)).status;
    remove();
    const removed = (await client('GET', show)).status;
    sim.faults.add({ kind: 'status', status: 400 });
    sim.faults.clear();
    const cleared = (await client('GET', show)).status;
    // Assess
    expect(limited).toEqual([500, 500, 200]);
    expect([withRule, removed, cleared]).toEqual([400, 200, 200]);
  });

  it('filters by route and by match', async () => {
    // Prepare
    const { sim, client } = await setup();
    const rules: FaultRule[] = [
      { route: ['dcs.restore', 'dws.dr.start'], kind: 'status', status: 500 },
      { kind: 'status', status: 503, match: (call) => call.resourceId === 'dr-0002' },
    ];
    for (const rule of rules) sim.faults.add(rule);
    // Act
    const dcs = await client('POST', `/v2/${PROJECT}/instances/inst-1/restores`, {
      body: { backup_id: 'b' },
    });
    const dr1 = await client('POST', failover);
    const dr2 = await client('POST', `/v2/${PROJECT}/disaster-recovery/dr-0002/failover`);
    // Assess
    expect([dcs.status, errorCode(dcs)]).toEqual([500, 'DCS.5092']);
    expect(dr1.status).toBe(200);
    expect(dr2.status).toBe(503);
    expect(sim.drPair(PROJECT, 'dr-0002')?.['status']).toBe('running');
  });

  it('never injects faults into unauthorized calls', async () => {
    // Prepare
    const { sim, client } = await setup();
    sim.faults.add({ kind: 'status', status: 503 });
    // Act
    const reply = await client('GET', show, { credentials: { ak: 'nobody', sk: 'x' } });
    // Assess
    expect(reply.status).toBe(401);
    expect(sim.calls[0]?.fault).toBeUndefined();
  });
});
