import { describe, expect, it } from 'vitest';
import { errorCode, OTHER_PROJECT, PROJECT, startTestSimulator } from './helpers.ts';

const DR = 'dr-0001';
const path = (op?: string, project = PROJECT) =>
  `/v2/${project}/disaster-recovery/${DR}${op ? `/${op}` : ''}`;

const setup = async (status?: string) => {
  const started = await startTestSimulator({ transitionMs: 1000 });
  started.sim.seed.drPair(PROJECT, DR, {
    ...(status ? { status } : {}),
    primaryClusterId: 'cluster-a',
    standbyClusterId: 'cluster-b',
  });
  return started;
};

describe('simulator DWS disaster recovery', () => {
  it.each([
    ['start', 'running'],
    ['failover', 'unstart'],
    ['failover', 'stopped'],
    ['failover', 'starting'],
    ['recovery', 'running'],
    ['recovery', 'stopped'], // stopped without a preceding failover
  ])('refuses %s when the DR is %s with 409 DWS.0011', async (op, status) => {
    // Prepare
    const { sim, client } = await setup(status);
    // Act
    const reply = await client('POST', path(op));
    // Assess
    expect(reply.status).toBe(409);
    expect(errorCode(reply)).toBe('DWS.0011');
    expect(reply.json['error_msg']).toBe(
      `The disaster recovery task is being operated or is abnormal. Current status: ${status}, operation ${op} is not allowed.`,
    );
    expect(sim.drPair(PROJECT, DR)?.['status']).toBe(status);
    expect(sim.calls[0]?.effectApplied).toBe(false);
  });

  it('starts: unstart -> starting -> running after transitionMs', async () => {
    // Prepare
    const { sim, client, clock } = await setup('unstart');
    // Act
    const reply = await client('POST', path('start'), { body: '{}' });
    const during = sim.drPair(PROJECT, DR)?.['status'];
    clock.advance(999);
    const almost = sim.drPair(PROJECT, DR)?.['status'];
    clock.advance(1);
    // Assess
    expect(reply).toMatchObject({ status: 200, json: { disaster_recovery: { id: DR } } });
    expect([during, almost]).toEqual(['starting', 'starting']);
    expect(sim.drPair(PROJECT, DR)?.['status']).toBe('running');
    expect(sim.calls[0]?.effectApplied).toBe(true);
  });

  it('fails over with roles swapped, refuses a second failover meanwhile, then recovers', async () => {
    // Prepare
    const { sim, client, clock } = await setup();
    // Act
    const failover = await client('POST', path('failover'));
    const second = await client('POST', path('failover'));
    clock.advance(1000);
    const shown = await client('GET', path());
    const recovery = await client('POST', path('recovery'));
    const recovering = sim.drPair(PROJECT, DR)?.['status'];
    clock.advance(1000);
    // Assess
    expect(failover.status).toBe(200);
    expect([second.status, errorCode(second)]).toEqual([409, 'DWS.0011']);
    expect(String(second.json['error_msg'])).toContain('Current status: failovering');
    expect(shown.json['disaster_recovery']).toMatchObject({
      id: DR,
      dr_type: 'az',
      status: 'stopped',
      primary_cluster: { id: 'cluster-b', role: 'primary', status: 'Available' },
      standby_cluster: { id: 'cluster-a', role: 'standby' },
    });
    expect(recovery.status).toBe(200);
    expect(recovering).toBe('recovering');
    expect(sim.drPair(PROJECT, DR)?.['status']).toBe('running');
    expect(sim.calls.map((c) => c.effectApplied)).toEqual([true, false, false, true]);
  });

  it('starts a stopped DR again', async () => {
    // Prepare
    const { sim, client, clock } = await setup('stopped');
    // Act
    const reply = await client('POST', path('start'));
    clock.advance(1000);
    // Assess
    expect(reply.status).toBe(200);
    expect(sim.drPair(PROJECT, DR)?.['status']).toBe('running');
  });

  it('shows the documented detail fields', async () => {
    // Prepare
    const { client } = await setup();
    // Act
    const reply = await client('GET', path());
    // Assess
    const detail = reply.json['disaster_recovery'] as Record<string, unknown>;
    expect(Object.keys(detail).sort()).toEqual(
      [
        'create_time',
        'dr_type',
        'id',
        'name',
        'primary_cluster',
        'standby_cluster',
        'start_time',
        'status',
      ].sort(),
    );
    expect(detail['primary_cluster']).toHaveProperty('last_success_time', '2024-01-01T00:00:00Z');
  });

  it('answers 403 DWS.0015 (not found or no permission) for an unknown DR, also one seeded in another project', async () => {
    // Prepare
    const { client } = await setup();
    // Act
    const unknown = await client('POST', `/v2/${PROJECT}/disaster-recovery/nope/failover`);
    const otherProject = await client('GET', path(undefined, OTHER_PROJECT));
    // Assess
    expect([unknown.status, errorCode(unknown)]).toEqual([403, 'DWS.0015']);
    expect([otherProject.status, errorCode(otherProject)]).toEqual([403, 'DWS.0015']);
  });
});
