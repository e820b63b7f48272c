/**
 * The faults the simulator injects during the soak's traffic: about 30% of the effectful calls fail,
 * evenly over 429, 500, 503, a time-out or a connection reset before the effect, and a time-out or a
 * reset after it (the call took effect, no answer came back); about 4% of the state reads fail too.
 * The simulator tries the rules in order, each with its own roll, so each rate is scaled to give its
 * share of all calls. Owns: the rule list. Must not touch: how the simulator applies it.
 */
import type { RouteId } from '../simulator/index.ts';
import type { FaultData } from './protocol.ts';

const EFFECTFUL: RouteId[] = [
  'dws.dr.start',
  'dws.dr.failover',
  'dws.dr.recovery',
  'csbs.restore',
  'dcs.restore',
  'cbr.restore',
];
const READS: RouteId[] = [
  'dws.dr.show',
  'csbs.checkpoint_item.show',
  'dcs.restores.list',
  'dcs.instance.show',
  'cbr.backup.show',
  'cbr.operation_logs.list',
  'cbr.operation_log.show',
];

/** Rates for rules tried in order so that each one takes `share` of all calls. */
const inOrder = (rules: Omit<FaultData, 'rate'>[], share: number): FaultData[] =>
  rules.map((rule, i) => ({ ...rule, rate: share / (1 - i * share) }));

export const soakFaults = (effectfulShare = 0.3, readShare = 0.04): FaultData[] => [
  ...inOrder(
    [
      { route: EFFECTFUL, kind: 'status', status: 429 },
      { route: EFFECTFUL, kind: 'status', status: 500 },
      { route: EFFECTFUL, kind: 'status', status: 503 },
      { route: EFFECTFUL, kind: 'timeout', when: 'before' },
      { route: EFFECTFUL, kind: 'reset', when: 'before' },
      { route: EFFECTFUL, kind: 'timeout', when: 'after' },
      { route: EFFECTFUL, kind: 'reset', when: 'after' },
    ],
    effectfulShare / 7,
  ),
  ...inOrder(
    [
      { route: READS, kind: 'status', status: 503 },
      { route: READS, kind: 'reset', when: 'before' },
    ],
    readShare / 2,
  ),
];

/** Call-log fault labels, as the report names them. */
export const FAULT_NAMES: Readonly<Record<string, string>> = {
  'status:429:before': '429',
  'status:500:before': '500',
  'status:503:before': '503',
  'timeout:before': 'timeout before',
  'reset:before': 'reset before',
  'timeout:after': 'timeout after',
  'reset:after': 'reset after',
};
