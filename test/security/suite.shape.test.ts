/**
 * Security suite, part 3: oversized inputs, unicode, numbers, duplicate JSON keys and very deep JSON.
 * Each row: the input, the entry point, the expected refusal (HTTP status and issue path, or
 * ValidationError and issue path, or a dead letter naming the issue) and no side effect beyond
 * what the row names; every row answers within ROW_TIME_LIMIT_MS (no hang, no stack overflow).
 */
import { describe, expect, it } from 'vitest';
import type { ActionRequest } from '../../lib/actions/request.ts';
import { parseActionRequestJson } from '../../lib/actions/request.ts';
import { loadConfig } from '../../lib/config/env.ts';
import type { ValidationError } from '../../lib/errors.ts';
import { MAX_ALERT_BODY_BYTES } from '../../lib/http/alerts.ts';
import { MAX_REQUEST_BODY_BYTES } from '../../lib/http/requests.ts';
import { verifySignature } from '../../lib/http/signature.ts';
import { parseRoutes, type Route } from '../../lib/routing/routes.ts';
import { MAX_ROUTES_FILE_BYTES } from '../../lib/routing/yamlDoc.ts';
import { MAX_ALERTS_PER_NOTIFICATION } from '../../lib/sources/alerts.ts';
import {
  type AlarmSignal,
  detectAwsAlarm,
  parseAlertmanagerWebhook,
  parseCloudEyeAlarm,
  parseGrafanaWebhook,
} from '../../lib/sources/index.ts';
import { parseIdempotencyKey } from '../../lib/store/idempotencyKeys.ts';
import { signSmn } from '../../tools/local/smn/signing.ts';
import { deepText, jsonWithMembers, loadText } from './arbitraries.ts';
import {
  ACCEPTED_REQUEST,
  ALARMS,
  changed,
  cloudEyeCase,
  type HttpCase,
  type Json,
  type ParserCase,
  REQUESTS,
  type RecordCase,
  runHttpCase,
  runParserCase,
  runRecordCase,
  signedPost,
  smnCase,
} from './cases.ts';
import {
  bearerHeaders,
  type Calls,
  HMAC_SECRET,
  NOW_SECONDS,
  sign,
  signedHeaders,
  signGet,
  webhookApp,
} from './harness.ts';

const json = (value: unknown) => JSON.stringify(value);
/** `value` as JSON text padded with `pad` up to exactly `bytes` bytes. */
const padded = (value: unknown, bytes: number, pad = ' ') => {
  const text = json(value);
  return `${text}${pad.repeat((bytes - Buffer.byteLength(text)) / Buffer.byteLength(pad))}`;
};
const request = (change: (r: Json) => void, base: Json = REQUESTS.failover) => json(changed(base, change));
const withParams = (base: Json, change: (p: Json) => void) =>
  request((r) => change(r['params'] as Json), base);
const smallAnswer = (limit: number) => (response: { body: string }) =>
  expect(response.body.length).toBeLessThan(limit);
const enqueued = (check: (r: ActionRequest) => void) => (_: unknown, calls: Calls) =>
  check(calls.of('enqueue')[0]!.args[0] as ActionRequest);
const processed = (check: (signals: AlarmSignal[]) => void) => (_: unknown, calls: Calls) =>
  check(calls.of('process')[0]!.args[0] as AlarmSignal[]);
const alertmanager = (change: (b: Json) => void) => json(changed(ALARMS.alertmanager, change));
const firstAlert = (b: Json) => (b['alerts'] as Json[])[0]!;
const ROUTES_TEXT = loadText('routes/routes.yml');
const oneRoute = (change: string) =>
  `routes:\n  - name: r1\n    match: { source: alertmanager }\n    action: dws.dr.failover\n    region: cn-north-4\n    project_id: 89cd04f168b84af6be287f71730fdb4b\n    params: { disaster_recovery_id: e59d6b86-9072-46eb-a996-13f8b44994c1 }\n${change}`;
const CONFIG = {
  REQUEST_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/requests',
  DEAD_LETTER_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/dead-letters',
  STATE_TABLE: 'dr-relay-state',
  HUAWEICLOUD_SDK_AK: 'QTWAOYTTINDUT2QVKYUC',
  HUAWEICLOUD_SDK_SK: 'MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc',
};
const ALERT = '/v1/alerts/alertmanager';
const alertPost = (body: string): Pick<HttpCase, 'path' | 'body' | 'headers'> => ({
  path: ALERT,
  body,
  headers: bearerHeaders(),
});
const hundredThousandAlerts = (alert: Json) => ({
  ...ALARMS.alertmanager,
  alerts: Array(100_000).fill(alert),
});

// --- oversized -------------------------------------------------------------------------------------------

