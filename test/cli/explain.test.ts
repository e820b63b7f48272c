/**
 * `dr-relay explain`, run as a child process on the samples under events/alarms/: an action shows
 * its key, target, cooldown and exact call (exit 0); nothing to do says why (exit 3); a malformed
 * event or routes file names the field (exit 1); --json gives the same as an object.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APPROVAL_ROUTES, alarm, INVALID_ROUTES, ROOT, runBin, SAMPLE_ROUTES } from './helpers.ts';

const FAILOVER_URL =
  'https://dws.cn-north-4.myhuaweicloud.com/v2/89cd04f168b84af6be287f71730fdb4b/disaster-recovery/e59d6b86-9072-46eb-a996-13f8b44994c1/failover';
const DWS_TARGET = 'dws:89cd04f168b84af6be287f71730fdb4b/e59d6b86-9072-46eb-a996-13f8b44994c1';

const keyFor = (route: string, episode: string): string =>
  `alarm:${route}:${createHash('sha256').update(episode).digest('hex').slice(0, 32)}`;

const explain = (event: string, ...more: string[]) =>
  runBin(['explain', alarm(event), '--routes', SAMPLE_ROUTES, ...more]);

/** A copy of a sample event with one change, in a temporary directory. */
const changedSample = (file: string, change: (event: Record<string, unknown>) => void): string => {
  const event = JSON.parse(readFileSync(join(ROOT, alarm(file)), 'utf8'));
  change(event);
  const path = join(mkdtempSync(join(tmpdir(), 'dr-relay-explain-')), file);
  writeFileSync(path, JSON.stringify(event));
  return path;
};

