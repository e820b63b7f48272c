import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ActionId } from '../../lib/actions/catalogue.ts';
import {
  type ActionRequest,
  canonicalJson,
  idempotencyKey,
  parseActionRequest,
  parseActionRequestJson,
} from '../../lib/actions/request.ts';
import { DrRelayError, ValidationError } from '../../lib/errors.ts';
import {
  CBR_DISK_BACKUP_ID,
  CBR_VOLUME_ID,
  CHECKPOINT_ID,
  cbrRestoreVolumeRequest,
  csbsRestoreMinimalRequest,
  csbsRestoreRequest,
  DCS_BACKUP_ID,
  DR_ID,
  dwsFailoverRequest,
  dwsStartRequest,
  PROJECT_ID,
  REGION,
  sampleRequest,
  sampleRequests,
  VOLUME_BACKUP_ID,
  VOLUME_ID,
} from '../fixtures/requests.ts';

const ACTION_LIST = 'dws.dr.start, dws.dr.failover, dws.dr.recovery, csbs.restore, dcs.restore, cbr.restore';
const OTHER_UUID = '2c4e6a8c-0e2a-4c6e-8a0c-2e4a6c8e0a2c';

const DELETE = Symbol('delete');
type Path = readonly (string | number)[];

/** A deep copy of the sample request of `action` with the value at each path replaced (or deleted). */
const changed = (action: ActionId, ...edits: [Path, unknown][]): unknown => {
  const copy: unknown = sampleRequest(action);
  for (const [path, value] of edits) {
    let node = copy as Record<string | number, unknown>;
    for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
    const last = path[path.length - 1]!;
    if (value === DELETE) delete node[last];
    else node[last] = value;
  }
  return copy;
};

