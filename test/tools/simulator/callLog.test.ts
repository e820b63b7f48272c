import { describe, expect, it } from 'vitest';
import { PROJECT, startTestSimulator, T0 } from './helpers.ts';

describe('simulator call log', () => {
  it('records one entry per call with every field', async () => {
    // Prepare
    const { sim, client, clock } = await startTestSimulator();
    sim.seed.dcsInstance(PROJECT, 'inst-1');
    const body = { backup_id: 'bk-1', remark: 'auto' };
    // Act
    const restore = await client('POST', `/v1.0/${PROJECT}/instances/inst-1/restores`, { body });
    clock.advance(5);
    const list = await client('GET', `/v1.0/${PROJECT}/instances/inst-1/restores?start=1&limit=10`);
    const unknown = await client('DELETE', `/v1.0/${PROJECT}/instances/inst-1`);
    // Assess
    expect(sim.calls).toEqual([
      {
        seq: 1,
        at: T0,
        method: 'POST',
        path: `/v1.0/${PROJECT}/instances/inst-1/restores`,
        route: 'dcs.restore',
        projectId: PROJECT,
        resourceId: 'inst-1',
        body,
        status: 200,
        effectApplied: true,
        requestId: restore.requestId,
        authorized: true,
      },
      {
        seq: 2,
        at: T0 + 5,
        method: 'GET',
        path: `/v1.0/${PROJECT}/instances/inst-1/restores?start=1&limit=10`,
        route: 'dcs.restores.list',
        projectId: PROJECT,
        resourceId: 'inst-1',
        status: 200,
        effectApplied: false,
        requestId: list.requestId,
        authorized: true,
      },
      {
        seq: 3,
        at: T0 + 5,
        method: 'DELETE',
        path: `/v1.0/${PROJECT}/instances/inst-1`,
        route: 'unknown',
        status: 404,
        errorCode: 'APIG.0101',
        effectApplied: false,
        requestId: unknown.requestId,
        authorized: true,
      },
    ]);
  });

  it('gives every call a distinct request id', async () => {
    // Prepare
    const { sim, client } = await startTestSimulator();
    // Act
    for (let i = 0; i < 3; i++) await client('GET', `/v2/${PROJECT}/instances/none`);
    // Assess
    expect(new Set(sim.calls.map((c) => c.requestId)).size).toBe(3);
    expect(sim.calls.map((c) => c.errorCode)).toEqual(['DCS.3022', 'DCS.3022', 'DCS.3022']);
  });
});