describe('dr-relay explain: an action', () => {
  it('Alertmanager firing: exit 0, the failover URL, key, target, cooldown and the run-time checks', async () => {
    // Act
    const run = await explain('alertmanager-firing.json');

    // Assess
    expect(run.code).toBe(0);
    const out = run.stdout;
    expect(out).toContain('shape   Alertmanager webhook, version 4');
    expect(out).toContain('signal 1 of 2: DWSPrimaryDown (alertmanager, alertmanager/v4)');
    expect(out).toContain('state     alarm (previous: not given)');
    expect(out).toContain('episode   69bbfc3e9ae0925b@2024-05-01T09:59:30.512Z');
    expect(out).toContain('[ACT]       dws-prod-failover: matched');
    expect(out).toContain(
      `key       ${keyFor('dws-prod-failover', '69bbfc3e9ae0925b@2024-05-01T09:59:30.512Z')}`,
    );
    expect(out).toContain(`target    ${DWS_TARGET}`);
    expect(out).toContain('cooldown  3600 s');
    expect(out).toContain(`call      POST ${FAILOVER_URL}`);
    expect(out).toContain('body      (none)');
    expect(out).toMatch(/preflight: GET https:\/\/dws\.cn-north-4\.myhuaweicloud\.com\/v2\/.+ first/);
    expect(out).toContain('DWS: the DR status must allow failover');
    expect(out).toContain('DR_AUTOMATION=on (default): the call is sent');
    expect(out).toContain(
      '[no match]  dws-prod-failover-grafana: source is alertmanager, route wants grafana',
    );
    // The second alert matches nothing, and says why.
    expect(out).toContain(
      '[no match]  dws-prod-failover: name "DWSReplicationLagHigh" does not match "DWSPrimaryDown*"',
    );
    expect(out).toContain('=> no route matched');
    expect(out).toContain('result: 1 action would be taken');
  });

  it('honours DR_ENDPOINT_DWS and DR_AUTOMATION', async () => {
    // Act
    const run = await runBin(['explain', alarm('cloudwatch-sns-alarm.json'), '--routes', SAMPLE_ROUTES], {
      env: { DR_ENDPOINT_DWS: 'http://127.0.0.1:4599/', DR_AUTOMATION: 'dry-run' },
    });

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      'call      POST http://127.0.0.1:4599/v2/89cd04f168b84af6be287f71730fdb4b/disaster-recovery/e59d6b86-9072-46eb-a996-13f8b44994c1/failover',
    );
    expect(run.stdout).toContain('DR_AUTOMATION=dry-run: the call is signed and logged but NOT sent');
  });

  it('Cloud Eye via SMN: acts, and says the signature was not verified', async () => {
    // Act
    const run = await explain('cloud-eye-smn-alarm.json');

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('SMN signature NOT verified and nothing fetched');
    expect(run.stdout).toContain('[ACT]       dws-prod-failover-cloud-eye');
  });

  it('every CloudWatch delivery shape acts through the cloudwatch route with one key', async () => {
    // Act
    const runs = await Promise.all(
      [
        'cloudwatch-sns-alarm.json',
        'cloudwatch-eventbridge-alarm.json',
        'cloudwatch-lambda-action-alarm.json',
      ].map((file) => explain(file, '--json')),
    );

    // Assess
    const keys = runs.map((run) => {
      expect(run.code).toBe(0);
      const report = JSON.parse(run.stdout);
      const acts = report.signals[0].routes.filter((r: { act?: boolean }) => r.act === true);
      expect(acts.map((a: { route: string }) => a.route)).toEqual(['dws-prod-failover-cloudwatch']);
      return acts[0].key;
    });
    expect(new Set(keys).size).toBe(1);
    expect(runs.map((r) => JSON.parse(r.stdout).recognised.description)).toEqual([
      expect.stringContaining('via SNS'),
      expect.stringContaining('via EventBridge'),
      expect.stringContaining('Lambda alarm action'),
    ]);
  });

  it('--json: the same report as an object', async () => {
    // Act
    const run = await explain('alertmanager-firing.json', '--json');

    // Assess
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({ ok: true, actions: 1, distinct_keys: 1, route_count: 6 });
    expect(report.recognised.source).toBe('alertmanager');
    const [first, second] = report.signals;
    expect(first).toMatchObject({ name: 'DWSPrimaryDown', state: 'alarm', previous_state: null });
    const act = first.routes.find((r: { act?: boolean }) => r.act);
    expect(act).toMatchObject({
      route: 'dws-prod-failover',
      matched: true,
      act: true,
      key: keyFor('dws-prod-failover', '69bbfc3e9ae0925b@2024-05-01T09:59:30.512Z'),
      target: DWS_TARGET,
      cooldown_seconds: 3600,
      call: { method: 'POST', url: FAILOVER_URL },
    });
    expect(act.call).not.toHaveProperty('body');
    expect(act.request.request_id).toBe(act.key);
    expect(act.at_run_time).toHaveLength(4);
    expect(second.routes.every((r: { matched: boolean }) => !r.matched)).toBe(true);
  });

  it('shows the JSON body of an action that has one (DCS restore)', async () => {
    // Prepare
    const file = changedSample('alertmanager-firing.json', (event) => {
      const [first] = event['alerts'] as { labels: Record<string, string> }[];
      first!.labels = { alertname: 'RedisDataLoss', service: 'redis-sessions', severity: 'critical' };
    });

    // Act
    const run = await runBin(['explain', file, '--routes', SAMPLE_ROUTES, '--json']);

    // Assess
    expect(run.code).toBe(0);
    const act = JSON.parse(run.stdout).signals[0].routes.find((r: { act?: boolean }) => r.act);
    expect(act.route).toBe('redis-sessions-restore');
    expect(act.call).toEqual({
      method: 'POST',
      url: 'https://dcs.cn-north-4.myhuaweicloud.com/v2/89cd04f168b84af6be287f71730fdb4b/instances/3f1a2b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b/restores',
      body: {
        backup_id: '7c6b5a49-3827-4165-9453-021f3e4d5c6b',
        remark: 'restored by dr-relay after RedisDataLoss',
      },
    });
    expect(act.cooldown_seconds).toBe(86400);
    expect(act.at_run_time).toContain('preflight: none for dcs.restore');
  });
});

