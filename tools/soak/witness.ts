/**
 * The simulator's call log as the soak's witness: per (route, resource), how many calls came and how
 * many took effect; the faults injected, by kind. Every soak request has its own (action, target),
 * so "effects at (action, target)" is "times this idempotency key was executed".
 * The log is in completion order; a call that hung is logged when its fault was chosen.
 * Owns: that arithmetic. Must not touch: the invariants (checks.ts).
 */
import type { ActionRequest } from '../../lib/actions/request.ts';
import { resourceOf } from '../local/workload.ts';
import type { CompactCall } from './protocol.ts';

export interface Witness {
  readonly calls: number;
  readonly effectfulCalls: number;
  /** `route resource` -> calls that took effect. */
  readonly effects: ReadonlyMap<string, number>;
  /** `route resource` -> effectful calls that came after the first one that took effect (sent again). */
  readonly callsAfterEffect: ReadonlyMap<string, number>;
  /** Fault label -> effectful calls it was injected into. */
  readonly faults: Readonly<Record<string, number>>;
  /** Fault label -> state reads it was injected into. */
  readonly readFaults: Readonly<Record<string, number>>;
}

const EFFECTFUL = new Set([
  'dws.dr.start',
  'dws.dr.failover',
  'dws.dr.recovery',
  'csbs.restore',
  'dcs.restore',
  'cbr.restore',
]);

export const effectKeyOf = (request: ActionRequest): string => `${request.action} ${resourceOf(request)}`;

export const witnessOf = (calls: readonly CompactCall[]): Witness => {
  const effects = new Map<string, number>();
  const callsAfterEffect = new Map<string, number>();
  const faults: Record<string, number> = {};
  const readFaults: Record<string, number> = {};
  let effectfulCalls = 0;
  for (const [route, resource, effect, fault] of calls) {
    const at = `${route} ${resource}`;
    if (EFFECTFUL.has(route)) {
      effectfulCalls++;
      if (effects.has(at)) callsAfterEffect.set(at, (callsAfterEffect.get(at) ?? 0) + 1);
    }
    if (effect) effects.set(at, (effects.get(at) ?? 0) + 1);
    const into = EFFECTFUL.has(route) ? faults : readFaults;
    if (fault) into[fault] = (into[fault] ?? 0) + 1;
  }
  return { calls: calls.length, effectfulCalls, effects, callsAfterEffect, faults, readFaults };
};

export const effectsOf = (witness: Witness, request: ActionRequest): number =>
  witness.effects.get(effectKeyOf(request)) ?? 0;
