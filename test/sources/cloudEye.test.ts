/**
 * The Cloud Eye alarm inside an SMN message: tolerant of customised templates, clear about what is
 * missing when it cannot be understood.
 */
import { describe, expect, it } from 'vitest';
import { parseCloudEyeAlarm } from '../../lib/sources/cloudEye.ts';
import type { AlarmSignal } from '../../lib/sources/types.ts';
import { changed, type Json, loadEvent, validationErrorOf } from './helpers.ts';

const TOPIC_URN = 'urn:smn:cn-north-4:89cd04f168b84af6be287f71730fdb4b:dws-prod-alarms';
/** The labels every signal gets from its (signed) topic. */
const TOPIC_LABELS = { project_id: '89cd04f168b84af6be287f71730fdb4b', topic_urn: TOPIC_URN };
const ENVELOPE = {
  message_id: 'c2f7e8a91b3d4e6f8a0b1c2d3e4f5a6b',
  timestamp: '2024-05-01T10:00:02Z',
  topic_urn: TOPIC_URN,
};
const ALARM_ID = 'al17145576000007xPqRsTuV';

const sampleAlarm = (): Json => JSON.parse(loadEvent('cloud-eye-smn-alarm.json').body.message);
const alarmWith = (change: (alarm: Json) => void): Json => changed(sampleAlarm(), change);

