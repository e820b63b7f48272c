/**
 * `npm start`: the main job on the embedded local stack, all on 127.0.0.1.
 * Prints `READY {json}` (machine-readable), then a summary with copy-paste examples, then one line
 * per message the request handler processes. Ctrl-C stops everything.
 * Ports: PORT (3000, the HTTP API), LOCAL_SQS_PORT (4566), LOCAL_DYNAMODB_PORT (8000),
 * LOCAL_SIMULATOR_PORT (4599); 0 = any free port.
 */
import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { ENDPOINT_VARIABLES } from '../lib/huawei/endpoints.ts';
import { loadRoutes } from '../lib/routing/routes.ts';
import { DynamoStatusStore } from '../lib/store/status.ts';
import { LOCAL } from '../tools/local/constants.ts';
import { describeBatch, describeOperationNotice } from '../tools/local/report.ts';
import { loadSamples, seedSamples } from '../tools/local/samples.ts';
import {
  LOCAL_ALERT_TOKEN,
  LOCAL_ROUTES_FILE,
  type LocalStack,
  startLocalStack,
} from '../tools/local/stack.ts';
import { seedFor } from '../tools/local/workload.ts';

const port = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

const huawei = ENDPOINT_VARIABLES.some((name) => process.env[name])
  ? 'your DR_ENDPOINT_* settings'
  : 'the Huawei simulator';
process.env['POWERTOOLS_LOG_LEVEL'] ??= 'ERROR';
let stack: LocalStack | undefined;
let store: DynamoStatusStore | undefined;
try {
  stack = await startLocalStack({
    sqsPort: port(LOCAL.portVariables.sqs, LOCAL.ports.sqs),
    dynamodbPort: port(LOCAL.portVariables.dynamodb, LOCAL.ports.dynamodb),
    simulatorPort: port(LOCAL.portVariables.simulator, LOCAL.ports.simulator),
    apiPort: port(LOCAL.portVariables.api, LOCAL.ports.api),
    onBatch: async (report) => {
      if (store) for (const line of await describeBatch(report, store)) console.log(line);
    },
  });
} catch (error) {
  const code = (error as NodeJS.ErrnoException).code;
  console.error(
    code === 'EADDRINUSE'
      ? `A port is already in use (${(error as Error).message}). Stop the other process or set PORT / LOCAL_SQS_PORT / LOCAL_DYNAMODB_PORT / LOCAL_SIMULATOR_PORT (0 = any free port).`
      : `The local stack could not start: ${(error as Error).stack ?? error}`,
  );
  process.exit(1);
}
store = new DynamoStatusStore({ client: stack.dynamodb, table: stack.urls.stateTable, ttlSeconds: 3600 });
const samples = loadSamples();
seedSamples(stack.simulator, samples.values());
// The targets of the sample routes, so the sample alarms can act.
for (const route of loadRoutes(process.env['DR_ROUTES_FILE'] ?? LOCAL_ROUTES_FILE))
  seedFor(stack.simulator, route);

const { urls } = stack;
console.log(`READY ${JSON.stringify(urls)}`);
console.log(`
dr-relay local stack is running (DynamoDB ${urls.dynamodb}, SQS ${urls.sqs}); Huawei calls go to ${huawei} (simulator: ${urls.simulator}).
The request handler (handlers/requests.ts, unmodified) polls ${urls.requestQueueUrl}.
The simulator knows the resources of every sample in events/requests/.

Send a sample request (from another terminal), signed, through the HTTP API:
  npx dr-relay send events/requests/dws-dr-failover.json
  npx dr-relay status sample-dws-failover-1
Or straight onto the queue:
  npm run enqueue -- events/requests/dws-dr-failover.json
  npm run enqueue -- events/requests/dcs-restore.json events/requests/dcs-restore.json   # a duplicate: one call
  npm run enqueue -- events/requests/cbr-restore.json                                   # a CBR server restore
  npm run enqueue -- events/requests/invalid-request.json                               # dead-lettered at once
With the AWS CLI:
  AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local aws --region us-east-1 --endpoint-url ${urls.sqs} \\
    sqs send-message --queue-url ${urls.requestQueueUrl} --message-body file://events/requests/csbs-restore.json
Send an alarm (routes: ${process.env['DR_ROUTES_FILE'] ?? 'events/routes/routes.yml'}):
  curl -s -H 'Authorization: Bearer ${LOCAL_ALERT_TOKEN}' -H 'Content-Type: application/json' \\
    --data @events/alarms/alertmanager-firing.json ${urls.api}/v1/alerts/alertmanager
  curl -s --data @events/alarms/cloudwatch-sns-alarm.json ${urls.api}/_local/alarms      # the alarms Lambda
  npx dr-relay explain events/alarms/alertmanager-firing.json --routes events/routes/routes.yml   # what it would do
Check readiness (GETs only: every routed target reachable, signed, permitted, in a state that allows its action):
  npx dr-relay doctor --routes ${process.env['DR_ROUTES_FILE'] ?? 'events/routes/routes.yml'} --request events/requests/csbs-restore.json --request events/requests/cbr-restore.json
Dead letters: npx dr-relay dlq list | dlq show <id> | dlq redrive --id <id>
Queued outcomes, the end of each operation (completed, failed, stalled) and dead-letter notifications
are printed here as they happen; alarm outcomes are in the HTTP answers. Follow one operation to its end:
  npx dr-relay status sample-dws-failover-1 --wait
Ctrl-C to stop.
`);

// Dead-letter notifications (SNS, as in the cloud) reach a local queue: print them.
let running = true;
const printNotifications = async () => {
  while (running && stack) {
    const { Messages = [] } = await stack.sqs
      .send(
        new ReceiveMessageCommand({
          QueueUrl: stack.urls.notificationQueueUrl,
          WaitTimeSeconds: 1,
          MaxNumberOfMessages: 10,
        }),
      )
      .catch(() => ({ Messages: [] }));
    for (const message of Messages) {
      const note = JSON.parse(message.Body ?? '{}') as { Subject?: string; Message?: string };
      // An operation's end (or stall) in one line; anything else (a dead letter) as it came.
      console.log(
        describeOperationNotice(note.Message ?? '') ??
          `📣 SNS ${note.Subject ?? ''}\n   ${(note.Message ?? '').replaceAll('\n', '\n   ')}`,
      );
      await stack.sqs.send(
        new DeleteMessageCommand({
          QueueUrl: stack.urls.notificationQueueUrl,
          ReceiptHandle: message.ReceiptHandle,
        }),
      );
    }
  }
};
void printNotifications();

const shutdown = async () => {
  running = false;
  console.log('stopping...');
  await stack?.stop();
  process.exit(0);
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