describe('dr-relay explain: a route that asks for approval', () => {
  it('says the route asks for approval (timeout, on_timeout, approvers) and that nothing is called until it is decided', async () => {
    // Act
    const run = await runBin(['explain', alarm('alertmanager-firing.json'), '--routes', APPROVAL_ROUTES]);

    // Assess
    expect(run.code).toBe(0);
    const out = run.stdout;
    expect(out).toContain(
      '[ACT]       dws-prod-failover-approved: matched, would propose dws.dr.failover (cn-north-4) for approval',
    );
    expect(out).toContain(
      'approval  required: 1800 s for a decision by alice, ops-bot, then on_timeout cancel; no call is made until it is decided',
    );
    expect(out).toContain(`call      POST ${FAILOVER_URL}`);
    expect(out).toContain(
      '- approval: nothing is called until it is decided: the request waits as awaiting_approval for dr-relay approve | deny (by alice, ops-bot) for at most 1800 s, then cancel: it ends skipped and the target is free again',
    );
    expect(out).toContain(
      'result: 1 action would be proposed for approval (1 idempotency key); nothing is called until it is decided; nothing was sent',
    );
  });

  it('a deadman rule (on_timeout proceed, no approvers): it runs at the timeout unless someone decides', async () => {
    // Act
    const run = await runBin([
      'explain',
      alarm('grafana-firing.json'),
      '--routes',
      APPROVAL_ROUTES,
      '--json',
    ]);

    // Assess
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({ actions: 1, awaiting_approval: 1 });
    const act = report.signals
      .flatMap((s: { routes: { act?: boolean }[] }) => s.routes)
      .find((r: { act?: boolean }) => r.act);
    expect(act).toMatchObject({
      route: 'dws-prod-failover-deadman',
      approval: { required: true, timeout_seconds: 900, on_timeout: 'proceed' },
      call: { method: 'POST', url: FAILOVER_URL },
    });
    expect(act.at_run_time[0]).toBe(
      'approval: nothing is called until it is decided: the request waits as awaiting_approval for dr-relay approve | deny (by anyone who can sign a request) for at most 900 s, then proceed: it runs as approved by timeout; the approvers are told what would be called; the checks below run when it is approved',
    );
  });

  it('a route without approval has no approval in its plan', async () => {
    // Act
    const run = await explain('alertmanager-firing.json', '--json');

    // Assess
    const report = JSON.parse(run.stdout);
    expect(report.awaiting_approval).toBe(0);
    const act = report.signals[0].routes.find((r: { act?: boolean }) => r.act);
    expect(act).not.toHaveProperty('approval');
  });
});

describe('dr-relay explain: an alarm route to cbr.restore', () => {
  const CBR_URL =
    'https://cbr.cn-north-4.myhuaweicloud.com/v3/89cd04f168b84af6be287f71730fdb4b/backups/6a1e4c8f-2b7d-4e9a-b3c5-7d0f2e4a6c81';
  /** A routes file with one CBR route, and an Alertmanager alert it matches. */
  const cbrFiles = () => {
    const dir = mkdtempSync(join(tmpdir(), 'dr-relay-explain-cbr-'));
    const routes = join(dir, 'routes.yml');
    writeFileSync(
      routes,
      [
        'routes:',
        '  - name: web-server-restore',
        '    match: { source: alertmanager, alarm: WebServerCorrupted, labels: { service: web } }',
        '    action: cbr.restore',
        '    region: cn-north-4',
        '    project_id: 89cd04f168b84af6be287f71730fdb4b',
        '    params:',
        '      backup_id: 6a1e4c8f-2b7d-4e9a-b3c5-7d0f2e4a6c81',
        '      server_id: c4e8a2f6-0b1d-4f3a-9e5c-7a9b1d3f5e70',
        '      power_on: true',
        '      mappings:',
        '        - { backup_id: 2d9f1b7e-5c3a-4a8e-9b6d-0e4f8a2c6b13, volume_id: e7b3d9f1-4a6c-4e2b-8d0f-1c5a9e3b7d24 }',
        '    cooldown_seconds: 86400',
      ].join('\n'),
    );
    const event = changedSample('alertmanager-firing.json', (e) => {
      const [first] = e['alerts'] as { labels: Record<string, string> }[];
      first!.labels = { alertname: 'WebServerCorrupted', service: 'web' };
    });
    return { routes, event };
  };

  it('acts: the restore URL and body, the CBR target, the backup read first (the preflight)', async () => {
    // Prepare
    const { routes, event } = cbrFiles();

    // Act
    const run = await runBin(['explain', event, '--routes', routes, '--json']);

    // Assess
    expect(run.code).toBe(0);
    const act = JSON.parse(run.stdout).signals[0].routes.find((r: { act?: boolean }) => r.act);
    expect(act).toMatchObject({
      route: 'web-server-restore',
      target: 'cbr:89cd04f168b84af6be287f71730fdb4b/c4e8a2f6-0b1d-4f3a-9e5c-7a9b1d3f5e70',
      cooldown_seconds: 86400,
      call: {
        method: 'POST',
        url: `${CBR_URL}/restore`,
        body: {
          restore: {
            mappings: [
              {
                backup_id: '2d9f1b7e-5c3a-4a8e-9b6d-0e4f8a2c6b13',
                volume_id: 'e7b3d9f1-4a6c-4e2b-8d0f-1c5a9e3b7d24',
              },
            ],
            power_on: true,
            server_id: 'c4e8a2f6-0b1d-4f3a-9e5c-7a9b1d3f5e70',
          },
        },
      },
    });
    expect(act.at_run_time).toContainEqual(expect.stringContaining(`preflight: GET ${CBR_URL} first`));
  });

  it('honours DR_ENDPOINT_CBR', async () => {
    // Prepare
    const { routes, event } = cbrFiles();

    // Act
    const run = await runBin(['explain', event, '--routes', routes], {
      env: { DR_ENDPOINT_CBR: 'http://127.0.0.1:4600/' },
    });

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      'call      POST http://127.0.0.1:4600/v3/89cd04f168b84af6be287f71730fdb4b/backups/6a1e4c8f-2b7d-4e9a-b3c5-7d0f2e4a6c81/restore',
    );
  });

  it('a CBR route without server_id or volume_id: the routes file is invalid, naming the field', async () => {
    // Prepare
    const { routes, event } = cbrFiles();
    const broken = join(mkdtempSync(join(tmpdir(), 'dr-relay-explain-cbr-')), 'routes.yml');
    writeFileSync(
      broken,
      readFileSync(routes, 'utf8')
        .split('\n')
        .filter((line) => !line.includes('server_id') && !line.includes('mappings') && !line.includes('- {'))
        .join('\n'),
    );

    // Act
    const run = await runBin(['explain', event, '--routes', broken]);

    // Assess
    expect(run.code).toBe(1);
    expect(run.stdout + run.stderr).toContain('params.server_id');
  });
});

