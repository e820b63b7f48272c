/**
 * Exactly once and never lost, end to end on the local stack (dynalite, fauxqs, the Huawei
 * simulator, handlers/requests.ts driven like Lambda's SQS event source mapping). The simulator's
 * call log is the witness: it counts what reached the endpoint and what took effect.
 */
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ActionRequest, idempotencyKey } from '../../lib/actions/request.ts';
import type { DeadLetter } from '../../lib/deadLetters/deadLetter.ts';
import { readDeadLetters, sendBodies, waitForEmptyQueue, waitForOutcomes } from '../../tools/local/driver.ts';
import { type LocalStack, startLocalStack } from '../../tools/local/stack.ts';
import { requestFor, resourceOf, seedFor, shuffle } from '../../tools/local/workload.ts';
import type { FaultRule } from '../../tools/simulator/index.ts';

let stack: LocalStack;
let deadLetters: DeadLetter[] = [];

beforeAll(async () => {
  stack = await startLocalStack({
    concurrency: 4,
    visibilityTimeoutSeconds: 10,
    env: {
      DR_MAX_ATTEMPTS: '4',
      DR_BACKOFF_BASE_SECONDS: '1',
      DR_BACKOFF_MAX_SECONDS: '3',
      DR_HTTP_TIMEOUT_MS: '400',
      // Operations (which never end here) are checked briefly, then abandoned, so the queue drains.
      DR_OPERATION_CHECK_BASE_SECONDS: '1',
      DR_OPERATION_CHECK_MAX_SECONDS: '1',
      DR_OPERATION_TIME_LIMIT_SECONDS: '2',
    },
    // Long transitions: a reconciling read sees the operation still under way.
    simulator: { transitionMs: 600_000, restoreMs: 600_000, hangMs: 800, seed: 42 },
  });
}, 30_000);
afterAll(async () => stack?.stop());

/** Each request sent 1 to 3 times, all shuffled together: duplicates interleave and race. */
const deliveries = (requests: readonly ActionRequest[], seed: number): string[] =>
  shuffle(
    requests.flatMap((r, i) => Array.from({ length: 1 + ((i * 7 + seed) % 3) }, () => JSON.stringify(r))),
    seed,
  );

const effectsAt = (request: ActionRequest) =>
  stack.simulator.calls.filter((c) => c.route === request.action && c.resourceId === resourceOf(request));

describe('200 distinct valid requests, each delivered 1 to 3 times', () => {
  const requests = Array.from({ length: 200 }, (_, n) => requestFor('clean', n));

  it('every request succeeds and reaches the endpoint exactly once', async () => {
    for (const r of requests) seedFor(stack.simulator, r);
    const bodies = deliveries(requests, 1);
    expect(bodies.length).toBeGreaterThan(350);

    await sendBodies(stack.sqs, stack.urls.requestQueueUrl, bodies);
    const statuses = await waitForOutcomes(stack, requests, 60_000);

    const notSucceeded = requests.filter((r) => statuses.get(idempotencyKey(r))?.status !== 'succeeded');
    expect(notSucceeded).toEqual([]);
    const callCounts = requests.map((r) => effectsAt(r).length);
    expect(callCounts.filter((n) => n !== 1)).toEqual([]);
    expect(
      requests.map((r) => effectsAt(r).filter((c) => c.effectApplied).length).every((n) => n === 1),
    ).toBe(true);
  }, 90_000);
});

describe('200 requests under injected faults', () => {
  const requests = Array.from({ length: 200 }, (_, n) => requestFor('faulty', n));
  const effectful: FaultRule['route'] = [
    'dws.dr.start',
    'dws.dr.failover',
    'csbs.restore',
    'dcs.restore',
    'cbr.restore',
  ];
  const reads: FaultRule['route'] = [
    'dws.dr.show',
    'csbs.checkpoint_item.show',
    'dcs.restores.list',
    'cbr.backup.show',
    'cbr.operation_logs.list',
  ];

  it('every request ends succeeded or dead-lettered with its reason: zero lost, zero double calls', async () => {
    for (const r of requests) seedFor(stack.simulator, r);
    // About 30% of effectful calls fail transiently, about 10% are ambiguous (the effect applied, no answer).
    const faults: FaultRule[] = [
      { route: effectful, kind: 'status', status: 503, rate: 0.1 },
      { route: effectful, kind: 'status', status: 429, rate: 0.08 },
      { route: effectful, kind: 'status', status: 500, rate: 0.07 },
      { route: effectful, kind: 'reset', when: 'before', rate: 0.05 },
      { route: effectful, kind: 'timeout', when: 'before', rate: 0.04 },
      { route: effectful, kind: 'timeout', when: 'after', rate: 0.06 },
      { route: effectful, kind: 'reset', when: 'after', rate: 0.05 },
      { route: reads, kind: 'status', status: 503, rate: 0.05 },
    ];
    const removers = faults.map((f) => stack.simulator.faults.add(f));
    const before = stack.simulator.calls.length;

    await sendBodies(stack.sqs, stack.urls.requestQueueUrl, deliveries(requests, 2));
    const statuses = await waitForOutcomes(stack, requests, 90_000);
    for (const remove of removers) remove();
    deadLetters = await readDeadLetters(stack);

    const faulted = stack.simulator.calls.slice(before).filter((c) => c.fault);
    expect(faulted.filter((c) => c.fault?.includes('after')).length).toBeGreaterThan(10);
    expect(faulted.filter((c) => c.fault?.startsWith('status')).length).toBeGreaterThan(40);

    const lost = requests.filter(
      (r) => !['succeeded', 'dead_lettered'].includes(statuses.get(idempotencyKey(r))?.status ?? ''),
    );
    expect(lost).toEqual([]);
    const applied = (r: ActionRequest) => effectsAt(r).filter((c) => c.effectApplied).length;
    expect(requests.filter((r) => applied(r) > 1)).toEqual([]);
    for (const r of requests) {
      const status = statuses.get(idempotencyKey(r));
      if (status?.status === 'succeeded') expect(applied(r)).toBe(1);
      if (status?.status === 'dead_lettered') {
        const letter = deadLetters.find((d) => d.idempotency_key === idempotencyKey(r));
        expect(letter?.reason).toBeTruthy();
        expect(letter?.request).toEqual(r);
        // A dead letter for a request that did take effect must say its outcome was unconfirmed.
        if (applied(r) === 1) expect(letter?.error.kind).toBe('ambiguous');
      }
    }
    const succeeded = requests.filter((r) => statuses.get(idempotencyKey(r))?.status === 'succeeded').length;
    expect(succeeded).toBeGreaterThan(180);
    const count = (prefix: string) => faulted.filter((c) => c.fault?.startsWith(prefix)).length;
    console.info(
      `faults run: ${requests.length} requests, ${stack.simulator.calls.length - before} calls, faults ${JSON.stringify(
        {
          status: count('status'),
          timeoutBefore: count('timeout:before'),
          timeoutAfter: count('timeout:after'),
          resetBefore: count('reset:before'),
          resetAfter: count('reset:after'),
        },
      )}, succeeded ${succeeded}, dead-lettered ${requests.length - succeeded} (${deadLetters.map((d) => d.error.kind).join(',')})`,
    );
  }, 150_000);
});

