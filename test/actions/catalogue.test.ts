import { describe, expect, it } from 'vitest';
import { actionFor, actionIds, actions } from '../../lib/actions/catalogue.ts';
import { CSBS_PROVIDER_ID, csbsRestore } from '../../lib/actions/csbs.ts';
import { dcsRestore } from '../../lib/actions/dcs.ts';
import { dwsFailover, dwsRecovery, dwsStart } from '../../lib/actions/dws.ts';
import type { ActionRequest } from '../../lib/actions/request.ts';
import { DEFAULT_ACTION_SETTINGS } from '../../lib/actions/types.ts';
import {
  CHECKPOINT_ID,
  CHECKPOINT_ITEM_ID,
  csbsRestoreMinimalRequest,
  csbsRestoreRequest,
  DCS_BACKUP_ID,
  DCS_INSTANCE_ID,
  DR_ID,
  dcsRestoreRequest,
  dwsFailoverRequest,
  dwsRecoveryRequest,
  dwsStartRequest,
  PRIMARY_CLUSTER_ID,
  PROJECT_ID,
  REGION,
  SERVER_ID,
  STANDBY_CLUSTER_ID,
  sampleRequest,
  sampleRequests,
  VOLUME_BACKUP_ID,
  VOLUME_ID,
} from '../fixtures/requests.ts';

const dws = { start: dwsStart, failover: dwsFailover, recovery: dwsRecovery } as const;

/** A DWS DR detail as `GET /v2/{project_id}/disaster-recovery/{id}` answers it. */
const drDetail = (
  status: string,
  primaryId: string = PRIMARY_CLUSTER_ID,
  standbyId = STANDBY_CLUSTER_ID,
) => ({
  disaster_recovery: {
    id: DR_ID,
    name: 'dws-prod-dr',
    dr_type: 'region',
    status,
    primary_cluster: {
      id: primaryId,
      name: 'dws-prod',
      role: 'primary',
      status: 'Available',
      last_success_time: '2024-05-01T09:58:12',
      region: 'cn-north-4',
    },
    standby_cluster: {
      id: standbyId,
      name: 'dws-prod-standby',
      role: 'standby',
      status: 'Available',
      region: 'cn-north-1',
    },
    start_time: '2024-04-01T08:00:00',
    create_time: '2024-04-01T07:55:00',
  },
});

/** A CSBS checkpoint item as `GET /v1/{project_id}/checkpoint_items/{id}` answers it. */
const checkpointItem = (status: string) => ({
  checkpoint_item: {
    id: CHECKPOINT_ITEM_ID,
    checkpoint_id: CHECKPOINT_ID,
    name: 'autobk_9e2f',
    status,
    resource_id: SERVER_ID,
    created_at: '2024-04-30T02:00:11.000000',
    extend_info: { auto_trigger: true, space_saving_ratio: 0 },
  },
});

const SENT_AT = '2024-05-01T10:00:00.000Z';
const sentAtPlus = (ms: number): string => new Date(Date.parse(SENT_AT) + ms).toISOString();

/** A DCS restore record as `GET /v1.0/{project_id}/instances/{id}/restores` lists it. */
const restoreRecord = (restoreId: string, backupId: string, createdAt: string, status = 'restoring') => ({
  restore_id: restoreId,
  restore_name: `restore-${restoreId.slice(0, 8)}`,
  backup_id: backupId,
  backup_name: 'backup_20240501',
  backup_remark: '',
  remark: 'restore after bad deploy',
  status,
  progress: '35.00%',
  error_code: null,
  created_at: createdAt,
  updated_at: createdAt,
});
const restoreRecords = (...records: ReturnType<typeof restoreRecord>[]) => ({
  restore_record_response: records,
  total_num: records.length,
});
const OUR_RESTORE_ID = '2e4a6c8e-0a1c-4e3a-9c5e-7a9c1e3a5c70';
const OTHER_RESTORE_ID = '9c7a5e3c-1e9a-4c7e-8a3c-5e7a9c1e3a51';
const OTHER_BACKUP_ID = 'b1d3f5a7-c9e1-4b3d-9f5a-7c9e1b3d5f7a';

