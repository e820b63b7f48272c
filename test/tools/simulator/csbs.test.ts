import { describe, expect, it } from 'vitest';
import { CSBS_PROVIDER_ID } from '../../../tools/simulator/index.ts';
import { errorCode, PROJECT, startTestSimulator } from './helpers.ts';

const restorePath = `/v1/${PROJECT}/restores`;
const itemPath = (id: string) => `/v1/${PROJECT}/checkpoint_items/${id}`;

const PARAMETERS = {
  checkpoint_item_id: 'it-1',
  power_on: true,
  targets: { server_id: 'srv-1', volumes: [{ backup_id: 'b-1', volume_id: 'v-1' }] },
};

const restoreBody = (overrides: Record<string, unknown> = {}, parameters?: Record<string, unknown>) => ({
  restore: {
    provider_id: CSBS_PROVIDER_ID,
    checkpoint_id: 'cp-1',
    parameters: parameters ?? PARAMETERS,
    ...overrides,
  },
});

/** The restore body without one field, named by its path. */
const without = (path: string): Record<string, unknown> => {
  const body = structuredClone(restoreBody()) as Record<string, unknown>;
  const steps = path.split('.');
  let at: Record<string, unknown> = body;
  for (const step of steps.slice(0, -1)) at = at[step] as Record<string, unknown>;
  delete at[steps.at(-1) as string];
  return body;
};

const setup = async () => {
  const started = await startTestSimulator({ restoreMs: 2000 });
  started.sim.seed.csbsCheckpointItem(PROJECT, 'it-1', { checkpointId: 'cp-1', serverId: 'srv-1' });
  started.sim.seed.csbsCheckpointItem(PROJECT, 'it-2', { checkpointId: 'cp-2', serverId: 'srv-1' });
  return started;
};

