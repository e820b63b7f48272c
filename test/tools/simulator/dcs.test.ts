import { describe, expect, it } from 'vitest';
import type { SimulatorOptions } from '../../../tools/simulator/index.ts';
import { errorCode, PROJECT, type Reply, startTestSimulator, T0 } from './helpers.ts';

const restores = (instance: string, version: 'v2' | 'v1.0' = 'v2') =>
  `/${version}/${PROJECT}/instances/${instance}/restores`;

const setup = async (options: Partial<SimulatorOptions> = {}) => {
  const started = await startTestSimulator({ restoreMs: 2000, ...options });
  started.sim.seed.dcsInstance(PROJECT, 'inst-ha');
  started.sim.seed.dcsInstance(PROJECT, 'inst-cluster', { mode: 'cluster' });
  started.sim.seed.dcsInstance(PROJECT, 'inst-single', { mode: 'single' });
  return started;
};

const records = (reply: Reply) => reply.json['restore_record_response'] as Record<string, unknown>[];
const backups = (reply: Reply) => records(reply).map((r) => r['backup_id']);

describe('simulator DCS restore', () => {
  it.each(['v2', 'v1.0'] as const)(
    'restores under /%s: record waiting -> restoring -> succeed, instance RESTORING then RUNNING',
    async (version) => {
      // Prepare
      const { sim, client, clock } = await setup();
      // Act
      const reply = await client('POST', restores('inst-ha', version), {
        body: { backup_id: 'bk-1', remark: 'auto' },
      });
      const instanceDuring = await client('GET', `/v2/${PROJECT}/instances/inst-ha`);
      const waiting = sim.dcsRestores(PROJECT, 'inst-ha');
      clock.advance(1000);
      const restoring = sim.dcsRestores(PROJECT, 'inst-ha');
      clock.advance(1000);
      const instanceAfter = await client('GET', `/v2/${PROJECT}/instances/inst-ha`);
      // Assess
      expect(reply.status).toBe(200);
      expect(reply.json).toEqual({ restore_id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
      expect(sim.calls[0]).toMatchObject({ route: 'dcs.restore', effectApplied: true });
      expect(instanceDuring.json).toMatchObject({ instance_id: 'inst-ha', status: 'RESTORING' });
      expect(waiting).toEqual([
        expect.objectContaining({
          restore_id: reply.json['restore_id'],
          backup_id: 'bk-1',
          restore_remark: 'auto',
          status: 'waiting',
          progress: '0.00',
          error_code: null,
          created_at: '2024-01-01T00:00:00.000Z',
        }),
      ]);
      expect(restoring[0]).toMatchObject({ status: 'restoring', progress: '33.33' });
      expect(instanceAfter.json['status']).toBe('RUNNING');
      expect(sim.dcsRestores(PROJECT, 'inst-ha')[0]).toMatchObject({
        status: 'succeed',
        progress: '100.00',
        error_code: null,
        updated_at: '2024-01-01T00:00:02.000Z',
      });
    },
  );

  it('restores cluster instances too', async () => {
    // Prepare
    const { client } = await setup();
    // Act
    const reply = await client('POST', restores('inst-cluster'), { body: { backup_id: 'bk-1' } });
    // Assess
    expect(reply.status).toBe(200);
  });

  it('ends a restore failed, with the record error_code, on an instance seeded to fail', async () => {
    // Prepare
    const { sim, client, clock } = await setup();
    sim.seed.dcsInstance(PROJECT, 'inst-bad', { restoreFails: 'dcs.08.0007' });
    sim.seed.dcsInstance(PROJECT, 'inst-bad-default', { restoreFails: true });
    await client('POST', restores('inst-bad'), { body: { backup_id: 'bk-1' } });
    await client('POST', restores('inst-bad-default'), { body: { backup_id: 'bk-1' } });
    // Act
    clock.advance(2000);
    const list = await client('GET', `${restores('inst-bad')}?offset=0&limit=10`);
    const instance = await client('GET', `/v2/${PROJECT}/instances/inst-bad`);
    // Assess
    expect(records(list)).toEqual([
      expect.objectContaining({ backup_id: 'bk-1', status: 'failed', error_code: 'dcs.08.0007' }),
    ]);
    expect(sim.dcsRestores(PROJECT, 'inst-bad-default')[0]).toMatchObject({
      status: 'failed',
      error_code: 'dcs.08.0002',
    });
    expect(instance.json['status']).toBe('RUNNING');
  });

  it("takes an instance's own restoreMs; Infinity: the restore never ends (restoring, 0.00, instance RESTORING)", async () => {
    // Prepare
    const { sim, client, clock } = await setup();
    sim.seed.dcsInstance(PROJECT, 'inst-slow', { restoreMs: 8000 });
    sim.seed.dcsInstance(PROJECT, 'inst-hung', { restoreMs: Number.POSITIVE_INFINITY });
    await client('POST', restores('inst-slow'), { body: { backup_id: 'bk-1' } });
    await client('POST', restores('inst-hung'), { body: { backup_id: 'bk-1' } });
    // Act
    clock.advance(1000);
    const slowAtOne = sim.dcsRestores(PROJECT, 'inst-slow')[0];
    clock.advance(4000);
    const slowAtFive = sim.dcsRestores(PROJECT, 'inst-slow')[0];
    clock.advance(3000);
    const slowAtEight = sim.dcsRestores(PROJECT, 'inst-slow')[0];
    clock.advance(7 * 24 * 3600 * 1000);
    const hung = await client('GET', `${restores('inst-hung')}?offset=0&limit=10`);
    const hungInstance = await client('GET', `/v2/${PROJECT}/instances/inst-hung`);
    const again = await client('POST', restores('inst-hung'), { body: { backup_id: 'bk-2' } });
    // Assess
    expect(slowAtOne).toMatchObject({ status: 'waiting', progress: '0.00' });
    expect(slowAtFive).toMatchObject({ status: 'restoring', progress: '50.00' });
    expect(slowAtEight).toMatchObject({ status: 'succeed', progress: '100.00' });
    expect(records(hung)).toEqual([
      expect.objectContaining({ backup_id: 'bk-1', status: 'restoring', progress: '0.00', error_code: null }),
    ]);
    expect(hungInstance.json['status']).toBe('RESTORING');
    expect(errorCode(again)).toBe('DCS.4097');
  });
});

describe('simulator DCS refusals (v2 shape: error_code, error_msg, error_ext_msg)', () => {
  it('refuses a restore while one runs on the instance with DCS.4097, and allows it once done', async () => {
    // Prepare
    const { sim, client, clock } = await setup();
    await client('POST', restores('inst-ha'), { body: { backup_id: 'bk-1' } });
    // Act
    const during = await client('POST', restores('inst-ha'), { body: { backup_id: 'bk-2' } });
    clock.advance(2000);
    const after = await client('POST', restores('inst-ha'), { body: { backup_id: 'bk-2' } });
    // Assess
    expect(during.status).toBe(400);
    expect(during.json).toMatchObject({
      error_code: 'DCS.4097',
      error_msg: expect.any(String),
      error_ext_msg: '',
    });
    expect(after.status).toBe(200);
    expect(sim.dcsRestores(PROJECT, 'inst-ha').map((r) => r['backup_id'])).toEqual(['bk-2', 'bk-1']);
  });

  it.each([
    ['EXTENDING (being scaled)', 'EXTENDING', 'DCS.4113'],
    ['ERROR (not running)', 'ERROR', 'DCS.4049'],
    ['FROZEN (not running)', 'FROZEN', 'DCS.4049'],
    ['RESTARTING (not running)', 'RESTARTING', 'DCS.4049'],
    ['FLUSHING (state does not allow it)', 'FLUSHING', 'DCS.4026'],
  ])('refuses an instance %s with 400 %s', async (_name, status, code) => {
    // Prepare
    const { sim, client } = await setup();
    sim.seed.dcsInstance(PROJECT, 'inst-x', { status });
    // Act
    const reply = await client('POST', restores('inst-x'), { body: { backup_id: 'bk-1' } });
    // Assess
    expect([reply.status, errorCode(reply)]).toEqual([400, code]);
    expect(sim.dcsRestores(PROJECT, 'inst-x')).toEqual([]);
  });

  it('refuses single-node instances with DCS.4086 (only master/standby instances support this)', async () => {
    // Prepare
    const { sim, client } = await setup();
    // Act
    const reply = await client('POST', restores('inst-single'), { body: { backup_id: 'bk-1' } });
    // Assess
    expect(reply.status).toBe(400);
    expect(reply.json).toMatchObject({ error_code: 'DCS.4086', error_ext_msg: '' });
    expect(String(reply.json['error_msg'])).toContain('master/standby');
    expect(sim.dcsRestores(PROJECT, 'inst-single')).toEqual([]);
  });

  it('answers an unknown instance with 404 DCS.3022 on the restore, the list and the instance', async () => {
    // Prepare
    const { client } = await setup();
    // Act
    const replies = [
      await client('POST', restores('nope'), { body: { backup_id: 'bk-1' } }),
      await client('GET', `${restores('nope')}?offset=0&limit=10`),
      await client('GET', `/v2/${PROJECT}/instances/nope`),
    ];
    // Assess
    for (const reply of replies) {
      expect(reply.status).toBe(404);
      expect(reply.json).toMatchObject({
        error_code: 'DCS.3022',
        error_msg: 'The instance does not exist.',
        error_ext_msg: '',
      });
    }
  });

  it('refuses a missing backup_id with 400 and no effect', async () => {
    // Prepare
    const { sim, client } = await setup();
    // Act
    const reply = await client('POST', restores('inst-ha'), { body: { remark: 'x' } });
    // Assess
    expect(reply.status).toBe(400);
    expect(errorCode(reply)).toMatch(/^DCS\.4\d{3}$/);
    expect(sim.dcsRestores(PROJECT, 'inst-ha')).toEqual([]);
  });
});

describe('simulator DCS refusals on /v1.0 (shape {error: {code, message}}, numeric codes)', () => {
  it.each([
    ['a running restore', 'inst-ha', 400, '111400097'],
    ['a single-node instance', 'inst-single', 400, '111400086'],
    ['an unknown instance', 'nope', 404, '111404022'],
  ])('answers %s with %i %s', async (_name, instance, status, code) => {
    // Prepare
    const { client } = await setup();
    await client('POST', restores('inst-ha', 'v1.0'), { body: { backup_id: 'bk-1' } });
    // Act
    const reply = await client('POST', restores(instance, 'v1.0'), { body: { backup_id: 'bk-2' } });
    // Assess
    expect(reply.status).toBe(status);
    expect(reply.json).toEqual({
      error: { code, message: expect.any(String) },
      request_id: reply.requestId,
    });
  });

  it('answers an extending instance with 111400113 and logs the numeric code', async () => {
    // Prepare
    const { sim, client } = await setup();
    sim.seed.dcsInstance(PROJECT, 'inst-x', { status: 'EXTENDING' });
    // Act
    const reply = await client('POST', restores('inst-x', 'v1.0'), { body: { backup_id: 'bk-1' } });
    // Assess
    expect(reply.json['error']).toMatchObject({ code: '111400113' });
    expect(sim.calls[0]).toMatchObject({ status: 400, errorCode: '111400113' });
  });
});

describe('simulator DCS restore records', () => {
  /** Three restores, bk-1 oldest, each 2 s apart and finished. */
  const threeRestores = async (options: Partial<SimulatorOptions> = {}) => {
    const started = await setup(options);
    for (const backup of ['bk-1', 'bk-2', 'bk-3']) {
      await started.client('POST', restores('inst-ha'), { body: { backup_id: backup } });
      started.clock.advance(2000);
    }
    return started;
  };

  it('v2 lists newest first by default, offset 0-based, with total_num and the documented fields', async () => {
    // Prepare
    const { client } = await threeRestores();
    // Act
    const all = await client('GET', `${restores('inst-ha')}?offset=0&limit=1000`);
    const second = await client('GET', `${restores('inst-ha')}?offset=1&limit=1`);
    // Assess
    expect(all.status).toBe(200);
    expect(backups(all)).toEqual(['bk-3', 'bk-2', 'bk-1']);
    expect(all.json['total_num']).toBe(3);
    expect(Object.keys(records(all)[0] ?? {}).sort()).toEqual([
      'backup_id',
      'backup_name',
      'backup_remark',
      'created_at',
      'error_code',
      'progress',
      'restore_id',
      'restore_name',
      'restore_remark',
      'status',
      'updated_at',
    ]);
    expect(backups(second)).toEqual(['bk-2']);
    expect(second.json['total_num']).toBe(3);
  });

  it('v1.0 lists with start 1-based (the current callers read ?start=1&limit=10)', async () => {
    // Prepare
    const { client } = await threeRestores();
    // Act
    const first = await client('GET', `${restores('inst-ha', 'v1.0')}?start=1&limit=10`);
    const second = await client('GET', `${restores('inst-ha', 'v1.0')}?start=2&limit=1`);
    // Assess
    expect(backups(first)).toEqual(['bk-3', 'bk-2', 'bk-1']);
    expect(first.json['total_num']).toBe(3);
    expect(backups(second)).toEqual(['bk-2']);
  });

  it('can list oldest first, so that a new record is not on page 1 behind many older ones', async () => {
    // Prepare
    const { sim, client } = await setup({ dcsRecordOrder: 'oldest-first' });
    const history = Array.from({ length: 25 }, (_, i) => ({
      backupId: `old-${i}`,
      createdAt: T0 - (25 - i) * 3_600_000,
    }));
    sim.seed.dcsInstance(PROJECT, 'inst-busy', { history });
    await client('POST', restores('inst-busy'), { body: { backup_id: 'mine' } });
    // Act
    const page1 = await client('GET', `${restores('inst-busy')}?offset=0&limit=10`);
    const page3 = await client('GET', `${restores('inst-busy')}?offset=20&limit=10`);
    const v1page1 = await client('GET', `${restores('inst-busy', 'v1.0')}?start=1&limit=10`);
    // Assess
    expect(page1.json['total_num']).toBe(26);
    expect(backups(page1)).not.toContain('mine');
    expect(backups(v1page1)).not.toContain('mine');
    expect(backups(page3)).toEqual(['old-20', 'old-21', 'old-22', 'old-23', 'old-24', 'mine']);
  });

  it('narrows with begin_time / end_time (yyyyMMddHHmmss)', async () => {
    // Prepare
    const { client } = await threeRestores();
    // Act: bk-2 was created at 00:00:02, bk-3 at 00:00:04
    const since = await client('GET', `${restores('inst-ha')}?offset=0&limit=10&begin_time=20240101000002`);
    const window = await client(
      'GET',
      `${restores('inst-ha')}?offset=0&limit=10&begin_time=20240101000001&end_time=20240101000003`,
    );
    const v1 = await client(
      'GET',
      `${restores('inst-ha', 'v1.0')}?start=1&limit=10&beginTime=20240101000004`,
    );
    // Assess
    expect(backups(since)).toEqual(['bk-3', 'bk-2']);
    expect(since.json['total_num']).toBe(2);
    expect(backups(window)).toEqual(['bk-2']);
    expect(backups(v1)).toEqual(['bk-3']);
  });

  it('v2 answers 204 with no body when there are no records; v1.0 an empty 200', async () => {
    // Prepare
    const { client } = await setup();
    // Act
    const v2 = await client('GET', `${restores('inst-ha')}?offset=0&limit=1000`);
    const v2Later = await client('GET', `${restores('inst-ha')}?offset=0&limit=10&begin_time=20240102000000`);
    const v1 = await client('GET', `${restores('inst-ha', 'v1.0')}?start=1&limit=10`);
    // Assess
    expect([v2.status, v2.text]).toEqual([204, '']);
    expect([v2Later.status, v2Later.text]).toEqual([204, '']);
    expect(v1.status).toBe(200);
    expect(v1.json).toEqual({ restore_record_response: [], total_num: 0 });
  });

  it.each([
    ['limit 0', '?offset=0&limit=0'],
    ['limit 1001', '?offset=0&limit=1001'],
    ['a negative offset', '?offset=-1&limit=10'],
    ['a malformed begin_time', '?offset=0&limit=10&begin_time=2024-01-01'],
  ])('v2 refuses %s with 400', async (_name, query) => {
    // Prepare
    const { client } = await threeRestores();
    // Act
    const reply = await client('GET', `${restores('inst-ha')}${query}`);
    // Assess
    expect(reply.status).toBe(400);
    expect(errorCode(reply)).toMatch(/^DCS\./);
  });

  it('v1.0 refuses start 0 with 400 in the v1.0 shape', async () => {
    // Prepare
    const { client } = await threeRestores();
    // Act
    const reply = await client('GET', `${restores('inst-ha', 'v1.0')}?start=0&limit=10`);
    // Assess
    expect(reply.status).toBe(400);
    expect(reply.json['error']).toMatchObject({ code: expect.stringMatching(/^111400\d{3}$/) });
  });
});

describe('simulator DCS backup list (GET .../backups, read only)', () => {
  const backupsOf = (instance: string, version: 'v2' | 'v1.0' = 'v2') =>
    `/${version}/${PROJECT}/instances/${instance}/backups`;
  const list = (reply: Reply) => reply.json['backup_record_response'] as Record<string, unknown>[];
  const ids = (reply: Reply) => list(reply).map((r) => r['backup_id']);

  /** bk-old (auto, a day ago), bk-failed, bk-new (now): seeded on inst-backed. */
  const backed = async (options: Partial<SimulatorOptions> = {}) => {
    const started = await setup(options);
    started.sim.seed.dcsInstance(PROJECT, 'inst-backed', {
      backups: [
        { backupId: 'bk-old', createdAt: T0 - 86_400_000, backupType: 'auto' },
        { backupId: 'bk-failed', createdAt: T0 - 3_600_000, status: 'failed' },
        { backupId: 'bk-new', remark: 'nightly' },
      ],
    });
    return started;
  };

  it('v2 lists the seeded backups newest first, offset 0-based, with total_num and the SDK fields', async () => {
    // Prepare
    const { client } = await backed();
    // Act
    const all = await client('GET', `${backupsOf('inst-backed')}?offset=0&limit=1000`);
    const second = await client('GET', `${backupsOf('inst-backed')}?offset=1&limit=1`);
    // Assess
    expect(all.status).toBe(200);
    expect(ids(all)).toEqual(['bk-new', 'bk-failed', 'bk-old']);
    expect(all.json['total_num']).toBe(3);
    expect(Object.keys(list(all)[0] ?? {}).sort()).toEqual([
      'backup_format',
      'backup_id',
      'backup_name',
      'backup_type',
      'created_at',
      'error_code',
      'execution_at',
      'instance_id',
      'is_support_restore',
      'period',
      'progress',
      'remark',
      'size',
      'status',
      'updated_at',
    ]);
    expect(list(all)[0]).toMatchObject({
      instance_id: 'inst-backed',
      status: 'succeed',
      is_support_restore: 'TRUE',
      remark: 'nightly',
      backup_type: 'manual',
      created_at: new Date(T0).toISOString(),
    });
    expect(list(all)[1]).toMatchObject({ status: 'failed', is_support_restore: 'FALSE' });
    expect(list(all)[2]).toMatchObject({ backup_type: 'auto' });
    expect(ids(second)).toEqual(['bk-failed']);
    expect(second.json['total_num']).toBe(3);
  });

  it('v1.0 lists with start 1-based; begin_time narrows on v2', async () => {
    // Prepare
    const { client } = await backed();
    // Act
    const v1 = await client('GET', `${backupsOf('inst-backed', 'v1.0')}?start=2&limit=10`);
    const today = await client(
      'GET',
      `${backupsOf('inst-backed')}?offset=0&limit=10&begin_time=20240101000000`,
    );
    // Assess
    expect(ids(v1)).toEqual(['bk-failed', 'bk-old']);
    expect(v1.json['total_num']).toBe(3);
    expect(ids(today)).toEqual(['bk-new']);
  });

  it('v2 answers 204 with no body for an instance without backups; v1.0 an empty 200', async () => {
    // Prepare
    const { client } = await setup();
    // Act
    const v2 = await client('GET', `${backupsOf('inst-ha')}?offset=0&limit=10`);
    const v1 = await client('GET', `${backupsOf('inst-ha', 'v1.0')}?start=1&limit=10`);
    // Assess
    expect([v2.status, v2.text]).toEqual([204, '']);
    expect(v1.json).toEqual({ backup_record_response: [], total_num: 0 });
  });

  it('answers an unknown instance with 404 DCS.3022 and refuses limit 1001 with 400', async () => {
    // Prepare
    const { client } = await backed();
    // Act
    const unknown = await client('GET', `${backupsOf('inst-nope')}?offset=0&limit=10`);
    const tooMany = await client('GET', `${backupsOf('inst-backed')}?offset=0&limit=1001`);
    // Assess
    expect([unknown.status, errorCode(unknown)]).toEqual([404, 'DCS.3022']);
    expect(tooMany.status).toBe(400);
  });

  it('is a read: logged as dcs.backups.list with no effect, and the backups are unchanged by a restore', async () => {
    // Prepare
    const { sim, client } = await backed();
    await client('POST', restores('inst-backed'), { body: { backup_id: 'bk-new' } });
    // Act
    const after = await client('GET', `${backupsOf('inst-backed')}?offset=0&limit=10`);
    // Assess
    expect(ids(after)).toEqual(['bk-new', 'bk-failed', 'bk-old']);
    expect(sim.calls.at(-1)).toMatchObject({
      method: 'GET',
      route: 'dcs.backups.list',
      resourceId: 'inst-backed',
      status: 200,
      effectApplied: false,
    });
  });
});
