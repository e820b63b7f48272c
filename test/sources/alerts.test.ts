/**
 * Alertmanager (webhook v4) and Grafana (unified alerting) payloads: one signal per alert,
 * firing -> alarm, resolved -> ok; re-notifications and HA peers give the same episode.
 */
import { describe, expect, it } from 'vitest';
import { parseAlertmanagerWebhook } from '../../lib/sources/alertmanager.ts';
import { parseGrafanaWebhook } from '../../lib/sources/grafana.ts';
import type { AlarmSignal } from '../../lib/sources/types.ts';
import { changed, type Json, loadEvent, type SampleFile, validationErrorOf } from './helpers.ts';

const DATASTORE_ID = '5f2c9a7e-8b1d-4c3e-9f6a-2d7b4e1c8a90';
const DOWN_FP = '69bbfc3e9ae0925b';
const LAG_FP = 'd15e56fa76b33765';
const DOWN_START = '2024-05-01T09:59:30.512Z';
const LAG_START = '2024-05-01T09:58:45.087Z';

const amLabels = (alertname: string, instance: string, job: string) => ({
  alertname,
  cluster: 'prod',
  datastore_id: DATASTORE_ID,
  region: 'cn-north-4',
  service: 'dws',
  severity: 'critical',
  instance,
  job,
});
const DOWN_LABELS = amLabels('DWSPrimaryDown', 'dws-prod.cn-north-4.example.internal:8000', 'dws-probe');
const LAG_LABELS = amLabels(
  'DWSReplicationLagHigh',
  'dws-prod-dr.cn-north-4.example.internal:8000',
  'dws-exporter',
);

describe('parseAlertmanagerWebhook: the sample events', () => {
  it('alertmanager-firing.json -> one alarm signal per alert of the group', () => {
    // Prepare
    const body = loadEvent('alertmanager-firing.json');

    // Act
    const signals = parseAlertmanagerWebhook(body);

    // Assess
    expect(signals).toStrictEqual<AlarmSignal[]>([
      {
        source: 'alertmanager',
        shape: 'alertmanager/v4',
        name: 'DWSPrimaryDown',
        state: 'alarm',
        episode: `${DOWN_FP}@${DOWN_START}`,
        labels: DOWN_LABELS,
        occurred_at: DOWN_START,
        raw: body.alerts[0],
      },
      {
        source: 'alertmanager',
        shape: 'alertmanager/v4',
        name: 'DWSReplicationLagHigh',
        state: 'alarm',
        episode: `${LAG_FP}@${LAG_START}`,
        labels: LAG_LABELS,
        occurred_at: LAG_START,
        raw: body.alerts[1],
      },
    ]);
  });

  it('alertmanager-resolved.json -> ok signals (previously alarm) at endsAt, in the same episodes', () => {
    // Prepare
    const body = loadEvent('alertmanager-resolved.json');

    // Act
    const signals = parseAlertmanagerWebhook(body);

    // Assess
    expect(signals).toStrictEqual<AlarmSignal[]>([
      {
        source: 'alertmanager',
        shape: 'alertmanager/v4',
        name: 'DWSPrimaryDown',
        state: 'ok',
        previous_state: 'alarm',
        episode: `${DOWN_FP}@${DOWN_START}`,
        labels: DOWN_LABELS,
        occurred_at: '2024-05-01T10:41:30.512Z',
        raw: body.alerts[0],
      },
      {
        source: 'alertmanager',
        shape: 'alertmanager/v4',
        name: 'DWSReplicationLagHigh',
        state: 'ok',
        previous_state: 'alarm',
        episode: `${LAG_FP}@${LAG_START}`,
        labels: LAG_LABELS,
        occurred_at: '2024-05-01T10:44:45.087Z',
        raw: body.alerts[1],
      },
    ]);
  });

  it('a re-notification from the HA peer (alertmanager-repeat.json) gives exactly the same signals', () => {
    // Prepare
    const first = loadEvent('alertmanager-firing.json');
    const repeat = loadEvent('alertmanager-repeat.json');

    // Act
    const firstSignals = parseAlertmanagerWebhook(first);
    const repeatSignals = parseAlertmanagerWebhook(repeat);

    // Assess
    expect(repeat.externalURL).not.toBe(first.externalURL);
    expect(repeatSignals.map((s) => s.episode)).toStrictEqual(firstSignals.map((s) => s.episode));
    expect(repeatSignals).toStrictEqual(firstSignals);
  });

  it('a new startsAt (a new episode of the same alert) gives a different episode', () => {
    // Prepare
    const later = changed(loadEvent('alertmanager-firing.json'), (b) => {
      b.alerts[0].startsAt = '2024-05-02T03:15:00.000Z';
    });

    // Act
    const [before] = parseAlertmanagerWebhook(loadEvent('alertmanager-firing.json'));
    const [after] = parseAlertmanagerWebhook(later);

    // Assess
    expect(after?.episode).toBe(`${DOWN_FP}@2024-05-02T03:15:00.000Z`);
    expect(after?.episode).not.toBe(before?.episode);
  });
});

