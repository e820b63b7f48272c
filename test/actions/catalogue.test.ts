import { describe, expect, it } from 'vitest';
import { actionFor, actionIds, actions } from '../../lib/actions/catalogue.ts';
import { CBR_BUSY_CODES, cbrRestore } from '../../lib/actions/cbr.ts';
import { CSBS_PROVIDER_ID, csbsRestore } from '../../lib/actions/csbs.ts';
import { dcsRestore } from '../../lib/actions/dcs.ts';
import { dwsFailover, dwsRecovery, dwsStart } from '../../lib/actions/dws.ts';
import type { ActionRequest } from '../../lib/actions/request.ts';
import { DEFAULT_ACTION_SETTINGS } from '../../lib/actions/types.ts';
import {
  CBR_BACKUP_ID,
  CBR_DISK_BACKUP_ID,
  CBR_VOLUME_ID,
  CHECKPOINT_ID,
  CHECKPOINT_ITEM_ID,
  cbrRestoreRequest,
  cbrRestoreVolumeRequest,
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
const OUR_JOB_ID = '4b6d8f0a-2c4e-4a6c-8e0a-2c4e6a8c0e2b';
const OTHER_JOB_ID = '6d8f0a2c-4e6a-4c8e-8a2c-4e6a8c0e2a4d';
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
  it('lists the six actions, in order', () => {
    // Act
    const ids = actions.map((a) => a.id);
    // Assess
    expect(ids).toEqual([
      'dws.dr.start',
      'dws.dr.failover',
      'dws.dr.recovery',
      'csbs.restore',
      'dcs.restore',
      'cbr.restore',
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
    ['cbr.restore', 'cbr'],
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

  it('cbr.restore is POST /v3/{project}/backups/{backup_id}/restore with {restore: {mappings, power_on, server_id}}', () => {
    // Act
    const call = cbrRestore.call(cbrRestoreRequest);
    // Assess
    expect(call).toStrictEqual({
      method: 'POST',
      path: `/v3/${PROJECT_ID}/backups/${CBR_BACKUP_ID}/restore`,
      body: {
        restore: {
          mappings: [{ backup_id: CBR_DISK_BACKUP_ID, volume_id: CBR_VOLUME_ID }],
          power_on: true,
          server_id: SERVER_ID,
        },
      },
    });
  });

  it('cbr.restore of a disk sends only volume_id, leaving out what the request does not give', () => {
    // Act
    const call = cbrRestore.call(cbrRestoreVolumeRequest);
    // Assess
    expect(call).toStrictEqual({
      method: 'POST',
      path: `/v3/${PROJECT_ID}/backups/${CBR_DISK_BACKUP_ID}/restore`,
      body: { restore: { volume_id: CBR_VOLUME_ID } },
    });
  });

  it('cbr.restore sends details and power_on false when the request gives them', () => {
    // Prepare
    const request = {
      ...cbrRestoreVolumeRequest,
      params: { ...cbrRestoreVolumeRequest.params, power_on: false, details: { destination_path: '/data' } },
    };
    // Act
    const call = cbrRestore.call(request);
    // Assess
    expect(call.body).toStrictEqual({
      restore: { power_on: false, volume_id: CBR_VOLUME_ID, details: { destination_path: '/data' } },
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
    ['cbr.restore', { job_id: OUR_JOB_ID }, { job_id: OUR_JOB_ID }],
  ])('%s extracts the ids from a 2xx body', (id, body, expected) => {
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
    { job_id: '' },
    { job_id: 7 },
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
    ['cbr.restore', `cbr:${PROJECT_ID}/${SERVER_ID}`, cbrRestoreRequest],
    ['cbr.restore', `cbr:${PROJECT_ID}/${CBR_VOLUME_ID}`, cbrRestoreVolumeRequest],
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
    ['cbr.restore', `/v3/${PROJECT_ID}/backups/${CBR_BACKUP_ID}`, cbrRestoreRequest],
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
    [
      'cbr.restore',
      [
        'BackupService.2010',
        'BackupService.2002',
        'BackupService.2005',
        'BackupService.2008',
        'BackupService.2011',
        'BackupService.0002',
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

  it('is, with CBR, the only kind of action with a preflight (CSBS and DCS act without a snapshot)', () => {
    expect(actions.filter((a) => 'preflight' in a).map((a) => a.id)).toEqual([
      'dws.dr.start',
      'dws.dr.failover',
      'dws.dr.recovery',
      'cbr.restore',
    ]);
  });
});

describe('DWS operation: judged on the DR detail against the snapshot before the call', () => {
  const judge = (op: keyof typeof dws, before: unknown, now: unknown, seenRunning = true) =>
    dws[op].operation.judge(now, { request: dwsFailoverRequest, remote: {}, before, seenRunning });
  const swapped = (status: string) => drDetail(status, STANDBY_CLUSTER_ID, PRIMARY_CLUSTER_ID);

  it.each<[keyof typeof dws, string, unknown, unknown, string]>([
    ['start', 'starting', drDetail('unstart'), drDetail('starting'), 'running'],
    ['start', 'running', drDetail('unstart'), drDetail('running'), 'completed'],
    ['start', 'start_failed', drDetail('stopped'), drDetail('start_failed'), 'failed'],
    ['failover', 'failovering (unpublished)', drDetail('running'), drDetail('failovering'), 'running'],
    ['failover', 'stopped, from running', drDetail('running'), drDetail('stopped'), 'completed'],
    ['failover', 'running with the primary swapped', drDetail('running'), swapped('running'), 'completed'],
    ['failover', 'stopped, from abnormal', drDetail('abnormal'), swapped('stopped'), 'completed'],
    ['failover', 'abnormal after running', drDetail('running'), drDetail('abnormal'), 'failed'],
    ['failover', 'failover_failed', drDetail('running'), drDetail('failover_failed'), 'failed'],
    ['failover', 'switchovering (transitional)', drDetail('running'), drDetail('switchovering'), 'running'],
    ['recovery', 'running, from stopped', drDetail('stopped'), drDetail('running'), 'completed'],
    ['recovery', 'recovering (unpublished)', drDetail('stopped'), drDetail('recovering'), 'running'],
    ['recovery', 'recovery_failed', drDetail('stopped'), drDetail('recovery_failed'), 'failed'],
  ])('%s seeing %s: %s', (op, _what, before, now, state) => {
    expect(judge(op, before, now).state).toBe(state);
  });

  it('a detail still as before the call, never seen under way, is not started yet (even abnormal or start_failed)', () => {
    // Act
    const abnormal = judge('failover', drDetail('abnormal'), drDetail('abnormal'), false);
    const startFailed = judge('start', drDetail('start_failed'), drDetail('start_failed'), false);
    const running = judge('failover', drDetail('running'), drDetail('running'), false);
    const afterwards = judge('failover', drDetail('abnormal'), drDetail('abnormal'), true);

    // Assess
    for (const seen of [abnormal, startFailed, running]) {
      expect(seen).toMatchObject({ state: 'running', started: false });
      expect(seen.observed).toMatch(/\(as before the call: not under way yet\)$/);
    }
    expect(afterwards).toStrictEqual({
      state: 'failed',
      observed: 'DR status abnormal',
      error: 'DR status abnormal',
    });
  });

  it('says what it compared: the status before, and a changed primary cluster', () => {
    expect(judge('failover', drDetail('running'), swapped('stopped')).observed).toBe(
      'DR status stopped (was running, primary cluster changed)',
    );
    expect(judge('recovery', drDetail('stopped'), drDetail('running')).observed).toBe(
      'DR status running (was stopped)',
    );
    expect(judge('failover', drDetail('running'), { nope: true })).toStrictEqual({
      state: 'running',
      observed: 'the DR detail could not be read',
    });
  });

  it('reads the DR detail, and allows each operation an hour', () => {
    for (const op of Object.keys(dws) as (keyof typeof dws)[]) {
      expect(dws[op].operation.progressCall(dwsFailoverRequest)).toStrictEqual({
        method: 'GET',
        path: `/v2/${PROJECT_ID}/disaster-recovery/${DR_ID}`,
      });
      expect(dws[op].operation.timeLimitSeconds).toBe(3600);
    }
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

/** A CBR backup as `GET /v3/{project_id}/backups/{id}` answers it (times without a zone, as CBR prints them). */
const cbrBackup = (status: string, updatedAt = '2024-05-01T09:00:00.000000') => ({
  backup: {
    id: CBR_BACKUP_ID,
    name: 'manualbk_3e1d',
    status,
    resource_id: SERVER_ID,
    resource_type: 'OS::Nova::Server',
    provider_id: '0daac4c5-6707-4851-97ba-169e36266b66',
    vault_id: '9e8d7c6b-5a49-4382-9716-05f4e3d2c1b0',
    created_at: '2024-04-30T02:00:11.000000',
    updated_at: updatedAt,
    children: [{ id: CBR_DISK_BACKUP_ID, resource_id: CBR_VOLUME_ID, resource_type: 'OS::Cinder::Volume' }],
  },
});

/** A CBR task (operation log) of a restore, as `GET /v3/{project_id}/operation-logs[/{id}]` shows it. */
const cbrTask = (
  id: string,
  status: string,
  createdAt: string,
  backupId = CBR_BACKUP_ID,
  error?: { code: string; message: string },
) => ({
  id,
  project_id: PROJECT_ID,
  operation_type: 'restore',
  status,
  created_at: createdAt,
  started_at: createdAt,
  updated_at: createdAt,
  error_info: error ?? { code: '', message: '' },
  extra_info: {
    restore: { backup_id: backupId, backup_name: 'manualbk', target_resource_id: SERVER_ID },
    resource: { id: SERVER_ID, type: 'OS::Nova::Server' },
  },
  provider_id: '0daac4c5-6707-4851-97ba-169e36266b66',
  vault_id: '9e8d7c6b-5a49-4382-9716-05f4e3d2c1b0',
});
/** The state reconciliation reads: the backup, then every page of restore tasks, combined. */
const cbrState = (backup: unknown, tasks: unknown[], complete = true) => ({
  backup,
  restore_tasks: tasks,
  complete,
});
const SENT_AT_UTC = '2024-05-01T10:00:00Z';

describe('CBR preflight', () => {
  it('allows a restore from an available backup', () => {
    expect(cbrRestore.preflight(cbrBackup('available'))).toStrictEqual({ ok: true });
  });

  it.each([
    'protecting',
    'deleting',
    'restoring',
    'error',
    'waiting_protect',
    'waiting_delete',
    'waiting_restore',
    'AVAILABLE',
  ])('refuses a restore from a backup that is %s, naming the status', (status) => {
    expect(cbrRestore.preflight(cbrBackup(status))).toStrictEqual({
      ok: false,
      reason: `backup status is ${status}; a restore can start only from available`,
    });
  });

  it.each<[string, unknown]>([
    ...MALFORMED_STATES,
    ['no status', { backup: { id: CBR_BACKUP_ID } }],
    ['an error body', { error_code: 'BackupService.6200', error_msg: 'The backup does not exist.' }],
  ])('refuses when the backup read is %s', (_what, body) => {
    expect(cbrRestore.preflight(body)).toStrictEqual({
      ok: false,
      reason: 'the backup could not be read (unexpected shape)',
    });
  });
});

describe('CBR reconcile', () => {
  const context = { request: cbrRestoreRequest, sentAt: SENT_AT };
  const at = (ms: number) => new Date(Date.parse(SENT_AT) + ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

  it.each<[string, number]>([
    ['at the moment we sent', 0],
    ['after we sent', 5 * 60_000],
    ['30 s before we sent (clock skew)', -30_000],
    ['exactly 60 s before we sent', -60_000],
  ])('says applied, with the job id, for a restore task of our backup created %s', (_when, offset) => {
    // Prepare
    const state = cbrState(cbrBackup('restoring'), [cbrTask(OUR_JOB_ID, 'running', at(offset))]);
    // Act
    const seen = cbrRestore.reconcile(state, context);
    // Assess
    expect(seen).toStrictEqual({
      verdict: 'applied',
      observed: `restore task ${OUR_JOB_ID} of backup ${CBR_BACKUP_ID} is running`,
      remote: { job_id: OUR_JOB_ID },
    });
  });

  it('finds our task after the restore ended (the backup is available again), among tasks of other backups', () => {
    // Prepare
    const state = cbrState(cbrBackup('available'), [
      cbrTask(OTHER_JOB_ID, 'running', at(2_000), OTHER_BACKUP_ID),
      cbrTask(OUR_JOB_ID, 'success', at(1_000)),
    ]);
    // Act
    const seen = cbrRestore.reconcile(state, context);
    // Assess
    expect(seen).toMatchObject({ verdict: 'applied', remote: { job_id: OUR_JOB_ID } });
    expect(seen.observed).toContain('is success');
  });

  it('takes the newest of our backup’s tasks since the call', () => {
    // Prepare
    const state = cbrState(cbrBackup('restoring'), [
      cbrTask(OTHER_JOB_ID, 'failed', at(1_000)),
      cbrTask(OUR_JOB_ID, 'running', at(3_000)),
    ]);
    // Act / Assess
    expect(cbrRestore.reconcile(state, context).remote).toStrictEqual({ job_id: OUR_JOB_ID });
  });

  it.each(['restoring', 'waiting_restore'])(
    'says applied, without a job id, when the backup is %s but no task of it is listed yet',
    (status) => {
      // Act
      const seen = cbrRestore.reconcile(cbrState(cbrBackup(status), []), context);
      // Assess
      expect(seen).toStrictEqual({
        verdict: 'applied',
        observed: `backup is ${status} (no restore task of it listed yet)`,
      });
    },
  );

  it.each<[string, unknown[]]>([
    ['there are no restore tasks', []],
    [
      'only another backup was restored since',
      [cbrTask(OTHER_JOB_ID, 'running', at(1_000), OTHER_BACKUP_ID)],
    ],
    ['our backup was restored only 61 s before', [cbrTask(OTHER_JOB_ID, 'success', at(-61_000))]],
    ['our backup was restored yesterday', [cbrTask(OTHER_JOB_ID, 'success', at(-86_400_000))]],
  ])('says not_applied when the backup is available and %s', (_what, tasks) => {
    // Act
    const seen = cbrRestore.reconcile(cbrState(cbrBackup('available'), tasks), context);
    // Assess
    expect(seen).toStrictEqual({
      verdict: 'not_applied',
      observed: `backup is available and no restore task of it since ${SENT_AT}`,
    });
  });

  it('says unknown, not not_applied, when not every restore task could be read', () => {
    // Act
    const seen = cbrRestore.reconcile(cbrState(cbrBackup('available'), [], false), context);
    // Assess
    expect(seen.verdict).toBe('unknown');
    expect(seen.observed).toContain('not every restore task could be read');
  });

  it('says unknown when a task of our backup has an unreadable created_at', () => {
    // Prepare
    const state = cbrState(cbrBackup('available'), [cbrTask(OUR_JOB_ID, 'success', 'yesterday')]);
    // Act / Assess
    expect(cbrRestore.reconcile(state, context)).toStrictEqual({
      verdict: 'unknown',
      observed: `a restore task of backup ${CBR_BACKUP_ID} has an unreadable created_at`,
    });
  });

  it('says unknown when a task naming our backup cannot be read at all', () => {
    // Prepare
    const broken = { id: 42, extra_info: { restore: { backup_id: CBR_BACKUP_ID } } };
    // Act / Assess
    expect(cbrRestore.reconcile(cbrState(cbrBackup('available'), [broken]), context).verdict).toBe('unknown');
  });

  it('reads the backup alone (no tasks read): restoring is applied, anything else unknown', () => {
    expect(cbrRestore.reconcile(cbrBackup('restoring'), context)).toStrictEqual({
      verdict: 'applied',
      observed: 'backup is restoring',
    });
    expect(cbrRestore.reconcile(cbrBackup('available'), context)).toStrictEqual({
      verdict: 'unknown',
      observed: 'backup is available; its restore tasks were not read',
    });
  });

  it.each<[string, unknown]>([
    ...MALFORMED_STATES,
    ['an error body', { error_code: 'BackupService.6200', error_msg: 'The backup does not exist.' }],
    ['tasks with an unreadable backup', cbrState({ backup: { id: CBR_BACKUP_ID } }, [])],
  ])('says unknown when the state is %s', (_what, state) => {
    expect(cbrRestore.reconcile(state, context)).toStrictEqual({
      verdict: 'unknown',
      observed: 'the backup could not be read',
    });
  });

  it('compares times in UTC whatever their form (Z or none)', () => {
    // Prepare: a task 10 s after the call, printed without a zone
    const state = cbrState(cbrBackup('available'), [cbrTask(OUR_JOB_ID, 'success', '2024-05-01T10:00:10')]);
    // Act / Assess
    expect(cbrRestore.reconcile(state, { request: cbrRestoreRequest, sentAt: SENT_AT_UTC }).verdict).toBe(
      'applied',
    );
  });
});

describe('CBR state reads: the backup, then the restore tasks', () => {
  const paging = cbrRestore.statePaging;
  const first = cbrRestore.stateCall(cbrRestoreRequest);
  const page = (count: number, total?: number) => ({
    operation_logs: Array.from({ length: count }, (_, i) =>
      cbrTask(`t-${i}`, 'success', SENT_AT, OTHER_BACKUP_ID),
    ),
    ...(total === undefined ? {} : { count: total }),
  });

  it('reads the restore tasks after a readable backup, from the first page (no offset)', () => {
    expect(paging.next(first, cbrBackup('available'))).toStrictEqual({
      method: 'GET',
      path: `/v3/${PROJECT_ID}/operation-logs?operation_type=restore&limit=1000`,
    });
  });

  it('stops after an unreadable backup', () => {
    expect(paging.next(first, { error_code: 'BackupService.6200' })).toBeUndefined();
  });

  it('asks for the next page (offset 0-based) while count says there are more', () => {
    // Prepare
    const tasks = paging.next(first, cbrBackup('available'))!;
    // Act
    const second = paging.next(tasks, page(1000, 2500));
    // Assess
    expect(second?.path).toBe(
      `/v3/${PROJECT_ID}/operation-logs?operation_type=restore&limit=1000&offset=1000`,
    );
    expect(paging.next(second!, page(1000, 2500))?.path).toContain('offset=2000');
  });

  it.each<[string, unknown]>([
    ['the last page was read', page(3, 3)],
    ['a page came back empty', page(0, 5)],
    ['a short page without count', page(3)],
    ['the page is unreadable', { error_code: 'BackupService.9900' }],
  ])('stops when %s', (_what, body) => {
    const tasks = paging.next(first, cbrBackup('available'))!;
    expect(paging.next(tasks, body)).toBeUndefined();
  });

  it('never follows a task read by its job id', () => {
    const call = cbrRestore.operation.progressCall(cbrRestoreRequest, DEFAULT_ACTION_SETTINGS, {
      job_id: OUR_JOB_ID,
    })!;
    expect(paging.next(call, { operation_log: cbrTask(OUR_JOB_ID, 'running', SENT_AT) })).toBeUndefined();
  });

  it('combines the backup and every page; a single answer stays as it is', () => {
    // Prepare
    const ours = cbrTask(OUR_JOB_ID, 'running', SENT_AT);
    // Act
    const both = paging.combine([cbrBackup('restoring'), { operation_logs: [ours], count: 1 }]);
    const one = paging.combine([{ operation_log: ours }]);
    // Assess
    expect(both).toStrictEqual(cbrState(cbrBackup('restoring'), [ours]));
    expect(one).toStrictEqual({ operation_log: ours });
  });

  it('marks the tasks incomplete when fewer were read than count says (the page limit), or a page was unreadable', () => {
    expect(paging.combine([cbrBackup('available'), page(2, 20_000)])).toMatchObject({ complete: false });
    expect(paging.combine([cbrBackup('available'), { error_code: 'x' }])).toMatchObject({ complete: false });
  });

  it('finds our task on a later page', () => {
    // Prepare
    const pages = [
      cbrBackup('available'),
      page(1000, 1001),
      { operation_logs: [cbrTask(OUR_JOB_ID, 'success', SENT_AT)], count: 1001 },
    ];
    // Act
    const seen = cbrRestore.reconcile(paging.combine(pages), { request: cbrRestoreRequest, sentAt: SENT_AT });
    // Assess
    expect(seen).toMatchObject({ verdict: 'applied', remote: { job_id: OUR_JOB_ID } });
  });
});

describe('CBR operation: followed by its task, else by its backup', () => {
  const context = (remote: Record<string, string>, seenRunning = false, before?: unknown) => ({
    request: cbrRestoreRequest,
    remote,
    seenRunning,
    ...(before === undefined ? {} : { before }),
  });

  it('reads the task by its job id when the answer carried one', () => {
    expect(
      cbrRestore.operation.progressCall(cbrRestoreRequest, DEFAULT_ACTION_SETTINGS, { job_id: OUR_JOB_ID }),
    ).toStrictEqual({
      method: 'GET',
      path: `/v3/${PROJECT_ID}/operation-logs/${OUR_JOB_ID}`,
    });
  });

  it('reads the backup (and then its restore tasks) without a job id', () => {
    expect(cbrRestore.operation.progressCall(cbrRestoreRequest, DEFAULT_ACTION_SETTINGS, {})).toStrictEqual({
      method: 'GET',
      path: `/v3/${PROJECT_ID}/backups/${CBR_BACKUP_ID}`,
    });
  });

  it('says a waiting task has not started yet', () => {
    // Act
    const seen = cbrRestore.operation.judge(
      { operation_log: cbrTask(OUR_JOB_ID, 'waiting', SENT_AT) },
      context({ job_id: OUR_JOB_ID }),
    );
    // Assess
    expect(seen).toStrictEqual({
      state: 'running',
      observed: `restore task ${OUR_JOB_ID} is waiting`,
      started: false,
    });
  });

  it.each<[string, string, string | undefined]>([
    ['running', 'running', undefined],
    ['an unpublished status', 'running', undefined],
    ['success', 'completed', undefined],
    ['failed', 'failed', 'CBR restore failed: BackupService.9910: Unknown error.'],
    ['timeout', 'failed', 'CBR restore timeout: BackupService.9910: Unknown error.'],
    ['skipped', 'failed', 'CBR restore skipped: BackupService.9910: Unknown error.'],
  ])('judges a task that is %s: %s', (status, state, error) => {
    // Prepare
    const body = {
      operation_log: cbrTask(OUR_JOB_ID, status, SENT_AT, CBR_BACKUP_ID, {
        code: 'BackupService.9910',
        message: 'Unknown error.',
      }),
    };
    // Act
    const seen = cbrRestore.operation.judge(body, context({ job_id: OUR_JOB_ID }));
    // Assess
    expect(seen).toStrictEqual({
      state,
      observed: `restore task ${OUR_JOB_ID} is ${status}`,
      ...(error === undefined ? {} : { error }),
    });
  });

  it('says which error a failed task without an error code had', () => {
    // Prepare
    const body = { operation_log: { ...cbrTask(OUR_JOB_ID, 'failed', SENT_AT), error_info: null } };
    // Act / Assess
    expect(cbrRestore.operation.judge(body, context({ job_id: OUR_JOB_ID })).error).toBe(
      'CBR restore failed: no error code',
    );
  });

  it('without a job id, judges the newest task of our backup created since the backup last changed', () => {
    // Prepare: an old success of the same backup, and ours, running
    const before = cbrBackup('available', '2024-05-01T09:59:00.000000');
    const state = cbrState(cbrBackup('restoring'), [
      cbrTask(OTHER_JOB_ID, 'success', '2024-05-01T08:00:00Z'),
      cbrTask(OUR_JOB_ID, 'running', '2024-05-01T10:00:01Z'),
    ]);
    // Act
    const seen = cbrRestore.operation.judge(state, context({}, false, before));
    // Assess
    expect(seen).toStrictEqual({
      state: 'running',
      observed: `restore task ${OUR_JOB_ID} is running (found by its backup: no job id)`,
    });
  });

  it('without a job id, ignores tasks older than the backup’s last change before the call', () => {
    // Prepare
    const before = cbrBackup('available', '2024-05-01T09:59:00.000000');
    const state = cbrState(cbrBackup('restoring'), [
      cbrTask(OTHER_JOB_ID, 'success', '2024-05-01T08:00:00Z'),
    ]);
    // Act / Assess
    expect(cbrRestore.operation.judge(state, context({}, false, before))).toStrictEqual({
      state: 'running',
      observed: 'backup is restoring, no restore task of it listed',
    });
  });

  it.each<[string, boolean, string]>([
    ['waiting_restore', false, 'running'],
    ['restoring', true, 'running'],
    ['available', false, 'running'],
    ['available', true, 'completed'],
    ['error', true, 'failed'],
  ])(
    'without any task, follows the backup: %s (seen running before: %s) is %s',
    (status, seenRunning, state) => {
      expect(
        cbrRestore.operation.judge(cbrState(cbrBackup(status), []), context({}, seenRunning)).state,
      ).toBe(state);
    },
  );

  it('without a job id nor a snapshot, takes tasks created since the call was accepted (elapsed seconds)', () => {
    // Prepare: one task an hour old, one a few seconds old
    const now = Date.now();
    const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const state = cbrState(cbrBackup('restoring'), [
      cbrTask(OTHER_JOB_ID, 'success', iso(now - 3_600_000)),
      cbrTask(OUR_JOB_ID, 'running', iso(now - 5_000)),
    ]);
    // Act
    const seen = cbrRestore.operation.judge(state, { ...context({}), elapsedSeconds: 10 });
    const old = cbrRestore.operation.judge(cbrState(cbrBackup('restoring'), [state.restore_tasks[0]]), {
      ...context({}),
      elapsedSeconds: 10,
    });
    // Assess
    expect(seen.observed).toContain(OUR_JOB_ID);
    expect(old.observed).toBe('backup is restoring, no restore task of it listed');
  });

  it('says the backup does not tell whether the restore succeeded', () => {
    expect(
      cbrRestore.operation.judge(cbrState(cbrBackup('available'), []), context({}, true)).observed,
    ).toContain('the backup does not say whether the restore succeeded');
  });

  it.each(MALFORMED_STATES)('calls an unreadable read %s running', (_what, state) => {
    expect(cbrRestore.operation.judge(state, context({ job_id: OUR_JOB_ID })).state).toBe('running');
  });

  it('follows a restore for four hours before calling it stalled', () => {
    expect(cbrRestore.operation.timeLimitSeconds).toBe(4 * 3600);
  });

  it('exports the busy codes it declares', () => {
    expect(actionFor('cbr.restore').busyCodes).toBe(CBR_BUSY_CODES);
  });
});
