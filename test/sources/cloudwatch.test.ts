/**
 * CloudWatch alarm state changes: the SNS, EventBridge and Lambda alarm action shapes, each
 * normalised to one AlarmSignal; the same state change gives the same episode whichever way it came.
 */
import { describe, expect, it } from 'vitest';
import { parseCloudWatchEvent } from '../../lib/sources/cloudwatch.ts';
import type { AlarmSignal } from '../../lib/sources/types.ts';
import { changed, type Json, loadEvent, validationErrorOf } from './helpers.ts';

const ARN = 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:DWSPrimaryDown-prod';
const ALARM_AT = '2024-05-01T10:00:00.734Z';
const OK_AT = '2024-05-01T10:42:00.118Z';
const LABELS = {
  cluster: 'prod',
  datastore_id: '5f2c9a7e-8b1d-4c3e-9f6a-2d7b4e1c8a90',
  namespace: 'DrRelay/DWS',
  metric: 'PrimaryHealthy',
  region: 'eu-west-1',
  account: '123456789012',
};

/** The SNS sample with its alarm JSON (the Message string) changed. */
const snsWith = (change: (alarm: Json) => void): Json =>
  changed(loadEvent('cloudwatch-sns-alarm.json'), (event) => {
    const alarm = JSON.parse(event.Records[0].Sns.Message);
    change(alarm);
    event.Records[0].Sns.Message = JSON.stringify(alarm);
  });