describe('redriving the dead letters once the faults are gone', () => {
  it('ends each transient one succeeded exactly once, and never calls twice', async () => {
    const letters = deadLetters.filter((d) => d.request !== undefined);
    const redriven = letters.map((d) => d.request as ActionRequest);
    expect(letters.length).toBeGreaterThan(0);

    // What SQS's DLQ redrive does: the dead-letter records themselves go back to the request queue.
    await sendBodies(
      stack.sqs,
      stack.urls.requestQueueUrl,
      letters.map((d) => JSON.stringify(d)),
    );
    const statuses = await waitForOutcomes(stack, redriven, 60_000);

    for (const [i, letter] of letters.entries()) {
      const request = redriven[i] as ActionRequest;
      const applied = effectsAt(request).filter((c) => c.effectApplied).length;
      expect(applied).toBeLessThanOrEqual(1);
      if (letter.error.kind === 'transient') {
        const status = statuses.get(idempotencyKey(request));
        expect(status?.status, JSON.stringify(status)).toBe('succeeded');
        expect(applied).toBe(1);
      }
    }
  }, 90_000);
});

describe('invalid messages', () => {
  it('are dead-lettered on the first receive with a message naming the bad field, never called', async () => {
    const valid = requestFor('invalid', 3);
    const cases: [field: string, inReason: string, body: string][] = [
      ['region', 'region', JSON.stringify({ ...valid, region: 'mars' })],
      ['project_id', 'project_id', JSON.stringify({ ...valid, project_id: 'abc' })],
      ['action', 'action', JSON.stringify({ ...valid, action: 'dws.dr.explode' })],
      [
        'params.instance_id',
        'params.instance_id',
        JSON.stringify({ ...valid, params: { ...valid.params, instance_id: 42 } }),
      ],
      [
        'params.unexpected',
        'params.unexpected',
        JSON.stringify({ ...valid, params: { ...valid.params, unexpected: true } }),
      ],
      ['(body)', 'body is not JSON', '{"action": "dcs.restore",'],
    ];
    // Effectful calls only: earlier requests' operations are still read (GET) in the background.
    const effectful = () => stack.simulator.calls.filter((c) => c.method !== 'GET').length;
    const callsBefore = effectful();

    await sendBodies(
      stack.sqs,
      stack.urls.requestQueueUrl,
      cases.map(([, , body]) => body),
    );
    await waitForEmptyQueue(stack, 20_000);
    const letters = (await readDeadLetters(stack)).filter((d) => d.raw_body !== undefined);

    expect(effectful()).toBe(callsBefore);
    for (const [field, inReason, body] of cases) {
      const letter = letters.find((d) => d.raw_body === body);
      expect(letter?.attempts).toBe(1);
      expect(letter?.error.issues?.map((i) => i.path)).toContain(field);
      expect(letter?.reason).toContain(inReason);
    }
    // Each dead letter was also announced on the SNS topic (locally delivered to a queue).
    // (Operation notices share the topic: read until every letter's note is found.)
    const notes: string[] = [];
    const announced = () =>
      letters.every((letter) => notes.some((n) => n.includes(letter.source.message_id ?? '?')));
    for (let i = 0; i < 300 && !announced(); i++) {
      const { Messages = [] } = await stack.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: stack.urls.notificationQueueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
        }),
      );
      notes.push(...Messages.map((m) => String(JSON.parse(m.Body ?? '{}').Message)));
    }
    for (const letter of letters)
      expect(notes.some((n) => n.includes(letter.source.message_id ?? '?'))).toBe(true);
  }, 60_000);
});