/** Values that are not the expected state body at all. */
const MALFORMED_STATES: [string, unknown][] = [
  ['undefined', undefined],
  ['null', null],
  ['a string', 'running'],
  ['an array', []],
  ['an empty object', {}],
];

describe('the catalogue', () => {
  it('lists the five documented actions, in order', () => {
    // Act
    const ids = actions.map((a) => a.id);
    // Assess
    expect(ids).toEqual([
      'dws.dr.start',
      'dws.dr.failover',
      'dws.dr.recovery',
      'csbs.restore',
      'dcs.restore',
    ]);
    expect(actionIds).toEqual(ids);
  });

  it('gives every action a unique id', () => {
    // Act
    const unique = new Set(actions.map((a) => a.id));
    // Assess
    expect(unique.size).toBe(actions.length);
  });

  it.each(actions.map((a) => [a.id, a] as const))('finds %s by its id', (id, action) => {
    expect(actionFor(id)).toBe(action);
  });

  it.each(['', 'dws.dr.switchover', 'DWS.DR.FAILOVER', 'dcs.restore ', 'toString', '__proto__'])(
    'throws a permanent InvariantError for the unknown action id %j (retrying cannot help)',
    (id) => {
      expect(() => actionFor(id)).toThrow(`unknown action ${id}`);
      expect(() => actionFor(id)).toThrow(
        expect.objectContaining({ name: 'InvariantError', kind: 'permanent' }),
      );
    },
  );

  it.each<[string, string]>([
    ['dws.dr.start', 'dws'],
    ['dws.dr.failover', 'dws'],
    ['dws.dr.recovery', 'dws'],
    ['csbs.restore', 'csbs'],
    ['dcs.restore', 'dcs'],
  ])('sends %s to the %s service', (id, service) => {
    expect(actionFor(id).service).toBe(service);
  });

  it.each(actions.map((a) => [a.id, a.summary] as const))('describes %s in a summary', (_id, summary) => {
    expect(summary.length).toBeGreaterThan(10);
  });
});