describe('parseCloudWatchEvent: the sample events', () => {
  it.each([
    ['cloudwatch-sns-alarm.json', 'cloudwatch/sns', 'alarm', 'ok', ALARM_AT],
    ['cloudwatch-sns-ok.json', 'cloudwatch/sns', 'ok', 'alarm', OK_AT],
    ['cloudwatch-eventbridge-alarm.json', 'cloudwatch/eventbridge', 'alarm', 'ok', ALARM_AT],
    ['cloudwatch-eventbridge-ok.json', 'cloudwatch/eventbridge', 'ok', 'alarm', OK_AT],
    ['cloudwatch-lambda-action-alarm.json', 'cloudwatch/lambda-action', 'alarm', 'ok', ALARM_AT],
  ] as const)('%s -> one %s signal, %s (was %s)', (file, shape, state, previous, at) => {
    // Prepare
    const event = loadEvent(file);
    const raw = shape === 'cloudwatch/sns' ? JSON.parse(event.Records[0].Sns.Message) : event;

    // Act
    const signals = parseCloudWatchEvent(event);

    // Assess
    expect(signals).toStrictEqual<AlarmSignal[]>([
      {
        source: 'cloudwatch',
        shape,
        name: 'DWSPrimaryDown-prod',
        state,
        previous_state: previous,
        episode: `${ARN}@${at}`,
        labels: LABELS,
        occurred_at: at,
        raw,
      },
    ]);
  });

  it('gives the same episode (and labels) for one state change delivered by SNS, EventBridge and alarm action', () => {
    // Prepare
    const deliveries = [
      loadEvent('cloudwatch-sns-alarm.json'),
      loadEvent('cloudwatch-eventbridge-alarm.json'),
      loadEvent('cloudwatch-lambda-action-alarm.json'),
    ];

    // Act
    const signals = deliveries.map((event) => parseCloudWatchEvent(event)[0]!);

    // Assess
    expect(new Set(signals.map((s) => s.episode))).toStrictEqual(new Set([`${ARN}@${ALARM_AT}`]));
    expect(new Set(signals.map((s) => JSON.stringify(s.labels))).size).toBe(1);
  });

  it('gives a new episode for the next state change of the same alarm', () => {
    // Act
    const alarm = parseCloudWatchEvent(loadEvent('cloudwatch-sns-alarm.json'))[0]!;
    const ok = parseCloudWatchEvent(loadEvent('cloudwatch-eventbridge-ok.json'))[0]!;

    // Assess
    expect(ok.episode).not.toBe(alarm.episode);
  });

  it('normalises StateChangeTime offsets so "+0000" and "+00:00" and "Z" are one episode', () => {
    // Prepare
    const variants = [
      '2024-05-01T10:00:00.734+0000',
      '2024-05-01T10:00:00.734+00:00',
      '2024-05-01T12:00:00.734+02:00',
    ];

    // Act
    const episodes = variants.map(
      (time) => parseCloudWatchEvent(snsWith((alarm) => (alarm.StateChangeTime = time)))[0]!.episode,
    );

    // Assess
    expect(episodes).toStrictEqual([`${ARN}@${ALARM_AT}`, `${ARN}@${ALARM_AT}`, `${ARN}@${ALARM_AT}`]);
  });

  it('maps INSUFFICIENT_DATA to insufficient', () => {
    // Prepare
    const event = snsWith((alarm) => {
      alarm.NewStateValue = 'INSUFFICIENT_DATA';
      alarm.OldStateValue = 'ALARM';
    });

    // Act
    const [signal] = parseCloudWatchEvent(event);

    // Assess
    expect([signal?.state, signal?.previous_state]).toStrictEqual(['insufficient', 'alarm']);
  });

  it('reads dimensions of metric-math alarms (Trigger.Metrics) and leaves metric labels out of composite alarms', () => {
    // Prepare
    const math = snsWith((alarm) => {
      alarm.Trigger = {
        Metrics: [
          { Id: 'e1', Expression: 'm1 * 100', ReturnData: true },
          {
            Id: 'm1',
            MetricStat: {
              Metric: {
                Namespace: 'AWS/RDS',
                MetricName: 'DatabaseConnections',
                Dimensions: [{ name: 'DBInstanceIdentifier', value: 'db-1' }],
              },
              Period: 60,
              Stat: 'Average',
            },
            ReturnData: false,
          },
        ],
      };
    });
    const composite = changed(loadEvent('cloudwatch-eventbridge-alarm.json'), (event) => {
      event.detail.configuration = { alarmRule: 'ALARM(a) OR ALARM(b)' };
    });

    // Act
    const [mathSignal] = parseCloudWatchEvent(math);
    const [compositeSignal] = parseCloudWatchEvent(composite);

    // Assess
    expect(mathSignal?.labels).toStrictEqual({
      DBInstanceIdentifier: 'db-1',
      namespace: 'AWS/RDS',
      metric: 'DatabaseConnections',
      region: 'eu-west-1',
      account: '123456789012',
    });
    expect(compositeSignal?.labels).toStrictEqual({ region: 'eu-west-1', account: '123456789012' });
  });

  it('gives one signal per SNS record', () => {
    // Prepare
    const event = changed(loadEvent('cloudwatch-sns-alarm.json'), (e) => {
      e.Records.push(loadEvent('cloudwatch-sns-ok.json').Records[0]);
    });

    // Act
    const signals = parseCloudWatchEvent(event);

    // Assess
    expect(signals.map((s) => s.state)).toStrictEqual(['alarm', 'ok']);
  });
});

