/**
 * An alarm resolved while the request it proposed awaits approval: the resolution is noted on that
 * request (`approval.resolved_at`), which is not cancelled: the approver decides, seeing it. Both
 * alarm paths note it (the webhook's hand-off, the alarms function's pipeline).
 *   same episode (Alertmanager, Grafana: fingerprint + startsAt)   -> found under the signal's key
 *   a new episode (CloudWatch, Cloud Eye: the OK is a new state)   -> found as the holder of the
 *     route's target (a pending request holds it for its wait), if it is the same route and alarm
 * Owns: that rule. Must not touch: the decision, queues, execution.
 */
import { actionFor } from '../actions/catalogue.ts';
import { parseActionRequest } from '../actions/request.ts';
import type { Log } from '../log.ts';
import type { Route } from '../routing/schema.ts';
import type { AlarmSignal } from '../sources/types.ts';
import type { StatusStore } from '../store/status.ts';

export interface ResolutionDeps {
  readonly store: Pick<StatusStore, 'get' | 'noteApproval'>;
  /** Who holds a target now (the cooldown store); without it only the signal's own key is looked at. */
  readonly holderOf?: (target: string) => Promise<string | undefined>;
  readonly log: Log;
}

/** The target a route acts on (its params are the route's own, whatever the signal). */
const targetOf = (route: Route): string =>
  actionFor(route.action).target(
    parseActionRequest({
      action: route.action,
      region: route.region,
      project_id: route.project_id,
      params: route.params,
    }),
  );

/** How a proposal names its alarm (lib/intake/queueRecord.ts): `<source> <name> (<state>)`. */
const proposedBy = (alarm: AlarmSignal, named: string | undefined): boolean =>
  named?.startsWith(`${alarm.source} ${alarm.name} (`) === true;

/** The request the resolution was noted on, or undefined (not a resolution, or nothing pending). */
export const noteResolution = async (
  deps: ResolutionDeps,
  alarm: AlarmSignal,
  route: Route,
  key: string,
): Promise<string | undefined> => {
  if (alarm.state !== 'ok' || !route.approval) return undefined;
  /** Notes the resolution on `candidate` if it is this route's request awaiting approval (and, unless
   * it is the signal's own episode, proposed by this alarm). */
  const noteOn = async (candidate: string): Promise<string | undefined> => {
    const record = await deps.store.get(candidate);
    const approval = record?.status === 'awaiting_approval' ? record.approval : undefined;
    if (!approval || approval.resolved_at || approval.route !== route.name) return undefined;
    if (candidate !== key && !proposedBy(alarm, approval.alarm)) return undefined;
    await deps.store.noteApproval(candidate, { resolved_at: alarm.occurred_at });
    deps.log.info('alarm resolved while its request awaits approval', {
      request_id: candidate,
      resolved_at: alarm.occurred_at,
    });
    return candidate;
  };
  // The signal's own episode first (one read for Alertmanager and Grafana); then the target's holder.
  const own = await noteOn(key);
  if (own || !deps.holderOf) return own;
  const holder = await deps.holderOf(targetOf(route));
  return holder && holder !== key ? noteOn(holder) : undefined;
};
