/**
 * The alarms function's event step: a CloudWatch event is recognised, checked to come from this
 * deployment (accounts, SNS topic), then routed; a foreign one is refused (logged, counted,
 * dead-lettered with the fields that failed, never routed, never thrown, so never retried).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import type { DeadLetter } from '../../lib/deadLetters/deadLetter.ts';
import { type AlarmEventDeps, handleAlarmEvent } from '../../lib/intake/alarmEvent.ts';
import type { SignalResult } from '../../lib/intake/alarmSignals.ts';
import { cloudWatchTrust } from '../../lib/sources/cloudwatchTrust.ts';
import type { AlarmSignal } from '../../lib/sources/types.ts';
import { MemoryStatusStore } from '../fixtures/memoryStore.ts';

const OURS = '123456789012';
const FOREIGN = '999999999999';
const TOPIC = `arn:aws:sns:eu-west-1:${OURS}:dr-relay-alarms`;
const FUNCTION_ARN = `arn:aws:lambda:eu-west-1:${OURS}:function:dr-relay-prod-alarms`;

// biome-ignore lint/suspicious/noExplicitAny: sample events are JSON documents
const sample = (file: string): any => JSON.parse(readFileSync(`events/alarms/${file}`, 'utf8'));

const setup = (options: { failDeadLetter?: boolean } = {}) => {
  const letters: DeadLetter[] = [];
  const counts: string[] = [];
  const warnings: { message: string; extra: unknown[] }[] = [];
  const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
  const process = vi.fn(
    async (signals: readonly AlarmSignal[]): Promise<SignalResult[]> =>
      signals.map((s) => ({ signal: s.name, result: 'no_route' as const })),
  );
  const deps: AlarmEventDeps = {
    pipeline: { process },
    deadLetters: {
      queue: {
        send: async (letter: DeadLetter) => {
          if (options.failDeadLetter) throw new Error('SQS is unavailable');
          letters.push(letter);
          return 'dead-letter-1';
        },
      },
      store: new MemoryStatusStore(),
      log: quiet,
    },
    trust: cloudWatchTrust({ functionArn: FUNCTION_ARN, alarmTopicArn: TOPIC }),
    log: { ...quiet, warn: (message, ...extra) => warnings.push({ message, extra }) },
    count: (metric) => counts.push(metric),
  };
  return { deps, process, letters, counts, warnings };
};
const invocation = { remainingMs: () => 60_000 };

describe('handleAlarmEvent: our own alarms', () => {
  it.each([
    'cloudwatch-sns-alarm.json',
    'cloudwatch-eventbridge-alarm.json',
    'cloudwatch-lambda-action-alarm.json',
  ])('%s is routed, nothing refused or dead-lettered', async (file) => {
    // Prepare
    const { deps, process, letters, counts } = setup();

    // Act
    const summary = await handleAlarmEvent(sample(file), deps, invocation);

    // Assess
    expect(summary).toEqual({ signals: 1, results: [{ signal: 'DWSPrimaryDown-prod', result: 'no_route' }] });
    expect(process).toHaveBeenCalledOnce();
    expect(letters).toEqual([]);
    expect(counts).toEqual([]);
  });
});

describe('handleAlarmEvent: an alarm from another account or topic', () => {
  const foreignEventBridge = () => {
    const event = sample('cloudwatch-eventbridge-alarm.json');
    event.account = FOREIGN;
    event.resources = event.resources.map((arn: string) => arn.replace(OURS, FOREIGN));
    return event;
  };
  const foreignTopic = () => {
    const event = sample('cloudwatch-sns-alarm.json');
    event.Records[0].Sns.TopicArn = `arn:aws:sns:eu-west-1:${OURS}:another-topic`;
    return event;
  };

  it.each([
    ['EventBridge from 999999999999', foreignEventBridge, ['account', 'resources.0']],
    ['SNS from another topic', foreignTopic, ['Records.0.Sns.TopicArn']],
  ])(
    '%s: not routed; logged, counted, dead-lettered with the event and the fields',
    async (_case, event, paths) => {
      // Prepare
      const { deps, process, letters, counts, warnings } = setup();
      const input = event();

      // Act
      const summary = await handleAlarmEvent(input, deps, invocation);

      // Assess
      expect(process).not.toHaveBeenCalled();
      expect(summary.signals).toBe(1);
      expect(summary.results).toEqual([]);
      expect(summary.refused).toMatch(/^permanent: CloudWatch alarm refused: not from this deployment/);
      expect(counts).toEqual(['AlarmEventsRefused']);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]?.message).toBe('CloudWatch alarm refused: not from this deployment');
      expect(warnings[0]?.extra[0]).toMatchObject({ alarms: ['DWSPrimaryDown-prod:alarm'] });
      expect(letters).toHaveLength(1);
      expect(letters[0]).toMatchObject({
        source: { type: 'alarm' },
        raw_body: JSON.stringify(input),
        error: { kind: 'permanent' },
        attempts: 1,
      });
      expect(letters[0]?.error.issues?.map((i) => i.path)).toEqual(paths);
    },
  );

  it('throws (so Lambda retries) only when the dead letter itself cannot be stored', async () => {
    // Prepare
    const { deps, process } = setup({ failDeadLetter: true });

    // Act
    const act = handleAlarmEvent(foreignEventBridge(), deps, invocation);

    // Assess
    await expect(act).rejects.toThrow('SQS is unavailable');
    expect(process).not.toHaveBeenCalled();
  });

  it('still dead-letters an event of no known shape as invalid, without counting it as refused', async () => {
    // Prepare
    const { deps, letters, counts } = setup();

    // Act
    const summary = await handleAlarmEvent({ hello: 'world' }, deps, invocation);

    // Assess
    expect(summary).toMatchObject({ signals: 0, results: [] });
    expect(summary.invalid).toMatch(/^permanent: /);
    expect(summary.refused).toBeUndefined();
    expect(letters).toHaveLength(1);
    expect(counts).toEqual([]);
  });
});
