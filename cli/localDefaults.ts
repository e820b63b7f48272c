/**
 * The local stack's names, ports and local-only secret as the CLI needs them when no stage is
 * configured: its own small module, so the operator CLI never imports the local stack. The stack
 * (tools/local/constants.ts) builds its constants on these, so the two cannot disagree.
 * None of these values is ever valid outside the local stack.
 */
export const LOCAL_DEFAULTS = {
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
  stateTable: 'dr-relay-local-state',
  hmacSecret: 'local-webhook-hmac-secret-not-for-production',
  /** The Huawei keys the local simulator accepts (and `dr-relay doctor` signs with locally). */
  huawei: { ak: 'DRRELAYLOCALACCESSKEY', sk: 'dr-relay-local-secret-key-not-for-production' },
  /** Dummy AWS credentials for the local servers (they check none). */
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
} as const;
