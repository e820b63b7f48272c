/**
 * `dr-relay status <id> --wait`: follows a request until the operation its accepted call started
 * ends, reading its status every `--interval` (2 s) for at most `--timeout` (30 min). On a terminal
 * a live line shows where it stands; otherwise nothing is printed until the end. The end decides
 * the exit code: 0 completed; 1 failed (or dead-lettered: the call was never accepted); 3 stalled,
 * skipped (nothing was done) or timed out.
 * Owns: the wait loop, its durations and its verdict. Must not touch: how a status is read or shown
 * (status.ts), the operation's judgement (lib/operations).
 */

import { type CliIo, EXIT, UsageError } from './io.ts';
import type { RequestStatusView } from './status.ts';

/** How a wait ended. */
export type WaitOutcome = 'completed' | 'failed' | 'stalled' | 'dead_lettered' | 'skipped' | 'timed_out';

export const WAIT_EXIT: Readonly<Record<WaitOutcome, number>> = {
  completed: EXIT.ok,
  failed: EXIT.invalid,
  dead_lettered: EXIT.invalid,
  stalled: EXIT.nothing,
  skipped: EXIT.nothing,
  timed_out: EXIT.nothing,
};

export const DEFAULT_WAIT_TIMEOUT = '30m';
export const DEFAULT_WAIT_INTERVAL = '2s';
/** Consecutive failed reads tolerated while waiting (a blip), before giving up. */
export const WAIT_READ_FAILURES = 5;
/** How long a request not known yet (sent to the queue, not picked up) is waited for. */
export const UNKNOWN_GRACE_MS = 30_000;

const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `30m`, `90s`, `1h`, `500ms`, `1.5h`, or a bare number of seconds -> milliseconds; undefined if not one. */
export const parseDuration = (text: string): number | undefined => {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) return undefined;
  const ms = Number(match[1]) * (UNITS[match[2] ?? 's'] ?? 1000);
  return Number.isFinite(ms) && ms > 0 ? Math.round(ms) : undefined;
};

/** `12s`, `4m05s`, `1h02m` (whole seconds, rounded down). */
export const durationText = (ms: number): string => {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
};

/** The `--timeout` and `--interval` of a wait, in milliseconds; UsageError when one is not a duration. */
export const waitSettings = (values: {
  timeout?: string | undefined;
  interval?: string | undefined;
}): { timeoutMs: number; intervalMs: number } => {
  const read = (flag: string, text: string, min: string): number => {
    const ms = parseDuration(text);
    if (ms === undefined || ms < (parseDuration(min) ?? 0))
      throw new UsageError(
        `--${flag} must be a duration such as 30m, 90s or 1h (at least ${min}), not ${JSON.stringify(text)}`,
      );
    return ms;
  };
  return {
    timeoutMs: read('timeout', values.timeout ?? DEFAULT_WAIT_TIMEOUT, '1s'),
    intervalMs: read('interval', values.interval ?? DEFAULT_WAIT_INTERVAL, '50ms'),
  };
};

/** The end a view shows, or undefined while there is more to wait for. */
export const endOf = (view: RequestStatusView): Exclude<WaitOutcome, 'timed_out'> | undefined => {
  const state = view.operation?.state;
  if (state === 'completed' || state === 'failed' || state === 'stalled') return state;
  if (state === undefined && view.status === 'dead_lettered') return 'dead_lettered';
  if (state === undefined && view.status === 'skipped') return 'skipped';
  return undefined;
};

/** The live line: `dcs.restore: running for 12s, 45.00%: restore record is restoring (timeout in 29m48s)`. */
export const liveLine = (view: RequestStatusView, now: number, remainingMs: number): string => {
  const { operation } = view;
  const what = view.action ?? view.request_id;
  const where = operation
    ? `${operation.state} for ${durationText(now - Date.parse(operation.started_at))}${
        operation.progress ? `, ${progressText(operation.progress)}` : ''
      }: ${operation.observed}`
    : view.status === 'succeeded'
      ? 'accepted; following the operation'
      : `${view.status}${view.attempts ? ` (attempt ${view.attempts})` : ''}`;
  return `${what}: ${where} (timeout in ${durationText(remainingMs)})`;
};

