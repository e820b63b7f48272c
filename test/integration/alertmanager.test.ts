/**
 * A real Prometheus Alertmanager (Debian's prometheus-alertmanager, installed by .ci/run) sending to
 * the local webhook route: one alert firing, re-notified several times, posted again as a second HA
 * peer would, then resolved -> exactly one failover call at the simulator; a second alert for the
 * same DR pair during the cooldown -> skipped with the reason.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_ALERT_TOKEN, type LocalStack, startLocalStack } from '../../tools/local/stack.ts';

const PROJECT = '89cd04f168b84af6be287f71730fdb4b';
const DR = 'e59d6b86-9072-46eb-a996-13f8b44994c1';
const ALERTMANAGER = '/usr/bin/prometheus-alertmanager';

let stack: LocalStack;
let alertmanager: ChildProcess;
let alertmanagerUrl: string;

const freePort = async (): Promise<number> => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
};
const until = async (what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};
const deliveries = () => stack.api.log.filter((e) => e.path === '/v1/alerts/alertmanager');
const failovers = () =>
  stack.simulator.calls.filter(
    (c) => c.route === 'dws.dr.failover' && c.resourceId === DR && c.effectApplied,
  );
const postAlerts = (alerts: unknown[]) =>
  fetch(`${alertmanagerUrl}/api/v2/alerts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(alerts),
  });

beforeAll(async () => {
  expect(
    () => execFileSync(ALERTMANAGER, ['--version'], { stdio: 'ignore' }),
    'prometheus-alertmanager is not installed: .ci/run installs it (apt-get install prometheus-alertmanager)',
  ).not.toThrow();
  stack = await startLocalStack({ simulator: { transitionMs: 600_000 } });
  stack.simulator.seed.drPair(PROJECT, DR, { status: 'running' });

  const dir = mkdtempSync(join(tmpdir(), 'dr-relay-am-'));
  writeFileSync(
    join(dir, 'alertmanager.yml'),
    `route:
  receiver: dr-relay
  group_by: [alertname, cluster]
  group_wait: 0s
  group_interval: 1s
  repeat_interval: 2s
receivers:
  - name: dr-relay
    webhook_configs:
      - url: ${stack.urls.api}/v1/alerts/alertmanager
        send_resolved: true
        http_config:
          authorization:
            type: Bearer
            credentials: ${LOCAL_ALERT_TOKEN}
`,
  );
  const port = await freePort();
  alertmanagerUrl = `http://127.0.0.1:${port}`;
  alertmanager = spawn(
    ALERTMANAGER,
    [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
      `--storage.path=${join(dir, 'data')}`,
    ],
    { stdio: 'ignore' },
  );
  await until(
    'Alertmanager to be ready',
    async () => (await fetch(`${alertmanagerUrl}/-/ready`).catch(() => undefined))?.ok === true,
  );
}, 60_000);

afterAll(async () => {
  alertmanager?.kill();
  await stack?.stop();
});

describe('a real Alertmanager sending to dr-relay', () => {
  const labels = { alertname: 'DWSPrimaryDown', cluster: 'prod', severity: 'critical' };

  it('fails over exactly once for one alert firing, re-notified, sent again by a peer, then resolved', async () => {
    const startsAt = new Date().toISOString();
    expect((await postAlerts([{ labels, annotations: { summary: 'DWS primary down' }, startsAt }])).ok).toBe(
      true,
    );
    await until('the first notification and two re-notifications', () => deliveries().length >= 3);
    expect(failovers()).toHaveLength(1);

    // A second HA peer delivers the very same notification (same fingerprint and startsAt).
    const first = deliveries()[0];
    const peer = await fetch(`${stack.urls.api}/v1/alerts/alertmanager`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${LOCAL_ALERT_TOKEN}` },
      body: first?.requestBody,
    });
    expect(peer.status).toBe(200);

    expect((await postAlerts([{ labels, startsAt, endsAt: new Date().toISOString() }])).ok).toBe(true);
    await until('the resolved notification', () =>
      deliveries().some((d) => JSON.parse(d.requestBody).status === 'resolved'),
    );

    expect(deliveries().every((d) => d.status === 200)).toBe(true);
    expect(failovers()).toHaveLength(1);
    const replays = deliveries().filter((d) => d.responseBody.includes('"replayed":true'));
    expect(replays.length).toBeGreaterThanOrEqual(2);
  }, 60_000);

  it('skips a second alert for the same DR pair during the cooldown, with the reason', async () => {
    const second = { ...labels, alertname: 'DWSPrimaryDown-az2' };
    expect((await postAlerts([{ labels: second, startsAt: new Date().toISOString() }])).ok).toBe(true);
    await until('its notification', () =>
      deliveries().some((d) => d.requestBody.includes('DWSPrimaryDown-az2')),
    );

    const answer = JSON.parse(
      deliveries().find((d) => d.requestBody.includes('DWSPrimaryDown-az2'))?.responseBody ?? '{}',
    );
    expect(answer.results[0]).toMatchObject({
      route: 'dws-prod-failover',
      result: 'executed',
      outcome: {
        status: 'skipped',
        reason: expect.stringMatching(/^cooldown: dws:.* was acted on by alarm:dws-prod-failover:/),
      },
    });
    expect(failovers()).toHaveLength(1);
  }, 30_000);
});