describe('call()', () => {
  it.each<[string, string, ActionRequest]>([
    ['dws.dr.start', `/v2/${PROJECT_ID}/disaster-recovery/${DR_ID}/start`, dwsStartRequest],
    ['dws.dr.failover', `/v2/${PROJECT_ID}/disaster-recovery/${DR_ID}/failover`, dwsFailoverRequest],
    ['dws.dr.recovery', `/v2/${PROJECT_ID}/disaster-recovery/${DR_ID}/recovery`, dwsRecoveryRequest],
  ])('%s is POST %s with no body', (id, path, request) => {
    // Act
    const call = actionFor(id).call(request, DEFAULT_ACTION_SETTINGS);
    // Assess
    expect(call).toStrictEqual({ method: 'POST', path });
    expect(call).not.toHaveProperty('body');
  });

  it('csbs.restore is POST /v1/{project}/restores carrying the fixed provider id and the parameters', () => {
    // Act
    const call = csbsRestore.call(csbsRestoreRequest);
    // Assess
    expect(call).toStrictEqual({
      method: 'POST',
      path: `/v1/${PROJECT_ID}/restores`,
      body: {
        restore: {
          provider_id: 'fc4d5750-22e7-4798-8a46-f48f62c4c1da',
          checkpoint_id: CHECKPOINT_ID,
          parameters: {
            checkpoint_item_id: CHECKPOINT_ITEM_ID,
            power_on: true,
            targets: {
              server_id: SERVER_ID,
              volumes: [{ backup_id: VOLUME_BACKUP_ID, volume_id: VOLUME_ID }],
            },
          },
          restore_target: 'ecs-prod-web-01',
        },
      },
    });
    expect(CSBS_PROVIDER_ID).toBe('fc4d5750-22e7-4798-8a46-f48f62c4c1da');
  });

  it('csbs.restore leaves restore_target out of the body when the request has none', () => {
    // Act
    const call = csbsRestore.call(csbsRestoreMinimalRequest);
    // Assess
    expect(call).toStrictEqual({
      method: 'POST',
      path: `/v1/${PROJECT_ID}/restores`,
      body: {
        restore: {
          provider_id: CSBS_PROVIDER_ID,
          checkpoint_id: CHECKPOINT_ID,
          parameters: csbsRestoreMinimalRequest.params.parameters,
        },
      },
    });
    const restore = (call.body as { restore: object }).restore;
    expect(Object.keys(restore)).not.toContain('restore_target');
  });

  it('dcs.restore is POST /v2/{project}/instances/{id}/restores with the backup id and remark, by default', () => {
    // Act
    const call = dcsRestore.call(dcsRestoreRequest, DEFAULT_ACTION_SETTINGS);
    // Assess
    expect(call).toStrictEqual({
      method: 'POST',
      path: `/v2/${PROJECT_ID}/instances/${DCS_INSTANCE_ID}/restores`,
      body: { backup_id: DCS_BACKUP_ID, remark: 'restore after bad deploy' },
    });
  });

  it('dcs.restore is POST /v1.0/... with the same body when DCS v1.0 is configured', () => {
    // Act
    const call = dcsRestore.call(dcsRestoreRequest, { dcsApiVersion: 'v1.0' });
    // Assess
    expect(call).toStrictEqual({
      method: 'POST',
      path: `/v1.0/${PROJECT_ID}/instances/${DCS_INSTANCE_ID}/restores`,
      body: { backup_id: DCS_BACKUP_ID, remark: 'restore after bad deploy' },
    });
  });

  it('dcs.restore leaves remark out of the body when the request has none', () => {
    // Prepare
    const request = sampleRequest('dcs.restore');
    delete request.params.remark;
    // Act
    const call = dcsRestore.call(request, DEFAULT_ACTION_SETTINGS);
    // Assess
    expect(call.body).toStrictEqual({ backup_id: DCS_BACKUP_ID });
    expect(Object.keys(call.body as object)).toEqual(['backup_id']);
  });
});

describe('remote()', () => {
  it.each<[string, unknown, Record<string, string>]>([
    ['dws.dr.start', { disaster_recovery: { id: DR_ID } }, { disaster_recovery_id: DR_ID }],
    ['dws.dr.failover', { disaster_recovery: { id: DR_ID } }, { disaster_recovery_id: DR_ID }],
    ['dws.dr.recovery', { disaster_recovery: { id: DR_ID } }, { disaster_recovery_id: DR_ID }],
    [
      'csbs.restore',
      {
        restore: {
          id: '5b7d9f1a-3c5e-4a7c-9e1b-3d5f7a9c1e3b',
          status: 'in_progress',
          checkpoint_id: CHECKPOINT_ID,
          parameters: {
            checkpoint_item_id: CHECKPOINT_ITEM_ID,
            power_on: true,
            targets: { server_id: SERVER_ID },
          },
          project_id: PROJECT_ID,
          provider_id: CSBS_PROVIDER_ID,
          resources_reason: [],
          resources_status: {},
          restore_target: null,
        },
      },
      { restore_id: '5b7d9f1a-3c5e-4a7c-9e1b-3d5f7a9c1e3b' },
    ],
    ['dcs.restore', { restore_id: OUR_RESTORE_ID }, { restore_id: OUR_RESTORE_ID }],
  ])('%s extracts the ids from a 200 body', (id, body, expected) => {
    expect(actionFor(id).remote(body)).toStrictEqual(expected);
  });

  const unexpected: unknown[] = [
    undefined,
    null,
    '',
    'OK',
    42,
    [],
    {},
    { disaster_recovery: {} },
    { disaster_recovery: { id: 7 } },
    { restore: null },
    { restore: { id: 12 } },
    { restore_id: 12 },
    { error_code: 'DWS.0011', error_msg: 'busy' },
  ];
  it.each(actions.flatMap((a) => unexpected.map((body) => [a.id, body] as const)))(
    '%s returns {} for the unexpected body %j',
    (id, body) => {
      expect(actionFor(id).remote(body)).toStrictEqual({});
    },
  );
});

