/**
 * The call log: one entry per HTTP call (authorized or not, faulted or not), in completion order,
 * numbered from 1. Owns: sequence numbers and the live, append-only array tests read.
 */
import type { CallLogEntry } from './types.ts';

export interface CallLog {
  readonly entries: readonly CallLogEntry[];
  append(entry: Omit<CallLogEntry, 'seq'>): CallLogEntry;
}

export const createCallLog = (): CallLog => {
  const entries: CallLogEntry[] = [];
  return {
    entries,
    append(entry) {
      const complete: CallLogEntry = { seq: entries.length + 1, ...entry };
      entries.push(complete);
      return complete;
    },
  };
};
