/**
 * For an alarm decision that acts: the exact call that WOULD be made (method, URL from
 * endpointFor honouring DR_ENDPOINT_*, JSON body from the catalogue's `call()`), its target, and
 * what still happens at run time (the approval a route asks for, idempotency, cooldown, preflight,
 * DR_AUTOMATION). Nothing is sent.
 * Owns: that description. Must not touch: signing, the network, the executor's policy itself.
 */
import { actionFor } from '../lib/actions/catalogue.ts';
import type { ActionRequest } from '../lib/actions/request.ts';
import type { RemoteCall } from '../lib/actions/types.ts';
import { type ActionSettings, DEFAULT_ACTION_SETTINGS } from '../lib/actions/types.ts';
import { type EndpointOverrides, endpointFor, endpointOverridesFrom } from '../lib/huawei/endpoints.ts';
import type { Route } from '../lib/routing/routes.ts';
import type { Approval } from '../lib/routing/schema.ts';
import { type CliIo, envValue } from './io.ts';

export interface PlannedCall {
  readonly method: RemoteCall['method'];
  readonly url: string;
  /** Absent when the call has no body. */
  readonly body?: unknown;
}

export interface Plan {
  /** The route asks a person first: nothing is called until it is decided. */
  readonly approval?: Approval;
  readonly target: string;
  readonly call: PlannedCall;
  /** The state read before the call, when the action has a preflight. */
  readonly preflight?: PlannedCall;
  readonly at_run_time: string[];
}

/** DR_ENDPOINT_DWS / _CSBS / _DCS / _CBR (one per catalogue service), as the functions read them. */
export const overridesFrom = (io: CliIo): EndpointOverrides =>
  endpointOverridesFrom((variable) => envValue(io, variable));

/** The deployment settings the calls depend on, as the functions read them (DR_DCS_API_VERSION). */
export const settingsFrom = (io: CliIo): ActionSettings => ({
  dcsApiVersion:
    envValue(io, 'DR_DCS_API_VERSION') === 'v1.0' ? 'v1.0' : DEFAULT_ACTION_SETTINGS.dcsApiVersion,
});

const AUTOMATION: Readonly<Record<string, string>> = {
  on: 'the call is sent',
  'dry-run': 'the call is signed and logged but NOT sent; recorded skipped',
  off: 'refused: nothing is sent, recorded skipped',
};

const automationNote = (io: CliIo): string => {
  const given = envValue(io, 'DR_AUTOMATION');
  const mode = given ?? 'on';
  const what = AUTOMATION[mode] ?? 'not on | dry-run | off: the configuration is refused at cold start';
  return `DR_AUTOMATION=${mode}${given === undefined ? ' (default)' : ''}: ${what}`;
};

/** What a route that asks a person first does before anything is called. */
export const approvalNote = (approval: Approval): string =>
  `approval: nothing is called until it is decided: the request waits as awaiting_approval for ` +
  `dr-relay approve | deny (by ${approval.approvers ? approval.approvers.join(', ') : 'anyone who can sign a request'}) ` +
  `for at most ${approval.timeout_seconds} s, then ${
    approval.on_timeout === 'proceed'
      ? 'proceed: it runs as approved by timeout'
      : 'cancel: it ends skipped and the target is free again'
  }; the approvers are told what would be called; the checks below run when it is approved`;

/** What `route` would do with `request` (validated, with its episode request_id). */
export const planFor = (route: Route, request: ActionRequest, key: string, io: CliIo): Plan => {
  const action = actionFor(request.action);
  const base = endpointFor(action.service, request.region, overridesFrom(io));
  const settings = settingsFrom(io);
  const remote = action.call(request, settings);
  const call = {
    method: remote.method,
    url: `${base}${remote.path}`,
    ...(remote.body === undefined ? {} : { body: remote.body }),
  };
  const target = action.target(request);
  const state = action.preflight ? action.stateCall(request, settings) : undefined;
  const preflight = state ? { method: state.method, url: `${base}${state.path}` } : undefined;
  const operation = request.action.split('.').at(-1);
  const notes = [
    ...(route.approval ? [approvalNote(route.approval)] : []),
    `idempotency: key ${key}; redeliveries, re-notifications and HA peers of this episode share it: at most one call`,
    route.cooldown_seconds > 0
      ? `cooldown: skipped if ${target} was acted on in the last ${route.cooldown_seconds} s (by any route)`
      : 'cooldown: none (cooldown_seconds: 0)',
    preflight
      ? `preflight: ${preflight.method} ${preflight.url} first; the call is made only if the state allows it` +
        (action.service === 'dws' ? ` (DWS: the DR status must allow ${operation})` : '') +
        ', otherwise skipped with the status seen'
      : `preflight: none for ${request.action}`,
    automationNote(io),
  ];
  return {
    ...(route.approval ? { approval: route.approval } : {}),
    target,
    call,
    ...(preflight ? { preflight } : {}),
    at_run_time: notes,
  };
};