/** `45.00` -> `45.00%`; anything else as the provider gave it. */
export const progressText = (progress: string): string =>
  /^\d+(?:\.\d+)?$/.test(progress) ? `${progress}%` : progress;

/** One read of the request while waiting. */
export type WaitRead =
  | { readonly view: RequestStatusView }
  | { readonly unknown: string }
  | { readonly failed: string[] };

export interface WaitResult {
  readonly outcome: WaitOutcome;
  /** The last view read. */
  readonly view: RequestStatusView;
  readonly waitedMs: number;
}

/**
 * Reads until the request's end (or the timeout), drawing the live line on a terminal. `first` is
 * the read already made. A read that fails, or a request not known yet, is tolerated for a while
 * (WAIT_READ_FAILURES, UNKNOWN_GRACE_MS); past that the last read is returned as it is.
 */
export const follow = async (
  io: CliIo,
  first: WaitRead,
  read: () => Promise<WaitRead>,
  settings: { timeoutMs: number; intervalMs: number },
  clock: { now: () => number; sleep: (ms: number) => Promise<void> } = {
    now: Date.now,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  },
): Promise<WaitResult | Exclude<WaitRead, { view: RequestStatusView }>> => {
  const started = clock.now();
  const deadline = started + settings.timeoutMs;
  const live = io.stdoutIsTty ? io.live : undefined;
  let next: WaitRead | { readonly thrown: unknown } = first;
  let view: RequestStatusView | undefined;
  /** The latest read when it was not a view: returned (or thrown) when the wait gives up. */
  let miss: Exclude<WaitRead, { view: RequestStatusView }> | { readonly thrown: unknown } | undefined;
  let failures = 0;
  const giveUp = (last: NonNullable<typeof miss>) => {
    if ('thrown' in last) throw last.thrown;
    return last;
  };
  try {
    for (;;) {
      const now = clock.now();
      if ('view' in next) {
        view = next.view;
        miss = undefined;
        failures = 0;
        const end = endOf(view);
        if (end) return { outcome: end, view, waitedMs: now - started };
      } else {
        miss = next;
        // Not known yet (queued, not picked up) gets a short grace; a known request that vanished none.
        const unknownTooLong =
          'unknown' in next &&
          (view !== undefined || now - started >= Math.min(UNKNOWN_GRACE_MS, settings.timeoutMs));
        if (unknownTooLong || (!('unknown' in next) && ++failures >= WAIT_READ_FAILURES)) return giveUp(next);
      }
      if (now >= deadline) {
        if (view) return { outcome: 'timed_out', view, waitedMs: now - started };
        if (miss) return giveUp(miss);
      }
      live?.(
        view
          ? liveLine(view, now, deadline - now)
          : `waiting for the request to be known (timeout in ${durationText(deadline - now)})`,
      );
      await clock.sleep(Math.max(0, Math.min(settings.intervalMs, deadline - now)));
      try {
        next = await read();
      } catch (error) {
        next = { thrown: error };
      }
    }
  } finally {
    live?.('');
  }
};

/** What a wait's end says on stderr, beyond the view (undefined for a completed operation). */
export const endNote = (result: WaitResult, requestId: string): string | undefined => {
  switch (result.outcome) {
    case 'completed':
      return undefined;
    case 'failed':
      return 'dr-relay: the operation failed; runbook: docs/operations.md#a-failed-operation';
    case 'stalled':
      return `dr-relay: the operation stalled (past its time limit, still checked); runbook: docs/operations.md#a-stalled-operation`;
    case 'dead_lettered':
      return `dr-relay: the request was dead-lettered: its call was never accepted (dr-relay dlq show ${requestId})`;
    case 'skipped':
      return 'dr-relay: the request was skipped: nothing was done, so there is no operation to follow';
    case 'timed_out':
      return `dr-relay: timed out after ${durationText(result.waitedMs)}; the operation may still end (dr-relay status ${requestId} --wait)`;
  }
};