describe('parseAlertmanagerWebhook: Alertmanager before 0.19 (no fingerprint)', () => {
  it('alertmanager-no-fingerprint.json gives the same episodes as alertmanager-firing.json', () => {
    // Prepare
    const withFingerprints = loadEvent('alertmanager-firing.json');
    const without = loadEvent('alertmanager-no-fingerprint.json');

    // Act
    const signals = parseAlertmanagerWebhook(without);

    // Assess
    expect(without.alerts.some((a: Json) => 'fingerprint' in a)).toBe(false);
    expect(signals.map((s) => s.episode)).toEqual([`${DOWN_FP}@${DOWN_START}`, `${LAG_FP}@${LAG_START}`]);
    expect(signals.map(({ raw: _, ...s }) => s)).toEqual(
      parseAlertmanagerWebhook(withFingerprints).map(({ raw: _, ...s }) => s),
    );
  });

  it('a fingerprint that is sent wins over the label set (it is what the peers agree on)', () => {
    // Prepare
    const body = changed(loadEvent('alertmanager-firing.json'), (b) => {
      b.alerts[0].fingerprint = '0123456789abcdef';
    });

    // Act
    const [signal] = parseAlertmanagerWebhook(body);

    // Assess
    expect(signal?.episode).toBe(`0123456789abcdef@${DOWN_START}`);
  });

  it('derives the fingerprint from every label as sent, a __proto__ label included', () => {
    // Prepare
    const text = JSON.stringify(loadEvent('alertmanager-no-fingerprint.json')).replace(
      '"job":"dws-probe"',
      '"job":"dws-probe","__proto__":"x"',
    );

    // Act
    const [signal] = parseAlertmanagerWebhook(JSON.parse(text));

    // Assess: not the fingerprint of the labels without it, and no prototype touched
    expect(signal?.episode).not.toBe(`${DOWN_FP}@${DOWN_START}`);
    expect(signal?.episode).toMatch(/^[0-9a-f]{16}@/);
    expect(Object.getPrototypeOf(signal?.labels)).toBe(Object.prototype);
  });
});

describe('parseGrafanaWebhook: the sample events', () => {
  const LABELS = {
    alertname: 'DWSPrimaryDown',
    cluster: 'prod',
    datastore_id: DATASTORE_ID,
    grafana_folder: 'DWS',
    region: 'cn-north-4',
    severity: 'critical',
  };

  it.each([
    ['grafana-firing.json', 'alarm', undefined, '2024-05-01T10:00:10.315Z'],
    ['grafana-resolved.json', 'ok', 'alarm', '2024-05-01T10:40:10.315Z'],
  ] as const)('%s -> %s', (file, state, previous, occurredAt) => {
    // Prepare
    const body = loadEvent(file);

    // Act
    const signals = parseGrafanaWebhook(body);

    // Assess
    expect(signals).toStrictEqual<AlarmSignal[]>([
      {
        source: 'grafana',
        shape: 'grafana',
        name: 'DWSPrimaryDown',
        state,
        ...(previous ? { previous_state: previous } : {}),
        episode: '7c3e91a0d5b26f48@2024-05-01T10:00:10.315Z',
        labels: LABELS,
        occurred_at: occurredAt,
        raw: body.alerts[0],
      },
    ]);
  });
});