describe('parseCloudWatchEvent: composite alarms with an actions suppressor', () => {
  const COMPOSITE_ARN = 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:DWSPrimaryDown-prod-composite';

  it('cloudwatch-composite-suppressed-eventbridge.json: actions held back (WaitPeriod) -> the signal says so', () => {
    // Prepare
    const event = loadEvent('cloudwatch-composite-suppressed-eventbridge.json');

    // Act
    const [signal] = parseCloudWatchEvent(event);

    // Assess
    expect(signal).toMatchObject({
      shape: 'cloudwatch/eventbridge',
      name: 'DWSPrimaryDown-prod-composite',
      state: 'alarm',
      previous_state: 'ok',
      actions_suppressed_by: 'WaitPeriod',
      episode: `${COMPOSITE_ARN}@2024-05-01T10:00:00.734Z`,
      labels: { region: 'eu-west-1', account: '123456789012' },
    });
  });

  it('cloudwatch-composite-suppressed-lambda-action.json: ALARM -> ALARM after the WaitPeriod is the transition that releases the actions', () => {
    // Prepare
    const event = loadEvent('cloudwatch-composite-suppressed-lambda-action.json');

    // Act
    const [signal] = parseCloudWatchEvent(event);

    // Assess: no previous state (its actions never ran), not suppressed, a new episode at the release
    expect(event.alarmData.previousState).toMatchObject({
      value: 'ALARM',
      actionsSuppressedBy: 'WaitPeriod',
    });
    expect(signal).toMatchObject({
      shape: 'cloudwatch/lambda-action',
      state: 'alarm',
      episode: `${COMPOSITE_ARN}@2024-05-01T10:02:00.734Z`,
    });
    expect(signal).not.toHaveProperty('previous_state');
    expect(signal).not.toHaveProperty('actions_suppressed_by');
  });

  it.each(['Alarm', 'WaitPeriod', 'ExtensionPeriod'])(
    'state.actionsSuppressedBy %s is carried on both shapes (EventBridge and alarm action)',
    (by) => {
      // Prepare
      const eventBridge = changed(loadEvent('cloudwatch-composite-suppressed-eventbridge.json'), (e) => {
        e.detail.state.actionsSuppressedBy = by;
      });
      const action = changed(loadEvent('cloudwatch-composite-suppressed-lambda-action.json'), (e) => {
        e.alarmData.state.actionsSuppressedBy = by;
      });

      // Act
      const signals = [...parseCloudWatchEvent(eventBridge), ...parseCloudWatchEvent(action)];

      // Assess
      expect(signals.map((s) => s.actions_suppressed_by)).toEqual([by, by]);
    },
  );

  it('an EventBridge ALARM -> ALARM release (previousState suppressed, ExtensionPeriod) is a transition too', () => {
    // Prepare
    const event = changed(loadEvent('cloudwatch-composite-suppressed-eventbridge.json'), (e) => {
      delete e.detail.state.actionsSuppressedBy;
      delete e.detail.state.actionsSuppressedReason;
      e.detail.previousState = { ...e.detail.state, actionsSuppressedBy: 'ExtensionPeriod' };
      e.detail.state.timestamp = '2024-05-01T10:05:00.734+0000';
    });

    // Act
    const [signal] = parseCloudWatchEvent(event);

    // Assess
    expect(signal).not.toHaveProperty('previous_state');
    expect(signal).not.toHaveProperty('actions_suppressed_by');
  });

  it('keeps the previous state when the suppressed previous state is another state (OK -> ALARM)', () => {
    // Prepare
    const event = changed(loadEvent('cloudwatch-composite-suppressed-eventbridge.json'), (e) => {
      delete e.detail.state.actionsSuppressedBy;
      e.detail.previousState.actionsSuppressedBy = 'Alarm';
    });

    // Act
    const [signal] = parseCloudWatchEvent(event);

    // Assess
    expect(signal?.previous_state).toBe('ok');
  });

  it('reads a null or empty actionsSuppressedBy as not suppressed', () => {
    // Prepare
    const events = [null, ''].map((by) =>
      changed(loadEvent('cloudwatch-composite-suppressed-eventbridge.json'), (e) => {
        e.detail.state.actionsSuppressedBy = by;
      }),
    );

    // Act
    const signals = events.flatMap((e) => parseCloudWatchEvent(e));

    // Assess
    for (const signal of signals) expect(signal).not.toHaveProperty('actions_suppressed_by');
  });
});