describe('parseCloudEyeAlarm', () => {
  it('turns the sample alarm (the JSON string SMN delivers) into its signal', () => {
    // Prepare
    const message: string = loadEvent('cloud-eye-smn-alarm.json').body.message;

    // Act
    const signals = parseCloudEyeAlarm(message, ENVELOPE);

    // Assess
    expect(signals).toStrictEqual<AlarmSignal[]>([
      {
        source: 'cloud-eye',
        shape: 'cloud-eye/smn',
        name: 'DWSPrimaryDown',
        state: 'alarm',
        episode: `${ALARM_ID}@2024-05-01T10:00:00.000Z`,
        labels: {
          AccountName: 'dr-ops',
          Namespace: 'Data Warehouse Service',
          DimensionName: 'Cluster',
          ResourceName: 'dws-prod',
          ResourceId: '5f2c9a7e-8b1d-4c3e-9f6a-2d7b4e1c8a90',
          MetricName: 'Cluster Status',
          AlarmLevel: 'Critical',
          Region: 'CN North-Beijing4',
          CurrentData: '0',
          AlarmTime: '2024/05/01 18:00:00 GMT+08:00',
          AlarmRuleName: 'DWSPrimaryDown',
          EnterpriseProject: 'default',
          datastore_id: '5f2c9a7e-8b1d-4c3e-9f6a-2d7b4e1c8a90',
          namespace: 'SYS.DWS',
          metric: 'dws_cluster_status',
          region: 'cn-north-4',
          ...TOPIC_LABELS,
        },
        occurred_at: '2024-05-01T10:00:00.000Z',
        raw: JSON.parse(message),
      },
    ]);
  });

  it('accepts the already-parsed object too', () => {
    expect(parseCloudEyeAlarm(sampleAlarm(), ENVELOPE)[0]?.name).toBe('DWSPrimaryDown');
  });

  it.each([
    ['alarm', 'alarm'],
    ['ALARM', 'alarm'],
    ['ok', 'ok'],
    ['OK', 'ok'],
    ['insufficient_data', 'insufficient'],
    ['Insufficient_Data', 'insufficient'],
  ])('reads alarm_status %s as %s', (status, state) => {
    expect(
      parseCloudEyeAlarm(
        alarmWith((a) => (a.alarm_status = status)),
        ENVELOPE,
      )[0]?.state,
    ).toBe(state);
  });

  it.each<[string, unknown, string]>([
    ['epoch milliseconds', 1_714_557_600_000, '2024-05-01T10:00:00.000Z'],
    ['epoch milliseconds as digits', '1714557600123', '2024-05-01T10:00:00.123Z'],
    ['epoch seconds', 1_714_557_600, '2024-05-01T10:00:00.000Z'],
    ['an ISO timestamp with offset', '2024-05-01T18:00:00+08:00', '2024-05-01T10:00:00.000Z'],
  ])('reads time as %s', (_case, time, iso) => {
    // Act
    const [signal] = parseCloudEyeAlarm(
      alarmWith((a) => (a.time = time)),
      ENVELOPE,
    );

    // Assess
    expect([signal?.occurred_at, signal?.episode]).toStrictEqual([iso, `${ALARM_ID}@${iso}`]);
  });

  it('falls back to the SMN timestamp when time is absent', () => {
    // Act
    const [signal] = parseCloudEyeAlarm(
      alarmWith((a) => delete a.time),
      ENVELOPE,
    );

    // Assess
    expect([signal?.occurred_at, signal?.episode]).toStrictEqual([
      '2024-05-01T10:00:02.000Z',
      `${ALARM_ID}@2024-05-01T10:00:02.000Z`,
    ]);
  });

  it('keys the episode on alarm_name when there is no alarm_id, and names the signal after alarm_id when there is no name', () => {
    // Act
    const [byName] = parseCloudEyeAlarm(
      alarmWith((a) => delete a.alarm_id),
      ENVELOPE,
    );
    const [byId] = parseCloudEyeAlarm(
      alarmWith((a) => delete a.alarm_name),
      ENVELOPE,
    );

    // Assess
    expect(byName?.episode).toBe('DWSPrimaryDown@2024-05-01T10:00:00.000Z');
    expect([byId?.name, byId?.episode]).toStrictEqual([ALARM_ID, `${ALARM_ID}@2024-05-01T10:00:00.000Z`]);
  });

  it('reads several dimensions joined by "," or ";", or given as [{name, value}], skipping unreadable parts', () => {
    // Prepare
    const minimal = (dimension: unknown) => ({ alarm_name: 'A', alarm_status: 'alarm', time: 0, dimension });

    // Act
    const joined = parseCloudEyeAlarm(
      minimal('datastore_id:abc, instance_id:i-1;mount:/data:x;junk;'),
      ENVELOPE,
    );
    const listed = parseCloudEyeAlarm(
      minimal([{ name: 'datastore_id', value: 'abc' }, { name: 1 }, 'x']),
      ENVELOPE,
    );
    const odd = parseCloudEyeAlarm(minimal(42), ENVELOPE);

    // Assess
    expect(joined[0]?.labels).toStrictEqual({
      datastore_id: 'abc',
      instance_id: 'i-1',
      mount: '/data:x',
      region: 'cn-north-4',
      ...TOPIC_LABELS,
    });
    expect(listed[0]?.labels).toStrictEqual({ datastore_id: 'abc', region: 'cn-north-4', ...TOPIC_LABELS });
    expect(odd[0]?.labels).toStrictEqual({ region: 'cn-north-4', ...TOPIC_LABELS });
  });

  it('ignores label fields of an unexpected type instead of losing the alarm', () => {
    // Act
    const [signal] = parseCloudEyeAlarm(
      alarmWith((a) => {
        a.namespace = 5;
        a.metric_name = null;
        a.template_variable = 'not an object';
      }),
      ENVELOPE,
    );

    // Assess
    expect(signal?.labels).toStrictEqual({
      datastore_id: '5f2c9a7e-8b1d-4c3e-9f6a-2d7b4e1c8a90',
      region: 'cn-north-4',
      ...TOPIC_LABELS,
    });
  });

  it('lets namespace, metric, region, project_id and topic_urn win over template variables and dimensions of the same name', () => {
    // Act: routes bind to the topic's project and region, so nothing inside the message may set them
    const [signal] = parseCloudEyeAlarm(
      {
        alarm_name: 'A',
        alarm_status: 'ok',
        time: 0,
        namespace: 'SYS.DWS',
        dimension: 'namespace:x,project_id:0f1e2d3c4b5a69788796a5b4c3d2e1f0',
        template_variable: { region: 'y', topic_urn: 'urn:smn:y:0f1e2d3c4b5a69788796a5b4c3d2e1f0:t' },
      },
      ENVELOPE,
    );

    // Assess
    expect(signal?.labels).toStrictEqual({ namespace: 'SYS.DWS', region: 'cn-north-4', ...TOPIC_LABELS });
  });

  it('keeps a "__proto__" label as plain data', () => {
    // Act
    const [signal] = parseCloudEyeAlarm(
      '{"alarm_name":"A","alarm_status":"alarm","dimension":"__proto__:x"}',
      ENVELOPE,
    );

    // Assess
    expect(Object.getPrototypeOf(signal?.labels)).toBe(Object.prototype);
    expect(Object.entries(signal?.labels ?? {})).toContainEqual(['__proto__', 'x']);
  });

  it('marks a cyclic re-notification (IsCycleTrigger) as previously alarm', () => {
    // Act
    const [signal] = parseCloudEyeAlarm(
      alarmWith((a) => (a.template_variable.IsCycleTrigger = true)),
      ENVELOPE,
    );

    // Assess
    expect(signal?.previous_state).toBe('alarm');
  });

  it.each<[string, unknown, string, string]>([
    ['not JSON', 'Alarm DWSPrimaryDown triggered', 'message', 'not JSON'],
    ['a JSON array', '[1,2]', 'message', 'object'],
    ['a JSON string', '"alarm"', 'message', 'object'],
    [
      'an event, not an alarm',
      { ...sampleAlarm(), message_type: 'event' },
      'message.message_type',
      'only Cloud Eye alarm',
    ],
    [
      'a message_type of the wrong type',
      { ...sampleAlarm(), message_type: 1 },
      'message.message_type',
      'only Cloud Eye alarm',
    ],
    ['no alarm_status', alarmWith((a) => delete a.alarm_status), 'message.alarm_status', 'is required'],
    [
      'an alarm_status of the wrong type',
      alarmWith((a) => (a.alarm_status = 1)),
      'message.alarm_status',
      'must be "alarm"',
    ],
    [
      'an unknown alarm_status',
      alarmWith((a) => (a.alarm_status = 'firing')),
      'message.alarm_status',
      'insufficient_data',
    ],
    [
      'no alarm_name nor alarm_id',
      alarmWith((a) => {
        delete a.alarm_name;
        delete a.alarm_id;
      }),
      'message.alarm_name',
      'alarm_id',
    ],
    ['an empty alarm_name', alarmWith((a) => (a.alarm_name = '')), 'message.alarm_name', 'Too small'],
    ['an unreadable time', alarmWith((a) => (a.time = 'yesterday')), 'message.time', 'epoch milliseconds'],
    ['a negative time', alarmWith((a) => (a.time = -5)), 'message.time', 'epoch milliseconds'],
    [
      'a time of the wrong type',
      alarmWith((a) => (a.time = { at: 1 })),
      'message.time',
      'epoch milliseconds',
    ],
  ])('refuses %s, naming what is wrong', (_case, message, path, text) => {
    // Act
    const error = validationErrorOf(() => parseCloudEyeAlarm(message, ENVELOPE), path);

    // Assess
    expect(error.message).toContain(text);
  });

  it('refuses a message without time when the SMN timestamp is unreadable too', () => {
    validationErrorOf(
      () => parseCloudEyeAlarm({ alarm_name: 'A', alarm_status: 'alarm' }, { ...ENVELOPE, timestamp: 'now' }),
      'message.time',
    );
  });
});
