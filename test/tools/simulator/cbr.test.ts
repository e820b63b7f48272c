import { describe, expect, it } from 'vitest';
import { CBR_SERVER_PROVIDER, DEFAULT_CBR_TASK_ERROR } from '../../../tools/simulator/index.ts';
import { errorCode, PROJECT, startTestSimulator } from './helpers.ts';

const BACKUP = '3e1d5c7b-9a2f-4e4d-8b6c-0f2e4a6c8b1d';
const DISK_BACKUP = '8a0c2e4f-6b1d-4c3e-9f5a-1b3d5f7a9c2e';
const VOLUME_BACKUP = '1f3b5d7f-9a2c-4e6a-8c0e-2a4c6e8a0c3f';
const SERVER = '0c6a2e8f-1b3d-4f5a-9e7c-8d2b4a6c1e3f';
const VOLUME = '5c7e9a1b-3d2f-4a6c-8e0b-2d4f6a8c0e1b';

const restorePath = (backup = BACKUP) => `/v3/${PROJECT}/backups/${backup}/restore`;
const backupPath = (backup = BACKUP) => `/v3/${PROJECT}/backups/${backup}`;
const taskPath = (id: string) => `/v3/${PROJECT}/operation-logs/${id}`;
const tasksPath = (query = 'operation_type=restore') => `/v3/${PROJECT}/operation-logs?${query}`;

const serverRestore = (restore: Record<string, unknown> = {}) => ({
  restore: {
    mappings: [{ backup_id: DISK_BACKUP, volume_id: VOLUME }],
    power_on: true,
    server_id: SERVER,
    ...restore,
  },
});

/** A simulator with a server backup and a disk backup, both available. */
const setup = async (
  options: Parameters<typeof startTestSimulator>[0] = {},
  restoreFails?: string | true,
) => {
  const started = await startTestSimulator({ restoreMs: 2000, ...options });
  started.sim.seed.cbrBackup(PROJECT, BACKUP, {
    resourceId: SERVER,
    disks: [{ backupId: DISK_BACKUP, volumeId: VOLUME }],
    ...(restoreFails === undefined ? {} : { restoreFails }),
  });
  started.sim.seed.cbrBackup(PROJECT, VOLUME_BACKUP, {
    resourceId: VOLUME,
    resourceType: 'OS::Cinder::Volume',
  });
  return started;
};

