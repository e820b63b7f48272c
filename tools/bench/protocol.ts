/**
 * The IPC protocol between the bench (parent) and its backend child (tools/bench/backend.ts).
 * Owns: message shapes only.
 */
import type { IoCounts } from './io.ts';

export interface BackendConfig {
  /** DR pairs seeded for dr-relay (one route each, label dr: r<n>) and as many for the baseline (b<n>). */
  readonly alarmPairs: number;
  /** For cold_alarm_to_call: this many DR pairs for each of its kinds (its processes bring their own routes). */
  readonly coldPairs?: number;
}

/** What cold_alarm_to_call's fresh processes act on, one entry per sample. */
export interface ColdTargets {
  /** CloudWatch alarm name -> DR pair id, for the alarms function (`BenchCold-c<n>`). */
  readonly alarms: [string, string][];
  /** Alertmanager `dr` label -> DR pair id, for the webhook function (`w<n>`). */
  readonly webhook: [string, string][];
  /** DR pair ids the baselines fail over (two sets: with and without the SQS client imported). */
  readonly baseline: string[];
  readonly barePost: string[];
}

export interface BackendReady {
  readonly type: 'ready';
  readonly urls: {
    readonly dynamodb: string;
    readonly simulator: string;
    readonly sqs: string;
    readonly api: string;
    readonly alarmBaseline: string;
    readonly stateTable: string;
  };
  /** The environment the stack set for the handlers (endpoints, table, credentials, levels...). */
  readonly env: Record<string, string>;
  /** The alert labels routed by dr-relay (r<n>) and known to the alarm baseline (b<n>), and their DR ids. */
  readonly alarmTargets: { readonly drRelay: [string, string][]; readonly baseline: [string, string][] };
  readonly coldTargets: ColdTargets;
  readonly token: string;
}

export interface FailoverCall {
  readonly resourceId: string;
  readonly at: number;
  readonly status: number;
}

export interface MemorySample {
  readonly rss: number;
  readonly heapUsed: number;
}

/** Commands and what each answers. */
export interface Commands {
  seedDcs: { args: { ids: string[] }; result: number };
  latency: { args: { route: string; ms: number }; result: null };
  clearFaults: { args: Record<string, never>; result: null };
  io: { args: Record<string, never>; result: IoCounts };
  failovers: { args: { ids: string[] }; result: FailoverCall[] };
  memory: { args: Record<string, never>; result: MemorySample };
  /** Empties the request queue (delayed messages too): what earlier figures left there. */
  purgeRequests: { args: Record<string, never>; result: null };
  /** Starts (on) or stops the poller driving handlers/requests.ts in the backend; answers once done. */
  poll: { args: { on: boolean }; result: null };
  stop: { args: Record<string, never>; result: null };
}
export type Command = keyof Commands;

export interface Request<C extends Command = Command> {
  readonly id: number;
  readonly cmd: C;
  readonly args: Commands[C]['args'];
}

export type Reply =
  | { readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly id: number; readonly ok: false; readonly error: string };