describe('dr-relay explain: nothing would happen (exit 3)', () => {
  it('Alertmanager resolved: matched, but ok is not in on: [alarm]', async () => {
    // Act
    const run = await explain('alertmanager-resolved.json');

    // Assess
    expect(run.code).toBe(3);
    expect(run.stdout).toContain('state     ok (previous: alarm)');
    expect(run.stdout).toContain(
      '[no act]    dws-prod-failover: matched, but state ok is not in on: [alarm]',
    );
    expect(run.stdout).toContain('result: nothing would happen');
    expect(run.stdout).not.toContain('[ACT]');
  });

  it('CloudWatch OK via EventBridge and Grafana resolved', async () => {
    // Act
    const runs = await Promise.all([
      explain('cloudwatch-eventbridge-ok.json'),
      explain('grafana-resolved.json'),
    ]);

    // Assess
    expect(runs.map((r) => r.code)).toEqual([3, 3]);
    expect(runs[0]!.stdout).toContain(
      'dws-prod-failover-cloudwatch: matched, but state ok is not in on: [alarm]',
    );
    expect(runs[1]!.stdout).toContain(
      'dws-prod-failover-grafana: matched, but state ok is not in on: [alarm]',
    );
  });

  it('a repeated CloudWatch state (previous = state) is not a transition', async () => {
    // Prepare
    const file = changedSample('cloudwatch-eventbridge-alarm.json', (event) => {
      (event['detail'] as { previousState: { value: string } }).previousState.value = 'ALARM';
    });

    // Act
    const run = await runBin(['explain', file, '--routes', SAMPLE_ROUTES]);

    // Assess
    expect(run.code).toBe(3);
    expect(run.stdout).toContain('not a transition: previous state is already alarm');
  });

  it('an SMN subscription confirmation carries no alarm', async () => {
    // Act
    const run = await explain('cloud-eye-smn-subscription.json');

    // Assess
    expect(run.code).toBe(3);
    expect(run.stdout).toContain('SMN SubscriptionConfirmation');
    expect(run.stdout).toContain('SMN signature NOT verified');
  });
});