describe('simulator CBR restore', () => {
  it('answers 202 with a job_id, and the backup goes waiting_restore -> restoring -> available', async () => {
    // Prepare
    const { sim, client, clock } = await setup();
    // Act
    const reply = await client('POST', restorePath(), { body: serverRestore() });
    const waiting = await client('GET', backupPath());
    clock.advance(500);
    const restoring = await client('GET', backupPath());
    clock.advance(1500);
    const after = await client('GET', backupPath());
    // Assess
    expect(reply.status).toBe(202);
    expect(Object.keys(reply.json)).toEqual(['job_id']);
    expect(reply.json['job_id']).toMatch(/^[0-9a-f-]{36}$/);
    expect((waiting.json['backup'] as Record<string, unknown>)['status']).toBe('waiting_restore');
    expect((restoring.json['backup'] as Record<string, unknown>)['status']).toBe('restoring');
    expect(after.json['backup']).toMatchObject({
      id: BACKUP,
      status: 'available',
      resource_id: SERVER,
      resource_type: 'OS::Nova::Server',
      provider_id: CBR_SERVER_PROVIDER,
      children: [{ id: DISK_BACKUP, resource_id: VOLUME, resource_type: 'OS::Cinder::Volume' }],
    });
    expect(sim.calls[0]).toMatchObject({ route: 'cbr.restore', resourceId: BACKUP, effectApplied: true });
  });

  it('prints backup times as CBR does: microseconds and no zone', async () => {
    // Prepare
    const { client } = await setup();
    // Act
    const reply = await client('GET', backupPath());
    // Assess
    expect((reply.json['backup'] as Record<string, unknown>)['updated_at']).toMatch(
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/,
    );
  });

  it('answers 202 with no body at all when configured as the API reference documents it', async () => {
    // Prepare
    const { client } = await setup({ cbrRestoreAnswer: 'empty' });
    // Act
    const reply = await client('POST', restorePath(), { body: serverRestore() });
    // Assess
    expect(reply.status).toBe(202);
    expect(reply.text).toBe('');
  });

  it('keeps a task that goes waiting -> running -> success, with the restore named in extra_info', async () => {
    // Prepare
    const { client, clock } = await setup();
    const { job_id: job } = (await client('POST', restorePath(), { body: serverRestore() })).json as {
      job_id: string;
    };
    // Act
    const waiting = await client('GET', taskPath(job));
    clock.advance(500);
    const running = await client('GET', taskPath(job));
    clock.advance(1500);
    const done = await client('GET', taskPath(job));
    // Assess
    const task = (reply: { json: Record<string, unknown> }) =>
      reply.json['operation_log'] as Record<string, unknown>;
    expect(task(waiting)['status']).toBe('waiting');
    expect(task(running)['status']).toBe('running');
    expect(task(done)).toMatchObject({
      id: job,
      operation_type: 'restore',
      status: 'success',
      project_id: PROJECT,
      extra_info: { restore: { backup_id: BACKUP, target_resource_id: SERVER } },
    });
    expect(task(done)['created_at']).toMatch(/Z$/);
    expect(task(done)['ended_at']).toBeDefined();
  });

  it('ends the task failed, with its error_info, when the backup was seeded to fail', async () => {
    // Prepare
    const { client, clock } = await setup({}, true);
    const { job_id: job } = (await client('POST', restorePath(), { body: serverRestore() })).json as {
      job_id: string;
    };
    // Act
    clock.advance(2000);
    const done = await client('GET', taskPath(job));
    const backup = await client('GET', backupPath());
    // Assess
    expect(done.json['operation_log']).toMatchObject({
      status: 'failed',
      error_info: { code: DEFAULT_CBR_TASK_ERROR, message: 'Restoring the backup failed.' },
    });
    expect((backup.json['backup'] as Record<string, unknown>)['status']).toBe('available');
  });

  it('lists the restore tasks newest first, paged by limit and offset, with their count', async () => {
    // Prepare: three restores of the disk backup, one after the other
    const { client, clock } = await setup();
    const jobs: string[] = [];
    for (let i = 0; i < 3; i++) {
      const reply = await client('POST', restorePath(VOLUME_BACKUP), {
        body: { restore: { volume_id: VOLUME } },
      });
      jobs.push(String(reply.json['job_id']));
      clock.advance(2000);
    }
    // Act
    const all = await client('GET', tasksPath());
    const second = await client('GET', tasksPath('operation_type=restore&limit=1&offset=1'));
    const backups = await client('GET', tasksPath('operation_type=backup'));
    const running = await client('GET', tasksPath('status=running'));
    // Assess
    const ids = (reply: { json: Record<string, unknown> }) =>
      (reply.json['operation_logs'] as { id: string }[]).map((t) => t.id);
    expect(ids(all)).toEqual([...jobs].reverse());
    expect(all.json).toMatchObject({ count: 3, limit: 1000, offset: 0 });
    expect(ids(second)).toEqual([jobs[1]]);
    expect(second.json['count']).toBe(3);
    expect(ids(backups)).toEqual([]);
    expect(ids(running)).toEqual([]);
  });

  it.each(['limit=0', 'limit=1001', 'offset=-1', 'limit=x'])(
    'refuses the task list query %s with 400 BackupService.9900',
    async (query) => {
      // Prepare
      const { client } = await setup();
      // Act
      const reply = await client('GET', tasksPath(query));
      // Assess
      expect([reply.status, errorCode(reply)]).toEqual([400, 'BackupService.9900']);
    },
  );

  it('restores a disk from a disk backup with volume_id alone', async () => {
    // Prepare
    const { sim, client } = await setup();
    // Act
    const reply = await client('POST', restorePath(VOLUME_BACKUP), {
      body: { restore: { volume_id: VOLUME } },
    });
    // Assess
    expect(reply.status).toBe(202);
    expect(sim.cbrBackup(PROJECT, VOLUME_BACKUP)?.['status']).toBe('waiting_restore');
  });

  it('refuses a second restore onto a resource being restored (BackupService.2010), then allows it', async () => {
    // Prepare: the server is being restored from its backup; its disk is restored next, from the disk backup
    const { sim, client, clock } = await setup();
    await client('POST', restorePath(), { body: serverRestore() });
    // Act
    const again = await client('POST', restorePath(), { body: serverRestore() });
    clock.advance(2000);
    const later = await client('POST', restorePath(), { body: serverRestore() });
    // Assess
    expect(again.status).toBe(400);
    expect(again.json).toMatchObject({
      error_code: 'BackupService.2010',
      error_msg: 'The resource is being restored.',
    });
    expect(later.status).toBe(202);
    expect(sim.calls.map((c) => c.effectApplied)).toEqual([true, false, true]);
  });

  it.each([
    ['restore', undefined],
    ['server_id or volume_id', { restore: { power_on: true } }],
    ['both server_id and volume_id', serverRestore({ volume_id: VOLUME })],
    ['mappings with server_id', serverRestore({ mappings: undefined })],
    ['a mapping without volume_id', serverRestore({ mappings: [{ backup_id: DISK_BACKUP }] })],
    ['a boolean power_on', serverRestore({ power_on: 'yes' })],
    ['a destination_path', serverRestore({ details: { destination_path: '' } })],
    ['a server backup for a disk restore', { restore: { volume_id: VOLUME } }],
  ])('refuses a restore without %s with 400 BackupService.9900', async (_what, body) => {
    // Prepare
    const { sim, client } = await setup();
    // Act
    const reply = await client('POST', restorePath(), body === undefined ? {} : { body });
    // Assess
    expect([reply.status, errorCode(reply)]).toEqual([400, 'BackupService.9900']);
    expect(String(reply.json['error_msg'])).toMatch(/^Parameter verification failed: /);
    expect(sim.cbrBackup(PROJECT, BACKUP)?.['status']).toBe('available');
    expect(sim.calls[0]?.effectApplied).toBe(false);
  });

  it('refuses a server restore from a disk backup with 400 BackupService.9900', async () => {
    // Prepare
    const { client } = await setup();
    // Act
    const reply = await client('POST', restorePath(VOLUME_BACKUP), { body: serverRestore() });
    // Assess
    expect([reply.status, errorCode(reply)]).toEqual([400, 'BackupService.9900']);
  });

  it.each([
    ['being backed up', 'protecting', 'BackupService.2002'],
    ['waiting to be backed up', 'waiting_protect', 'BackupService.2002'],
    ['being deleted', 'deleting', 'BackupService.2005'],
    ['in error', 'error', 'BackupService.2005'],
    ['restoring already (seeded: it stays so)', 'restoring', 'BackupService.2005'],
  ])('refuses a backup %s with 400 %s', async (_what, status, code) => {
    // Prepare
    const { sim, client } = await setup();
    sim.seed.cbrBackup(PROJECT, BACKUP, { resourceId: SERVER, status });
    // Act
    const reply = await client('POST', restorePath(), { body: serverRestore() });
    // Assess
    expect([reply.status, errorCode(reply)]).toEqual([400, code]);
    expect(sim.cbrBackup(PROJECT, BACKUP)?.['status']).toBe(status);
  });

  it('answers an unknown backup with 404 BackupService.6200 and an unknown task with 404 BackupService.6500', async () => {
    // Prepare
    const { client } = await setup();
    const unknown = '00000000-0000-4000-8000-000000000000';
    // Act
    const restore = await client('POST', restorePath(unknown), { body: serverRestore() });
    const show = await client('GET', backupPath(unknown));
    const task = await client('GET', taskPath(unknown));
    // Assess
    expect([restore.status, errorCode(restore)]).toEqual([404, 'BackupService.6200']);
    expect([show.status, errorCode(show)]).toEqual([404, 'BackupService.6200']);
    expect([task.status, errorCode(task)]).toEqual([404, 'BackupService.6500']);
  });

  it('finds backups whatever the case of their id', async () => {
    // Prepare
    const { client } = await setup();
    // Act
    const reply = await client('GET', backupPath(BACKUP.toUpperCase()));
    // Assess
    expect(reply.status).toBe(200);
  });
});

