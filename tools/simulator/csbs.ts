/**
 * CSBS (Cloud Server Backup Service) restore: checkpoint items keyed by (project, item id), the
 * restore request's parameter checks (CSBS.9001 when a mandatory field is missing), one running
 * restore per server (CSBS.6015), items busy (CSBS.2003) or not available (CSBS.4000), unknown
 * items (CSBS.3001, 404), and the item going 'restoring' -> 'available' `restoreMs` later
 * (evaluated lazily), or 'error' for an item seeded with `restoreFails`; an item's own `restoreMs`
 * (Infinity: never) overrides the simulator's. Codes: huawei-apis.md "Progress of restores".
 * Owns: CSBS state and answers. Must not touch: auth, faults, sockets.
 */
import { randomUUID } from 'node:crypto';
import { assertProjectId, fail, isObject, isoSeconds, key, ok } from './errors.ts';
import type { CsbsInit, RouteId, ServiceHandler, ServiceResult } from './types.ts';

export const CSBS_PROVIDER_ID = 'fc4d5750-22e7-4798-8a46-f48f62c4c1da';

interface Item {
  id: string;
  projectId: string;
  checkpointId: string;
  serverId: string;
  status: string;
  createdAt: string;
  updatedAt: string;
  restoringUntil?: number;
  /** Restores from this item end with the item in `error`. */
  restoreFails: boolean;
  /** This item's restore duration, when seeded with one. */
  restoreMs?: number;
}

const nonEmpty = (value: unknown): value is string => typeof value === 'string' && value !== '';

/**
 * The first failed parameter check, or undefined when the restore body is well formed. Every field
 * the API reference marks Mandatory (huawei-apis.md, `restore_param` / `restore_target` tables):
 * provider_id (the fixed CSBS id), checkpoint_id, parameters.checkpoint_item_id,
 * parameters.power_on, parameters.targets.server_id, parameters.targets.volumes[] with backup_id
 * and volume_id each.
 */
const checkRestore = (body: unknown): string | undefined => {
  const restore = isObject(body) ? body['restore'] : undefined;
  if (!isObject(restore)) return 'restore is required';
  if (restore['provider_id'] === undefined) return 'provider_id is required';
  if (restore['provider_id'] !== CSBS_PROVIDER_ID) return 'provider_id is invalid';
  if (!nonEmpty(restore['checkpoint_id'])) return 'checkpoint_id is required';
  const parameters = restore['parameters'];
  if (!isObject(parameters)) return 'parameters is required';
  if (!nonEmpty(parameters['checkpoint_item_id'])) return 'parameters.checkpoint_item_id is required';
  if (typeof parameters['power_on'] !== 'boolean') return 'parameters.power_on is required';
  const targets = parameters['targets'];
  if (!isObject(targets)) return 'parameters.targets is required';
  if (!nonEmpty(targets['server_id'])) return 'parameters.targets.server_id is required';
  const volumes = targets['volumes'];
  if (!Array.isArray(volumes)) return 'parameters.targets.volumes is required';
  for (const [index, volume] of volumes.entries()) {
    for (const field of ['backup_id', 'volume_id']) {
      const value = isObject(volume) ? volume[field] : undefined;
      if (!nonEmpty(value)) return `parameters.targets.volumes[${index}].${field} is required`;
    }
  }
  const target = restore['restore_target'];
  if (target !== undefined && typeof target !== 'string') return 'restore_target is invalid';
  return undefined;
};

/** huawei-apis.md: CSBS.3001 (404) checkpoint item not found. */
const itemNotFound = (): ServiceResult => fail(404, 'CSBS.3001', 'The checkpoint item does not exist.');

/** Item statuses in which a backup, restore or deletion is executing (CSBS.2003). */
const EXECUTING = new Set([
  'protecting',
  'restoring',
  'deleting',
  'waiting_protect',
  'waiting_restore',
  'waiting_delete',
]);