describe('target()', () => {
  it.each<[string, string, ActionRequest]>([
    ['dws.dr.start', `dws:${PROJECT_ID}/${DR_ID}`, dwsStartRequest],
    ['dws.dr.failover', `dws:${PROJECT_ID}/${DR_ID}`, dwsFailoverRequest],
    ['dws.dr.recovery', `dws:${PROJECT_ID}/${DR_ID}`, dwsRecoveryRequest],
    ['csbs.restore', `csbs:${PROJECT_ID}/${SERVER_ID}`, csbsRestoreRequest],
    ['dcs.restore', `dcs:${PROJECT_ID}/${DCS_INSTANCE_ID}`, dcsRestoreRequest],
  ])('%s names its resource %s', (id, expected, request) => {
    expect(actionFor(id).target(request)).toBe(expected);
  });

  it('names the CSBS resource by its server, whatever the checkpoint', () => {
    expect(csbsRestore.target(csbsRestoreMinimalRequest)).toBe(`csbs:${PROJECT_ID}/${SERVER_ID}`);
  });

  it('gives the three DWS operations on one DR pair the same target (one cooldown per pair)', () => {
    // Act
    const targets = new Set([dwsStart, dwsFailover, dwsRecovery].map((a) => a.target(dwsStartRequest)));
    // Assess
    expect([...targets]).toEqual([`dws:${PROJECT_ID}/${DR_ID}`]);
  });

  it('tells apart the same resource id in two projects', () => {
    // Prepare
    const other = { ...dcsRestoreRequest, project_id: '0b3e2a0f9b00d4b52fbcc0105c9f1234' };
    // Act / Assess
    expect(dcsRestore.target(other)).not.toBe(dcsRestore.target(dcsRestoreRequest));
  });
});

describe('stateCall()', () => {
  it.each<[string, string, ActionRequest]>([
    ['dws.dr.start', `/v2/${PROJECT_ID}/disaster-recovery/${DR_ID}`, dwsStartRequest],
    ['dws.dr.failover', `/v2/${PROJECT_ID}/disaster-recovery/${DR_ID}`, dwsFailoverRequest],
    ['dws.dr.recovery', `/v2/${PROJECT_ID}/disaster-recovery/${DR_ID}`, dwsRecoveryRequest],
    ['csbs.restore', `/v1/${PROJECT_ID}/checkpoint_items/${CHECKPOINT_ITEM_ID}`, csbsRestoreRequest],
    [
      'dcs.restore',
      `/v2/${PROJECT_ID}/instances/${DCS_INSTANCE_ID}/restores?offset=0&limit=1000`,
      dcsRestoreRequest,
    ],
  ])('%s reads its state with GET %s', (id, path, request) => {
    // Act
    const call = actionFor(id).stateCall(request, DEFAULT_ACTION_SETTINGS);
    // Assess
    expect(call).toStrictEqual({ method: 'GET', path });
  });

  it('reads the DCS v1.0 records with start=1 (1-based) when v1.0 is configured', () => {
    expect(dcsRestore.stateCall(dcsRestoreRequest, { dcsApiVersion: 'v1.0' })).toStrictEqual({
      method: 'GET',
      path: `/v1.0/${PROJECT_ID}/instances/${DCS_INSTANCE_ID}/restores?start=1&limit=1000`,
    });
  });

  it('always has a CSBS state call: checkpoint_item_id is mandatory', () => {
    expect(csbsRestore.stateCall(csbsRestoreMinimalRequest)).toStrictEqual({
      method: 'GET',
      path: `/v1/${PROJECT_ID}/checkpoint_items/${CHECKPOINT_ITEM_ID}`,
    });
  });
});

