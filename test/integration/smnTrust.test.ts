/**
 * Cloud Eye via SMN on the local stack, with the simulator's call log as witness (issue 9: only our
 * own alarms act): a genuinely signed notification from another account's topic, a subscription
 * confirmation from one, a message older than the freshness window or dated in the future, the
 * newline-moved signature and a certificate URL on the host of a region that does not exist are each
 * refused with a 4xx problem and 0 Huawei calls; then an allowed, fresh notification fails over
 * once, and its redelivery does not call again.
 * The sample topic is allowed by the route that names it (topic_urn), the regional one by
 * DR_SMN_TOPIC_URNS: both ways an operator allows a topic.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SmnMessage } from '../../lib/sources/smn.ts';
import { freshSmn, SMN_REGIONAL_TOPIC_URN, SMN_SAMPLE_TOPIC_URN } from '../../tools/local/smn/signing.ts';
import { type LocalStack, startLocalStack } from '../../tools/local/stack.ts';

const PROJECT = '89cd04f168b84af6be287f71730fdb4b';
const DR = '3d2c1b0a-9f8e-4d7c-8b6a-5f4e3d2c1b0a';
const FOREIGN_TOPIC = 'urn:smn:cn-north-4:0f1e2d3c4b5a69788796a5b4c3d2e1f0:dws-prod-alarms';

const ROUTES = `routes:
  - name: cloud-eye
    match:
      source: cloud-eye
      topic_urn: ${SMN_SAMPLE_TOPIC_URN}
      alarm: DWSPrimaryDown
    action: dws.dr.failover
    region: cn-north-4
    project_id: ${PROJECT}
    params: { disaster_recovery_id: ${DR} }
    cooldown_seconds: 3600
`;

const sample = (file: string): { headers: Record<string, string>; body: SmnMessage } =>
  JSON.parse(readFileSync(new URL(`../../events/alarms/${file}`, import.meta.url), 'utf8'));

/** A sample as SMN would send it now (or `offsetSeconds` from now), after `change`. */
const delivery = (file: string, change: Partial<SmnMessage> = {}, offsetSeconds = 0) => {
  const { headers, body } = sample(file);
  const sent = freshSmn({ ...body, ...change } as SmnMessage, Date.now() + offsetSeconds * 1000);
  return {
    headers: { ...headers, 'x-smn-topic-urn': sent.topic_urn },
    body: sent as Record<string, unknown>,
  };
};

let stack: LocalStack;

const post = async (headers: Record<string, string>, body: unknown) => {
  const response = await fetch(`${stack.urls.api}/v1/alerts/cloud-eye`, {
    method: 'POST',
    headers,
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    body: (await response.json()) as { title?: string; issues?: { path: string }[] },
  };
};
const failovers = () =>
  stack.simulator.calls.filter(
    (c) => c.route === 'dws.dr.failover' && c.resourceId === DR && c.effectApplied,
  );
const until = async (what: string, check: () => boolean, timeoutMs = 20_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

beforeAll(async () => {
  const routesFile = join(mkdtempSync(join(tmpdir(), 'dr-relay-smn-')), 'routes.yml');
  writeFileSync(routesFile, ROUTES);
  stack = await startLocalStack({
    env: { DR_ROUTES_FILE: routesFile, DR_SMN_TOPIC_URNS: SMN_REGIONAL_TOPIC_URN },
    simulator: { transitionMs: 600_000 },
  });
  stack.simulator.seed.drPair(PROJECT, DR, { status: 'running' });
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

describe('Cloud Eye via SMN: only our topics, only fresh messages', () => {
  const genuine = () => delivery('cloud-eye-smn-alarm.json');
  const moved = () => {
    const { headers, body } = genuine();
    const { subject, ...rest } = body;
    return {
      headers,
      body: { ...rest, message_id: `${String(body['message_id'])}\nsubject\n${String(subject)}` },
    };
  };
  const refusals: [string, () => { headers: Record<string, string>; body: unknown }, number, string][] = [
    [
      'a notification from another account’s topic',
      () => delivery('cloud-eye-smn-alarm.json', { topic_urn: FOREIGN_TOPIC }),
      403,
      'topic_urn',
    ],
    [
      'a subscription confirmation from another account’s topic',
      () => delivery('cloud-eye-smn-subscription.json', { topic_urn: FOREIGN_TOPIC }),
      403,
      'topic_urn',
    ],
    [
      'a notification first sent 3601 s ago',
      () => delivery('cloud-eye-smn-alarm.json', {}, -3601),
      403,
      'timestamp',
    ],
    ['the notification as recorded in 2024', () => sample('cloud-eye-smn-alarm.json'), 403, 'timestamp'],
    [
      'a notification dated 301 s ahead',
      () => delivery('cloud-eye-smn-alarm.json', {}, 301),
      403,
      'timestamp',
    ],
    ['the subject moved into message_id', moved, 400, 'message_id'],
    [
      'a certificate URL on the SMN host of a region that does not exist',
      () =>
        delivery('cloud-eye-smn-alarm.json', {
          signing_cert_url:
            'https://smn.zz-evil-999.myhuaweicloud.com/smn/SMN_zz-evil-999_0123456789abcdef0123456789abcdef.pem',
        }),
      400,
      'signing_cert_url',
    ],
  ];

  it('refuses each with a 4xx problem naming the field, and makes 0 Huawei calls', async () => {
    // Act
    const answers: Awaited<ReturnType<typeof post>>[] = [];
    for (const [, make] of refusals) {
      const { headers, body } = make();
      answers.push(await post(headers, body));
    }

    // Assess
    expect(answers.map((a) => [a.status, a.type])).toEqual(
      refusals.map(([, , status]) => [status, 'application/problem+json']),
    );
    refusals.forEach(([, , , path], n) => {
      expect(answers[n]?.body.issues?.map((i) => i.path)).toContain(path);
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(stack.simulator.calls).toHaveLength(0);
  });

  it('then fails over once on an allowed, fresh notification, and not again on its redelivery', async () => {
    // Prepare
    const { headers, body } = genuine();

    // Act
    const first = await post(headers, body);
    await until('the failover', () => failovers().length > 0);
    const again = await post(headers, body);
    await new Promise((resolve) => setTimeout(resolve, 1_000));

    // Assess
    expect(first.status).toBeGreaterThanOrEqual(200);
    expect(first.status).toBeLessThan(300);
    expect(again.status).toBeLessThan(300);
    expect(failovers()).toHaveLength(1);
  });
});
