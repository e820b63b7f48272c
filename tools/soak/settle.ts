/**
 * Waiting, with a bound, for the run to come to rest: every key's status record in a wanted state
 * and the request queue empty (visible, in flight and delayed), twice in a row. Reads the state
 * table directly (consistent reads), only the keys not yet at rest.
 * Owns: that wait. Must not touch: what the statuses mean (checks.ts).
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { StatusRecord, StatusStore } from '../../lib/store/status.ts';
import { queueDepth, TERMINAL } from '../local/driver.ts';

export { queueDepth, TERMINAL };

/** Reads many status records, a few at a time. */
export const readStatuses = async (
  store: StatusStore,
  keys: readonly string[],
  into = new Map<string, StatusRecord | undefined>(),
): Promise<Map<string, StatusRecord | undefined>> => {
  for (let i = 0; i < keys.length; i += 25) {
    const slice = keys.slice(i, i + 25);
    const records = await Promise.all(slice.map((key) => store.get(key)));
    for (const [n, key] of slice.entries()) into.set(key, records[n]);
  }
  return into;
};

export interface SettleResult {
  readonly settled: boolean;
  readonly statuses: Map<string, StatusRecord | undefined>;
  readonly queueDepth: number;
  readonly waitedMs: number;
}

export const waitUntilSettled = async (options: {
  readonly store: StatusStore;
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly keys: readonly string[];
  readonly atRest: (status: StatusRecord | undefined) => boolean;
  readonly deadline: number;
  readonly progress: (line: string) => void;
}): Promise<SettleResult> => {
  const started = Date.now();
  const statuses = new Map<string, StatusRecord | undefined>();
  let open = [...options.keys];
  let quiet = 0;
  let depth = Number.NaN;
  let lastNote = 0;
  for (;;) {
    await readStatuses(options.store, open, statuses);
    open = open.filter((key) => !options.atRest(statuses.get(key)));
    depth = await queueDepth(options.sqs, options.queueUrl);
    quiet = open.length === 0 && depth === 0 ? quiet + 1 : 0;
    if (quiet >= 2) return { settled: true, statuses, queueDepth: depth, waitedMs: Date.now() - started };
    if (Date.now() > options.deadline) {
      return { settled: false, statuses, queueDepth: depth, waitedMs: Date.now() - started };
    }
    if (Date.now() - lastNote > 5_000) {
      lastNote = Date.now();
      options.progress(
        `settling: ${open.length} key(s) not at rest, ${depth} message(s) in the request queue`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
};
