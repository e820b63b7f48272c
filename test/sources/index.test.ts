/**
 * The sources layer as the handlers see it: every sample event gives well-formed signals through the
 * public API; any Lambda event gives signals or a clear ValidationError; the production fetch never
 * follows a redirect.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ValidationError } from '../../lib/errors.ts';
import {
  type AlarmSignal,
  AlarmSignalSchema,
  createSmnFetch,
  detectAwsAlarm,
  handleSmnDelivery,
  parseAlertmanagerWebhook,
  parseCloudWatchEvent,
  parseGrafanaWebhook,
  SmnVerifier,
} from '../../lib/sources/index.ts';
import { fetchStub, SMN_SAMPLE_TOPIC_URNS } from '../../tools/local/smn/signing.ts';
import { loadEvent, type SampleFile, validationErrorOf } from './helpers.ts';

const signalsOf = async (file: SampleFile): Promise<AlarmSignal[]> => {
  if (file.startsWith('cloudwatch-')) return parseCloudWatchEvent(loadEvent(file));
  if (file.startsWith('alertmanager-')) return parseAlertmanagerWebhook(loadEvent(file));
  if (file.startsWith('grafana-')) return parseGrafanaWebhook(loadEvent(file));
  const { headers, body } = loadEvent(file);
  const stub = fetchStub();
  const result = await handleSmnDelivery(headers, body, {
    verifier: new SmnVerifier({ fetch: stub.fetch }),
    fetch: stub.fetch,
    topics: async () => SMN_SAMPLE_TOPIC_URNS,
    // The clock of the recorded sample (freshness is smnDelivery.test.ts's subject).
    now: () => Date.parse(body.timestamp),
  });
  return result.kind === 'notification' ? result.signals : [];
};

describe('the sample events through the public API', () => {
  it.each<[SampleFile, number]>([
    ['cloudwatch-sns-alarm.json', 1],
    ['cloudwatch-sns-ok.json', 1],
    ['cloudwatch-eventbridge-alarm.json', 1],
    ['cloudwatch-eventbridge-ok.json', 1],
    ['cloudwatch-lambda-action-alarm.json', 1],
    ['alertmanager-firing.json', 2],
    ['alertmanager-repeat.json', 2],
    ['alertmanager-resolved.json', 2],
    ['grafana-firing.json', 1],
    ['grafana-resolved.json', 1],
    ['cloud-eye-smn-alarm.json', 1],
    ['cloud-eye-smn-ok.json', 1],
  ])('%s gives %d well-formed signal(s)', async (file, count) => {
    // Act
    const signals = await signalsOf(file);

    // Assess
    expect(signals).toHaveLength(count);
    for (const signal of signals) expect(AlarmSignalSchema.safeParse(signal).error).toBeUndefined();
  });

  it('covers every source and every state at least once', async () => {
    // Prepare
    const files: SampleFile[] = [
      'cloudwatch-sns-alarm.json',
      'cloudwatch-eventbridge-ok.json',
      'alertmanager-firing.json',
      'alertmanager-resolved.json',
      'grafana-firing.json',
      'grafana-resolved.json',
      'cloud-eye-smn-alarm.json',
      'cloud-eye-smn-ok.json',
    ];

    // Act
    const signals = (await Promise.all(files.map(signalsOf))).flat();

    // Assess
    expect(new Set(signals.map((s) => `${s.source}:${s.state}`))).toStrictEqual(
      new Set([
        'cloudwatch:alarm',
        'cloudwatch:ok',
        'alertmanager:alarm',
        'alertmanager:ok',
        'grafana:alarm',
        'grafana:ok',
        'cloud-eye:alarm',
        'cloud-eye:ok',
      ]),
    );
  });
});

describe('detectAwsAlarm', () => {
  it.each<SampleFile>([
    'cloudwatch-sns-alarm.json',
    'cloudwatch-eventbridge-alarm.json',
    'cloudwatch-lambda-action-alarm.json',
  ])('recognises %s', (file) => {
    expect(detectAwsAlarm(loadEvent(file))).toStrictEqual(parseCloudWatchEvent(loadEvent(file)));
  });

  it.each<[string, unknown]>([
    ['an Alertmanager body', loadEvent('alertmanager-firing.json')],
    ['an SMN delivery', loadEvent('cloud-eye-smn-alarm.json')],
    ['an SQS batch', { Records: [{ messageId: '1', eventSource: 'aws:sqs', body: '{}' }] }],
    ['a scheduled event', { 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {} }],
    ['undefined', undefined],
  ])('refuses %s with a ValidationError', (_case, event) => {
    expect(() => detectAwsAlarm(event)).toThrow(ValidationError);
  });

  it('names the field that made a scheduled event not an alarm', () => {
    validationErrorOf(
      () => detectAwsAlarm({ 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {} }),
      'detail-type',
    );
  });
});

describe('createSmnFetch', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('GETs without following redirects and with a time-out', async () => {
    // Prepare
    const calls: [string, RequestInit | undefined][] = [];
    vi.stubGlobal('fetch', async (url: string, init?: RequestInit) => {
      calls.push([url, init]);
      return new Response('pem', { status: 200 });
    });

    // Act
    const response = await createSmnFetch(1500)('https://smn.cn-north-4.myhuaweicloud.com/c.pem');

    // Assess
    expect(await response.text()).toBe('pem');
    expect(calls).toHaveLength(1);
    expect(calls[0]?.[0]).toBe('https://smn.cn-north-4.myhuaweicloud.com/c.pem');
    expect(calls[0]?.[1]).toMatchObject({ method: 'GET', redirect: 'manual' });
    expect(calls[0]?.[1]?.signal).toBeInstanceOf(AbortSignal);
  });
});