describe('oversized', () => {
  const volumes = (n: number) =>
    Array.from({ length: n }, () => ({
      backup_id: '5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b',
      volume_id: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
    }));

  it.each<HttpCase>([
    {
      name: '/v1/requests: 64 KiB + 1 byte, validly signed',
      ...signedPost(padded(REQUESTS.failover, MAX_REQUEST_BODY_BYTES + 1), { status: 413 }),
    },
    {
      name: '/v1/requests: exactly 64 KiB (the limit is inclusive)',
      ...signedPost(padded(REQUESTS.failover, MAX_REQUEST_BODY_BYTES), {
        status: 202,
        effects: ACCEPTED_REQUEST,
      }),
    },
    {
      name: '/v1/requests: 21,846 "€" (65,538 bytes, 21,846 characters): bytes count',
      ...signedPost(
        withParams(REQUESTS.dcs, (p) => {
          p['remark'] = '€'.repeat(21_846);
        }),
        { status: 413 },
      ),
    },
    {
      name: '/v1/requests: 1 MiB unsigned',
      path: '/v1/requests',
      body: 'x'.repeat(1 << 20),
      headers: { 'content-type': 'application/json' },
      status: 413,
    },
    {
      name: '/v1/alerts/alertmanager: 1 MiB + 1 byte, without a token (size is checked first)',
      path: ALERT,
      body: 'x'.repeat(MAX_ALERT_BODY_BYTES + 1),
      status: 413,
    },
    {
      name: '/v1/alerts/cloud-eye: 1 MiB + 1 byte (nothing fetched)',
      path: '/v1/alerts/cloud-eye',
      body: 'x'.repeat(MAX_ALERT_BODY_BYTES + 1),
      status: 413,
    },
    {
      name: '/v1/alerts/grafana: exactly 1 MiB that is not JSON (not 413)',
      path: '/v1/alerts/grafana',
      body: 'x'.repeat(MAX_ALERT_BODY_BYTES),
      headers: bearerHeaders(),
      status: 400,
      issue: '(body)',
    },
    {
      name: '/v1/alerts/alertmanager: 100,000 well-formed alerts (14 MB)',
      ...alertPost(json(hundredThousandAlerts(firstAlert(ALARMS.alertmanager)))),
      status: 413,
    },
    {
      name: 'request_id of 129 characters',
      ...signedPost(
        request((r) => {
          r['request_id'] = 'a'.repeat(129);
        }),
        { status: 400, issue: 'request_id' },
      ),
    },
    {
      name: 'request_id of 60,000 characters: refused, not echoed',
      ...signedPost(
        request((r) => {
          r['request_id'] = 'a'.repeat(60_000);
        }),
        { status: 400, issue: 'request_id', check: smallAnswer(2_000) },
      ),
    },
    {
      name: 'dcs remark of 129 characters',
      ...signedPost(
        withParams(REQUESTS.dcs, (p) => {
          p['remark'] = 'r'.repeat(129);
        }),
        { status: 400, issue: 'params.remark' },
      ),
    },
    {
      name: 'csbs restore_target of 256 characters',
      ...signedPost(
        withParams(REQUESTS.csbs, (p) => {
          p['restore_target'] = 't'.repeat(256);
        }),
        { status: 400, issue: 'params.restore_target' },
      ),
    },
    {
      name: 'csbs with 65 volumes (at most 64)',
      ...signedPost(
        withParams(REQUESTS.csbs, (p) => {
          (p['parameters'] as Json)['targets'] = { volumes: volumes(65) };
        }),
        { status: 400, issue: 'params.parameters.targets.volumes' },
      ),
    },
    {
      name: 'csbs with 20,000 empty volumes: one issue, a short answer',
      ...signedPost(
        withParams(REQUESTS.csbs, (p) => {
          (p['parameters'] as Json)['targets'] = { volumes: Array(20_000).fill({}) };
        }),
        {
          status: 400,
          issue: 'params.parameters.targets.volumes',
          check: smallAnswer(2_000),
        },
      ),
    },
    {
      name: '2,000 unknown keys at the root: the first ones named, then how many more (a short answer)',
      ...signedPost(
        request((r) => {
          for (let i = 0; i < 2_000; i++) r[`k${i}`] = i;
        }),
        { status: 400, issue: '(more)', check: smallAnswer(8_000) },
      ),
    },
    {
      name: 'an Idempotency-Key of 256 characters',
      ...signedPost(json(REQUESTS.failover), {
        headers: { 'idempotency-key': `"${'k'.repeat(256)}"` },
        status: 400,
        issue: '(header) Idempotency-Key',
      }),
    },
    {
      name: 'an alertname of 1,000,000 characters (data: a signal named so)',
      ...alertPost(
        alertmanager((b) => {
          b['alerts'] = [firstAlert(b)];
          (firstAlert(b)['labels'] as Json)['alertname'] = 'A'.repeat(1_000_000);
        }),
      ),
      status: 202,
      effects: { process: 1 },
      check: processed((signals) => expect(signals[0]!.name).toHaveLength(1_000_000)),
    },
    {
      name: 'Cloud Eye: 10,000 template variables (labels)',
      ...cloudEyeCase((a) => {
        a['template_variable'] = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`v${i}`, 'x']));
      }),
      status: 202,
      effects: { process: 1 },
    },
    {
      name: 'Cloud Eye: a dimension string of 100,000 parts',
      ...cloudEyeCase((a) => {
        a['dimension'] = 'k:v,'.repeat(100_000);
      }),
      status: 202,
      effects: { process: 1 },
    },
    {
      name: 'SMN: a 900 KB message that is not JSON (signed)',
      ...smnCase('cloud-eye-smn-alarm.json', (b) => {
        b['message'] = 'm'.repeat(900_000);
      }),
      status: 400,
      issue: 'message',
    },
  ])('$name -> $status', async (row) => {
    await runHttpCase(row);
  });

  it.each<ParserCase>([
    {
      name: '100,000 well-formed alerts: refused at once (more than MAX_ALERTS_PER_NOTIFICATION)',
      entry: 'parseAlertmanagerWebhook',
      act: () => parseAlertmanagerWebhook(hundredThousandAlerts(firstAlert(ALARMS.alertmanager))),
      issue: 'alerts',
    },
    {
      name: 'MAX_ALERTS_PER_NOTIFICATION + 1 well-formed alerts: refused',
      entry: 'parseGrafanaWebhook',
      act: () =>
        parseGrafanaWebhook({
          ...ALARMS.grafana,
          alerts: Array(MAX_ALERTS_PER_NOTIFICATION + 1).fill(firstAlert(ALARMS.grafana)),
        }),
      issue: 'alerts',
    },
    {
      name: 'MAX_ALERTS_PER_NOTIFICATION well-formed alerts: one signal each',
      entry: 'parseAlertmanagerWebhook',
      act: () =>
        parseAlertmanagerWebhook({
          ...ALARMS.alertmanager,
          alerts: Array(MAX_ALERTS_PER_NOTIFICATION).fill(firstAlert(ALARMS.alertmanager)),
        }),
      accepted: (signals: AlarmSignal[]) => expect(signals).toHaveLength(MAX_ALERTS_PER_NOTIFICATION),
    },
    {
      name: '100,000 empty alerts: one short refusal, not 700,000 issues',
      entry: 'parseAlertmanagerWebhook',
      act: () => parseAlertmanagerWebhook({ ...ALARMS.alertmanager, alerts: Array(100_000).fill({}) }),
      issue: 'alerts',
      check: (error: ValidationError) => expect(error.message.length).toBeLessThan(8_000),
    },
    {
      name: 'MAX_ALERTS_PER_NOTIFICATION empty alerts: the first issues, then how many more',
      entry: 'parseAlertmanagerWebhook',
      act: () =>
        parseAlertmanagerWebhook({
          ...ALARMS.alertmanager,
          alerts: Array(MAX_ALERTS_PER_NOTIFICATION).fill({}),
        }),
      issue: '(more)',
      check: (error: ValidationError) => expect(error.message.length).toBeLessThan(8_000),
    },
    {
      name: 'a routes file of 1 MiB + 1 byte',
      entry: 'parseRoutes',
      act: () => parseRoutes(`${ROUTES_TEXT}\n#${'x'.repeat(MAX_ROUTES_FILE_BYTES)}`),
      issue: '(file)',
    },
    {
      name: 'a routes file with 4,000 routes of one name (the first duplicates named, then how many more)',
      entry: 'parseRoutes',
      act: () =>
        parseRoutes(
          `routes:\n${Array(4_000).fill('  - { name: r, match: { source: grafana }, action: dws.dr.start, region: cn-north-4, project_id: 89cd04f168b84af6be287f71730fdb4b, params: { disaster_recovery_id: e59d6b86-9072-46eb-a996-13f8b44994c1 } }').join('\n')}`,
        ),
      issue: 'routes[1] (r).name',
      check: (error: ValidationError) => expect(error.issues.at(-1)?.path).toBe('(more)'),
    },
    {
      name: 'a YAML alias bomb (billion laughs)',
      entry: 'parseRoutes',
      act: () =>
        parseRoutes(
          `a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nroutes: [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\n`,
        ),
      issue: '(yaml)',
    },
    {
      name: 'a CloudWatch SNS event with 10,000 records: refused at once',
      entry: 'detectAwsAlarm',
      act: () =>
        detectAwsAlarm({ Records: Array(10_000).fill((ALARMS.cloudwatchSns['Records'] as Json[])[0]) }),
      issue: 'Records',
    },
    {
      name: 'a CloudWatch SNS event with 100 records (one signal each)',
      entry: 'detectAwsAlarm',
      act: () => detectAwsAlarm({ Records: Array(100).fill((ALARMS.cloudwatchSns['Records'] as Json[])[0]) }),
      accepted: (signals: AlarmSignal[]) => expect(signals).toHaveLength(100),
    },
  ])('$entry: $name', async (row) => {
    await runParserCase(row);
  });

  it.each<RecordCase>([
    { name: '1 MiB of junk', body: 'x'.repeat(1 << 20), issue: '(body)' },
    {
      name: 'a request_id of 100,000 characters',
      body: request((r) => {
        r['request_id'] = 'r'.repeat(100_000);
      }),
      issue: 'request_id',
    },
  ])('SQS record: $name -> dead-lettered at once, no call', async (row) => {
    await runRecordCase(row);
  });
});