describe('parseCloudWatchEvent: malformed events are a ValidationError naming the field', () => {
  const sns = () => loadEvent('cloudwatch-sns-alarm.json');
  const eventBridge = () => loadEvent('cloudwatch-eventbridge-alarm.json');
  const action = () => loadEvent('cloudwatch-lambda-action-alarm.json');

  it.each<[string, () => unknown, string]>([
    [
      'SNS Message not JSON',
      () => changed(sns(), (e) => (e.Records[0].Sns.Message = 'ALARM: DWSPrimaryDown')),
      'Records.0.Sns.Message',
    ],
    [
      'SNS Message not a string',
      () => changed(sns(), (e) => (e.Records[0].Sns.Message = { AlarmName: 'x' })),
      'Records.0.Sns.Message',
    ],
    [
      'SNS Message without AlarmName',
      () => snsWith((a) => delete a.AlarmName),
      'Records.0.Sns.Message.AlarmName',
    ],
    [
      'SNS NewStateValue unknown',
      () => snsWith((a) => (a.NewStateValue = 'FIRING')),
      'Records.0.Sns.Message.NewStateValue',
    ],
    [
      'SNS StateChangeTime not a time',
      () => snsWith((a) => (a.StateChangeTime = 'yesterday')),
      'Records.0.Sns.Message.StateChangeTime',
    ],
    [
      'SNS StateChangeTime impossible date',
      () => snsWith((a) => (a.StateChangeTime = '2024-02-30T10:00:00.000+0000')),
      'Records.0.Sns.Message.StateChangeTime',
    ],
    [
      'SNS AlarmArn not an alarm ARN',
      () => snsWith((a) => (a.AlarmArn = 'arn:aws:sns:eu-west-1:123456789012:topic')),
      'Records.0.Sns.Message.AlarmArn',
    ],
    [
      'SNS dimension value not a string',
      () => snsWith((a) => (a.Trigger.Dimensions[0].value = 7)),
      'Records.0.Sns.Message.Trigger.Dimensions.0.value',
    ],
    ['SNS empty Records', () => ({ Records: [] }), 'Records'],
    [
      'SNS record from another source',
      () => changed(sns(), (e) => (e.Records[0].EventSource = 'aws:kinesis')),
      'Records.0.EventSource',
    ],
    ['SNS record without Sns', () => changed(sns(), (e) => delete e.Records[0].Sns), 'Records.0.Sns'],
    [
      'EventBridge wrong detail-type',
      () => changed(eventBridge(), (e) => (e['detail-type'] = 'EC2 Instance State-change Notification')),
      'detail-type',
    ],
    ['EventBridge wrong source', () => changed(eventBridge(), (e) => (e.source = 'aws.ec2')), 'source'],
    ['EventBridge without state', () => changed(eventBridge(), (e) => delete e.detail.state), 'detail.state'],
    [
      'EventBridge state timestamp wrong type',
      () => changed(eventBridge(), (e) => (e.detail.state.timestamp = 1714557600)),
      'detail.state.timestamp',
    ],
    ['EventBridge no resources', () => changed(eventBridge(), (e) => (e.resources = [])), 'resources'],
    [
      'EventBridge dimensions not strings',
      () =>
        changed(
          eventBridge(),
          (e) => (e.detail.configuration.metrics[0].metricStat.metric.dimensions.cluster = 1),
        ),
      'detail.configuration.metrics.0.metricStat.metric.dimensions.cluster',
    ],
    [
      'alarm action state unknown',
      () => changed(action(), (e) => (e.alarmData.state.value = 'BROKEN')),
      'alarmData.state.value',
    ],
    ['alarm action without alarmArn', () => changed(action(), (e) => delete e.alarmArn), 'alarmArn'],
    [
      'alarm action without alarmName',
      () => changed(action(), (e) => delete e.alarmData.alarmName),
      'alarmData.alarmName',
    ],
  ])('%s', (_case, input, path) => {
    validationErrorOf(() => parseCloudWatchEvent(input()), path);
  });

  it.each<[string, unknown, string]>([
    ['an empty object', {}, 'an empty object'],
    ['null', null, 'null'],
    ['an array', [1, 2], 'an array'],
    ['a string', 'ALARM', 'a string'],
    ['an SQS batch', { Records: [{ eventSource: 'aws:sqs', body: '{}' }] }, '"aws:sqs" event'],
    ['an HTTP request', { version: '2.0', requestContext: { http: { method: 'POST' } }, body: '{}' }, 'HTTP'],
    ['some other object', { hello: 'world' }, 'keys "hello"'],
  ])('%s is refused, saying what arrived and which shapes are accepted', (_case, input, described) => {
    // Act
    const error = validationErrorOf(() => parseCloudWatchEvent(input), '(root)');

    // Assess
    expect(error.message).toContain(described);
    expect(error.message).toContain('SNS delivery');
    expect(error.message).toContain('CloudWatch Alarm State Change');
    expect(error.message).toContain('alarmData');
  });
});