describe('dr-relay explain: invalid input (exit 1)', () => {
  it('a malformed Alertmanager event: names the field', async () => {
    // Prepare
    const file = changedSample('alertmanager-firing.json', (event) => {
      (event['alerts'] as { status: string }[])[1]!.status = 'burning';
    });

    // Act
    const run = await runBin(['explain', file, '--routes', SAMPLE_ROUTES]);

    // Assess
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('INVALID: event');
    expect(run.stdout).toContain('alerts.1.status:');
  });

  it('a malformed Cloud Eye alarm inside SMN: names the field under body', async () => {
    // Prepare
    const file = changedSample('cloud-eye-smn-alarm.json', (event) => {
      const body = event['body'] as { message: string };
      const message = JSON.parse(body.message);
      delete message.alarm_status;
      body.message = JSON.stringify(message);
    });

    // Act
    const run = await runBin(['explain', file, '--routes', SAMPLE_ROUTES, '--json']);

    // Assess
    expect(run.code).toBe(1);
    const result = JSON.parse(run.stdout);
    expect(result.ok).toBe(false);
    expect(result.invalid[0].issues.map((i: { path: string }) => i.path)).toEqual([
      'body.message.alarm_status',
    ]);
  });

  it('an SMN header that contradicts the body type', async () => {
    // Prepare
    const file = changedSample('cloud-eye-smn-alarm.json', (event) => {
      (event['headers'] as Record<string, string>)['x-smn-message-type'] = 'SubscriptionConfirmation';
    });

    // Act
    const run = await runBin(['explain', file, '--routes', SAMPLE_ROUTES]);

    // Assess
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('headers.x-smn-message-type');
  });

  it('an unrecognised event, a non-JSON file, a missing file', async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'dr-relay-explain-'));
    writeFileSync(join(dir, 'other.json'), '{"hello": "world"}');
    writeFileSync(join(dir, 'broken.json'), '{"hello": ');

    // Act
    const [other, broken, missing] = await Promise.all(
      ['other.json', 'broken.json', 'missing.json'].map((f) =>
        runBin(['explain', join(dir, f), '--routes', SAMPLE_ROUTES]),
      ),
    );

    // Assess
    expect([other!.code, broken!.code, missing!.code]).toEqual([1, 1, 1]);
    expect(other!.stdout).toContain(
      '(root): not a recognised event: expected a Lambda event of the alarms function',
    );
    expect(broken!.stdout).toContain('(file): is not JSON');
    expect(missing!.stdout).toContain('(file): not found');
  });

  it('an invalid routes file: lists its problems (and the event is still checked)', async () => {
    // Act
    const run = await runBin(['explain', alarm('alertmanager-firing.json'), '--routes', INVALID_ROUTES]);

    // Assess
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`INVALID: routes file ${INVALID_ROUTES}: 13 problems`);
    expect(run.stdout).not.toContain('INVALID: event');
  });

  it('an endpoint override that is not a URL', async () => {
    // Act
    const run = await runBin(['explain', alarm('alertmanager-firing.json'), '--routes', SAMPLE_ROUTES], {
      env: { DR_ENDPOINT_DWS: 'not a url' },
    });

    // Assess
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('endpoints.dws: not a URL');
  });

  it('exits 2 without an event file', async () => {
    // Act
    const run = await runBin(['explain', '--routes', SAMPLE_ROUTES]);

    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('usage: dr-relay explain <event.json>');
  });
});

describe('dr-relay explain: untrusted text', () => {
  it('shows control characters of an event escaped, in text and in (still valid) JSON', async () => {
    // Prepare
    const file = changedSample('alertmanager-firing.json', (event) => {
      const [first] = event['alerts'] as { labels: Record<string, string> }[];
      first!.labels['note'] = 'a\u001b[2Jb\u202ec\u009bd';
    });

    // Act
    const text = await runBin(['explain', file, '--routes', SAMPLE_ROUTES]);
    const json = await runBin(['explain', file, '--routes', SAMPLE_ROUTES, '--json']);

    // Assess
    expect(text.code).toBe(0);
    const raw = ['\u001b', '\u202e', '\u009b'];
    expect(raw.filter((c) => text.stdout.includes(c))).toEqual([]);
    expect(text.stdout).toContain('\\u001b[2Jb\\u202ec\\u009bd');
    expect(raw.filter((c) => json.stdout.includes(c))).toEqual([]);
    expect(JSON.parse(json.stdout).signals[0].labels.note).toBe('a\u001b[2Jb\u202ec\u009bd');
  });
});