describe('busyCodes', () => {
  it.each<[string, string[]]>([
    ['dws.dr.start', ['DWS.0011']],
    ['dws.dr.failover', ['DWS.0011']],
    ['dws.dr.recovery', ['DWS.0011']],
    ['csbs.restore', ['CSBS.6015', 'CSBS.2003', 'CSBS.2004', 'CSBS.4000']],
    [
      'dcs.restore',
      [
        ...['DCS.4097', 'DCS.4096', 'DCS.4017', 'DCS.4026', 'DCS.4049', 'DCS.4113'],
        ...['111400097', '111400096', '111400017', '111400026', '111400113'],
      ],
    ],
  ])('%s treats %j as busy', (id, codes) => {
    expect(actionFor(id).busyCodes).toEqual(codes);
  });
});

describe('DWS preflight', () => {
  const DOCUMENTED = [
    'creating',
    'create_failed',
    'unstart',
    'starting',
    'start_failed',
    'running',
    'stopping',
    'stop_failed',
    'switchovering',
    'abnormal',
    'deleting',
    'deleted',
    'stopped',
  ];
  const UNPUBLISHED = ['failovering', 'recovering', 'failed_over', 'RUNNING', 'Running', '', ' running'];
  const ALLOWED: Record<keyof typeof dws, string[]> = {
    start: ['unstart', 'start_failed', 'stopped'],
    failover: ['running', 'abnormal'],
    recovery: ['stopped'],
  };
  const table = (Object.keys(dws) as (keyof typeof dws)[]).flatMap((operation) =>
    [...DOCUMENTED, ...UNPUBLISHED].map((status) => [operation, status] as const),
  );

  it.each(table.filter(([op, status]) => ALLOWED[op].includes(status)))(
    '%s is allowed from %j',
    (op, status) => {
      expect(dws[op].preflight(drDetail(status))).toStrictEqual({ ok: true });
    },
  );

  it.each(table.filter(([op, status]) => !ALLOWED[op].includes(status)))(
    '%s is refused from %j, naming the status',
    (op, status) => {
      // Act
      const verdict = dws[op].preflight(drDetail(status));
      // Assess
      expect(verdict.ok).toBe(false);
      expect(verdict).toHaveProperty('reason', expect.stringContaining(`DR status is ${status};`));
      expect(verdict).toHaveProperty('reason', expect.stringContaining(ALLOWED[op].join(' | ')));
    },
  );

  const malformed: [string, unknown][] = [
    ...MALFORMED_STATES,
    ['no disaster_recovery', { id: DR_ID, status: 'running' }],
    ['no status', { disaster_recovery: { id: DR_ID } }],
    ['a numeric status', { disaster_recovery: { id: DR_ID, status: 1 } }],
    ['a null status', { disaster_recovery: { id: DR_ID, status: null } }],
    ['no id', { disaster_recovery: { status: 'running' } }],
    ['an error body', { error_code: 'DWS.0001', error_msg: 'not found' }],
  ];
  it.each(
    (Object.keys(dws) as (keyof typeof dws)[]).flatMap((op) =>
      malformed.map(([what, body]) => [op, what, body]),
    ),
  )('%s is refused when the detail has %s', (op, _what, body) => {
    // Act
    const verdict = dws[op as keyof typeof dws].preflight(body);
    // Assess
    expect(verdict).toStrictEqual({
      ok: false,
      reason: 'the DR detail could not be read (unexpected shape)',
    });
  });

  it('ignores fields it does not know in the detail', () => {
    // Prepare
    const body = { ...drDetail('running'), extra: { anything: true } };
    // Act / Assess
    expect(dwsFailover.preflight(body)).toStrictEqual({ ok: true });
  });

  it('is the only kind of action with a preflight (CSBS and DCS act without a snapshot)', () => {
    expect(actions.filter((a) => 'preflight' in a).map((a) => a.id)).toEqual([
      'dws.dr.start',
      'dws.dr.failover',
      'dws.dr.recovery',
    ]);
  });
});

