/**
 * What a soak run observed, handed from the run (run.ts) to the invariants (checks.ts) and the counts
 * (counts.ts): the plan with each request's key, the answers, status records before and after the
 * redrive, dead letters, the simulator's call log, the worker's kills.
 * Owns: those shapes. Must not touch: computing anything.
 */
import type { ActionRequest } from '../../lib/actions/request.ts';
import type { StatusRecord } from '../../lib/store/status.ts';
import type { SoakOptions } from './options.ts';
import type { PlannedRequest } from './plan.ts';
import type { HeldLetter, RedriveResult } from './redrive.ts';
import type { SendPlan } from './sends.ts';
import type { WorkerStats } from './supervisor.ts';
import type { TrafficResult } from './traffic.ts';
import type { Witness } from './witness.ts';

/** A planned request with the key and request the handlers see (for an alarm: its route's, per episode). */
export interface Keyed {
  readonly planned: PlannedRequest;
  readonly key: string;
  readonly request: ActionRequest;
  readonly route?: string;
}

export interface Observed {
  readonly options: SoakOptions;
  readonly keyed: readonly Keyed[];
  readonly sends: SendPlan;
  readonly traffic: TrafficResult;
  /** Statuses once the traffic settled (before the redrive), and whether it settled in time. */
  readonly before: {
    settled: boolean;
    queueDepth: number;
    statuses: ReadonlyMap<string, StatusRecord | undefined>;
  };
  readonly lettersBefore: readonly HeldLetter[];
  readonly witnessBefore: Witness;
  readonly redrive: RedriveResult;
  readonly after: {
    settled: boolean;
    queueDepth: number;
    statuses: ReadonlyMap<string, StatusRecord | undefined>;
  };
  readonly lettersAfter: readonly HeldLetter[];
  readonly witnessAfter: Witness;
  readonly worker: WorkerStats;
  readonly elapsedMs: number;
  readonly phasesMs: Readonly<Record<string, number>>;
  readonly errors: readonly string[];
}

export interface Invariant {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
  readonly offenders?: readonly string[];
}

/** Counts by name. */
export const tally = (names: Iterable<string>): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const name of names) out[name] = (out[name] ?? 0) + 1;
  return out;
};
