/**
 * The route table: which method and path is which simulated Huawei API, with the project id and
 * path resource id extracted, and the resource id the call log and fault matchers see.
 * Owns: URL matching. Must not touch: auth, state.
 */
import { isObject } from './errors.ts';
import type { RouteId } from './types.ts';

export interface RouteMatch {
  route: RouteId;
  projectId: string;
  id?: string;
  /** The API version in the path (`v1`, `v1.0`, `v2`): DCS answers v1.0 and v2 differently. */
  version: string;
}

const ROUTES: readonly { method: string; route: RouteId; pattern: RegExp }[] = [
  {
    method: 'POST',
    route: 'dws.dr.start',
    pattern: /^\/v2\/(?<p>[^/]+)\/disaster-recovery\/(?<id>[^/]+)\/start$/,
  },
  {
    method: 'POST',
    route: 'dws.dr.failover',
    pattern: /^\/v2\/(?<p>[^/]+)\/disaster-recovery\/(?<id>[^/]+)\/failover$/,
  },
  {
    method: 'POST',
    route: 'dws.dr.recovery',
    pattern: /^\/v2\/(?<p>[^/]+)\/disaster-recovery\/(?<id>[^/]+)\/recovery$/,
  },
  { method: 'GET', route: 'dws.dr.show', pattern: /^\/v2\/(?<p>[^/]+)\/disaster-recovery\/(?<id>[^/]+)$/ },
  { method: 'POST', route: 'csbs.restore', pattern: /^\/v1\/(?<p>[^/]+)\/restores$/ },
  {
    method: 'GET',
    route: 'csbs.checkpoint_item.show',
    pattern: /^\/v1\/(?<p>[^/]+)\/checkpoint_items\/(?<id>[^/]+)$/,
  },
  {
    method: 'POST',
    route: 'dcs.restore',
    pattern: /^\/(?<v>v1\.0|v2)\/(?<p>[^/]+)\/instances\/(?<id>[^/]+)\/restores$/,
  },
  {
    method: 'GET',
    route: 'dcs.restores.list',
    pattern: /^\/(?<v>v1\.0|v2)\/(?<p>[^/]+)\/instances\/(?<id>[^/]+)\/restores$/,
  },
  {
    method: 'GET',
    route: 'dcs.backups.list',
    pattern: /^\/(?<v>v1\.0|v2)\/(?<p>[^/]+)\/instances\/(?<id>[^/]+)\/backups$/,
  },
  {
    method: 'GET',
    route: 'dcs.instance.show',
    pattern: /^\/(?<v>v1\.0|v2)\/(?<p>[^/]+)\/instances\/(?<id>[^/]+)$/,
  },
  { method: 'POST', route: 'cbr.restore', pattern: /^\/v3\/(?<p>[^/]+)\/backups\/(?<id>[^/]+)\/restore$/ },
  { method: 'GET', route: 'cbr.backup.show', pattern: /^\/v3\/(?<p>[^/]+)\/backups\/(?<id>[^/]+)$/ },
  { method: 'GET', route: 'cbr.operation_logs.list', pattern: /^\/v3\/(?<p>[^/]+)\/operation-logs$/ },
  {
    method: 'GET',
    route: 'cbr.operation_log.show',
    pattern: /^\/v3\/(?<p>[^/]+)\/operation-logs\/(?<id>[^/]+)$/,
  },
];

const decode = (segment: string | undefined): string | undefined => {
  if (segment === undefined) return undefined;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
};

export const matchRoute = (method: string, pathname: string): RouteMatch | undefined => {
  for (const { method: m, route, pattern } of ROUTES) {
    if (m !== method.toUpperCase()) continue;
    const groups = pattern.exec(pathname)?.groups;
    if (!groups) continue;
    const id = decode(groups['id']);
    const version = groups['v'] ?? pathname.split('/')[1] ?? '';
    return { route, projectId: decode(groups['p']) ?? '', version, ...(id === undefined ? {} : { id }) };
  }
  return undefined;
};

/** DR id | checkpoint item id (or checkpoint id if no item) | DCS instance id | CBR backup id (or task id). */
export const resourceIdOf = (match: RouteMatch, body: unknown): string | undefined => {
  if (match.route !== 'csbs.restore') return match.id;
  const restore = isObject(body) ? body['restore'] : undefined;
  if (!isObject(restore)) return undefined;
  const parameters = restore['parameters'];
  const item = isObject(parameters) ? parameters['checkpoint_item_id'] : undefined;
  if (typeof item === 'string' && item) return item;
  return typeof restore['checkpoint_id'] === 'string' ? restore['checkpoint_id'] : undefined;
};
