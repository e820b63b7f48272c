/**
 * GaussDB(DWS) disaster recovery: start, failover, recovery of a DR pair.
 * The three share one shape; what differs is the operation and which statuses allow it.
 * DWS statuses during and after failover/recovery are unpublished: any status not listed as
 * allowing the operation is treated as "not safe to act" (preflight skip).
 */
import * as z from '../schema/zod.ts';
import { resourceId } from './ids.ts';
import type {
  ActionDefinition,
  OperationContext,
  OperationObservation,
  Preflight,
  Reconciliation,
} from './types.ts';

const params = z.lazySchema(() => z.strictObject({ disaster_recovery_id: resourceId }));
type Params = z.infer<typeof params>;

const cluster = z.lazySchema(() =>
  z.optional(z.looseObject({ id: z.optional(z.string()), role: z.optional(z.string()) })),
);
const detail = z.lazySchema(() =>
  z.looseObject({
    disaster_recovery: z.looseObject({ id: z.string(), status: z.string(), primary_cluster: cluster }),
  }),
);
const accepted = z.lazySchema(() => z.looseObject({ disaster_recovery: z.looseObject({ id: z.string() }) }));

const fingerprint = (state: unknown): { status: string; primary: string } | undefined => {
  const parsed = detail.safeParse(state);
  if (!parsed.success) return undefined;
  const dr = parsed.data.disaster_recovery;
  return { status: dr.status, primary: dr.primary_cluster?.id ?? '' };
};

/**
 * How a DWS operation ends, read on the DR detail and compared with the snapshot taken before the
 * call (status and primary cluster). A detail still as it was before the call, never seen under way
 * since, means "not started yet": running, not under way. Then:
 * - `start` (documented statuses): starting -> running (completed), or start_failed (failed);
 * - failover and recovery: their statuses during and after are unpublished, so a `*_failed` status or
 *   `abnormal` is failed; a documented stable status (running, stopped, unstart) with the status or
 *   the primary cluster changed since the snapshot is completed; anything else (transitional,
 *   unknown, or back as it was) is still running, and stalls past the time limit.
 */
const STABLE = ['running', 'stopped', 'unstart'];
const judgeDws =
  (operation: 'start' | 'failover' | 'recovery') =>
  (state: unknown, context: OperationContext<Params>): OperationObservation => {
    const now = fingerprint(state);
    if (!now) return { state: 'running', observed: 'the DR detail could not be read' };
    const then = fingerprint(context.before);
    const observed = `DR status ${now.status}`;
    const unchanged = then !== undefined && now.status === then.status && now.primary === then.primary;
    if (unchanged && !context.seenRunning)
      return {
        state: 'running',
        observed: `${observed} (as before the call: not under way yet)`,
        started: false,
      };
    if (now.status.endsWith('_failed') || (operation !== 'start' && now.status === 'abnormal'))
      return { state: 'failed', observed, error: `DR status ${now.status}` };
    if (operation === 'start') {
      return now.status === 'running' ? { state: 'completed', observed } : { state: 'running', observed };
    }
    if (!STABLE.includes(now.status) || unchanged) return { state: 'running', observed };
    const swapped = then !== undefined && now.primary !== then.primary ? ', primary cluster changed' : '';
    return { state: 'completed', observed: `${observed} (was ${then?.status ?? 'unknown'}${swapped})` };
  };

const dwsAction = <O extends 'start' | 'failover' | 'recovery'>(
  operation: O,
  allowedFrom: readonly string[],
  summary: string,
) =>
  ({
    id: `dws.dr.${operation}` as `dws.dr.${O}`,
    service: 'dws',
    summary,
    params,
    target: (r) => `dws:${r.project_id}/${r.params.disaster_recovery_id}`,
    call: (r) => ({
      method: 'POST',
      path: `/v2/${r.project_id}/disaster-recovery/${r.params.disaster_recovery_id}/${operation}`,
    }),
    remote: (body): Record<string, string> => {
      const parsed = accepted.safeParse(body);
      return parsed.success ? { disaster_recovery_id: parsed.data.disaster_recovery.id } : {};
    },
    busyCodes: ['DWS.0011'],
    stateCall: (r) => ({
      method: 'GET',
      path: `/v2/${r.project_id}/disaster-recovery/${r.params.disaster_recovery_id}`,
    }),
    preflight: (state): Preflight => {
      const seen = fingerprint(state);
      if (!seen) return { ok: false, reason: 'the DR detail could not be read (unexpected shape)' };
      return allowedFrom.includes(seen.status)
        ? { ok: true }
        : {
            ok: false,
            reason: `DR status is ${seen.status}; ${operation} is allowed only from ${allowedFrom.join(' | ')}`,
          };
    },
    reconcile: (state, { before, request }): Reconciliation => {
      const now = fingerprint(state);
      const then = fingerprint(before);
      if (!now || !then)
        return { verdict: 'unknown', observed: 'the DR detail could not be read before and after' };
      const observed = `DR status ${then.status} -> ${now.status}, primary ${then.primary || '?'} -> ${now.primary || '?'}`;
      const changed = now.status !== then.status || now.primary !== then.primary;
      return changed
        ? {
            verdict: 'applied',
            observed,
            remote: { disaster_recovery_id: request.params.disaster_recovery_id },
          }
        : { verdict: 'not_applied', observed };
    },
    operation: {
      progressCall: (r) => ({
        method: 'GET',
        path: `/v2/${r.project_id}/disaster-recovery/${r.params.disaster_recovery_id}`,
      }),
      judge: judgeDws(operation),
      timeLimitSeconds: 3600,
    },
  }) satisfies ActionDefinition<Params>;

export const dwsStart = dwsAction(
  'start',
  ['unstart', 'start_failed', 'stopped'],
  'Start DR replication of a DWS DR pair',
);
export const dwsFailover = dwsAction(
  'failover',
  ['running', 'abnormal'],
  'Fail a DWS DR pair over to its standby cluster (unreplicated data is lost)',
);
export const dwsRecovery = dwsAction(
  'recovery',
  ['stopped'],
  'Rebuild DR replication after a failover (wipes the DR cluster data)',
);