describe('simulator CBR faults (the shared fault machinery)', () => {
  it('a 500 after the effect answers BackupService.9910 and the restore took place', async () => {
    // Prepare
    const { sim, client } = await setup();
    sim.faults.add({ route: 'cbr.restore', kind: 'status', status: 500, when: 'after' });
    // Act
    const reply = await client('POST', restorePath(), { body: serverRestore() });
    const tasks = await client('GET', tasksPath());
    // Assess
    expect([reply.status, errorCode(reply)]).toEqual([500, 'BackupService.9910']);
    expect(sim.calls[0]).toMatchObject({
      route: 'cbr.restore',
      fault: 'status:500:after',
      effectApplied: true,
    });
    expect(sim.cbrBackup(PROJECT, BACKUP)?.['status']).toBe('waiting_restore');
    expect(tasks.json['count']).toBe(1);
  });

  it('a 503 before the effect changes nothing', async () => {
    // Prepare
    const { sim, client } = await setup();
    sim.faults.add({ route: 'cbr.restore', kind: 'status', status: 503 });
    // Act
    const reply = await client('POST', restorePath(), { body: serverRestore() });
    // Assess
    expect(reply.status).toBe(503);
    expect(sim.calls[0]).toMatchObject({ effectApplied: false, fault: 'status:503:before' });
    expect(sim.cbrBackup(PROJECT, BACKUP)?.['status']).toBe('available');
    expect(sim.cbrTasks(PROJECT)).toEqual([]);
  });

  it.each([
    ['cbr.backup.show', backupPath()],
    ['cbr.operation_logs.list', tasksPath()],
  ] as const)('faults reach the state read %s', async (route, path) => {
    // Prepare
    const { sim, client } = await setup();
    sim.faults.add({ route, kind: 'status', status: 503, times: 1 });
    // Act
    const first = await client('GET', path);
    const second = await client('GET', path);
    // Assess
    expect([first.status, second.status]).toEqual([503, 200]);
    expect(sim.calls.map((c) => c.route)).toEqual([route, route]);
  });
});
