/**
 * The local stack's fixed names, default ports and local-only secrets: one place, read by the stack
 * (tools/local/stack.ts) and `npm start`. What the operator CLI also needs lives in its own module
 * (cli/localDefaults.ts) and is spread in here. Importing this file loads nothing else.
 * None of these values is ever valid outside the local stack.
 */
import { join } from 'node:path';
import { LOCAL_DEFAULTS } from '../../cli/localDefaults.ts';

const ROOT = join(import.meta.dirname, '..', '..');

export const LOCAL = {
  ...LOCAL_DEFAULTS,
  notificationQueue: 'dr-relay-local-notifications',
  notificationTopic: 'dr-relay-local-dead-letter-notifications',
  /** Alertmanager's bearer token locally; Grafana has its own (one token list per sender). */
  alertToken: 'local-alert-token-not-for-production',
  grafanaToken: 'local-grafana-token-not-for-production',
  routesFile: join(ROOT, 'events', 'routes', 'routes.yml'),
  /** The test certificate the sample SMN deliveries are signed with. */
  smnCertFile: join(import.meta.dirname, 'smn', 'cert.pem'),
} as const;
