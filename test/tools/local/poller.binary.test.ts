import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { buildApp } from 'fauxqs';
import { expect, it } from 'vitest';
import { sqsClient } from '../../../lib/runtime/aws.ts';
import { SqsPoller } from '../../../tools/local/poller.ts';

it('maps a binary message attribute to the Lambda shape (base64 binaryValue)', async () => {
  // Prepare
  const app = buildApp({ logger: false });
  const endpoint = await app.listen({ port: 0, host: '127.0.0.1' });
  const sqs = sqsClient({
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'l', secretAccessKey: 'l' },
  });
  try {
    const { QueueUrl: queueUrl = '' } = await sqs.send(new CreateQueueCommand({ QueueName: 'binary' }));
    const queueArn =
      (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] })))
        .Attributes?.QueueArn ?? '';
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: 'x',
        MessageAttributes: { blob: { DataType: 'Binary', BinaryValue: new Uint8Array([1, 2, 3]) } },
      }),
    );
    let event: SQSEvent | undefined;
    const poller = new SqsPoller({
      sqs,
      queueUrl,
      queueArn,
      handler: async (e) => {
        event = e;
        return { batchItemFailures: [] };
      },
    });
    // Act
    await poller.pollOnce(0);
    // Assess
    expect(event?.Records[0]?.messageAttributes).toStrictEqual({
      blob: { binaryValue: 'AQID', dataType: 'Binary', stringListValues: [], binaryListValues: [] },
    });
  } finally {
    sqs.destroy();
    await app.close();
  }
});
