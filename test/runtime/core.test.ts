/**
 * The shared core's SNS client is built on the first notice, not at a cold start: no notice precedes
 * an alarm's first call. It is one client for every notifier, and it sends what it is given.
 */
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { snsOnFirstUse } from '../../lib/runtime/core.ts';

const sns = mockClient(SNSClient);

afterEach(() => {
  sns.reset();
});

describe('snsOnFirstUse', () => {
  it('builds no client until the first send', () => {
    // Arrange
    const make = vi.fn(() => new SNSClient({ region: 'eu-west-1' }));

    // Act
    snsOnFirstUse(make);

    // Assess
    expect(make).not.toHaveBeenCalled();
  });

  it('builds one client on the first send and reuses it', async () => {
    // Arrange
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    const make = vi.fn(() => new SNSClient({ region: 'eu-west-1' }));
    const client = snsOnFirstUse(make);
    const publish = (message: string) =>
      client.send(new PublishCommand({ TopicArn: 'arn:aws:sns:eu-west-1:123456789012:t', Message: message }));

    // Act
    const first = await publish('one');
    await publish('two');

    // Assess
    expect(first).toEqual({ MessageId: 'm-1' });
    expect(make).toHaveBeenCalledTimes(1);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 2);
    expect(sns).toHaveReceivedNthCommandWith(PublishCommand, 2, { Message: 'two' });
  });
});