export const createCsbs = (options: { restoreMs: number; now: () => number }) => {
  const items = new Map<string, Item>();
  /** (project, server) -> when its latest restore ends. */
  const serverBusyUntil = new Map<string, number>();

  const settle = (item: Item, now: number): Item => {
    if (item.restoringUntil !== undefined && now >= item.restoringUntil) {
      item.status = item.restoreFails ? 'error' : 'available';
      item.updatedAt = isoSeconds(item.restoringUntil);
      delete item.restoringUntil;
    }
    return item;
  };

  const find = (projectId: string, itemId: string, now: number): Item | undefined => {
    const item = items.get(key(projectId, itemId));
    return item && settle(item, now);
  };

  const view = (item: Item): Record<string, unknown> => ({
    id: item.id,
    checkpoint_id: item.checkpointId,
    status: item.status,
    resource_id: item.serverId,
    name: `backup-${item.id}`,
    created_at: item.createdAt,
    updated_at: item.updatedAt,
  });

  const restore: ServiceHandler = ({ projectId, body, now }) => {
    const problem = checkRestore(body);
    if (problem) return fail(400, 'CSBS.9001', `Parameter check failed: ${problem}`);
    const request = (body as { restore: Record<string, unknown> }).restore;
    const parameters = request['parameters'] as Record<string, unknown>;
    const targets = parameters['targets'] as Record<string, unknown>;
    const checkpointId = request['checkpoint_id'] as string;
    const itemId = parameters['checkpoint_item_id'] as string;
    const serverId = targets['server_id'] as string;

    const item = find(projectId, itemId, now);
    if (!item) return itemNotFound();
    if (item.checkpointId !== checkpointId) {
      return fail(
        400,
        'CSBS.9001',
        'Parameter check failed: checkpoint_item_id does not belong to checkpoint_id',
      );
    }
    // huawei-apis.md, CSBS busy / wrong-state codes (all 400).
    if (now < (serverBusyUntil.get(key(projectId, serverId)) ?? 0)) {
      return fail(400, 'CSBS.6015', 'The server is restoring.');
    }
    if (EXECUTING.has(item.status)) {
      return fail(400, 'CSBS.2003', 'The checkpoint item is executing a task.');
    }
    if (item.status !== 'available') {
      return fail(400, 'CSBS.4000', 'The checkpoint item is not available.');
    }

    const until = now + (item.restoreMs ?? options.restoreMs);
    serverBusyUntil.set(key(projectId, serverId), until);
    item.status = 'restoring';
    item.updatedAt = isoSeconds(now);
    item.restoringUntil = until;
    const answer = {
      id: randomUUID(),
      status: 'in_progress',
      checkpoint_id: checkpointId,
      parameters,
      project_id: projectId,
      provider_id: CSBS_PROVIDER_ID,
      resources_reason: '',
      resources_status: '',
      restore_target: request['restore_target'] ?? '',
    };
    return ok({ restore: answer }, true);
  };

  const handlers: Partial<Record<RouteId, ServiceHandler>> = {
    'csbs.restore': restore,
    'csbs.checkpoint_item.show': ({ projectId, id = '', now }) => {
      const item = find(projectId, id, now);
      return item ? ok({ checkpoint_item: view(item) }) : itemNotFound();
    },
  };

  const seed = (projectId: string, itemId: string, init: CsbsInit = {}): void => {
    assertProjectId(projectId);
    const created = isoSeconds(options.now());
    items.set(key(projectId, itemId), {
      id: itemId,
      projectId,
      checkpointId: init.checkpointId ?? `checkpoint-${itemId}`,
      serverId: init.serverId ?? `server-${itemId}`,
      status: init.status ?? 'available',
      createdAt: created,
      updatedAt: created,
      restoreFails: init.restoreFails === true,
      ...(init.restoreMs === undefined ? {} : { restoreMs: init.restoreMs }),
    });
  };

  const show = (projectId: string, itemId: string): Record<string, unknown> | undefined => {
    const item = find(projectId, itemId, options.now());
    return item && view(item);
  };

  return { handlers, seed, view: show };
};