describe('DWS reconcile', () => {
  const context = (before: unknown) => ({ request: dwsFailoverRequest, before, sentAt: SENT_AT });

  it.each<[string, unknown, unknown]>([
    ['the status changed', drDetail('running'), drDetail('failovering')],
    ['the status changed to an unpublished value', drDetail('abnormal'), drDetail('switchovering')],
    [
      'the primary cluster changed',
      drDetail('running'),
      drDetail('running', STANDBY_CLUSTER_ID, PRIMARY_CLUSTER_ID),
    ],
    ['both changed', drDetail('abnormal'), drDetail('stopped', STANDBY_CLUSTER_ID, PRIMARY_CLUSTER_ID)],
  ])('says applied when %s', (_what, before, after) => {
    // Act
    const seen = dwsFailover.reconcile(after, context(before));
    // Assess
    expect(seen.verdict).toBe('applied');
    expect(seen.remote).toStrictEqual({ disaster_recovery_id: DR_ID });
  });

  it('describes what it saw', () => {
    // Act
    const seen = dwsFailover.reconcile(
      drDetail('failovering', STANDBY_CLUSTER_ID),
      context(drDetail('running', PRIMARY_CLUSTER_ID)),
    );
    // Assess
    expect(seen.observed).toBe(
      `DR status running -> failovering, primary ${PRIMARY_CLUSTER_ID} -> ${STANDBY_CLUSTER_ID}`,
    );
  });

  it.each(['running', 'abnormal', 'stopped', 'failovering'])(
    'says not_applied when status (%s) and primary are unchanged',
    (status) => {
      // Act
      const seen = dwsFailover.reconcile(drDetail(status), context(drDetail(status)));
      // Assess
      expect(seen.verdict).toBe('not_applied');
      expect(seen.observed).toContain(`${status} -> ${status}`);
      expect(seen.remote).toBeUndefined();
    },
  );

  it('says not_applied when neither snapshot names a primary cluster and the status is unchanged', () => {
    // Prepare
    const bare = { disaster_recovery: { id: DR_ID, status: 'running' } };
    // Act
    const seen = dwsStart.reconcile(bare, context(bare));
    // Assess
    expect(seen.verdict).toBe('not_applied');
    expect(seen.observed).toContain('primary ? -> ?');
  });

  it('ignores changes outside status and primary cluster (e.g. last_success_time)', () => {
    // Prepare
    const after = drDetail('running');
    after.disaster_recovery.primary_cluster.last_success_time = '2024-05-01T10:05:00';
    after.disaster_recovery.standby_cluster.status = 'Unavailable';
    // Act / Assess
    expect(dwsFailover.reconcile(after, context(drDetail('running'))).verdict).toBe('not_applied');
  });

  it.each(MALFORMED_STATES)('says unknown when the snapshot before is %s', (_what, before) => {
    // Act
    const seen = dwsRecovery.reconcile(drDetail('running'), context(before));
    // Assess
    expect(seen).toStrictEqual({
      verdict: 'unknown',
      observed: 'the DR detail could not be read before and after',
    });
  });

  it.each(MALFORMED_STATES)('says unknown when the state after is %s', (_what, after) => {
    expect(dwsRecovery.reconcile(after, context(drDetail('running'))).verdict).toBe('unknown');
  });
});

describe('CSBS reconcile', () => {
  /** Through the catalogue, with the full ActionDefinition signature. */
  const csbs = actionFor('csbs.restore');
  const context = { request: csbsRestoreRequest, sentAt: SENT_AT };

  it.each(['waiting_restore', 'restoring'])('says applied when the checkpoint item is %s', (status) => {
    // Act
    const seen = csbs.reconcile(checkpointItem(status), context);
    // Assess
    expect(seen).toStrictEqual({ verdict: 'applied', observed: `checkpoint item is ${status}` });
  });

  it.each(['available', 'error', 'protecting', 'deleting', ''])(
    'says unknown when the checkpoint item is %j (CSBS cannot tell whether it ran)',
    (status) => {
      // Act
      const seen = csbs.reconcile(checkpointItem(status), context);
      // Assess
      expect(seen.verdict).toBe('unknown');
      expect(seen.observed).toContain(`checkpoint item is ${status}`);
    },
  );

  it.each<[string, unknown]>([
    ...MALFORMED_STATES,
    ['no status', { checkpoint_item: { id: CHECKPOINT_ITEM_ID } }],
    ['a numeric status', { checkpoint_item: { id: CHECKPOINT_ITEM_ID, status: 3 } }],
    ['no id', { checkpoint_item: { status: 'restoring' } }],
    ['a restore body instead', { restore: { id: CHECKPOINT_ITEM_ID, status: 'in_progress' } }],
  ])('says unknown when the state is %s', (_what, state) => {
    expect(csbs.reconcile(state, context)).toStrictEqual({
      verdict: 'unknown',
      observed: 'the checkpoint item could not be read',
    });
  });
});

