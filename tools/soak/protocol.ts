/**
 * The IPC messages between the soak (parent) and its two children: the backend (tools/soak/backend.ts:
 * dynalite, fauxqs, the simulator, the local API; never killed) and the worker (tools/soak/worker.ts:
 * the SQS poller driving handlers/requests.ts; killed and restarted).
 * Owns: message shapes only.
 */
import type { ActionRequest } from '../../lib/actions/request.ts';
import type { FaultRule } from '../simulator/index.ts';

export interface BackendConfig {
  readonly routesFile: string;
  /** Extra handler environment (attempts, backoff, time-outs). */
  readonly env: Record<string, string>;
  readonly simulator: { transitionMs: number; restoreMs: number; hangMs: number; seed: number };
  readonly visibilityTimeoutSeconds: number;
}

export interface BackendReady {
  readonly type: 'ready';
  readonly urls: {
    readonly sqs: string;
    readonly dynamodb: string;
    readonly simulator: string;
    readonly api: string;
    readonly requestQueueUrl: string;
    readonly requestQueueArn: string;
    readonly deadLetterQueueUrl: string;
    readonly stateTable: string;
  };
  /** The environment the stack set for the handlers: the worker runs with exactly this. */
  readonly env: Record<string, string>;
}

/** One call-log entry, compact: route, resource id, effect applied (1/0), fault label ('' = none), HTTP status. */
export type CompactCall = [route: string, resourceId: string, effect: 0 | 1, fault: string, status: number];

/** Fault rules as data (no `match` function: they cross the process boundary). */
export type FaultData = Omit<FaultRule, 'match'>;

export interface BackendCommands {
  seed: { args: { requests: ActionRequest[] }; result: number };
  /** Replaces every fault rule (an empty list removes them all). */
  faults: { args: { rules: FaultData[] }; result: number };
  calls: { args: Record<string, never>; result: CompactCall[] };
  stop: { args: Record<string, never>; result: null };
}

export interface WorkerConfig {
  readonly env: Record<string, string>;
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly concurrency: number;
  readonly functionTimeoutMs: number;
}

export interface WorkerCommands {
  stop: { args: Record<string, never>; result: null };
}

/** What the worker reports by itself: a batch handed to the handler, and the same batch done (deleted / left). */
export type WorkerEvent =
  | {
      readonly type: 'batch-start';
      readonly batch: number;
      /** Message id, receive count, and the idempotency key of the request inside ('' if unreadable). */
      readonly records: [id: string, receives: number, key: string][];
    }
  | {
      readonly type: 'batch-end';
      readonly batch: number;
      readonly deleted: number;
      readonly retried: number;
      readonly error?: string;
    };

export interface CommandMessage {
  readonly id: number;
  readonly cmd: string;
  readonly args: unknown;
}

export type Reply =
  | { readonly type: 'reply'; readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly type: 'reply'; readonly id: number; readonly ok: false; readonly error: string };
