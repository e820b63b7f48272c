/**
 * Notices (lib/notices.ts): the SNS client is built on the first
 * notice, not at a cold start (no notice precedes an alarm's first call); one client serves every
 * notice; a failed notice is logged, never thrown.
 */
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterEach, describe, expect, it } from 'vitest';
import { notifier, snsPublisher } from '../lib/notices.ts';

const sns = mockClient(SNSClient);
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:dr-relay';

afterEach(() => {
  sns.reset();
});

describe('snsPublisher', () => {
  it('sends one Publish per notice to its topic', async () => {
    // Arrange
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    const publisher = snsPublisher(TOPIC);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 0);

    // Act
    await publisher.publish({ subject: 'one', message: 'first' });
    await publisher.publish({ subject: 'two', message: 'second' });

    // Assess
    expect(publisher.topic).toBe(TOPIC);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 2);
    expect(sns).toHaveReceivedNthCommandWith(PublishCommand, 2, {
      TopicArn: TOPIC,
      Subject: 'two',
      Message: 'second',
    });
  });

  it('builds one SNS client for every notice', async () => {
    // Arrange
    sns.on(PublishCommand).resolves({});
    const publisher = snsPublisher(TOPIC);

    // Act
    await publisher.publish({ subject: 'a', message: 'a' });
    await publisher.publish({ subject: 'b', message: 'b' });

    // Assess: the mock records the client each command was sent through.
    const clients = new Set(sns.commandCalls(PublishCommand).map((call) => call.thisValue));
    expect(clients.size).toBe(1);
  });

  it('rejects with the failure, and the next notice tries again', async () => {
    // Arrange
    sns.on(PublishCommand).rejectsOnce(new Error('throttled')).resolves({});
    const publisher = snsPublisher(TOPIC);

    // Act / Assess
    await expect(publisher.publish({ subject: 'a', message: 'a' })).rejects.toThrow('throttled');
    await expect(publisher.publish({ subject: 'b', message: 'b' })).resolves.toBeUndefined();
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 2);
  });
});

describe('notifier', () => {
  it('publishes the summary of each event, and logs a failed publish with its topic instead of throwing', async () => {
    // Arrange
    const published: unknown[] = [];
    const errors: { message: string; fields: unknown }[] = [];
    const log = {
      info: () => undefined,
      warn: () => undefined,
      error: (message: string, fields?: unknown) => errors.push({ message, fields }),
    };
    let fail = false;
    const publisher = {
      topic: TOPIC,
      publish: async (notice: unknown) => {
        if (fail) throw new Error('AuthorizationError');
        published.push(notice);
      },
    };
    const notify = notifier(publisher, log, 'notice failed (the record holds it)', (n: number) => ({
      subject: `event ${n}`,
      message: `body ${n}`,
    }));

    // Act
    await notify(1);
    fail = true;
    const failed = await notify(2);

    // Assess
    expect(published).toEqual([{ subject: 'event 1', message: 'body 1' }]);
    expect(failed).toBeUndefined();
    expect(errors).toEqual([
      {
        message: 'notice failed (the record holds it)',
        fields: { topic: TOPIC, error: 'AuthorizationError' },
      },
    ]);
  });
});
