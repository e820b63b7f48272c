/**
 * Every delivery of the soak, in the order it goes out: queue messages, signed API posts (some with
 * an Idempotency-Key) and alarm deliveries, shuffled together. Some duplicates are kept side by side
 * (a burst: they go out at the same moment and race), and queue+api requests are the same
 * ActionRequest, same idempotency key, through both entry paths.
 * Owns: that list. Must not touch: sending (traffic.ts).
 */
import { idempotencyKey } from '../../lib/actions/request.ts';
import type { AlarmDelivery, AlarmSide } from './alarms.ts';
import type { PlannedRequest, Random } from './plan.ts';

export type Send =
  | { readonly kind: 'queue'; readonly body: string; readonly requests: readonly number[] }
  | {
      readonly kind: 'api';
      readonly body: string;
      readonly idempotencyKey?: string;
      /** The request_id the 202 must name: the request's idempotency key. */
      readonly key: string;
      readonly requests: readonly number[];
    }
  | ({ readonly kind: 'alarm' } & AlarmDelivery);

export interface SendPlan {
  readonly sends: readonly Send[];
  /** Duplicates sent in a burst (at the same moment as another delivery of the same request). */
  readonly burstDuplicates: number;
}

const shuffleWith = <T>(items: readonly T[], random: Random): T[] => {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
};

const deliveriesOf = (run: string, planned: PlannedRequest, random: Random): Send[] => {
  const body = JSON.stringify(planned.request);
  const viaQueue = (): Send => ({ kind: 'queue', body, requests: [planned.index] });
  // A third of the API requests carry an Idempotency-Key (the same on every delivery, as a client retries).
  const key = planned.index % 3 === 0 ? `"${run}-${planned.index}"` : undefined;
  const viaApi = (): Send => ({
    kind: 'api',
    body,
    ...(key ? { idempotencyKey: key } : {}),
    key: idempotencyKey(planned.request),
    requests: [planned.index],
  });
  switch (planned.path) {
    case 'queue':
      return Array.from({ length: planned.deliveries }, viaQueue);
    case 'api':
      return Array.from({ length: planned.deliveries }, viaApi);
    case 'queue+api':
      return Array.from({ length: planned.deliveries }, (_, n) =>
        n === 0 ? viaQueue() : n === 1 ? viaApi() : random() < 0.5 ? viaQueue() : viaApi(),
      );
    case 'alarm':
      return [];
  }
};

/** The deliveries of every request, shuffled, with about a third of the duplicated ones in bursts. */
export const buildSends = (
  run: string,
  requests: readonly PlannedRequest[],
  alarms: AlarmSide,
  random: Random,
): SendPlan => {
  const groups: Send[][] = [
    ...requests.map((r) => deliveriesOf(run, r, random)),
    ...alarms.episodes.map((deliveries) => deliveries.map((d): Send => ({ kind: 'alarm', ...d }))),
  ].filter((g) => g.length > 0);
  const units: Send[][] = [];
  let burstDuplicates = 0;
  for (const group of groups) {
    if (group.length > 1 && random() < 0.35) {
      units.push(group);
      burstDuplicates += group.length - 1;
    } else {
      units.push(...group.map((send) => [send]));
    }
  }
  return { sends: shuffleWith(units, random).flat(), burstDuplicates };
};