describe('DCS reconcile', () => {
  const context = { request: dcsRestoreRequest, sentAt: SENT_AT };

  it.each<[string, number]>([
    ['at the moment we sent', 0],
    ['after we sent', 5 * 60_000],
    ['30 s before we sent (clock skew)', -30_000],
    ['exactly 60 s before we sent', -60_000],
  ])('says applied, with the restore id, for a record of our backup created %s', (_when, offset) => {
    // Prepare
    const state = restoreRecords(restoreRecord(OUR_RESTORE_ID, DCS_BACKUP_ID, sentAtPlus(offset)));
    // Act
    const seen = dcsRestore.reconcile(state, context);
    // Assess
    expect(seen).toStrictEqual({
      verdict: 'applied',
      observed: `restore ${OUR_RESTORE_ID} is restoring`,
      remote: { restore_id: OUR_RESTORE_ID },
    });
  });

  it('finds our record among records of other backups, whatever its status', () => {
    // Prepare
    const state = restoreRecords(
      restoreRecord(OTHER_RESTORE_ID, OTHER_BACKUP_ID, sentAtPlus(1_000), 'restoring'),
      restoreRecord(OUR_RESTORE_ID, DCS_BACKUP_ID, sentAtPlus(2_000), 'succeed'),
    );
    // Act
    const seen = dcsRestore.reconcile(state, context);
    // Assess
    expect(seen.verdict).toBe('applied');
    expect(seen.remote).toStrictEqual({ restore_id: OUR_RESTORE_ID });
    expect(seen.observed).toBe(`restore ${OUR_RESTORE_ID} is succeed`);
  });

  it.each<[string, ReturnType<typeof restoreRecords>]>([
    ['there are no records', restoreRecords()],
    [
      'only another backup was restored since',
      restoreRecords(restoreRecord(OTHER_RESTORE_ID, OTHER_BACKUP_ID, sentAtPlus(1_000))),
    ],
    [
      'our backup was restored only earlier (61 s before)',
      restoreRecords(restoreRecord(OTHER_RESTORE_ID, DCS_BACKUP_ID, sentAtPlus(-61_000), 'succeed')),
    ],
    [
      'our backup was restored only just over 60 s before',
      restoreRecords(restoreRecord(OTHER_RESTORE_ID, DCS_BACKUP_ID, sentAtPlus(-60_001), 'succeed')),
    ],
    [
      'our backup was restored yesterday and another one now',
      restoreRecords(
        restoreRecord(OTHER_RESTORE_ID, OTHER_BACKUP_ID, sentAtPlus(1_000)),
        restoreRecord(OUR_RESTORE_ID, DCS_BACKUP_ID, sentAtPlus(-86_400_000), 'succeed'),
      ),
    ],
  ])('says not_applied when %s', (_what, state) => {
    // Act
    const seen = dcsRestore.reconcile(state, context);
    // Assess
    expect(seen).toStrictEqual({
      verdict: 'not_applied',
      observed: `no restore of backup ${DCS_BACKUP_ID} since ${SENT_AT}`,
    });
  });

  it('reads an empty body (a 204: no records at all) as "no records": not applied', () => {
    expect(dcsRestore.reconcile({}, context)).toStrictEqual({
      verdict: 'not_applied',
      observed: `no restore of backup ${DCS_BACKUP_ID} since ${SENT_AT}`,
    });
  });

  it.each<[string, unknown]>([
    ...MALFORMED_STATES.filter(([what]) => what !== 'an empty object'),
    ['a list that is not an array', { restore_record_response: {}, total_num: 0 }],
    [
      'a record without created_at',
      {
        restore_record_response: [
          { restore_id: OUR_RESTORE_ID, backup_id: DCS_BACKUP_ID, status: 'restoring' },
        ],
      },
    ],
    [
      'a record with a numeric backup id',
      {
        restore_record_response: [
          { restore_id: OUR_RESTORE_ID, backup_id: 1, status: 'restoring', created_at: SENT_AT },
        ],
      },
    ],
    ['an error body', { error_code: 'DCS.4010', error_msg: 'instance not found' }],
  ])('says unknown when the state is %s', (_what, state) => {
    expect(dcsRestore.reconcile(state, context)).toStrictEqual({
      verdict: 'unknown',
      observed: 'the restore records could not be read',
    });
  });
});

