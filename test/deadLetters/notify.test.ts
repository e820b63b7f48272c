/** Dead-letter notifications: a short, useful summary on SNS; never a reason to lose the dead letter. */
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ActionRequest } from '../../lib/actions/request.ts';
import type { DeadLetter } from '../../lib/deadLetters/deadLetter.ts';
import { deadLetter, reasonOf } from '../../lib/deadLetters/deadLetter.ts';
import { snsNotifier, summaryOf } from '../../lib/deadLetters/notify.ts';
import { snsPublisher } from '../../lib/notices.ts';
import { MemoryStatusStore } from '../fixtures/memoryStore.ts';

const letter: DeadLetter = {
  type: 'dr-relay.dead-letter',
  version: 1,
  idempotency_key: 'demo-always-503',
  action: 'dcs.restore',
  target: 'dcs:89cd04f168b84af6be287f71730fdb4b/c182b7e0-af0d-4b12-8bed-ded7ed107c5d',
  source: { type: 'sqs' },
  reason: 'transient: POST /v1.0/x/restores -> 503 APIGW.0503: Service unavailable',
  error: { kind: 'transient', message: '503', http_status: 503 },
  attempts: 3,
  first_failure_at: '2026-11-23T17:00:00.000Z',
  last_failure_at: '2026-11-23T17:00:07.000Z',
  dead_lettered_at: '2026-11-23T17:00:07.000Z',
};
const sns = mockClient(SNSClient);
const errors: string[] = [];
const log = {
  info: () => undefined,
  warn: () => undefined,
  error: (m: string) => {
    errors.push(m);
  },
};

beforeEach(() => {
  sns.reset();
  errors.length = 0;
});

describe('dead-letter notifications', () => {
  it('summarise what, why, where and how to look, in a subject SNS accepts', () => {
    const { subject, message } = summaryOf(letter);

    expect(subject).toBe('dr-relay: transient failure, dcs.restore');
    expect(message).toContain('dcs.restore demo-always-503 was dead-lettered after 3 attempt(s).');
    expect(message).toContain('reason: transient: POST /v1.0/x/restores -> 503');
    expect(message).toContain(`target: ${letter.target}`);
    expect(message).toContain('npx dr-relay dlq show demo-always-503');
    expect(summaryOf({ ...letter, action: `x${'é'.repeat(200)}` }).subject).toMatch(/^[\x20-\x7e]{1,100}$/);
  });

  it("name the dead letter's own SQS message id to inspect, when it is known", () => {
    // Act
    const { message } = summaryOf(letter, 'dlq-message-1');

    // Assess: the id `dlq show` finds in any case (and `dlq redrive --id` takes)
    expect(message).toContain('dcs.restore demo-always-503 was dead-lettered after 3 attempt(s).');
    expect(message).toContain('inspect: npx dr-relay dlq show dlq-message-1');
  });

  it('without it, the idempotency key, else the source message id (both accepted by dlq show), else dlq list', () => {
    // Prepare
    const invalid: DeadLetter = {
      ...letter,
      idempotency_key: undefined,
      action: undefined,
      source: { type: 'sqs', message_id: 'source-1' },
    };
    const refusedAlarm: DeadLetter = { ...invalid, source: { type: 'alarm' } };

    // Act
    const [byKey, bySource, byNothing] = [letter, invalid, refusedAlarm].map((l) => summaryOf(l).message);

    // Assess
    expect(byKey).toContain('inspect: npx dr-relay dlq show demo-always-503');
    expect(bySource).toContain('inspect: npx dr-relay dlq show source-1');
    expect(byNothing).toContain('inspect: npx dr-relay dlq list');
    expect(byNothing).not.toContain('dlq show unknown');
  });

  it('are published to the topic', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm' });

    await snsNotifier(snsPublisher('arn:aws:sns:eu-west-1:1:t'), log)(letter);

    expect(sns.commandCalls(PublishCommand)[0]?.args[0].input).toMatchObject({
      TopicArn: 'arn:aws:sns:eu-west-1:1:t',
      Subject: 'dr-relay: transient failure, dcs.restore',
    });
  });

  it('never fail the dead letter: a failed publish is logged', async () => {
    sns.on(PublishCommand).rejects(new Error('AuthorizationError'));

    await expect(snsNotifier(snsPublisher('arn:t'), log)(letter)).resolves.toBeUndefined();
    expect(errors[0]).toContain('notification failed');
  });

  it('are sent after the letter is stored, not instead of it, with the message id SQS gave it', async () => {
    const order: string[] = [];
    const notified: (string | undefined)[] = [];
    await deadLetter(
      {
        queue: {
          send: async () => {
            order.push('queue');
            return 'id';
          },
        },
        store: new MemoryStatusStore(),
        log,
        notify: async (_letter, messageId) => {
          order.push('notify');
          notified.push(messageId);
        },
      },
      { error: new Error('x'), attempts: 1, rawBody: '{}', source: { type: 'sqs' } },
    );

    expect(order).toEqual(['queue', 'notify']);
    expect(notified).toEqual(['id']);
  });

  it('are not sent for a request whose outcome another delivery recorded after this one gave its claim back', async () => {
    // Arrange: the key succeeded through a duplicate delivery while this one was failing.
    const store = new MemoryStatusStore();
    const request = {
      action: 'dcs.restore',
      region: 'eu-west-0',
      project_id: '0123456789abcdef0123456789abcdef',
      params: { instance_id: 'e59d6b86-9072-46eb-a996-13f8b44994c1', backup_id: 'b1' },
    } as unknown as ActionRequest;
    await store.set('k-1', { status: 'succeeded', action: 'dcs.restore' });
    const sent: unknown[] = [];
    const notified: unknown[] = [];

    // Act
    const result = await deadLetter(
      {
        queue: {
          send: async (l) => {
            sent.push(l);
            return 'id';
          },
        },
        store,
        log,
        notify: async (l) => {
          notified.push(l);
        },
      },
      { error: new Error('reset after send'), attempts: 2, key: 'k-1', request, source: { type: 'sqs' } },
    );

    // Assess
    expect(result).toEqual({ outcome: 'succeeded' });
    expect(reasonOf(result)).toBe('not dead-lettered: another delivery recorded succeeded');
    expect(sent).toEqual([]);
    expect(notified).toEqual([]);
    expect((await store.get('k-1'))?.status).toBe('succeeded');
  });
});