describe('dr-relay explain: an SMN POST body as an operator copies it from a log', () => {
  /** The body of a sample SMN delivery alone, without the {headers, body} wrapper. */
  const rawBody = (file: string, change: (body: Record<string, unknown>) => void = () => undefined) =>
    changedSample(file, (event) => {
      const body = event['body'] as Record<string, unknown>;
      change(body);
      for (const key of Object.keys(event)) delete event[key];
      Object.assign(event, body);
    });

  it('recognises a raw notification body, its headers taken from the body, and acts', async () => {
    // Act
    const run = await runBin(['explain', rawBody('cloud-eye-smn-alarm.json'), '--routes', SAMPLE_ROUTES]);

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('shape   Cloud Eye alarm delivered by SMN');
    expect(run.stdout).toContain('[ACT]       dws-prod-failover-cloud-eye');
    expect(run.stdout).toContain('are taken from its type, message_id and topic_urn');
    expect(run.stdout).toContain('SMN signature NOT verified');
  });

  it('says what run time checks first: the topic allow-list and the freshness window', async () => {
    // Act
    const run = await runBin(['explain', rawBody('cloud-eye-smn-alarm.json'), '--routes', SAMPLE_ROUTES]);

    // Assess
    expect(run.stdout).toContain(
      'urn:smn:cn-north-4:89cd04f168b84af6be287f71730fdb4b:dws-prod-alarms must be in DR_SMN_TOPIC_URNS',
    );
    expect(run.stdout).toContain(
      'the SMN timestamp (2024-05-01T10:00:02Z) must be within DR_SMN_MAX_AGE_SECONDS',
    );
  });

  it('recognises the raw regional subscription confirmation: nothing to do (exit 3)', async () => {
    // Act
    const run = await runBin([
      'explain',
      rawBody('cloud-eye-smn-subscription-regional.json'),
      '--routes',
      SAMPLE_ROUTES,
    ]);

    // Assess
    expect(run.code).toBe(3);
    expect(run.stdout).toContain('SMN SubscriptionConfirmation');
    expect(run.stdout).toContain('a subscription confirmation carries no alarm');
  });

  it('uses the headers given with --header, and reports one that contradicts the body (exit 1)', async () => {
    // Act
    const run = await runBin([
      'explain',
      rawBody('cloud-eye-smn-alarm.json'),
      '--routes',
      SAMPLE_ROUTES,
      '--header',
      'X-SMN-MESSAGE-TYPE: SubscriptionConfirmation',
    ]);

    // Assess
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('headers.x-smn-message-type');
  });

  it('accepts --header on a {headers, body} file too: it wins over the file', async () => {
    // Act
    const run = await runBin([
      'explain',
      alarm('cloud-eye-smn-alarm.json'),
      '--routes',
      SAMPLE_ROUTES,
      '--header',
      'x-smn-topic-urn: urn:smn:cn-north-4:0f1e2d3c4b5a69788796a5b4c3d2e1f0:dws-prod-alarms',
    ]);

    // Assess
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('headers.x-smn-topic-urn');
  });

  it('refuses a --header that is not `Name: value` (usage, exit 2)', async () => {
    // Act
    const run = await runBin([
      'explain',
      rawBody('cloud-eye-smn-alarm.json'),
      '--routes',
      SAMPLE_ROUTES,
      '--header',
      'Notification',
    ]);

    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--header must be 'Name: value'");
  });

  it('a raw body of another account’s topic: recognised, and no route in our project acts (exit 3)', async () => {
    // Act
    const run = await runBin([
      'explain',
      rawBody('cloud-eye-smn-alarm.json', (body) => {
        body['topic_urn'] = 'urn:smn:cn-north-4:0f1e2d3c4b5a69788796a5b4c3d2e1f0:dws-prod-alarms';
      }),
      '--routes',
      SAMPLE_ROUTES,
    ]);

    // Assess
    expect(run.code).toBe(3);
    expect(run.stdout).toContain(
      'SMN topic project is 0f1e2d3c4b5a69788796a5b4c3d2e1f0, the route acts in project 89cd04f168b84af6be287f71730fdb4b',
    );
  });
});