/** The ValidationError thrown by `act`; fails the test when it throws nothing or something else. */
const rejection = (act: () => unknown): ValidationError => {
  try {
    act();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error('expected a ValidationError, but nothing was thrown');
};

const pathsOf = (error: ValidationError): string[] => error.issues.map((i) => i.path).sort();

describe('parseActionRequest: valid requests', () => {
  it.each(Object.entries(sampleRequests))(
    'accepts the %s sample and returns it unchanged',
    (_id, request) => {
      // Act
      const parsed = parseActionRequest(structuredClone(request));
      // Assess
      expect(parsed).toStrictEqual(request);
    },
  );

  it('accepts a CSBS restore with only the mandatory fields (no restore_target, no request_id)', () => {
    expect(parseActionRequest(structuredClone(csbsRestoreMinimalRequest))).toStrictEqual(
      csbsRestoreMinimalRequest,
    );
  });

  it.each<[string, unknown]>([
    ['without request_id', changed('dws.dr.failover', [['request_id'], DELETE])],
    ['with a 1-character request_id', changed('dws.dr.start', [['request_id'], 'x'])],
    ['with a 128-character request_id', changed('dws.dr.start', [['request_id'], 'k'.repeat(128)])],
    ['with every allowed request_id character', changed('dws.dr.start', [['request_id'], 'Az09._:@-'])],
    ['in region eu-west-101', changed('dws.dr.start', [['region'], 'eu-west-101'])],
    ['in region ap-southeast-1', changed('dws.dr.start', [['region'], 'ap-southeast-1'])],
    ['with power_on false', changed('csbs.restore', [['params', 'parameters', 'power_on'], false])],
    [
      'with 64 volumes',
      changed('csbs.restore', [
        ['params', 'parameters', 'targets', 'volumes'],
        Array.from({ length: 64 }, () => ({ backup_id: VOLUME_BACKUP_ID, volume_id: VOLUME_ID })),
      ]),
    ],
    [
      'with a 255-character restore_target',
      changed('csbs.restore', [['params', 'restore_target'], 't'.repeat(255)]),
    ],
    ['without remark', changed('dcs.restore', [['params', 'remark'], DELETE])],
    ['with an empty remark', changed('dcs.restore', [['params', 'remark'], ''])],
    ['with a 128-character remark', changed('dcs.restore', [['params', 'remark'], 'r'.repeat(128)])],
  ])('accepts a request %s', (_what, request) => {
    // Act
    const parsed = parseActionRequest(request);
    // Assess
    expect(parsed).toStrictEqual(request);
  });
});

describe('parseActionRequest: letter case', () => {
  it('accepts ids in upper case (Huawei ids are case-insensitive)', () => {
    // Prepare
    const request = changed(
      'dcs.restore',
      [['project_id'], PROJECT_ID.toUpperCase()],
      [['params', 'backup_id'], DCS_BACKUP_ID.toUpperCase()],
    );
    // Act
    const parsed = parseActionRequest(request) as Extract<ActionRequest, { action: 'dcs.restore' }>;
    // Assess
    expect(parsed.project_id.toLowerCase()).toBe(PROJECT_ID);
    expect(parsed.params.backup_id.toLowerCase()).toBe(DCS_BACKUP_ID);
  });
});

describe('parseActionRequest: unknown fields', () => {
  it.each<[string, unknown, string]>([
    ['at the top level', changed('dws.dr.start', [['priority'], 'high']), 'priority'],
    ['in DWS params', changed('dws.dr.failover', [['params', 'extra'], true]), 'params.extra'],
    [
      'in CSBS params',
      changed('csbs.restore', [['params', 'provider_id'], OTHER_UUID]),
      'params.provider_id',
    ],
    [
      'in CSBS parameters',
      changed('csbs.restore', [['params', 'parameters', 'bar'], 1]),
      'params.parameters.bar',
    ],
    [
      'in CSBS targets',
      changed('csbs.restore', [['params', 'parameters', 'targets', 'foo'], 'x']),
      'params.parameters.targets.foo',
    ],
    [
      'in a CSBS volume',
      changed('csbs.restore', [['params', 'parameters', 'targets', 'volumes', 0, 'zone'], 'cn-north-4a']),
      'params.parameters.targets.volumes.0.zone',
    ],
    ['in DCS params', changed('dcs.restore', [['params', 'extra'], null]), 'params.extra'],
    ['named constructor', changed('dws.dr.start', [['params', 'constructor'], 'x']), 'params.constructor'],
    ['named toString', changed('dws.dr.start', [['toString'], 'x']), 'toString'],
  ])('rejects an unknown field %s, reporting it at its own path', (_where, request, path) => {
    // Act
    const error = rejection(() => parseActionRequest(request));
    // Assess
    expect(error.issues).toStrictEqual([{ path, message: 'unknown field' }]);
    expect(error.message).toBe(`invalid ActionRequest: ${path}: unknown field`);
  });

  it('reports a __proto__ key as an unknown field, without polluting any prototype', () => {
    // Prepare
    const raw = `{"__proto__":{"polluted":true},${JSON.stringify(dwsStartRequest).slice(1)}`;
    // Act
    const error = rejection(() => parseActionRequestJson(raw));
    // Assess
    expect(error.issues).toStrictEqual([{ path: '__proto__', message: 'unknown field' }]);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('names every unknown field when there are several, at every depth', () => {
    // Prepare
    const request = changed(
      'csbs.restore',
      [['source'], 'ticket'],
      [['params', 'parameters', 'targets', 'foo'], 1],
      [['params', 'parameters', 'targets', 'bar'], 2],
      [['params', 'parameters', 'targets', 'volumes', 0, 'size'], 40],
    );
    // Act
    const error = rejection(() => parseActionRequest(request));
    // Assess
    expect(pathsOf(error)).toEqual([
      'params.parameters.targets.bar',
      'params.parameters.targets.foo',
      'params.parameters.targets.volumes.0.size',
      'source',
    ]);
    expect(error.issues.every((i) => i.message === 'unknown field')).toBe(true);
  });
});

describe('parseActionRequest: wrong types, missing fields, malformed values', () => {
  const TARGETS = 'params.parameters.targets';
  const VOLUME_0 = `${TARGETS}.volumes.0`;
  it.each<[string, unknown, string]>([
    // wrong types
    ['a numeric region', changed('dws.dr.start', [['region'], 4]), 'region'],
    ['a null project_id', changed('dws.dr.start', [['project_id'], null]), 'project_id'],
    ['a numeric request_id', changed('dws.dr.start', [['request_id'], 7]), 'request_id'],
    ['params as a string', changed('dws.dr.start', [['params'], DR_ID]), 'params'],
    ['params as an array', changed('dcs.restore', [['params'], []]), 'params'],
    [
      'a numeric DR id',
      changed('dws.dr.recovery', [['params', 'disaster_recovery_id'], 123]),
      'params.disaster_recovery_id',
    ],
    [
      'power_on as a string',
      changed('csbs.restore', [['params', 'parameters', 'power_on'], 'true']),
      'params.parameters.power_on',
    ],
    ['targets as an array', changed('csbs.restore', [['params', 'parameters', 'targets'], []]), TARGETS],
    [
      'volumes as an object',
      changed('csbs.restore', [['params', 'parameters', 'targets', 'volumes'], {}]),
      `${TARGETS}.volumes`,
    ],
    [
      'a volume as a string',
      changed('csbs.restore', [['params', 'parameters', 'targets', 'volumes', 0], VOLUME_ID]),
      VOLUME_0,
    ],
    ['a numeric remark', changed('dcs.restore', [['params', 'remark'], 5]), 'params.remark'],
    ['a null remark', changed('dcs.restore', [['params', 'remark'], null]), 'params.remark'],
    [
      'a boolean restore_target',
      changed('csbs.restore', [['params', 'restore_target'], true]),
      'params.restore_target',
    ],
    // missing
    ['no region', changed('dws.dr.start', [['region'], DELETE]), 'region'],
    ['no project_id', changed('csbs.restore', [['project_id'], DELETE]), 'project_id'],
    ['no params', changed('dcs.restore', [['params'], DELETE]), 'params'],
    [
      'no DR id',
      changed('dws.dr.failover', [['params', 'disaster_recovery_id'], DELETE]),
      'params.disaster_recovery_id',
    ],
    [
      'no checkpoint_id',
      changed('csbs.restore', [['params', 'checkpoint_id'], DELETE]),
      'params.checkpoint_id',
    ],
    ['no parameters', changed('csbs.restore', [['params', 'parameters'], DELETE]), 'params.parameters'],
    ['no targets', changed('csbs.restore', [['params', 'parameters', 'targets'], DELETE]), TARGETS],
    // CSBS: every field of parameters is Mandatory in the API reference (a real 400 without it)
    [
      'no checkpoint_item_id',
      changed('csbs.restore', [['params', 'parameters', 'checkpoint_item_id'], DELETE]),
      'params.parameters.checkpoint_item_id',
    ],
    [
      'no power_on',
      changed('csbs.restore', [['params', 'parameters', 'power_on'], DELETE]),
      'params.parameters.power_on',
    ],
    [
      'no server_id',
      changed('csbs.restore', [['params', 'parameters', 'targets', 'server_id'], DELETE]),
      `${TARGETS}.server_id`,
    ],
    [
      'no volumes',
      changed('csbs.restore', [['params', 'parameters', 'targets', 'volumes'], DELETE]),
      `${TARGETS}.volumes`,
    ],
    [
      'a volume without volume_id',
      changed('csbs.restore', [['params', 'parameters', 'targets', 'volumes', 0, 'volume_id'], DELETE]),
      `${VOLUME_0}.volume_id`,
    ],
    [
      'a volume without backup_id',
      changed('csbs.restore', [['params', 'parameters', 'targets', 'volumes', 0, 'backup_id'], DELETE]),
      `${VOLUME_0}.backup_id`,
    ],
    ['no instance_id', changed('dcs.restore', [['params', 'instance_id'], DELETE]), 'params.instance_id'],
    ['no backup_id', changed('dcs.restore', [['params', 'backup_id'], DELETE]), 'params.backup_id'],
    // malformed ids
    [
      'a 31-character project_id',
      changed('dws.dr.start', [['project_id'], PROJECT_ID.slice(1)]),
      'project_id',
    ],
    ['a 33-character project_id', changed('dws.dr.start', [['project_id'], `${PROJECT_ID}0`]), 'project_id'],
    [
      'a non-hex project_id',
      changed('dws.dr.start', [['project_id'], `g${PROJECT_ID.slice(1)}`]),
      'project_id',
    ],
    ['a UUID as project_id', changed('dws.dr.start', [['project_id'], DR_ID]), 'project_id'],
    ['region cn-north', changed('dws.dr.start', [['region'], 'cn-north']), 'region'],
    ['region CN-NORTH-4', changed('dws.dr.start', [['region'], 'CN-NORTH-4']), 'region'],
    ['region cnnorth4', changed('dws.dr.start', [['region'], 'cnnorth4']), 'region'],
    ['region cn_north_4', changed('dws.dr.start', [['region'], 'cn_north_4']), 'region'],
    ['region "cn-north-4 "', changed('dws.dr.start', [['region'], 'cn-north-4 ']), 'region'],
    [
      'region cn-north-4.evil.example',
      changed('dws.dr.start', [['region'], 'cn-north-4.evil.example']),
      'region',
    ],
    ['an empty region', changed('dws.dr.start', [['region'], '']), 'region'],
    [
      'a DR id that is not a UUID',
      changed('dws.dr.start', [['params', 'disaster_recovery_id'], 'dr-prod-1']),
      'params.disaster_recovery_id',
    ],
    [
      'a UUID without dashes',
      changed('dws.dr.start', [['params', 'disaster_recovery_id'], DR_ID.replaceAll('-', '')]),
      'params.disaster_recovery_id',
    ],
    [
      'a braced UUID',
      changed('dws.dr.start', [['params', 'disaster_recovery_id'], `{${DR_ID}}`]),
      'params.disaster_recovery_id',
    ],
    [
      'a UUID with a trailing space',
      changed('dws.dr.start', [['params', 'disaster_recovery_id'], `${DR_ID} `]),
      'params.disaster_recovery_id',
    ],
    [
      'a UUID with a path appended',
      changed('dws.dr.start', [['params', 'disaster_recovery_id'], `${DR_ID}/../x`]),
      'params.disaster_recovery_id',
    ],
    [
      'a truncated checkpoint_id',
      changed('csbs.restore', [['params', 'checkpoint_id'], CHECKPOINT_ID.slice(0, -1)]),
      'params.checkpoint_id',
    ],
    [
      'a checkpoint_item_id that is not a UUID',
      changed('csbs.restore', [['params', 'parameters', 'checkpoint_item_id'], 'it-1']),
      'params.parameters.checkpoint_item_id',
    ],
    [
      'a server_id that is not a UUID',
      changed('csbs.restore', [['params', 'parameters', 'targets', 'server_id'], 'srv-1']),
      `${TARGETS}.server_id`,
    ],
    [
      'a volume backup_id that is not a UUID',
      changed('csbs.restore', [['params', 'parameters', 'targets', 'volumes', 0, 'backup_id'], 'b-1']),
      `${VOLUME_0}.backup_id`,
    ],
    [
      'a volume_id that is not a UUID',
      changed('csbs.restore', [['params', 'parameters', 'targets', 'volumes', 0, 'volume_id'], 'v-1']),
      `${VOLUME_0}.volume_id`,
    ],
    [
      'an instance_id that is not a UUID',
      changed('dcs.restore', [['params', 'instance_id'], 'inst-1']),
      'params.instance_id',
    ],
    [
      'a DCS backup_id that is not a UUID',
      changed('dcs.restore', [['params', 'backup_id'], 'bk-1']),
      'params.backup_id',
    ],
    ['a request_id with spaces', changed('dws.dr.start', [['request_id'], 'my request']), 'request_id'],
    ['a 129-character request_id', changed('dws.dr.start', [['request_id'], 'k'.repeat(129)]), 'request_id'],
    ['an empty request_id', changed('dws.dr.start', [['request_id'], '']), 'request_id'],
    ['a request_id with a slash', changed('dws.dr.start', [['request_id'], 'tickets/42']), 'request_id'],
    ['a non-ASCII request_id', changed('dws.dr.start', [['request_id'], 'café']), 'request_id'],
    // out of range
    [
      'an empty volume list',
      changed('csbs.restore', [['params', 'parameters', 'targets', 'volumes'], []]),
      `${TARGETS}.volumes`,
    ],
    [
      '65 volumes',
      changed('csbs.restore', [
        ['params', 'parameters', 'targets', 'volumes'],
        Array.from({ length: 65 }, () => ({ backup_id: VOLUME_BACKUP_ID, volume_id: VOLUME_ID })),
      ]),
      `${TARGETS}.volumes`,
    ],
    [
      'an empty restore_target',
      changed('csbs.restore', [['params', 'restore_target'], '']),
      'params.restore_target',
    ],
    [
      'a 256-character restore_target',
      changed('csbs.restore', [['params', 'restore_target'], 't'.repeat(256)]),
      'params.restore_target',
    ],
    [
      'a 129-character remark',
      changed('dcs.restore', [['params', 'remark'], 'r'.repeat(129)]),
      'params.remark',
    ],
  ])('rejects a request with %s, naming exactly that field', (_what, request, path) => {
    // Act
    const error = rejection(() => parseActionRequest(request));
    // Assess: one field, possibly with several complaints (e.g. too short and bad characters)
    expect([...new Set(error.issues.map((i) => i.path))]).toEqual([path]);
    expect(error.message).toContain(`${path}: `);
  });

  it.each<[string, unknown, string]>([
    ['project_id', changed('dws.dr.start', [['project_id'], 'abc']), 'must be 32 hexadecimal characters'],
    ['region', changed('dws.dr.start', [['region'], 'north']), 'must be a region id such as cn-north-4'],
    ['a resource id', changed('dcs.restore', [['params', 'backup_id'], 'bk-1']), 'must be a UUID'],
    ['request_id', changed('dws.dr.start', [['request_id'], 'a b']), 'must be 1-128 characters'],
  ])('explains what a well-formed %s looks like', (_what, request, explanation) => {
    // Act
    const error = rejection(() => parseActionRequest(request));
    // Assess
    expect(error.issues[0]!.message).toContain(explanation);
    expect(error.message).toContain(explanation);
  });

  it('names every bad field at once, and each appears in the message', () => {
    // Prepare
    const request = changed(
      'csbs.restore',
      [['region'], 'CN-NORTH-4'],
      [['project_id'], '1234'],
      [['request_id'], 'has spaces in it'],
      [['params', 'checkpoint_id'], 'cp-1'],
      [['params', 'parameters', 'power_on'], 'yes'],
      [['params', 'parameters', 'targets', 'server_id'], DELETE],
      [['params', 'parameters', 'targets', 'volumes', 0, 'volume_id'], 42],
      [['params', 'parameters', 'targets', 'color'], 'blue'],
      [['params', 'restore_target'], ''],
      [['extra'], 1],
    );
    const expected = [
      'extra',
      'params.checkpoint_id',
      'params.parameters.power_on',
      'params.parameters.targets.color',
      'params.parameters.targets.server_id',
      'params.parameters.targets.volumes.0.volume_id',
      'params.restore_target',
      'project_id',
      'region',
      'request_id',
    ];
    // Act
    const error = rejection(() => parseActionRequest(request));
    // Assess
    expect(pathsOf(error)).toEqual(expected);
    for (const path of expected) expect(error.message).toContain(`${path}: `);
    expect(error.message.startsWith('invalid ActionRequest: ')).toBe(true);
  });

  it('validates params against the schema of the action named, not another one', () => {
    // Prepare: DCS params under a DWS action
    const request = { ...sampleRequest('dcs.restore'), action: 'dws.dr.start' };
    // Act
    const error = rejection(() => parseActionRequest(request));
    // Assess
    expect(pathsOf(error)).toEqual([
      'params.backup_id',
      'params.disaster_recovery_id',
      'params.instance_id',
      'params.remark',
    ]);
  });

  it('is a permanent error (never retried)', () => {
    // Act
    const error = rejection(() => parseActionRequest({}));
    // Assess
    expect(error).toBeInstanceOf(DrRelayError);
    expect(error.kind).toBe('permanent');
    expect(error.name).toBe('ValidationError');
  });
});

describe('parseActionRequest: the action', () => {
  it.each<[string, unknown]>([
    ['an unknown action', changed('dws.dr.start', [['action'], 'dws.dr.switchover'])],
    ['an action in upper case', changed('dws.dr.start', [['action'], 'DWS.DR.START'])],
    ['an Object.prototype name as action', changed('dws.dr.start', [['action'], 'constructor'])],
    ['__proto__ as action', changed('dws.dr.start', [['action'], '__proto__'])],
    ['a numeric action', changed('dws.dr.start', [['action'], 1])],
    ['a null action', changed('dws.dr.start', [['action'], null])],
    ['no action', changed('dws.dr.start', [['action'], DELETE])],
  ])('rejects %s, listing the six actions', (_what, request) => {
    // Act
    const error = rejection(() => parseActionRequest(request));
    // Assess
    expect(error.issues).toStrictEqual([{ path: 'action', message: `must be one of ${ACTION_LIST}` }]);
    expect(error.message).toBe(`invalid ActionRequest: action: must be one of ${ACTION_LIST}`);
  });

  it.each<[string, unknown]>([
    ['null', null],
    ['a number', 42],
    ['a string', 'dws.dr.start'],
    ['an array', [dwsStartRequest]],
    ['a boolean', true],
    ['undefined', undefined],
  ])('rejects %s as the whole request, at path (root)', (_what, value) => {
    // Act
    const error = rejection(() => parseActionRequest(value));
    // Assess
    expect(error.issues.map((i) => i.path)).toEqual(['(root)']);
    expect(error.message).toContain('(root): ');
  });
});

describe('parseActionRequestJson', () => {
  it.each(Object.entries(sampleRequests))('parses the %s sample from its JSON text', (_id, request) => {
    expect(parseActionRequestJson(JSON.stringify(request))).toStrictEqual(request);
  });

  it.each(['', ' ', '{', 'undefined', "{'action':'dws.dr.start'}", '{"a":1,}', 'NaN', '<xml/>'])(
    'rejects the non-JSON body %j at path (body)',
    (raw) => {
      // Act
      const error = rejection(() => parseActionRequestJson(raw));
      // Assess
      expect(error.issues).toHaveLength(1);
      expect(error.issues[0]!.path).toBe('(body)');
      expect(error.issues[0]!.message).toMatch(/^body is not JSON \(.+\)$/);
      expect(error.message).toBe(`invalid ActionRequest: ${error.issues[0]!.message}`);
    },
  );

  it('reports the fields of a JSON body that is not a valid request', () => {
    // Prepare
    const raw = JSON.stringify(changed('dcs.restore', [['params', 'instance_id'], 'inst-1']));
    // Act
    const error = rejection(() => parseActionRequestJson(raw));
    // Assess
    expect(error.issues.map((i) => i.path)).toEqual(['params.instance_id']);
  });

  it('rejects valid JSON that is not an object at path (root)', () => {
    expect(rejection(() => parseActionRequestJson('null')).issues.map((i) => i.path)).toEqual(['(root)']);
  });
});

describe('idempotencyKey', () => {
  const withoutRequestId = (request: ActionRequest): ActionRequest => {
    const { request_id: _ignored, ...rest } = request;
    return rest as ActionRequest;
  };

  it('is the request_id when the sender chose one', () => {
    expect(idempotencyKey(dwsFailoverRequest)).toBe('alarm:DWSPrimaryDown:2024-05-01T10:00:00Z');
  });

  it('is the request_id whatever the rest of the request says', () => {
    // Prepare
    const other = { ...dwsStartRequest, request_id: 'alarm:DWSPrimaryDown:2024-05-01T10:00:00Z' };
    // Act / Assess
    expect(idempotencyKey(other)).toBe(idempotencyKey(dwsFailoverRequest));
  });

  it.each(Object.values(sampleRequests).map((r) => [r.action, withoutRequestId(r)] as const))(
    'is sha256:<64 hex> for a %s request without request_id',
    (_id, request) => {
      expect(idempotencyKey(request)).toMatch(/^sha256:[0-9a-f]{64}$/);
    },
  );

  it('is the SHA-256 of the canonical (action, params, project_id, region), keys sorted', () => {
    // Prepare: the form is pinned, keys stored before a deploy must still match after it
    const canonical = `{"action":"dws.dr.start","params":{"disaster_recovery_id":"${DR_ID}"},"project_id":"${PROJECT_ID}","region":"${REGION}"}`;
    const expected = createHash('sha256').update(canonical).digest('hex');
    // Act / Assess
    expect(idempotencyKey(dwsStartRequest)).toBe(`sha256:${expected}`);
  });

  it('is the same for the same request with its keys in another order, at every depth', () => {
    // Prepare
    const ordered = withoutRequestId(csbsRestoreRequest) as Extract<
      ActionRequest,
      { action: 'csbs.restore' }
    >;
    const p = ordered.params;
    const reordered = {
      params: {
        restore_target: p.restore_target,
        parameters: {
          targets: {
            volumes: [{ volume_id: VOLUME_ID, backup_id: VOLUME_BACKUP_ID }],
            server_id: p.parameters.targets.server_id,
          },
          power_on: p.parameters.power_on,
          checkpoint_item_id: p.parameters.checkpoint_item_id,
        },
        checkpoint_id: p.checkpoint_id,
      },
      project_id: ordered.project_id,
      region: ordered.region,
      action: ordered.action,
    } as ActionRequest;
    // Act / Assess
    expect(JSON.stringify(reordered)).not.toBe(JSON.stringify(ordered));
    expect(idempotencyKey(reordered)).toBe(idempotencyKey(ordered));
  });

  it('is the same after parsing JSON texts with different key orders', () => {
    // Prepare
    const a = `{"action":"dcs.restore","region":"${REGION}","project_id":"${PROJECT_ID}","params":{"instance_id":"${OTHER_UUID}","backup_id":"${DR_ID}"}}`;
    const b = `{"params":{"backup_id":"${DR_ID}","instance_id":"${OTHER_UUID}"},"project_id":"${PROJECT_ID}","action":"dcs.restore","region":"${REGION}"}`;
    // Act / Assess
    expect(idempotencyKey(parseActionRequestJson(a))).toBe(idempotencyKey(parseActionRequestJson(b)));
  });

  const base = withoutRequestId(sampleRequest('csbs.restore'));
  const variants: [string, unknown][] = [
    ['the action', { ...withoutRequestId(dwsStartRequest), action: 'dws.dr.failover' }],
    ['the region', { ...base, region: 'cn-north-1' }],
    ['the project_id', { ...base, project_id: '0b3e2a0f9b00d4b52fbcc0105c9f1234' }],
    [
      'checkpoint_id',
      changed('csbs.restore', [['request_id'], DELETE], [['params', 'checkpoint_id'], OTHER_UUID]),
    ],
    [
      'a nested parameter',
      changed('csbs.restore', [['request_id'], DELETE], [['params', 'parameters', 'power_on'], false]),
    ],
    [
      'a volume id',
      changed(
        'csbs.restore',
        [['request_id'], DELETE],
        [['params', 'parameters', 'targets', 'volumes', 0, 'volume_id'], OTHER_UUID],
      ),
    ],
    [
      'an optional parameter being absent',
      changed('csbs.restore', [['request_id'], DELETE], [['params', 'restore_target'], DELETE]),
    ],
  ];
  it.each(variants)('differs when %s differs', (what, variant) => {
    // Prepare
    const original = what === 'the action' ? withoutRequestId(dwsStartRequest) : base;
    // Act
    const key = idempotencyKey(variant as ActionRequest);
    // Assess
    expect(key).not.toBe(idempotencyKey(original));
  });

  it('ignores the envelope fields outside (action, region, project_id, params)', () => {
    // Prepare: request_id absent, and a stray field an unvalidated caller might pass
    const request = { ...withoutRequestId(dwsStartRequest), note: 'ignored' } as unknown as ActionRequest;
    // Act / Assess
    expect(idempotencyKey(request)).toBe(idempotencyKey(dwsStartRequest));
  });
});

describe('canonicalJson', () => {
  it('sorts object keys at every depth', () => {
    // Prepare
    const value = { b: 1, a: { d: { z: true, y: null }, c: 'x' } };
    // Act / Assess
    expect(canonicalJson(value)).toBe('{"a":{"c":"x","d":{"y":null,"z":true}},"b":1}');
  });

  it('keeps the order of arrays, sorting the keys of the objects inside them', () => {
    // Prepare
    const value = { list: [3, 1, 2, { b: 2, a: 1 }, [{ d: 4, c: 3 }]] };
    // Act / Assess
    expect(canonicalJson(value)).toBe('{"list":[3,1,2,{"a":1,"b":2},[{"c":3,"d":4}]]}');
  });

  it.each<[unknown, string]>([
    [null, 'null'],
    [1.5, '1.5'],
    ['x', '"x"'],
    [true, 'true'],
    [[], '[]'],
    [{}, '{}'],
  ])('writes %j as plain JSON', (value, expected) => {
    expect(canonicalJson(value)).toBe(expected);
  });

  it('leaves out undefined values, as JSON does', () => {
    expect(canonicalJson({ b: undefined, a: 1 })).toBe('{"a":1}');
  });

  it('keeps a key named __proto__ as data', () => {
    // Prepare
    const value = JSON.parse('{"z":1,"__proto__":{"b":2,"a":1}}') as unknown;
    // Act / Assess
    expect(canonicalJson(value)).toBe('{"__proto__":{"a":1,"b":2},"z":1}');
  });

  it('gives the same text for the same data in any key order', () => {
    // Prepare
    const a = { checkpoint_id: CHECKPOINT_ID, parameters: { targets: { server_id: DR_ID }, power_on: true } };
    const b = { parameters: { power_on: true, targets: { server_id: DR_ID } }, checkpoint_id: CHECKPOINT_ID };
    // Act / Assess
    expect(canonicalJson(a)).toBe(canonicalJson(b));
  });
});

describe('parseActionRequest: cbr.restore params', () => {
  const MAPPING = { backup_id: CBR_DISK_BACKUP_ID, volume_id: CBR_VOLUME_ID };

  it.each<[string, unknown]>([
    ['a whole-server restore (the sample)', changed('cbr.restore')],
    [
      'a server restore without power_on (CBR powers on by default)',
      changed('cbr.restore', [['params', 'power_on'], DELETE]),
    ],
    ['a server restore with power_on false', changed('cbr.restore', [['params', 'power_on'], false])],
    [
      'a server restore with 64 mappings',
      changed('cbr.restore', [['params', 'mappings'], Array.from({ length: 64 }, () => MAPPING)]),
    ],
    ['a disk restore (volume_id only)', structuredClone(cbrRestoreVolumeRequest)],
    [
      'a restore with details.destination_path',
      changed('cbr.restore', [['params', 'details'], { destination_path: '/data/restored' }]),
    ],
  ])('accepts %s', (_what, request) => {
    // Act
    const parsed = parseActionRequest(request);
    // Assess
    expect(parsed).toStrictEqual(request);
  });

  it.each<[string, unknown, string, string]>([
    [
      'neither server_id nor volume_id',
      changed('cbr.restore', [['params', 'server_id'], DELETE], [['params', 'mappings'], DELETE]),
      'params.server_id',
      'exactly one of server_id (restore a whole server) or volume_id (restore a disk) is required',
    ],
    [
      'both server_id and volume_id',
      changed('cbr.restore', [['params', 'volume_id'], CBR_VOLUME_ID]),
      'params.volume_id',
      'give server_id (restore a whole server) or volume_id (restore a disk), not both',
    ],
    [
      'server_id without mappings',
      changed('cbr.restore', [['params', 'mappings'], DELETE]),
      'params.mappings',
      'required with server_id: one {backup_id, volume_id} per disk (the disk backup ids are the backup’s children)',
    ],
    [
      'mappings with volume_id',
      changed('cbr.restore', [['params', 'server_id'], DELETE], [['params', 'volume_id'], CBR_VOLUME_ID]),
      'params.mappings',
      'only for a server restore (server_id): a disk restore (volume_id) does not use them',
    ],
  ])('refuses %s, naming %s', (_what, request, path, message) => {
    // Act
    const error = rejection(() => parseActionRequest(request));
    // Assess
    expect(error.issues).toContainEqual({ path, message });
  });

  it('names both fields when neither server_id nor volume_id is given', () => {
    // Act
    const error = rejection(() =>
      parseActionRequest(
        changed('cbr.restore', [['params', 'server_id'], DELETE], [['params', 'mappings'], DELETE]),
      ),
    );
    // Assess
    expect(pathsOf(error)).toEqual(['params.server_id', 'params.volume_id']);
  });

  it.each<[string, unknown, string]>([
    ['no backup_id', changed('cbr.restore', [['params', 'backup_id'], DELETE]), 'params.backup_id'],
    [
      'a backup_id that is not a UUID',
      changed('cbr.restore', [['params', 'backup_id'], 'bk-1']),
      'params.backup_id',
    ],
    [
      'a server_id that is not a UUID',
      changed('cbr.restore', [['params', 'server_id'], 'srv']),
      'params.server_id',
    ],
    ['a power_on string', changed('cbr.restore', [['params', 'power_on'], 'true']), 'params.power_on'],
    ['empty mappings', changed('cbr.restore', [['params', 'mappings'], []]), 'params.mappings'],
    [
      '65 mappings',
      changed('cbr.restore', [['params', 'mappings'], Array.from({ length: 65 }, () => MAPPING)]),
      'params.mappings',
    ],
    [
      'a mapping without volume_id',
      changed('cbr.restore', [['params', 'mappings'], [{ backup_id: CBR_DISK_BACKUP_ID }]]),
      'params.mappings.0.volume_id',
    ],
    [
      'an unknown field in a mapping',
      changed('cbr.restore', [['params', 'mappings'], [{ ...MAPPING, size: 40 }]]),
      'params.mappings.0.size',
    ],
    [
      'an empty destination_path',
      changed('cbr.restore', [['params', 'details'], { destination_path: '' }]),
      'params.details.destination_path',
    ],
    [
      'an unknown field in params (resource_id: not supported)',
      changed('cbr.restore', [['params', 'resource_id'], OTHER_UUID]),
      'params.resource_id',
    ],
    ['the CSBS shape', changed('cbr.restore', [['params', 'parameters'], {}]), 'params.parameters'],
  ])('refuses %s, naming %s', (_what, request, path) => {
    // Act
    const error = rejection(() => parseActionRequest(request));
    // Assess
    expect(error.issues.map((i) => i.path)).toContain(path);
  });

  it('lowercases the ids (Huawei ids are case-insensitive)', () => {
    // Act
    const parsed = parseActionRequest(
      changed('cbr.restore', [['params', 'backup_id'], CBR_DISK_BACKUP_ID.toUpperCase()]),
    ) as Extract<ActionRequest, { action: 'cbr.restore' }>;
    // Assess
    expect(parsed.params.backup_id).toBe(CBR_DISK_BACKUP_ID);
  });
});
