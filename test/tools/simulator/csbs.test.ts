import { describe, expect, it } from 'vitest';
import { CSBS_PROVIDER_ID } from '../../../tools/simulator/index.ts';
import { errorCode, PROJECT, startTestSimulator } from './helpers.ts';

const restorePath = `/v1/${PROJECT}/restores`;
const itemPath = (id: string) => `/v1/${PROJECT}/checkpoint_items/${id}`;

const restoreBody = (overrides: Record<string, unknown> = {}, parameters?: Record<string, unknown>) => ({
  restore: {
    provider_id: CSBS_PROVIDER_ID,
    checkpoint_id: 'cp-1',
    parameters: parameters ?? {
      checkpoint_item_id: 'it-1',
      power_on: true,
      targets: { server_id: 'srv-1', volumes: [{ backup_id: 'b-1', volume_id: 'v-1' }] },
    },
    ...overrides,
  },
});

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

  it('finds the item by checkpoint_id when no checkpoint_item_id is given', async () => {
    // Prepare
    const { sim, client } = await setup();
    // Act
    const reply = await client('POST', restorePath, {
      body: restoreBody({ checkpoint_id: 'cp-2' }, { targets: {} }),
    });
    // Assess
    expect(reply.status).toBe(200);
    expect(sim.checkpointItem(PROJECT, 'it-2')?.['status']).toBe('restoring');
    expect(sim.calls[0]?.resourceId).toBe('cp-2');
  });

  it('refuses a second restore of the same server while one runs (CSBS.6015), then allows it', async () => {
    // Prepare
    const { sim, client, clock } = await setup();
    await client('POST', restorePath, { body: restoreBody() });
    // Act
    const second = await client('POST', restorePath, {
      body: restoreBody({ checkpoint_id: 'cp-2' }, { checkpoint_item_id: 'it-2', targets: {} }),
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
    ['a wrong provider_id', restoreBody({ provider_id: 'other' }), 'provider_id'],
    ['missing targets', restoreBody({}, { checkpoint_item_id: 'it-1' }), 'targets'],
    ['missing parameters', restoreBody({ parameters: undefined }), 'parameters'],
    [
      'a volume without volume_id',
      restoreBody({}, { checkpoint_item_id: 'it-1', targets: { volumes: [{ backup_id: 'b' }] } }),
      'volume_id',
    ],
  ])('refuses %s with 400 CSBS.9001', async (_name, body, which) => {
    // Prepare
    const { sim, client } = await setup();
    // Act
    const reply = await client('POST', restorePath, { body });
    // Assess
    expect([reply.status, errorCode(reply)]).toEqual([400, 'CSBS.9001']);
    expect(String(reply.json['error_msg'])).toMatch(new RegExp(`^Parameter check failed: .*${which}`));
    expect(sim.checkpointItem(PROJECT, 'it-1')?.['status']).toBe('available');
  });

  it('answers 404 for an unknown checkpoint item', async () => {
    // Prepare
    const { client } = await setup();
    // Act
    const restore = await client('POST', restorePath, {
      body: restoreBody({}, { checkpoint_item_id: 'nope', targets: {} }),
    });
    const show = await client('GET', itemPath('nope'));
    // Assess
    expect(restore.status).toBe(404);
    expect(show.status).toBe(404);
    expect(errorCode(show)).toMatch(/^CSBS\./);
  });
});
