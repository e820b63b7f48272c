/**
 * `npm start`: the main job on the embedded local stack, all on 127.0.0.1.
 * Prints `READY {json}` (machine-readable), then a summary with copy-paste examples, then one line
 * per message the request handler processes. Ctrl-C stops everything.
 * Ports: LOCAL_SQS_PORT (4566), LOCAL_DYNAMODB_PORT (8000), LOCAL_SIMULATOR_PORT (4599); 0 = any free port.
 */
import { describeBatch } from '../lib/local/report.ts';
import { loadSamples, seedSamples } from '../lib/local/samples.ts';
import { type LocalStack, startLocalStack } from '../lib/local/stack.ts';
import { StatusStore } from '../lib/store/status.ts';

const port = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

const huawei =
  process.env['DR_ENDPOINT_DWS'] || process.env['DR_ENDPOINT_CSBS'] || process.env['DR_ENDPOINT_DCS']
    ? 'your DR_ENDPOINT_* settings'
    : 'the Huawei simulator';
process.env['POWERTOOLS_LOG_LEVEL'] ??= 'ERROR';
let stack: LocalStack | undefined;
let store: StatusStore | undefined;
try {
  stack = await startLocalStack({
    sqsPort: port('LOCAL_SQS_PORT', 4566),
    dynamodbPort: port('LOCAL_DYNAMODB_PORT', 8000),
    simulatorPort: port('LOCAL_SIMULATOR_PORT', 4599),
    onBatch: async (report) => {
      if (store) for (const line of await describeBatch(report, store)) console.log(line);
    },
  });
} catch (error) {
  const code = (error as NodeJS.ErrnoException).code;
  console.error(
    code === 'EADDRINUSE'
      ? `A port is already in use (${(error as Error).message}). Stop the other process or set LOCAL_SQS_PORT / LOCAL_DYNAMODB_PORT / LOCAL_SIMULATOR_PORT (0 = any free port).`
      : `The local stack could not start: ${(error as Error).stack ?? error}`,
  );
  process.exit(1);
}
store = new StatusStore({ client: stack.dynamodb, table: stack.urls.stateTable, ttlSeconds: 3600 });
const samples = loadSamples();
seedSamples(stack.simulator, samples.values());

const { urls } = stack;
console.log(`READY ${JSON.stringify(urls)}`);
console.log(`
dr-relay local stack is running (DynamoDB ${urls.dynamodb}, SQS ${urls.sqs}); Huawei calls go to ${huawei} (simulator: ${urls.simulator}).
The request handler (handlers/requests.ts, unmodified) polls ${urls.requestQueueUrl}.
The simulator knows the resources of every sample in events/requests/.

Send a sample request (from another terminal):
  npm run enqueue -- events/requests/dws-dr-failover.json
  npm run enqueue -- events/requests/dcs-restore.json events/requests/dcs-restore.json   # a duplicate: one call
  npm run enqueue -- events/requests/invalid-request.json                               # dead-lettered at once
With the AWS CLI:
  AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local aws --region us-east-1 --endpoint-url ${urls.sqs} \\
    sqs send-message --queue-url ${urls.requestQueueUrl} --message-body file://events/requests/csbs-restore.json
Outcomes are printed here as they happen. Ctrl-C to stop.
`);

const shutdown = async () => {
  console.log('stopping...');
  await stack?.stop();
  process.exit(0);
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
