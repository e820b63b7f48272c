/**
 * The local stack's fixed names, default ports and local-only secrets: one place, read by the stack
 * (lib/local/stack.ts), `npm start`, and the CLI's local defaults (lib/cli/target.ts). Importing this
 * file loads nothing else. None of these values is ever valid outside the local stack.
 */
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');

export const LOCAL = {
  region: 'us-east-1',
  host: '127.0.0.1',
  /** `npm start`'s default ports (0 elsewhere: any free port). */
  ports: { sqs: 4566, dynamodb: 8000, api: 3000, simulator: 4599 },
  /** The environment `npm start` reads its ports from. */
  portVariables: {
    sqs: 'LOCAL_SQS_PORT',
    dynamodb: 'LOCAL_DYNAMODB_PORT',
    api: 'PORT',
    simulator: 'LOCAL_SIMULATOR_PORT',
  },
  requestQueue: 'dr-relay-local-requests',
  deadLetterQueue: 'dr-relay-local-dead-letters',
  notificationQueue: 'dr-relay-local-notifications',
  notificationTopic: 'dr-relay-local-dead-letter-notifications',
  stateTable: 'dr-relay-local-state',
  hmacSecret: 'local-webhook-hmac-secret-not-for-production',
  alertToken: 'local-alert-token-not-for-production',
  /** Dummy AWS credentials for the local servers (they check none). */
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  /** The Huawei keys the simulator accepts locally. */
  huawei: { ak: 'DRRELAYLOCALACCESSKEY', sk: 'dr-relay-local-secret-key-not-for-production' },
  routesFile: join(ROOT, 'events', 'routes', 'routes.yml'),
  /** The test certificate the sample SMN deliveries are signed with. */
  smnCertFile: join(ROOT, 'test', 'fixtures', 'smn', 'cert.pem'),
} as const;
