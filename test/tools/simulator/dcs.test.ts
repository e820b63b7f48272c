import { describe, expect, it } from 'vitest';
import { errorCode, PROJECT, startTestSimulator } from './helpers.ts';

const restores = (instance: string, version = 'v1.0') =>
  `/${version}/${PROJECT}/instances/${instance}/restores`;

const setup = async () => {
  const started = await startTestSimulator({ restoreMs: 2000 });
  started.sim.seed.dcsInstance(PROJECT, 'inst-ha');
  started.sim.seed.dcsInstance(PROJECT, 'inst-single', { mode: 'single' });
  return started;
};

describe('simulator DCS restore', () => {
  it('restores: record restoring then succeed, instance RESTORING then RUNNING', async () => {
    // Prepare
    const { sim, client, clock } = await setup();
    // Act
    const reply = await client('POST', restores('inst-ha'), { body: { backup_id: 'bk-1', remark: 'auto' } });
    const instanceDuring = await client('GET', `/v2/${PROJECT}/instances/inst-ha`);
    const recordsDuring = sim.dcsRestores(PROJECT, 'inst-ha');
    clock.advance(2000);
    const instanceAfter = await client('GET', `/v2/${PROJECT}/instances/inst-ha`);
    // Assess
    expect(reply.status).toBe(200);
    expect(reply.json['restore_id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(instanceDuring.json).toMatchObject({ instance_id: 'inst-ha', status: 'RESTORING' });
    expect(recordsDuring).toEqual([
      expect.objectContaining({
        restore_id: reply.json['restore_id'],
        backup_id: 'bk-1',
        remark: 'auto',
        status: 'restoring',
        progress: '0.00',
        error_code: null,
        created_at: '2024-01-01T00:00:00.000Z',
      }),
    ]);
    expect(instanceAfter.json['status']).toBe('RUNNING');
    expect(sim.dcsRestores(PROJECT, 'inst-ha')[0]).toMatchObject({ status: 'succeed', progress: '100.00' });
  });

  it('refuses single-node instances with DCS.4916', async () => {
    // Prepare
    const { sim, client } = await setup();
    // Act
    const reply = await client('POST', restores('inst-single'), { body: { backup_id: 'bk-1' } });
    // Assess
    expect(reply.status).toBe(400);
    expect(reply.json).toMatchObject({ error_code: 'DCS.4916', error_ext_msg: '' });
    expect(sim.dcsRestores(PROJECT, 'inst-single')).toEqual([]);
  });

  it('refuses a concurrent restore with DCS.4113', async () => {
    // Prepare
    const { sim, client } = await setup();
    await client('POST', restores('inst-ha'), { body: { backup_id: 'bk-1' } });
    // Act
    const reply = await client('POST', restores('inst-ha', 'v2'), { body: { backup_id: 'bk-2' } });
    // Assess
    expect([reply.status, errorCode(reply)]).toEqual([400, 'DCS.4113']);
    expect(sim.dcsRestores(PROJECT, 'inst-ha')).toHaveLength(1);
  });

  it('lists records newest first and honours start/limit', async () => {
    // Prepare
    const { client, clock } = await setup();
    for (const backup of ['bk-1', 'bk-2', 'bk-3']) {
      await client('POST', restores('inst-ha'), { body: { backup_id: backup } });
      clock.advance(2000);
    }
    // Act
    const all = await client('GET', `${restores('inst-ha')}?start=1&limit=10`);
    const page = await client('GET', `${restores('inst-ha')}?start=2&limit=1`);
    // Assess
    const backups = (reply: typeof all) =>
      (reply.json['restore_record_response'] as Record<string, unknown>[]).map((r) => [
        r['backup_id'],
        r['status'],
      ]);
    expect(backups(all)).toEqual([
      ['bk-3', 'succeed'],
      ['bk-2', 'succeed'],
      ['bk-1', 'succeed'],
    ]);
    expect(all.json['total_num']).toBe(3);
    expect(backups(page)).toEqual([['bk-2', 'succeed']]);
    expect(page.json['total_num']).toBe(3);
  });

  it('serves the restore under /v2/ too', async () => {
    // Prepare
    const { sim, client } = await setup();
    // Act
    const reply = await client('POST', restores('inst-ha', 'v2'), { body: { backup_id: 'bk-9' } });
    // Assess
    expect(reply.status).toBe(200);
    expect(sim.calls[0]?.route).toBe('dcs.restore');
    expect(sim.dcsRestores(PROJECT, 'inst-ha')[0]?.['backup_id']).toBe('bk-9');
  });

  it('refuses a missing backup_id (DCS.4800) and an unknown instance (DCS.4204)', async () => {
    // Prepare
    const { client } = await setup();
    // Act
    const noBackup = await client('POST', restores('inst-ha'), { body: { remark: 'x' } });
    const unknown = await client('POST', restores('nope'), { body: { backup_id: 'bk-1' } });
    // Assess
    expect([noBackup.status, errorCode(noBackup)]).toEqual([400, 'DCS.4800']);
    expect(unknown.status).toBe(404);
    expect(unknown.json).toMatchObject({
      error_code: 'DCS.4204',
      error_msg: 'The instance does not exist.',
      error_ext_msg: '',
    });
  });
});
