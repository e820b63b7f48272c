/**
 * DCS (Distributed Cache Service, Redis): restore an instance from a backup.
 * API v2 by default (`/v2/{project_id}/instances/{id}/restores`, current SDKs and Terraform); the
 * outdated v1.0 path (same body and answer) by configuration (DR_DCS_API_VERSION=v1.0).
 * Restore records (`GET .../restores`) name the backup and their creation time: the most reliable
 * state of the actions, so reconciliation here can always decide. Their order is not documented,
 * so every page is read (v2: `offset` 0-based; v1.0: `start` 1-based, read as a record position,
 * unverified), and no records at all is a 204 with no body (read by the client as `{}`).
 * Busy codes come in both forms: v2 `DCS.4097`, v1.0 (and some v2 answers) `111400097`.
 */
import * as z from '../schema/zod.ts';
import { resourceId } from './ids.ts';
import type {
  ActionDefinition,
  ActionSettings,
  OperationContext,
  OperationObservation,
  Reconciliation,
  RemoteCall,
} from './types.ts';

const params = z.lazySchema(() =>
  z.strictObject({
    instance_id: resourceId,
    backup_id: resourceId,
    remark: z.optional(z.string().check(z.maxLength(128))),
  }),
);
type Params = z.infer<typeof params>;

const accepted = z.lazySchema(() => z.looseObject({ restore_id: z.string() }));
const record = z.lazySchema(() =>
  z.looseObject({
    restore_id: z.string(),
    backup_id: z.string(),
    status: z.string(),
    created_at: z.string(),
  }),
);
const page = z.lazySchema(() =>
  z.looseObject({ restore_record_response: z.array(record), total_num: z.optional(z.number()) }),
);
/** A 204 (no records) arrives as an empty body: the client reads it as `{}`. */
const noRecords = z.lazySchema(() => z.strictObject({}));
const records = z.lazySchema(() =>
  z.union([
    page,
    z.pipe(
      noRecords,
      z.transform(() => ({ restore_record_response: [] })),
    ),
  ]),
);
/** Server clocks differ: a record created up to this long before our call still counts as ours. */
const CLOCK_SLACK_MS = 60_000;
/** The largest page DCS v2 serves (`limit` 1-1000). */
export const DCS_PAGE_SIZE = 1000;
/** At most this many pages are read (100,000 records): more means something is wrong. */
const MAX_PAGES = 100;

/**
 * Busy or wrong-state answers (DCS API reference, error-code appendix; Terraform provider
 * services/dcs/common.go): our restore did not start, the instance is doing something else.
 *   DCS.4097 a restore is already running   DCS.4096 a backup is running   DCS.4017 a job is running
 *   DCS.4026 the state does not allow it     DCS.4049 the instance is not running
 *   DCS.4113 the instance is being extended (scaled)
 * v1.0 numeric twins: 111 + HTTP status + the same suffix (DCS.4049 has none listed).
 */
export const DCS_BUSY_CODES = [
  'DCS.4097',
  'DCS.4096',
  'DCS.4017',
  'DCS.4026',
  'DCS.4049',
  'DCS.4113',
  '111400097',
  '111400096',
  '111400017',
  '111400026',
  '111400113',
] as const;

const recordsPath = (projectId: string, instanceId: string, settings: ActionSettings, position: number) =>
  settings.dcsApiVersion === 'v1.0'
    ? `/v1.0/${projectId}/instances/${instanceId}/restores?start=${position + 1}&limit=${DCS_PAGE_SIZE}`
    : `/v2/${projectId}/instances/${instanceId}/restores?offset=${position}&limit=${DCS_PAGE_SIZE}`;

/** The record position a records call starts at (0-based), read back from its query. */
const positionOf = (call: RemoteCall): number => {
  const query = new URLSearchParams(call.path.split('?')[1] ?? '');
  const offset = query.get('offset');
  return offset !== null ? Number(offset) : Number(query.get('start') ?? '1') - 1;
};

/**
 * How a DCS restore ends: its record (by our restore_id) goes waiting / restoring -> succeed or
 * failed (with `error_code`); `progress` is DCS's own figure. Not listed yet: still running.
 */
const judgeDcs = (state: unknown, context: OperationContext<Params>): OperationObservation => {
  const parsed = records.safeParse(state);
  if (!parsed.success) return { state: 'running', observed: 'the restore records could not be read' };
  const id = context.remote['restore_id'];
  const mine = parsed.data.restore_record_response.find((r) => r.restore_id === id);
  if (!mine) return { state: 'running', observed: `restore ${id ?? '(no id)'} is not listed yet` };
  const progress = typeof mine['progress'] === 'string' ? { progress: mine['progress'] } : {};
  const observed = `restore ${mine.restore_id} is ${mine.status}`;
  if (mine.status === 'succeed') return { state: 'completed', observed, ...progress };
  if (mine.status === 'failed') {
    const code = typeof mine['error_code'] === 'string' ? mine['error_code'] : 'no error_code';
    return { state: 'failed', observed, error: `DCS restore failed: ${code}`, ...progress };
  }
  return { state: 'running', observed, ...progress };
};

export const dcsRestore = {
  id: 'dcs.restore' as const,
  service: 'dcs',
  summary: 'Restore a DCS Redis instance (master/standby or cluster) from a backup',
  params,
  target: (r) => `dcs:${r.project_id}/${r.params.instance_id}`,
  call: (r, settings) => ({
    method: 'POST',
    path: `/${settings.dcsApiVersion}/${r.project_id}/instances/${r.params.instance_id}/restores`,
    body: {
      backup_id: r.params.backup_id,
      ...(r.params.remark === undefined ? {} : { remark: r.params.remark }),
    },
  }),
  remote: (body): Record<string, string> => {
    const parsed = accepted.safeParse(body);
    return parsed.success ? { restore_id: parsed.data.restore_id } : {};
  },
  busyCodes: DCS_BUSY_CODES,
  stateCall: (r, settings) => ({
    method: 'GET',
    path: recordsPath(r.project_id, r.params.instance_id, settings, 0),
  }),
  statePaging: {
    next: (previous, body) => {
      const parsed = page.safeParse(body);
      if (!parsed.success) return undefined;
      const read = parsed.data.restore_record_response.length;
      const position = positionOf(previous);
      const total = parsed.data.total_num;
      // Without total_num, a full page may have more after it; a short page is the last.
      const more = total === undefined ? read === DCS_PAGE_SIZE : position + read < total;
      if (!more || read === 0 || position / DCS_PAGE_SIZE + 1 >= MAX_PAGES) return undefined;
      const [path = '', query = ''] = previous.path.split('?');
      const next = new URLSearchParams(query);
      if (next.has('offset')) next.set('offset', String(position + read));
      else next.set('start', String(position + read + 1));
      return { method: 'GET', path: `${path}?${next.toString()}` };
    },
    combine: (bodies) => {
      const all: unknown[] = [];
      for (const body of bodies) {
        const parsed = records.safeParse(body);
        if (!parsed.success) return body; // unreadable: reconcile says so
        all.push(...parsed.data.restore_record_response);
      }
      return { restore_record_response: all };
    },
  },
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
  operation: {
    progressCall: (r, settings) => ({
      method: 'GET',
      path: recordsPath(r.project_id, r.params.instance_id, settings, 0),
    }),
    judge: judgeDcs,
    timeLimitSeconds: 3600,
  },
} satisfies ActionDefinition<Params>;
