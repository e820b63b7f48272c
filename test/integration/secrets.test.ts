/**
 * Rule 6: secrets never appear in logs. A full run on the local stack with AK/SK, a security token,
 * alert bearer tokens and webhook HMAC secrets set, logging at DEBUG, through successes, faults,
 * dead letters, an APIGW.0301 answer that echoes the signed headers, alerts with right and wrong
 * tokens, and signed and mis-signed API requests: every byte written to stdout and stderr is
 * captured and searched for each secret.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signatureHeader } from '../../lib/http/signature.ts';
import { readDeadLetters, sendBodies, waitForOutcomes } from '../../tools/local/driver.ts';
import { type LocalStack, startLocalStack } from '../../tools/local/stack.ts';
import { requestFor, seedFor } from '../../tools/local/workload.ts';

const SECRETS = {
  HUAWEICLOUD_SDK_AK: 'AKLEAKCHECK0123456789',
  HUAWEICLOUD_SDK_SK: 'sk-leak-check-secret-key-value-0123456789',
  HUAWEICLOUD_SDK_SECURITY_TOKEN: 'security-token-leak-check-value-0123456789',
  ALERTMANAGER_BEARER_TOKENS: 'bearer-leak-check-token-value-0123456789',
  GRAFANA_BEARER_TOKENS: 'grafana-leak-check-token-value-0123456789',
  WEBHOOK_HMAC_SECRETS: 'hmac-leak-check-secret-value-0123456789abcdef',
};
const captured: string[] = [];
const originals = {
  out: process.stdout.write.bind(process.stdout),
  err: process.stderr.write.bind(process.stderr),
};
let stack: LocalStack;

beforeAll(async () => {
  const capture =
    (write: typeof process.stdout.write) =>
    (chunk: unknown, ...rest: unknown[]): boolean => {
      captured.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
    };
  process.stdout.write = capture(originals.out) as typeof process.stdout.write;
  process.stderr.write = capture(originals.err) as typeof process.stderr.write;
  Object.assign(process.env, SECRETS, { POWERTOOLS_LOG_LEVEL: 'DEBUG' });
  stack = await startLocalStack({
    env: {
      DR_MAX_ATTEMPTS: '2',
      DR_BACKOFF_BASE_SECONDS: '1',
      DR_HTTP_TIMEOUT_MS: '400',
      POWERTOOLS_LOG_LEVEL: 'DEBUG',
    },
    simulator: { hangMs: 600, transitionMs: 600_000 },
  });
}, 30_000);

afterAll(async () => {
  await stack?.stop();
  process.stdout.write = originals.out;
  process.stderr.write = originals.err;
});

describe('a full run with every secret set', () => {
  it('writes none of them to stdout or stderr', async () => {
    const requests = Array.from({ length: 12 }, (_, n) => requestFor('secrets', n));
    for (const r of requests.slice(0, 10)) seedFor(stack.simulator, r); // the last two are unknown: 404, dead-lettered
    stack.simulator.faults.add({ route: 'dcs.restore', kind: 'status', status: 503, times: 2 });
    stack.simulator.faults.add({ route: 'dws.dr.start', kind: 'timeout', when: 'after', times: 1 });
    stack.simulator.faults.add({
      route: 'csbs.restore',
      kind: 'status',
      status: 401,
      times: 1,
      // What Huawei's gateway answers to a bad signature: the canonical request, signed headers included.
      body: {
        error_code: 'APIGW.0301',
        error_msg: `Incorrect IAM authentication information: verify aksk signature fail, canonicalRequest: POST|/v1/p/restores/||content-type:application/json|x-security-token:${SECRETS.HUAWEICLOUD_SDK_SECURITY_TOKEN}|`,
      },
    });
    await sendBodies(stack.sqs, stack.urls.requestQueueUrl, [
      ...requests.map((r) => JSON.stringify(r)),
      '{"action":',
    ]);
    await waitForOutcomes(stack, requests, 60_000);

    const post = (path: string, body: string, headers: Record<string, string>) =>
      fetch(`${stack.urls.api}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });
    const alert = readFileSync('events/alarms/alertmanager-firing.json', 'utf8');
    expect(
      (
        await post('/v1/alerts/alertmanager', alert, {
          authorization: `Bearer ${SECRETS.ALERTMANAGER_BEARER_TOKENS}`,
        })
      ).status,
    ).toBe(202);
    expect(
      (await post('/v1/alerts/alertmanager', alert, { authorization: 'Bearer wrong-token-0123456789abcdef' }))
        .status,
    ).toBe(401);
    const body = JSON.stringify(requestFor('secrets-api', 3));
    const t = Math.floor(Date.now() / 1000);
    expect(
      (
        await post('/v1/requests', body, {
          'x-dr-signature': signatureHeader(SECRETS.WEBHOOK_HMAC_SECRETS, body, t),
        })
      ).status,
    ).toBe(202);
    expect(
      (
        await post('/v1/requests', body, {
          'x-dr-signature': signatureHeader('not-the-secret-0123456789abcdefghij', body, t),
        })
      ).status,
    ).toBe(401);
    const letters = JSON.stringify(await readDeadLetters(stack));

    const output = captured.join('');
    expect(letters).toContain('APIGW.0301'); // the 401 echo reached a dead letter, redacted
    expect(output).toContain('dead-lettered'); // the capture saw the handlers' logs
    expect(output).toContain('APIGW.0301');
    for (const [name, value] of Object.entries(SECRETS)) {
      expect(output.includes(value), `${name} appears in the output`).toBe(false);
      expect(letters.includes(value), `${name} appears in a dead letter`).toBe(false);
    }
  }, 120_000);
});