const parsers = [
  ['Alertmanager', parseAlertmanagerWebhook, 'alertmanager-firing.json', 'alertmanager-resolved.json'],
  ['Grafana', parseGrafanaWebhook, 'grafana-firing.json', 'grafana-resolved.json'],
] as const satisfies readonly (readonly [string, (body: unknown) => AlarmSignal[], SampleFile, SampleFile])[];

describe.each(parsers)(
  '%s: malformed payloads are a ValidationError naming the field',
  (_name, parse, firing, resolved) => {
    const firingWith = (change: (body: Json) => void) => changed(loadEvent(firing), change);

    it.each<[string, () => unknown, string]>([
      ['empty alerts', () => firingWith((b) => (b.alerts = [])), 'alerts'],
      ['alerts not an array', () => firingWith((b) => (b.alerts = { 0: b.alerts[0] })), 'alerts'],
      [
        'no alertname',
        () => firingWith((b) => delete b.alerts[0].labels.alertname),
        'alerts.0.labels.alertname',
      ],
      [
        'empty alertname',
        () => firingWith((b) => (b.alerts[0].labels.alertname = '')),
        'alerts.0.labels.alertname',
      ],
      [
        'a label that is not a string',
        () => firingWith((b) => (b.alerts[0].labels.cluster = 1)),
        'alerts.0.labels.cluster',
      ],
      [
        'an unknown alert status',
        () => firingWith((b) => (b.alerts[0].status = 'pending')),
        'alerts.0.status',
      ],
      ['startsAt not a time', () => firingWith((b) => (b.alerts[0].startsAt = 'soon')), 'alerts.0.startsAt'],
      [
        'an empty fingerprint',
        () => firingWith((b) => (b.alerts[0].fingerprint = '')),
        'alerts.0.fingerprint',
      ],
      [
        'annotations not strings',
        () => firingWith((b) => (b.alerts[0].annotations = { summary: ['x'] })),
        'alerts.0.annotations.summary',
      ],
      ['the wrong version', () => firingWith((b) => (b.version = '3')), 'version'],
      ['no receiver', () => firingWith((b) => delete b.receiver), 'receiver'],
      ['a negative truncatedAlerts', () => firingWith((b) => (b.truncatedAlerts = -1)), 'truncatedAlerts'],
      [
        'resolved with endsAt not a time',
        () => changed(loadEvent(resolved), (b) => (b.alerts[0].endsAt = 'never')),
        'alerts.0.endsAt',
      ],
      ['not an object', () => 'firing', '(root)'],
      ['null', () => null, '(root)'],
    ])('%s', (_case, input, path) => {
      validationErrorOf(() => parse(input()), path);
    });

    it('ignores endsAt while firing (Go zero time or a future time)', () => {
      // Prepare
      const body = firingWith((b) => (b.alerts[0].endsAt = '0001-01-01T00:00:00Z'));

      // Act
      const [signal] = parse(body);

      // Assess
      expect(signal?.state).toBe('alarm');
    });
  },
);

it('Grafana payloads are refused by the Alertmanager parser and vice versa (version names the mistake)', () => {
  validationErrorOf(() => parseAlertmanagerWebhook(loadEvent('grafana-firing.json')), 'version');
  validationErrorOf(() => parseGrafanaWebhook(loadEvent('alertmanager-firing.json')), 'version');
});
