/**
 * CSBS (Cloud Server Backup Service): restore a server from a checkpoint.
 * Every field of `parameters` is Mandatory in the API reference (restore_param / restore_target
 * tables): checkpoint_item_id, power_on, targets.server_id, targets.volumes[].backup_id/volume_id.
 * CSBS has no GET for a restore: its progress is read on the checkpoint item
 * (waiting_restore -> restoring -> available | error).
 */
import * as z from '../schema/zod.ts';
import { resourceId } from './ids.ts';
import type { ActionDefinition, OperationContext, OperationObservation, Reconciliation } from './types.ts';

export const CSBS_PROVIDER_ID = 'fc4d5750-22e7-4798-8a46-f48f62c4c1da';

const params = z.lazySchema(() =>
  z.strictObject({
    checkpoint_id: resourceId,
    parameters: z.strictObject({
      checkpoint_item_id: resourceId,
      power_on: z.boolean(),
      targets: z.strictObject({
        server_id: resourceId,
        volumes: z
          .array(z.strictObject({ backup_id: resourceId, volume_id: resourceId }))
          .check(z.minLength(1), z.maxLength(64)),
      }),
    }),
    restore_target: z.optional(z.string().check(z.minLength(1), z.maxLength(255))),
  }),
);
type Params = z.infer<typeof params>;

const item = z.lazySchema(() =>
  z.looseObject({ checkpoint_item: z.looseObject({ id: z.string(), status: z.string() }) }),
);
const accepted = z.lazySchema(() => z.looseObject({ restore: z.looseObject({ id: z.string() }) }));
const UNDER_WAY = ['waiting_restore', 'restoring'];

/**
 * How a CSBS restore ends, read on its checkpoint item: waiting_restore / restoring -> available
 * (done) or error. CSBS has no GET for a restore, so `available` is ambiguous before the item was
 * seen under way: "not started yet" for the first STARTING_GRACE_SECONDS, then completed (a restore
 * that finished between two checks), said so in what was observed.
 */
const STARTING_GRACE_SECONDS = 30;
const judgeCsbs = (state: unknown, context: OperationContext<Params>): OperationObservation => {
  const parsed = item.safeParse(state);
  if (!parsed.success) return { state: 'running', observed: 'the checkpoint item could not be read' };
  const status = parsed.data.checkpoint_item.status;
  const observed = `checkpoint item is ${status}`;
  if (UNDER_WAY.includes(status)) return { state: 'running', observed };
  if (status === 'error') return { state: 'failed', observed, error: 'checkpoint item status error' };
  if (status === 'available' && context.seenRunning) return { state: 'completed', observed };
  if (status === 'available' && (context.elapsedSeconds ?? 0) >= STARTING_GRACE_SECONDS)
    return {
      state: 'completed',
      observed: `${observed} (never seen restoring: it ended between two checks)`,
    };
  return { state: 'running', observed: `${observed} (restore not seen under way yet)`, started: false };
};

export const csbsRestore = {
  id: 'csbs.restore' as const,
  service: 'csbs',
  summary: 'Restore a server (or some of its volumes) from a CSBS checkpoint',
  params,
  target: (r) => `csbs:${r.project_id}/${r.params.parameters.targets.server_id}`,
  call: (r) => ({
    method: 'POST',
    path: `/v1/${r.project_id}/restores`,
    body: {
      restore: {
        provider_id: CSBS_PROVIDER_ID,
        checkpoint_id: r.params.checkpoint_id,
        parameters: r.params.parameters,
        ...(r.params.restore_target === undefined ? {} : { restore_target: r.params.restore_target }),
      },
    },
  }),
  remote: (body): Record<string, string> => {
    const parsed = accepted.safeParse(body);
    return parsed.success ? { restore_id: parsed.data.restore.id } : {};
  },
  /**
   * Busy or wrong-state answers (all 400): CSBS.6015 the server is restoring; CSBS.2003 the item is
   * executing (backing up, restoring, deleting); CSBS.2004 and CSBS.4000 the item is not available.
   */
  busyCodes: ['CSBS.6015', 'CSBS.2003', 'CSBS.2004', 'CSBS.4000'],
  stateCall: (r) => ({
    method: 'GET',
    path: `/v1/${r.project_id}/checkpoint_items/${r.params.parameters.checkpoint_item_id}`,
  }),
  reconcile: (state): Reconciliation => {
    const parsed = item.safeParse(state);
    if (!parsed.success) return { verdict: 'unknown', observed: 'the checkpoint item could not be read' };
    const status = parsed.data.checkpoint_item.status;
    return UNDER_WAY.includes(status)
      ? { verdict: 'applied', observed: `checkpoint item is ${status}` }
      : // 'available' is either "never started" or "already finished": CSBS gives no way to tell.
        {
          verdict: 'unknown',
          observed: `checkpoint item is ${status}: CSBS cannot tell whether this restore ran`,
        };
  },
  operation: {
    progressCall: (r) => ({
      method: 'GET',
      path: `/v1/${r.project_id}/checkpoint_items/${r.params.parameters.checkpoint_item_id}`,
    }),
    judge: judgeCsbs,
    timeLimitSeconds: 4 * 3600,
  },
} satisfies ActionDefinition<Params>;
