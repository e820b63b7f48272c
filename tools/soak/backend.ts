/**
 * The soak backend, run as a child process (never killed): the local stack without its poller
 * (dynalite, fauxqs with the request and dead-letter queues, the Huawei simulator, the local API
 * serving handlers/webhook.ts and handlers/alarms.ts unmodified), with the soak's routes file and
 * settings. Its IPC commands seed resources, set fault rules and hand out the call log.
 * Owns: serving the commands of protocol.ts. Must not touch: what the handlers do.
 */
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { startLocalStack } from '../local/stack.ts';
import { seedFor } from '../local/workload.ts';
import type { FaultRule } from '../simulator/index.ts';
import { report, serveCommands } from './child.ts';
import type { BackendCommands, BackendConfig, BackendReady, CompactCall } from './protocol.ts';

const config = JSON.parse(process.argv[2] ?? '{}') as BackendConfig;
const before = { ...process.env };
const stack = await startLocalStack({
  poll: false,
  visibilityTimeoutSeconds: config.visibilityTimeoutSeconds,
  env: { ...config.env, DR_ROUTES_FILE: config.routesFile },
  simulator: config.simulator,
});
const env = Object.fromEntries(
  Object.entries(process.env).filter(
    (entry): entry is [string, string] => entry[1] !== undefined && before[entry[0]] !== entry[1],
  ),
);
const { Attributes } = await stack.sqs.send(
  new GetQueueAttributesCommand({ QueueUrl: stack.urls.requestQueueUrl, AttributeNames: ['QueueArn'] }),
);

let removers: (() => void)[] = [];
const handlers: {
  [C in keyof BackendCommands]: (args: BackendCommands[C]['args']) => BackendCommands[C]['result'];
} = {
  seed: ({ requests }) => {
    for (const request of requests) seedFor(stack.simulator, request);
    return requests.length;
  },
  faults: ({ rules }) => {
    for (const remove of removers) remove();
    removers = rules.map((rule) => stack.simulator.faults.add(rule as FaultRule));
    return removers.length;
  },
  calls: () =>
    stack.simulator.calls.map(
      (c): CompactCall => [c.route, c.resourceId ?? '', c.effectApplied ? 1 : 0, c.fault ?? '', c.status],
    ),
  stop: () => null,
};

let stopping: Promise<void> | undefined;
serveCommands(handlers, () => {
  stopping ??= stack.stop();
  return stopping;
});

const ready: BackendReady = {
  type: 'ready',
  urls: {
    sqs: stack.urls.sqs,
    dynamodb: stack.urls.dynamodb,
    simulator: stack.urls.simulator,
    api: stack.urls.api,
    requestQueueUrl: stack.urls.requestQueueUrl,
    requestQueueArn: Attributes?.QueueArn ?? '',
    deadLetterQueueUrl: stack.urls.deadLetterQueueUrl,
    stateTable: stack.urls.stateTable,
  },
  env,
};
report(ready);