describe('simulator CSBS restore', () => {
  it('restores, and the item goes restoring -> available after restoreMs', async () => {
    // Prepare
    const { sim, client, clock } = await setup();
    // Act
    const reply = await client('POST', restorePath, { body: restoreBody() });
    const during = await client('GET', itemPath('it-1'));
    clock.advance(2000);
    const after = await client('GET', itemPath('it-1'));
    // Assess
    expect(reply.status).toBe(200);
    expect(reply.json['restore']).toMatchObject({
      status: 'in_progress',
      checkpoint_id: 'cp-1',
      project_id: PROJECT,
      provider_id: CSBS_PROVIDER_ID,
      resources_reason: '',
      resources_status: '',
      parameters: { checkpoint_item_id: 'it-1' },
    });
    expect((reply.json['restore'] as Record<string, unknown>)['id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(during.json['checkpoint_item']).toMatchObject({
      id: 'it-1',
      status: 'restoring',
      resource_id: 'srv-1',
    });
    expect(after.json['checkpoint_item']).toMatchObject({ status: 'available', checkpoint_id: 'cp-1' });
    expect(sim.calls[0]).toMatchObject({ route: 'csbs.restore', resourceId: 'it-1', effectApplied: true });
  });

  it('ends a restore with the item in error on an item seeded to fail; the item then refuses restores (CSBS.4000)', async () => {
    // Prepare
    const { sim, client, clock } = await setup();
    sim.seed.csbsCheckpointItem(PROJECT, 'it-bad', {
      checkpointId: 'cp-bad',
      serverId: 'srv-2',
      restoreFails: true,
    });
    const parameters = { ...PARAMETERS, checkpoint_item_id: 'it-bad' };
    const parametersOnSrv2 = { ...parameters, targets: { ...PARAMETERS.targets, server_id: 'srv-2' } };
    // Act
    const reply = await client('POST', restorePath, {
      body: restoreBody({ checkpoint_id: 'cp-bad' }, parametersOnSrv2),
    });
    const during = await client('GET', itemPath('it-bad'));
    clock.advance(2000);
    const after = await client('GET', itemPath('it-bad'));
    const again = await client('POST', restorePath, {
      body: restoreBody({ checkpoint_id: 'cp-bad' }, parametersOnSrv2),
    });
    // Assess
    expect(reply.status).toBe(200);
    expect(during.json['checkpoint_item']).toMatchObject({ id: 'it-bad', status: 'restoring' });
    expect(after.json['checkpoint_item']).toMatchObject({ id: 'it-bad', status: 'error' });
    expect(sim.checkpointItem(PROJECT, 'it-bad')).toMatchObject({ status: 'error' });
    expect(errorCode(again)).toBe('CSBS.4000');
  });

  it("takes an item's own restoreMs; Infinity: the item stays restoring and the server busy (CSBS.6015)", async () => {
    // Prepare
    const { sim, client, clock } = await setup();
    sim.seed.csbsCheckpointItem(PROJECT, 'it-hung', {
      checkpointId: 'cp-hung',
      serverId: 'srv-1',
      restoreMs: Number.POSITIVE_INFINITY,
    });
    await client('POST', restorePath, {
      body: restoreBody({ checkpoint_id: 'cp-hung' }, { ...PARAMETERS, checkpoint_item_id: 'it-hung' }),
    });
    // Act
    clock.advance(30 * 24 * 3600 * 1000);
    const item = await client('GET', itemPath('it-hung'));
    const other = await client('POST', restorePath, { body: restoreBody() });
    // Assess
    expect(item.json['checkpoint_item']).toMatchObject({ id: 'it-hung', status: 'restoring' });
    expect(sim.checkpointItem(PROJECT, 'it-hung')).toMatchObject({ status: 'restoring' });
    expect(errorCode(other)).toBe('CSBS.6015');
  });

  it('refuses a second restore of the same server while one runs (CSBS.6015), then allows it', async () => {
    // Prepare
    const { sim, client, clock } = await setup();
    await client('POST', restorePath, { body: restoreBody() });
    // Act
    const second = await client('POST', restorePath, {
      body: restoreBody({ checkpoint_id: 'cp-2' }, { ...PARAMETERS, checkpoint_item_id: 'it-2' }),
    });
    clock.advance(2000);
    const later = await client('POST', restorePath, { body: restoreBody() });
    // Assess
    expect(second.status).toBe(400);
    expect(second.json).toMatchObject({ error_code: 'CSBS.6015', error_msg: 'The server is restoring.' });
    expect(sim.checkpointItem(PROJECT, 'it-2')?.['status']).toBe('available');
    expect(later.status).toBe(200);
  });

  it.each([
    ['provider_id', without('restore.provider_id')],
    ['checkpoint_id', without('restore.checkpoint_id')],
    ['parameters', without('restore.parameters')],
    ['parameters.checkpoint_item_id', without('restore.parameters.checkpoint_item_id')],
    ['parameters.power_on', without('restore.parameters.power_on')],
    ['parameters.targets', without('restore.parameters.targets')],
    ['parameters.targets.server_id', without('restore.parameters.targets.server_id')],
    ['parameters.targets.volumes', without('restore.parameters.targets.volumes')],
    [
      'parameters.targets.volumes[0].backup_id',
      restoreBody({}, { ...PARAMETERS, targets: { server_id: 'srv-1', volumes: [{ volume_id: 'v-1' }] } }),
    ],
    [
      'parameters.targets.volumes[0].volume_id',
      restoreBody({}, { ...PARAMETERS, targets: { server_id: 'srv-1', volumes: [{ backup_id: 'b-1' }] } }),
    ],
  ])('refuses a restore without the mandatory %s with 400 CSBS.9001', async (which, body) => {
    // Prepare
    const { sim, client } = await setup();
    // Act
    const reply = await client('POST', restorePath, { body });
    // Assess
    expect([reply.status, errorCode(reply)]).toEqual([400, 'CSBS.9001']);
    expect(String(reply.json['error_msg'])).toBe(`Parameter check failed: ${which} is required`);
    expect(sim.checkpointItem(PROJECT, 'it-1')?.['status']).toBe('available');
    expect(sim.calls[0]?.effectApplied).toBe(false);
  });

  it.each([
    ['a wrong provider_id', restoreBody({ provider_id: 'other' })],
    ['power_on that is not a boolean', restoreBody({}, { ...PARAMETERS, power_on: 'yes' })],
    ['an item of another checkpoint', restoreBody({ checkpoint_id: 'cp-2' })],
  ])('refuses %s with 400 CSBS.9001', async (_name, body) => {
    // Prepare
    const { client } = await setup();
    // Act
    const reply = await client('POST', restorePath, { body });
    // Assess
    expect([reply.status, errorCode(reply)]).toEqual([400, 'CSBS.9001']);
  });

  it.each([
    ['backing up', 'protecting', 'CSBS.2003'],
    ['being deleted', 'deleting', 'CSBS.2003'],
    ['waiting to restore', 'waiting_restore', 'CSBS.2003'],
    ['in error', 'error', 'CSBS.4000'],
  ])('refuses an item %s with 400 %s', async (_name, status, code) => {
    // Prepare
    const { sim, client } = await setup();
    sim.seed.csbsCheckpointItem(PROJECT, 'it-1', { checkpointId: 'cp-1', serverId: 'srv-1', status });
    // Act
    const reply = await client('POST', restorePath, { body: restoreBody() });
    // Assess
    expect([reply.status, errorCode(reply)]).toEqual([400, code]);
    expect(sim.checkpointItem(PROJECT, 'it-1')?.['status']).toBe(status);
  });

  it('refuses an item still restoring onto another server with CSBS.2003', async () => {
    // Prepare
    const { client } = await setup();
    await client('POST', restorePath, { body: restoreBody() });
    // Act
    const reply = await client('POST', restorePath, {
      body: restoreBody({}, { ...PARAMETERS, targets: { server_id: 'srv-2', volumes: [] } }),
    });
    // Assess
    expect([reply.status, errorCode(reply)]).toEqual([400, 'CSBS.2003']);
  });

  it('answers an unknown checkpoint item with 404 CSBS.3001', async () => {
    // Prepare
    const { client } = await setup();
    // Act
    const restore = await client('POST', restorePath, {
      body: restoreBody({}, { ...PARAMETERS, checkpoint_item_id: 'nope' }),
    });
    const show = await client('GET', itemPath('nope'));
    // Assess
    expect([restore.status, errorCode(restore)]).toEqual([404, 'CSBS.3001']);
    expect([show.status, errorCode(show)]).toEqual([404, 'CSBS.3001']);
  });
});