// --- unicode ---------------------------------------------------------------------------------------------

describe('unicode', () => {
  const HOMOGLYPHS = [
    ['Cyrillic а', 'dws.dr.f\u0430ilover'],
    ['Greek ο', 'dws.dr.failοver'],
    ['full-width full stops', 'dws\uff0edr\uff0efailover'],
    ['upper case', 'DWS.DR.FAILOVER'],
    ['a trailing space', 'dws.dr.failover '],
    ['a zero-width space', 'dws.dr.fail\u200bover'],
    ['a BOM', '\ufeffdws.dr.failover'],
    ['a NUL', 'dws.dr.failover\u0000'],
    ['combining characters', 'dws.dr.fa\u0301ilover'],
  ] as const;

  it.each<HttpCase>([
    ...HOMOGLYPHS.map(
      ([what, action]): HttpCase => ({
        name: `an action name with ${what}`,
        ...signedPost(
          request((r) => {
            r['action'] = action;
          }),
          { status: 400, issue: 'action' },
        ),
      }),
    ),
    ...[
      ['a NUL', 'req\u0000id'],
      ['a lone high surrogate', 'req\ud800'],
      ['a lone low surrogate', '\udfffreq'],
      ['a right-to-left override', 'req\u202eid'],
      ['an emoji', 'req-😀'],
      ['full-width digits', 'req-\uff11\uff12'],
      ['a no-break space', 'req\u00a0id'],
      ['a newline (log injection)', 'req\nINFO forged line'],
    ].map(
      ([what, id]): HttpCase => ({
        name: `request_id with ${what}`,
        ...signedPost(
          request((r) => {
            r['request_id'] = id;
          }),
          { status: 400, issue: 'request_id' },
        ),
      }),
    ),
    {
      name: 'project_id with a full-width digit',
      ...signedPost(
        request((r) => {
          r['project_id'] = '89cd04f168b84af6be287f71730fdb4\uff10';
        }),
        { status: 400, issue: 'project_id' },
      ),
    },
    {
      name: 'region with a full-width digit',
      ...signedPost(
        request((r) => {
          r['region'] = 'cn-north-\uff14';
        }),
        { status: 400, issue: 'region' },
      ),
    },
    {
      name: 'region with Arabic-Indic digits',
      ...signedPost(
        request((r) => {
          r['region'] = 'cn-north-\u0664';
        }),
        { status: 400, issue: 'region' },
      ),
    },
    {
      name: 'region with a right-to-left override',
      ...signedPost(
        request((r) => {
          r['region'] = 'cn-north-4\u202e';
        }),
        { status: 400, issue: 'region' },
      ),
    },
    {
      name: 'disaster_recovery_id with full-width digits',
      ...signedPost(
        withParams(REQUESTS.failover, (p) => {
          p['disaster_recovery_id'] = 'e59d6b86-9072-46eb-a996-13f8b44994c\uff11';
        }),
        { status: 400, issue: 'params.disaster_recovery_id' },
      ),
    },
    ...[
      ['a NUL', 'a\u0000b'],
      ['a lone surrogate', 'a\ud800b'],
      ['a right-to-left override', 'a\u202eb'],
      ['emoji', '🚨 restore 😀'],
    ].map(
      ([what, remark]): HttpCase => ({
        name: `a DCS remark with ${what} (free text: kept exactly as data)`,
        ...signedPost(
          withParams(REQUESTS.dcs, (p) => {
            p['remark'] = remark;
          }),
          {
            status: 202,
            effects: ACCEPTED_REQUEST,
            check: enqueued((r) => expect((r.params as { remark?: string }).remark).toBe(remark)),
          },
        ),
      }),
    ),
    ...['"key-😀"', '"key-\uff11"', '"k\u0000"', 'ключ'].map(
      (key): HttpCase => ({
        name: `an Idempotency-Key ${JSON.stringify(key)}`,
        ...signedPost(json(REQUESTS.failover), {
          headers: { 'idempotency-key': key },
          status: 400,
          issue: '(header) Idempotency-Key',
        }),
      }),
    ),
    {
      name: 'X-DR-Signature with t in full-width digits',
      path: '/v1/requests',
      body: json(REQUESTS.failover),
      headers: {
        'content-type': 'application/json',
        'x-dr-signature': sign(json(REQUESTS.failover)).replace(/^t=\d+/, (t) =>
          t.replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d))),
        ),
      },
      status: 401,
    },
    {
      name: 'an alertname with a right-to-left override and a NUL (data: the signal carries it as is)',
      ...alertPost(
        alertmanager((b) => {
          (firstAlert(b)['labels'] as Json)['alertname'] = 'DWS\u202eNWOD\u0000';
        }),
      ),
      status: 202,
      effects: { process: 1 },
      check: processed((signals) => expect(signals[0]!.name).toBe('DWS\u202eNWOD\u0000')),
    },
    {
      name: 'an alert label key spelled \\u005f\\u005fproto__ in JSON escapes (a label like any other)',
      ...alertPost(
        json(ALARMS.alertmanager).replace('"cluster":"prod"', '"\\u005f\\u005fproto__":"x","cluster":"prod"'),
      ),
      status: 202,
      effects: { process: 1 },
    },
    {
      name: 'SMN type with a Greek ο',
      ...smnCase(
        'cloud-eye-smn-alarm.json',
        (b) => {
          b['type'] = 'Notificatiοn';
        },
        { headers: { 'x-smn-message-type': undefined } },
      ),
      status: 400,
      issue: 'type',
    },
    {
      name: 'Cloud Eye alarm_status in full-width letters',
      ...cloudEyeCase((a) => {
        a['alarm_status'] = '\uff41\uff4c\uff41\uff52\uff4d';
      }),
      status: 400,
      issue: 'message.alarm_status',
    },
    {
      name: 'Cloud Eye message_type with a Cyrillic а',
      ...cloudEyeCase((a) => {
        a['message_type'] = '\u0430larm';
      }),
      status: 400,
      issue: 'message.message_type',
    },
    {
      name: 'GET a request id that is an emoji (percent-encoded): looked up as data, not found',
      method: 'GET',
      path: `/v1/requests/${encodeURIComponent('😀')}`,
      headers: { 'x-dr-signature': signGet(`/v1/requests/${encodeURIComponent('😀')}`) },
      status: 404,
      effects: { 'store.get': 1 },
    },
  ])('$name -> $status', async (row) => {
    await runHttpCase(row);
  });

  it.each<ParserCase>([
    {
      name: 'a route name with a Cyrillic letter',
      entry: 'parseRoutes',
      act: () => parseRoutes(oneRoute('').replace('name: r1', 'name: r\u0430')),
      issue: /\.name$/,
    },
    {
      name: 'DR_AUTOMATION "оn" with a Cyrillic о',
      entry: 'loadConfig',
      act: () => loadConfig({ ...CONFIG, DR_AUTOMATION: '\u043en' }),
      issue: 'DR_AUTOMATION',
    },
    {
      name: 'DR_MAX_ATTEMPTS in full-width digits',
      entry: 'loadConfig',
      act: () => loadConfig({ ...CONFIG, DR_MAX_ATTEMPTS: '\uff16' }),
      issue: 'DR_MAX_ATTEMPTS',
    },
    {
      name: 'a CloudWatch state value with a NUL',
      entry: 'detectAwsAlarm',
      act: () =>
        detectAwsAlarm(
          changed(ALARMS.eventBridge, (e) => {
            ((e['detail'] as Json)['state'] as Json)['value'] = 'ALARM\u0000';
          }),
        ),
      issue: 'detail.state.value',
    },
    {
      name: 'an Idempotency-Key with a lone surrogate',
      entry: 'parseIdempotencyKey',
      act: () => {
        const parsed = parseIdempotencyKey('"k\ud800"');
        expect(parsed.ok).toBe(false);
      },
      accepted: () => undefined,
    },
  ])('$entry: $name', async (row) => {
    await runParserCase(row);
  });

  it('SQS record: a request_id with an emoji is dead-lettered naming it', async () => {
    await runRecordCase({
      name: 'emoji',
      body: request((r) => {
        r['request_id'] = '😀';
      }),
      issue: 'request_id',
    });
  });
});

