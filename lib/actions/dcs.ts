/**
 * DCS (Distributed Cache Service, Redis): restore an instance from a backup.
 * Restore records (`GET .../restores`) name the backup and their creation time: the most
 * reliable state of the five actions, so reconciliation here can always decide.
 */
import * as z from 'zod';
import { resourceId } from './ids.ts';
import type { ActionDefinition, Reconciliation } from './types.ts';

const params = z.strictObject({
  instance_id: resourceId,
  backup_id: resourceId,
  remark: z.string().max(128).optional(),
});
type Params = z.infer<typeof params>;

const accepted = z.looseObject({ restore_id: z.string() });
const records = z.looseObject({
  restore_record_response: z.array(
    z.looseObject({
      restore_id: z.string(),
      backup_id: z.string(),
      status: z.string(),
      created_at: z.string(),
    }),
  ),
});
/** Server clocks differ: a record created up to this long before our call still counts as ours. */
const CLOCK_SLACK_MS = 60_000;

export const dcsRestore = {
  id: 'dcs.restore' as const,
  service: 'dcs',
  summary: 'Restore a DCS Redis instance (master/standby or cluster) from a backup',
  params,
  target: (r) => `dcs:${r.project_id}/${r.params.instance_id}`,
  call: (r) => ({
    method: 'POST',
    path: `/v1.0/${r.project_id}/instances/${r.params.instance_id}/restores`,
    body: {
      backup_id: r.params.backup_id,
      ...(r.params.remark === undefined ? {} : { remark: r.params.remark }),
    },
  }),
  remote: (body): Record<string, string> => {
    const parsed = accepted.safeParse(body);
    return parsed.success ? { restore_id: parsed.data.restore_id } : {};
  },
  busyCodes: ['DCS.4113'],
  stateCall: (r) => ({
    method: 'GET',
    path: `/v1.0/${r.project_id}/instances/${r.params.instance_id}/restores?start=1&limit=10`,
  }),
  reconcile: (state, { request, sentAt }): Reconciliation => {
    const parsed = records.safeParse(state);
    if (!parsed.success) return { verdict: 'unknown', observed: 'the restore records could not be read' };
    const since = Date.parse(sentAt) - CLOCK_SLACK_MS;
    const wanted = request.params.backup_id.toLowerCase();
    const mine = parsed.data.restore_record_response.filter((r) => r.backup_id.toLowerCase() === wanted);
    const ours = mine.find((r) => Date.parse(r.created_at) >= since);
    if (!ours && mine.some((r) => Number.isNaN(Date.parse(r.created_at))))
      return {
        verdict: 'unknown',
        observed: `a restore record of backup ${request.params.backup_id} has an unreadable created_at`,
      };
    return ours
      ? {
          verdict: 'applied',
          observed: `restore ${ours.restore_id} is ${ours.status}`,
          remote: { restore_id: ours.restore_id },
        }
      : {
          verdict: 'not_applied',
          observed: `no restore of backup ${request.params.backup_id} since ${sentAt}`,
        };
  },
} satisfies ActionDefinition<Params>;
