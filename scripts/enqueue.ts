/**
 * `npm run enqueue -- <request.json>...`: sends ActionRequest files to the local request queue
 * (the one `npm start` runs; LOCAL_SQS_PORT, default 4566). Prints each message id and idempotency key.
 */
import { readFileSync } from 'node:fs';
import { GetQueueUrlCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { idempotencyKey, parseActionRequestJson } from '../lib/actions/request.ts';
import { sqsClient } from '../lib/runtime/aws.ts';

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: npm run enqueue -- <request.json> [more.json...]');
  process.exit(2);
}
const sqs = sqsClient({
  region: 'us-east-1',
  endpoint:
    process.env['AWS_ENDPOINT_URL_SQS'] ?? `http://127.0.0.1:${process.env['LOCAL_SQS_PORT'] ?? 4566}`,
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});
try {
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: 'dr-relay-local-requests' }));
  for (const file of files) {
    const body = readFileSync(file, 'utf8');
    let key = '(invalid: will be dead-lettered)';
    try {
      key = idempotencyKey(parseActionRequestJson(body));
    } catch {}
    const { MessageId } = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: body }));
    console.log(`queued ${file}: message ${MessageId}, idempotency key ${key}`);
  }
} catch (error) {
  console.error(`could not reach the local queue (is \`npm start\` running?): ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  sqs.destroy();
}