// --- numbers ---------------------------------------------------------------------------------------------

describe('numbers: 1e400, -0, NaN, lossy integers', () => {
  /**
   * The body with `"field":<number text>` written after the original member (JSON.stringify cannot
   * write 1e400): the last member wins, as the duplicate-key rows show.
   */
  const grafana = (field: string, numberText: string) => ({
    path: '/v1/alerts/grafana',
    body: jsonWithMembers(ALARMS.grafana, [{ at: [], key: field, valueText: numberText }]),
    headers: bearerHeaders(),
  });

  it.each<HttpCase>([
    { name: 'Grafana orgId 1e400 (Infinity)', ...grafana('orgId', '1e400'), status: 400, issue: 'orgId' },
    { name: 'Grafana orgId -1e400', ...grafana('orgId', '-1e400'), status: 400, issue: 'orgId' },
    { name: 'Grafana orgId "NaN"', ...grafana('orgId', '"NaN"'), status: 400, issue: 'orgId' },
    { name: 'Grafana orgId 1.5', ...grafana('orgId', '1.5'), status: 400, issue: 'orgId' },
    {
      name: 'Grafana orgId 9007199254740993 (beyond the safe integers)',
      ...grafana('orgId', '9007199254740993'),
      status: 400,
      issue: 'orgId',
    },
    {
      name: 'Grafana orgId 9007199254740991 (the largest safe integer: data)',
      ...grafana('orgId', '9007199254740991'),
      status: 202,
      effects: { process: 1 },
    },
    {
      name: 'Grafana truncatedAlerts 1e400',
      ...grafana('truncatedAlerts', '1e400'),
      status: 400,
      issue: 'truncatedAlerts',
    },
    {
      name: 'Grafana truncatedAlerts -1',
      ...grafana('truncatedAlerts', '-1'),
      status: 400,
      issue: 'truncatedAlerts',
    },
    {
      name: 'Grafana truncatedAlerts -0 (zero: data)',
      ...grafana('truncatedAlerts', '-0'),
      status: 202,
      effects: { process: 1 },
    },
    {
      name: 'Grafana truncatedAlerts "Infinity"',
      ...grafana('truncatedAlerts', '"Infinity"'),
      status: 400,
      issue: 'truncatedAlerts',
    },
    {
      name: 'Cloud Eye time "NaN"',
      ...cloudEyeCase((a) => {
        a['time'] = 'NaN';
      }),
      status: 400,
      issue: 'message.time',
    },
    {
      name: 'Cloud Eye time "1e400"',
      ...cloudEyeCase((a) => {
        a['time'] = '1e400';
      }),
      status: 400,
      issue: 'message.time',
    },
    {
      name: 'Cloud Eye time 1e21 (beyond any date)',
      ...cloudEyeCase((a) => {
        a['time'] = 1e21;
      }),
      status: 400,
      issue: 'message.time',
    },
    {
      name: 'Cloud Eye time -1',
      ...cloudEyeCase((a) => {
        a['time'] = -1;
      }),
      status: 400,
      issue: 'message.time',
    },
    {
      name: 'Cloud Eye time -0 (the epoch: data)',
      ...cloudEyeCase((a) => {
        a['time'] = -0;
      }),
      status: 202,
      effects: { process: 1 },
      check: processed((s) => expect(s[0]!.occurred_at).toBe('1970-01-01T00:00:00.000Z')),
    },
    {
      name: 'csbs power_on 1',
      ...signedPost(
        withParams(REQUESTS.csbs, (p) => {
          (p['parameters'] as Json)['power_on'] = 1;
        }),
        { status: 400, issue: 'params.parameters.power_on' },
      ),
    },
    {
      name: 'csbs power_on "true"',
      ...signedPost(
        withParams(REQUESTS.csbs, (p) => {
          (p['parameters'] as Json)['power_on'] = 'true';
        }),
        { status: 400, issue: 'params.parameters.power_on' },
      ),
    },
    {
      name: 'project_id as a number',
      ...signedPost(json(REQUESTS.failover).replace('"89cd04f168b84af6be287f71730fdb4b"', '89e30'), {
        status: 400,
        issue: 'project_id',
      }),
    },
    {
      name: 'request_id 1e400',
      ...signedPost(json(REQUESTS.failover).replace('"sample-dws-failover-1"', '1e400'), {
        status: 400,
        issue: 'request_id',
      }),
    },
    {
      name: 'request_id -0',
      ...signedPost(json(REQUESTS.failover).replace('"sample-dws-failover-1"', '-0'), {
        status: 400,
        issue: 'request_id',
      }),
    },
  ])('$name -> $status', async (row) => {
    await runHttpCase(row);
  });

  it('Cloud Eye time 1e400 (as JSON text inside the signed message) -> 400 at message.time', async () => {
    const row = cloudEyeCase((a) => {
      a['time'] = 0;
    });
    const body = JSON.parse(row.body) as Json;
    const message = (body['message'] as string).replace('"time":0', '"time":1e400');
    const signed = signSmn({ ...body, message } as never) as unknown as Json;
    await runHttpCase({ name: '1e400', ...row, body: json(signed), status: 400, issue: 'message.time' });
  });

  it.each<ParserCase>([
    ...['1e400', '.nan', '.inf', '-.inf', '1.5', '"3600"', '-1', '2592001'].map(
      (value): ParserCase => ({
        name: `cooldown_seconds: ${value}`,
        entry: 'parseRoutes',
        act: () => parseRoutes(oneRoute(`    cooldown_seconds: ${value}\n`)),
        issue: 'routes[0] (r1).cooldown_seconds',
      }),
    ),
    {
      name: 'cooldown_seconds: -0 (zero: no cooldown, as 0 says)',
      entry: 'parseRoutes',
      act: () => parseRoutes(oneRoute('    cooldown_seconds: -0\n')),
      accepted: (routes: Route[]) => expect(routes[0]!.cooldown_seconds === 0).toBe(true),
    },
    ...['1e400', 'NaN', '-0', 'Infinity', '0', '101', '2.5', '1e2x'].map(
      (value): ParserCase => ({
        name: `DR_MAX_ATTEMPTS=${value}`,
        entry: 'loadConfig',
        act: () => loadConfig({ ...CONFIG, DR_MAX_ATTEMPTS: value }),
        issue: 'DR_MAX_ATTEMPTS',
      }),
    ),
    ...['NaN', '-1', '1e400', '43201'].map(
      (value): ParserCase => ({
        name: `DR_BACKOFF_MAX_SECONDS=${value}`,
        entry: 'loadConfig',
        act: () => loadConfig({ ...CONFIG, DR_BACKOFF_MAX_SECONDS: value }),
        issue: 'DR_BACKOFF_MAX_SECONDS',
      }),
    ),
    {
      name: 'DR_HTTP_TIMEOUT_MS=Infinity',
      entry: 'loadConfig',
      act: () => loadConfig({ ...CONFIG, DR_HTTP_TIMEOUT_MS: 'Infinity' }),
      issue: 'DR_HTTP_TIMEOUT_MS',
    },
    ...[
      't=1e3',
      't=-1',
      `t=${NOW_SECONDS}.0`,
      `t=${NOW_SECONDS}e0`,
      't=0x1',
      't=',
      `t=+${NOW_SECONDS}`,
      't=1234567890123456',
    ].map(
      (t): ParserCase => ({
        name: `X-DR-Signature ${t}`,
        entry: 'verifySignature',
        act: () => verifySignature(`${t},v1=${'0'.repeat(64)}`, '', [HMAC_SECRET], NOW_SECONDS),
        accepted: (verdict: ReturnType<typeof verifySignature>) =>
          expect(verdict).toEqual({ ok: false, reason: 'malformed' }),
      }),
    ),
    {
      name: 'a CloudWatch Lambda alarm action with numbers for strings',
      entry: 'detectAwsAlarm',
      act: () =>
        detectAwsAlarm(
          changed(ALARMS.lambdaAction, (e) => {
            e['accountId'] = 123456789012;
          }),
        ),
      issue: 'accountId',
    },
    {
      name: 'a Cloud Eye time given as 16 digits and a fraction (epoch ms, data)',
      entry: 'parseCloudEyeAlarm',
      act: () =>
        parseCloudEyeAlarm(
          { alarm_name: 'a', alarm_status: 'alarm', time: '1714557600000.5' },
          { message_id: 'm', timestamp: '', topic_urn: '' },
        ),
      accepted: (signals: AlarmSignal[]) => expect(signals[0]!.occurred_at).toBe('2024-05-01T10:00:00.000Z'),
    },
  ])('$entry: $name', async (row) => {
    await runParserCase(row);
  });

  it('SQS record: ApproximateReceiveCount "NaN" counts as the first attempt', async () => {
    const result = await runRecordCase({
      name: 'NaN',
      body: json(REQUESTS.failover),
      executed: true,
      receiveCount: 'NaN',
    });
    expect(result).toMatchObject({ result: 'executed' });
  });
});

