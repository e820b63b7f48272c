/**
 * The sample routes file against every sample alarm (parsed by lib/sources): each firing sample
 * acts through exactly the route written for its source; resolved/ok samples and repeats do nothing.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { routeSignal } from '../../lib/routing/match.ts';
import {
  type AlarmSignal,
  detectAwsAlarm,
  parseAlertmanagerWebhook,
  parseCloudEyeAlarm,
  parseGrafanaWebhook,
} from '../../lib/sources/index.ts';
import { sampleRoutes } from './helpers.ts';

// biome-ignore lint/suspicious/noExplicitAny: sample events are JSON documents
const load = (file: string): any =>
  JSON.parse(readFileSync(new URL(`../../events/alarms/${file}`, import.meta.url), 'utf8'));

const signalsOf = (file: string): AlarmSignal[] => {
  const event = load(file);
  if (file.startsWith('alertmanager')) return parseAlertmanagerWebhook(event);
  if (file.startsWith('grafana')) return parseGrafanaWebhook(event);
  if (file.startsWith('cloud-eye')) return parseCloudEyeAlarm(event.body.message, event.body);
  return detectAwsAlarm(event);
};

/** `route name -> act?` for every decision of every signal of the sample. */
const outcomes = (file: string): string[] =>
  signalsOf(file).flatMap((s) =>
    routeSignal(s, sampleRoutes()).map((d) => `${d.route.name}: ${d.act ? 'act' : d.reason}`),
  );

describe('sample events through the sample routes', () => {
  const table: [file: string, expected: string[]][] = [
    ['alertmanager-firing.json', ['dws-prod-failover: act']],
    ['alertmanager-repeat.json', ['dws-prod-failover: act']], // same episode: same key (checked below)
    ['alertmanager-no-fingerprint.json', ['dws-prod-failover: act']], // Alertmanager < 0.19: same key too
    ['alertmanager-resolved.json', ['dws-prod-failover: state ok is not in on: [alarm]']],
    ['grafana-firing.json', ['dws-prod-failover-grafana: act']],
    ['grafana-resolved.json', ['dws-prod-failover-grafana: state ok is not in on: [alarm]']],
    ['cloudwatch-sns-alarm.json', ['dws-prod-failover-cloudwatch: act']],
    ['cloudwatch-sns-ok.json', ['dws-prod-failover-cloudwatch: state ok is not in on: [alarm]']],
    ['cloudwatch-eventbridge-alarm.json', ['dws-prod-failover-cloudwatch: act']],
    ['cloudwatch-eventbridge-ok.json', ['dws-prod-failover-cloudwatch: state ok is not in on: [alarm]']],
    ['cloudwatch-lambda-action-alarm.json', ['dws-prod-failover-cloudwatch: act']],
    ['cloudwatch-composite-suppressed-lambda-action.json', ['dws-prod-failover-cloudwatch-composite: act']],
    [
      'cloudwatch-composite-suppressed-eventbridge.json',
      ['dws-prod-failover-cloudwatch-composite: actions suppressed by WaitPeriod at the source'],
    ],
    ['cloud-eye-smn-alarm.json', ['dws-prod-failover-cloud-eye: act']],
    ['cloud-eye-smn-ok.json', ['dws-prod-failover-cloud-eye: state ok is not in on: [alarm]']],
  ];

  for (const [file, expected] of table) {
    it(`${file}: ${expected.join(', ')}`, () => {
      // Act
      const result = outcomes(file);

      // Assess
      expect(result).toEqual(expected);
    });
  }

  it('gives the firing alert and its repeat (another Alertmanager peer) the same key', () => {
    // Act
    const keys = ['alertmanager-firing.json', 'alertmanager-repeat.json'].map((file) => {
      const [decision] = routeSignal(signalsOf(file)[0]!, sampleRoutes());
      return decision?.act ? decision.key : undefined;
    });

    // Assess
    expect(keys[0]).toMatch(/^alarm:dws-prod-failover:[0-9a-f]{32}$/);
    expect(keys[1]).toBe(keys[0]);
  });

  it('gives an alert from Alertmanager before 0.19 (no fingerprint) the key of the same alert from 0.25', () => {
    // Act
    const keys = ['alertmanager-firing.json', 'alertmanager-no-fingerprint.json'].map((file) => {
      const [decision] = routeSignal(signalsOf(file)[0]!, sampleRoutes());
      return decision?.act ? decision.key : undefined;
    });

    // Assess
    expect(keys[0]).toMatch(/^alarm:dws-prod-failover:[0-9a-f]{32}$/);
    expect(keys[1]).toBe(keys[0]);
  });

  it('gives the three CloudWatch deliveries of one state change the same key', () => {
    // Act
    const keys = [
      'cloudwatch-sns-alarm.json',
      'cloudwatch-eventbridge-alarm.json',
      'cloudwatch-lambda-action-alarm.json',
    ].map((file) => {
      const [decision] = routeSignal(signalsOf(file)[0]!, sampleRoutes());
      return decision?.act ? decision.key : undefined;
    });

    // Assess
    expect(keys[0]).toBeDefined();
    expect(new Set(keys).size).toBe(1);
  });
});