describe('DCS record pages', () => {
  const paging = dcsRestore.statePaging;
  const first = dcsRestore.stateCall(dcsRestoreRequest, DEFAULT_ACTION_SETTINGS);
  const fullPage = (count: number) =>
    Array.from({ length: count }, (_, i) => restoreRecord(`r-${i}`, OTHER_BACKUP_ID, SENT_AT));

  it('asks for the next page while total_num says there are more (v2: offset 0-based)', () => {
    // Act
    const next = paging.next(first, { restore_record_response: fullPage(1000), total_num: 2500 });
    // Assess
    expect(next).toStrictEqual({
      method: 'GET',
      path: `/v2/${PROJECT_ID}/instances/${DCS_INSTANCE_ID}/restores?offset=1000&limit=1000`,
    });
    expect(paging.next(next!, { restore_record_response: fullPage(1000), total_num: 2500 })?.path).toContain(
      'offset=2000',
    );
  });

  it('asks for the next page with start (1-based) on v1.0', () => {
    // Prepare
    const v1 = dcsRestore.stateCall(dcsRestoreRequest, { dcsApiVersion: 'v1.0' });
    // Act
    const next = paging.next(v1, { restore_record_response: fullPage(1000), total_num: 1001 });
    // Assess
    expect(next?.path).toBe(
      `/v1.0/${PROJECT_ID}/instances/${DCS_INSTANCE_ID}/restores?start=1001&limit=1000`,
    );
  });

  it.each<[string, unknown]>([
    ['the last page was read', { restore_record_response: fullPage(3), total_num: 3 }],
    ['there are no records (204, read as {})', {}],
    ['a page came back empty', { restore_record_response: [], total_num: 5 }],
    ['a short page without total_num', { restore_record_response: fullPage(3) }],
    ['the page is unreadable', { error_code: 'DCS.4010' }],
  ])('stops when %s', (_what, body) => {
    expect(paging.next(first, body)).toBeUndefined();
  });

  it('finds our restore on a later page, among records of every page combined', () => {
    // Prepare: ours is on the second page, after 1000 older records of other backups
    const pages = [
      { restore_record_response: fullPage(1000), total_num: 1001 },
      { restore_record_response: [restoreRecord(OUR_RESTORE_ID, DCS_BACKUP_ID, SENT_AT)], total_num: 1001 },
    ];
    // Act
    const seen = dcsRestore.reconcile(paging.combine(pages), { request: dcsRestoreRequest, sentAt: SENT_AT });
    // Assess
    expect(seen.verdict).toBe('applied');
    expect(seen.remote).toStrictEqual({ restore_id: OUR_RESTORE_ID });
  });
});

describe('the sample requests', () => {
  it.each(Object.entries(sampleRequests))(
    'the %s sample is that action, in the sample region and project',
    (id, request) => {
      // Assess: the fixtures the other tests rely on describe what they claim
      expect(request.action).toBe(id);
      expect(request.region).toBe(REGION);
      expect(request.project_id).toBe(PROJECT_ID);
    },
  );
});