// --- duplicate keys --------------------------------------------------------------------------------------

describe('duplicate JSON keys (JSON.parse: the last one wins, over exactly the bytes that were signed)', () => {
  const dup = (value: Json, key: string, valueText: string, first = false, at: readonly string[] = []) =>
    jsonWithMembers(value, [{ at, key, valueText, first }]);
  const startThenFailover = dup(REQUESTS.failover, 'action', '"dws.dr.start"', true);

  it.each<HttpCase>([
    {
      name: '"action" twice: the last (failover) is what is enqueued',
      ...signedPost(startThenFailover, {
        status: 202,
        effects: ACCEPTED_REQUEST,
        check: enqueued((r) => expect(r.action).toBe('dws.dr.failover')),
      }),
    },
    {
      name: '"request_id" twice: the last one is the key',
      ...signedPost(dup(REQUESTS.failover, 'request_id', '"second"'), {
        status: 202,
        effects: ACCEPTED_REQUEST,
        check: enqueued((r) => expect(r.request_id).toBe('second')),
      }),
    },
    {
      name: '"action" twice, the last unknown: refused',
      ...signedPost(dup(REQUESTS.failover, 'action', '"dws.dr.nuke"'), { status: 400, issue: 'action' }),
    },
    {
      name: '"__proto__" twice: an unknown field, not a prototype',
      ...signedPost(
        jsonWithMembers(REQUESTS.failover, [
          { at: [], key: '__proto__', valueText: '{"b":2}', first: true },
          { at: [], key: '__proto__', valueText: '{"a":1}' },
        ]),
        { status: 400, issue: '__proto__' },
      ),
    },
    {
      name: 'Alertmanager "alerts" twice, the last empty: refused',
      ...alertPost(dup(ALARMS.alertmanager, 'alerts', '[]')),
      status: 400,
      issue: 'alerts',
    },
    {
      name: 'Alertmanager "alerts" twice, the first empty: the last (real) alerts are processed',
      ...alertPost(dup(ALARMS.alertmanager, 'alerts', '[]', true)),
      status: 202,
      effects: { process: 1 },
    },
    {
      name: 'SMN "message" twice, a forged alarm last: the signature does not verify',
      ...(() => {
        const row = smnCase('cloud-eye-smn-alarm.json');
        return {
          ...row,
          body: row.body.replace(
            /}$/,
            `,"message":${json(json({ alarm_name: 'Forged', alarm_status: 'alarm' }))}}`,
          ),
        };
      })(),
      status: 400,
      issue: 'signature',
    },
    {
      name: 'SMN "signing_cert_url" twice, an attacker URL last: refused, nothing fetched',
      ...(() => {
        const row = smnCase('cloud-eye-smn-alarm.json');
        return {
          ...row,
          body: row.body.replace(/}$/, ',"signing_cert_url":"https://evil.example.com/cert.pem"}'),
        };
      })(),
      status: 400,
      issue: 'signing_cert_url',
    },
    {
      name: 'SMN "type" twice, SubscriptionConfirmation last: not a valid confirmation',
      ...(() => {
        const row = smnCase('cloud-eye-smn-alarm.json', () => undefined, {
          headers: { 'x-smn-message-type': undefined },
        });
        return { ...row, body: row.body.replace(/}$/, ',"type":"SubscriptionConfirmation"}') };
      })(),
      status: 400,
      issue: 'subscribe_url',
    },
    {
      name: 'Cloud Eye "alarm_status" twice (inside the signed message): the last is the state',
      ...smnCase('cloud-eye-smn-alarm.json', (b) => {
        b['message'] = (b['message'] as string).replace(
          '"alarm_status":"alarm"',
          '"alarm_status":"alarm","alarm_status":"ok"',
        );
      }),
      status: 202,
      effects: { process: 1 },
      check: processed((s) => expect(s[0]!.state).toBe('ok')),
    },
  ])('$name -> $status', async (row) => {
    await runHttpCase(row);
  });

  it('the same Idempotency-Key with the same request written with a duplicate key: 422 (the fingerprint is the raw body)', async () => {
    // Prepare
    const app = webhookApp();
    const plain = json(REQUESTS.failover);
    await app.post('/v1/requests', plain, signedHeaders(plain, { 'idempotency-key': '"dup-1"' }));
    // Act
    const again = await app.post(
      '/v1/requests',
      startThenFailover,
      signedHeaders(startThenFailover, { 'idempotency-key': '"dup-1"' }),
    );
    // Assess
    expect(again.statusCode).toBe(422);
    expect(app.calls.count('enqueue')).toBe(1);
  });

  it.each<ParserCase>([
    {
      name: 'a duplicate key in YAML',
      entry: 'parseRoutes',
      act: () => parseRoutes(oneRoute('    region: eu-west-101\n')),
      issue: '(yaml)',
    },
    {
      name: 'a duplicate key in a JSON routes file',
      entry: 'parseRoutes',
      act: () =>
        parseRoutes(
          '{"routes":[{"name":"r","name":"r2","match":{"source":"grafana"},"action":"dws.dr.start","region":"cn-north-4","project_id":"89cd04f168b84af6be287f71730fdb4b","params":{"disaster_recovery_id":"e59d6b86-9072-46eb-a996-13f8b44994c1"}}]}',
        ),
      issue: '(yaml)',
    },
    {
      name: 'a duplicate key in the SNS Message alarm JSON: the last wins',
      entry: 'detectAwsAlarm',
      act: () =>
        detectAwsAlarm(
          changed(ALARMS.cloudwatchSns, (e) => {
            const sns = (e['Records'] as Json[])[0]!['Sns'] as Json;
            sns['Message'] = (sns['Message'] as string).replace(/}$/, ',"NewStateValue":"OK"}');
          }),
        ),
      accepted: (signals: AlarmSignal[]) => expect(signals[0]!.state).toBe('ok'),
    },
  ])('$entry: $name', async (row) => {
    await runParserCase(row);
  });
});

// --- very deep JSON --------------------------------------------------------------------------------------

describe('very deep JSON: refused cleanly, no stack overflow, no hang', () => {
  const deepRequestParams = (depth: number) =>
    request((r) => {
      r['params'] = 'DEEP';
    }).replace('"DEEP"', deepText(depth, 'array'));

  it.each<HttpCase>([
    ...([10_000, 32_000] as const).flatMap((depth) =>
      (['array', 'object'] as const).map((shape): HttpCase => {
        const body = deepText(depth, shape);
        const fits = Buffer.byteLength(body) <= MAX_REQUEST_BODY_BYTES;
        return {
          name: `/v1/requests: ${depth.toLocaleString('en')} nested ${shape}s, signed`,
          ...signedPost(body, {
            status: fits ? 400 : 413,
            ...(fits ? { issue: shape === 'array' ? '(root)' : 'action' } : {}),
          }),
        };
      }),
    ),
    {
      name: '/v1/requests: 100,000 nested arrays, signed (over 64 KiB)',
      ...signedPost(deepText(100_000, 'array'), { status: 413 }),
    },
    {
      name: '/v1/requests: params nested 10,000 deep',
      ...signedPost(deepRequestParams(10_000), { status: 400, issue: 'params' }),
    },
    ...([10_000, 100_000, 170_000] as const).flatMap((depth) =>
      (['array', 'object'] as const).flatMap((shape) =>
        (['alertmanager', 'grafana', 'cloud-eye'] as const).map(
          (route): HttpCase => ({
            name: `/v1/alerts/${route}: ${depth.toLocaleString('en')} nested ${shape}s`,
            path: `/v1/alerts/${route}`,
            body: deepText(depth, shape),
            headers: bearerHeaders(),
            status: 400,
          }),
        ),
      ),
    ),
    {
      name: '/v1/alerts/alertmanager: 500,000 nested arrays (1 MB, just under the limit)',
      ...alertPost(deepText(500_000, 'array')),
      status: 400,
      issue: '(root)',
    },
    {
      name: '/v1/alerts/cloud-eye: a signed message nested 100,000 deep',
      ...smnCase('cloud-eye-smn-alarm.json', (b) => {
        b['message'] = deepText(100_000, 'array');
      }),
      status: 400,
      issue: 'message',
    },
    {
      name: 'an alert with an unread field nested 100,000 deep (kept in raw as data)',
      ...alertPost(
        json(ALARMS.alertmanager).replace(
          '"fingerprint":',
          `"extra":${deepText(100_000, 'array')},"fingerprint":`,
        ),
      ),
      status: 202,
      effects: { process: 1 },
    },
  ])('$name -> $status', async (row) => {
    await runHttpCase(row);
  });

  it.each<ParserCase>([
    {
      name: '1,000,000 nested arrays',
      entry: 'parseActionRequestJson',
      act: () => parseActionRequestJson(deepText(1_000_000, 'array')),
      issue: '(root)',
    },
    {
      name: 'an SNS Message nested 100,000 deep',
      entry: 'detectAwsAlarm',
      act: () =>
        detectAwsAlarm(
          changed(ALARMS.cloudwatchSns, (e) => {
            ((e['Records'] as Json[])[0]!['Sns'] as Json)['Message'] = deepText(100_000, 'object');
          }),
        ),
      issue: /^Records\.0\.Sns\.Message/,
    },
    {
      name: 'an event whose value is nested 100,000 deep',
      entry: 'detectAwsAlarm',
      act: () => detectAwsAlarm(JSON.parse(deepText(100_000, 'array'))),
      issue: '(root)',
    },
    {
      name: 'a Cloud Eye message nested 100,000 deep',
      entry: 'parseCloudEyeAlarm',
      act: () =>
        parseCloudEyeAlarm(deepText(100_000, 'object'), {
          message_id: 'm',
          timestamp: '2024-05-01T10:00:00Z',
          topic_urn: '',
        }),
      issue: /^message/,
    },
    ...[10_000, 100_000].map(
      (depth): ParserCase => ({
        name: `a routes file nested ${depth.toLocaleString('en')} deep (flow)`,
        entry: 'parseRoutes',
        act: () => parseRoutes(`routes: ${deepText(depth, 'array')}`),
        issue: '(yaml)',
      }),
    ),
    {
      name: 'a routes file nested 10,000 deep (block)',
      entry: 'parseRoutes',
      act: () => parseRoutes(`routes:\n${'- '.repeat(10_000)}x\n`),
      issue: '(yaml)',
    },
    {
      name: 'a JSON routes file nested 100,000 deep',
      entry: 'parseRoutes',
      act: () => parseRoutes(deepText(100_000, 'object')),
      issue: '(yaml)',
    },
  ])('$entry: $name', async (row) => {
    await runParserCase(row);
  });

  it.each<RecordCase>([
    { name: '100,000 nested arrays', body: deepText(100_000, 'array'), issue: '(root)' },
    { name: '100,000 nested objects', body: deepText(100_000, 'object'), issue: 'action' },
    { name: 'params nested 100,000 deep', body: deepRequestParams(100_000), issue: 'params' },
  ])('SQS record: $name -> dead-lettered at once, no call', async (row) => {
    await runRecordCase(row);
  });
});
